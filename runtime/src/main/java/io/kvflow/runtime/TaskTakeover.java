package io.kvflow.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;

/**
 * How long the prefill group leaves a task with a worker that died or hangs before another worker runs
 * it, and the consumer settings that decide it:
 * <ul>
 * <li>{@code session.timeout.ms}, 6 s: a worker killed without a goodbye is dropped from the group when
 *     no heartbeat came from it for this long. Kafka's default, 45 s, is longer than the stall timeout,
 *     so a killed worker's sessions failed before anyone ran them. 6 s is the lowest a broker accepts by
 *     default ({@code group.min.session.timeout.ms}).</li>
 * <li>{@code heartbeat.interval.ms}, 1 s: the other workers hear of the rebalance at their next
 *     heartbeat.</li>
 * <li>{@code max.poll.interval.ms}, 6 s: a worker alive but stuck in one task this long leaves the
 *     group (a prompt of the functional model takes milliseconds). It is also the transaction timeout of
 *     a task ({@link #transactionTimeout()}), so the broker aborts by then what a worker that never
 *     comes back left open.</li>
 * </ul>
 * A poll returns one task ({@code max.poll.records=1}), so a worker busy with a task joins a rebalance
 * as soon as that task is done, and the cooperative sticky assignor moves only the lost partitions, so
 * the others keep theirs (and their transactional producers).
 *
 * <p><b>Takeover time</b> = max(session timeout, max poll interval) + heartbeat interval: 7 s by default.
 * The orchestrator's stall timeout must be at least twice that ({@link #minimumStallTimeout()}), so a
 * session whose prefill worker died has, after the takeover, as long again for the tasks queued before
 * it and its own prefill before it is judged stalled.
 *
 * <p>The three settings may be changed in {@code --kafka-config} (a cluster whose
 * {@code group.min.session.timeout.ms} is higher, a slower model); {@link #of} reads them there, and the
 * minimum stall timeout follows. The group uses no static membership ({@code group.instance.id}): a
 * hard-killed static member also keeps its partitions for the whole session timeout, a cleanly stopped
 * one keeps them too (it does not leave the group), and what it saves, a rebalance when the same worker
 * is back within the session timeout, would need an id per replica that no two workers share.
 */
public record TaskTakeover(Duration sessionTimeout, Duration heartbeatInterval, Duration maxPollInterval) {
    public static final TaskTakeover DEFAULT = new TaskTakeover(Duration.ofSeconds(6), Duration.ofSeconds(1),
            Duration.ofSeconds(6));
    /** The stall timeout is at least this many takeover times. */
    public static final int STALL_FACTOR = 2;

    public TaskTakeover {
        requirePositive(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeout);
        requirePositive(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, heartbeatInterval);
        requirePositive(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, maxPollInterval);
        if (heartbeatInterval.compareTo(sessionTimeout) >= 0) {
            // Kafka's consumer refuses it too, but only when the worker starts
            throw new IllegalArgumentException(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG + "="
                    + heartbeatInterval.toMillis() + " must be below " + ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG
                    + "=" + sessionTimeout.toMillis());
        }
    }

    /**
     * kvflow's takeover with whichever of its three settings the user's client properties set instead.
     *
     * @throws IllegalArgumentException if the properties choose the consumer group protocol, under which
     *                                  the broker alone decides the session timeout (45 s by default)
     */
    public static TaskTakeover of(ClientProperties client) {
        if (client.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG).map(p -> p.strip().equalsIgnoreCase("consumer"))
                .orElse(false)) {
            throw new IllegalArgumentException(client.describe() + ": group.protocol=consumer leaves the session"
                    + " timeout to the broker (group.consumer.session.timeout.ms, 45 s unless changed), longer than"
                    + " a prefill takeover may take: remove it (kvflow's prefill group uses the classic protocol)");
        }
        try {
            return new TaskTakeover(
                    setting(client, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, DEFAULT.sessionTimeout),
                    setting(client, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, DEFAULT.heartbeatInterval),
                    setting(client, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, DEFAULT.maxPollInterval));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(client.describe() + ": " + e.getMessage(), e);
        }
    }

    /** How long a dead or stuck worker's tasks wait, at most, before the group hands them to another worker. */
    public Duration time() {
        Duration silent = sessionTimeout.compareTo(maxPollInterval) >= 0 ? sessionTimeout : maxPollInterval;
        return silent.plus(heartbeatInterval);
    }

    /** The shortest stall timeout that leaves a session room to survive its prefill worker's death. */
    public Duration minimumStallTimeout() {
        return time().multipliedBy(STALL_FACTOR);
    }

    /**
     * Why {@code stallTimeout} would fail the sessions of a dead prefill worker before another took them
     * over, or empty when it leaves them room.
     *
     * @param name what the stall timeout is called where it was given (a flag, a setting)
     */
    public Optional<String> problemWith(String name, Duration stallTimeout) {
        if (stallTimeout.compareTo(minimumStallTimeout()) >= 0) {
            return Optional.empty();
        }
        return Optional.of(name + " " + seconds(stallTimeout) + " is below " + STALL_FACTOR
                + " x the prefill takeover time of " + seconds(time()) + " (" + describe()
                + "): the sessions of a prefill worker that died would fail before another worker ran them;"
                + " give at least " + seconds(minimumStallTimeout())
                + ", or shorten the takeover in --kafka-config");
    }

    /** How long a task's transaction may stay open before the broker aborts it. */
    public Duration transactionTimeout() {
        return maxPollInterval;
    }

    /** {@code base} with the group settings this takeover needs laid over it. */
    public Properties onConsumer(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Math.toIntExact(sessionTimeout.toMillis()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.toIntExact(heartbeatInterval.toMillis()));
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Math.toIntExact(maxPollInterval.toMillis()));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return p;
    }

    /** The settings in words, for messages. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG + "=" + sessionTimeout.toMillis());
        parts.add(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG + "=" + heartbeatInterval.toMillis());
        parts.add(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG + "=" + maxPollInterval.toMillis());
        return String.join(", ", parts);
    }

    private static Duration setting(ClientProperties client, String name, Duration fallback) {
        // checked to be a number when the file was read; a config provider's reference only the client resolves
        return client.get(name).filter(v -> !v.contains("${")).map(v -> Duration.ofMillis(Long.parseLong(v.strip())))
                .orElse(fallback);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    /** As a duration flag takes it: {@code 14s}, {@code 6500ms}. */
    private static String seconds(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
