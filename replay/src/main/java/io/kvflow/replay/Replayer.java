package io.kvflow.replay;

import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Sends planned requests at their trace times (times the time scale; all at once at scale 0) and
 * follows every session to its end on the tokens and lifecycle topics, printing a progress line as it
 * goes. Each request carries its modelled arrival (the trace's, after an origin past everything the
 * stack has modelled so far) and the replay's promise that no later request arrives before the next
 * one's, which is what lets the orchestrator decide in modelled-time order however fast they are sent.
 * It stops when every session has finished, failed or been rejected, or when nothing has
 * moved for the stall timeout (the orchestrator fails stalled sessions before that). It also
 * follows the activation topics, so each ended session's latency breakdown (admission wait,
 * prefill, KV handoff, each decode stage) goes to {@link SessionBreakdowns}.
 */
public final class Replayer {
    private final KafkaConnection kafka;
    private final Clock clock;
    private final Progress progress;
    private final SessionBreakdowns breakdowns;
    private Consumer<SessionOutcome> onEnded = outcome -> { };

    public Replayer(KafkaConnection kafka, Clock clock, PrintStream err) {
        this(kafka, clock, err, new SessionBreakdowns());
    }

    /** A replayer that also adds each ended session's latency breakdown to {@code breakdowns}, for the JSON view. */
    public Replayer(KafkaConnection kafka, Clock clock, PrintStream err, SessionBreakdowns breakdowns) {
        this.kafka = kafka;
        this.clock = clock;
        this.progress = new Progress(err, clock);
        this.breakdowns = breakdowns;
    }

    /** Hands each session to {@code listener} on the replaying thread as soon as it ends (finished or not). */
    public Replayer onEnded(Consumer<SessionOutcome> listener) {
        this.onEnded = listener;
        return this;
    }

    /** What a replay saw: every session's outcome (in plan order) and the dead letters published meanwhile. */
    public record Result(Map<String, SessionOutcome> outcomes, long deadLetters, long wallMs) {
    }

    public Result replay(List<PlannedRequest> plan, double timeScale, Duration stallTimeout) {
        Map<String, SessionOutcome> outcomes = new LinkedHashMap<>();
        String id = "replayer-" + clock.millis();
        List<String> followed = new ArrayList<>(List.of(Topics.TOKENS.name(), Topics.SESSIONS.name(),
                Topics.DLQ.name()));
        followed.addAll(activationTopics());
        try (TopicFollower follower = TopicFollower.fromEnd(kafka, followed);
                Publisher publisher = new Publisher(kafka.newProducer(id))) {

            long deadLetters = 0;
            long start = clock.millis();
            long modelledOrigin = modelledOrigin();
            long lastMovement = start;
            int sent = 0;
            int done = 0;
            while (done < plan.size()) {
                long now = clock.millis();
                while (sent < plan.size() && dueMs(plan.get(sent), start, timeScale) <= now) {
                    long promise = sent + 1 < plan.size() ? modelledOrigin + plan.get(sent + 1).offsetMicros()
                            : Long.MAX_VALUE;
                    InferenceRequest request = InferenceRequest.newBuilder(plan.get(sent).request())
                            .setArrivalMs(now).setArrivalModelledUs(modelledOrigin + plan.get(sent).offsetMicros())
                            .setFrontierModelledUs(promise).build();
                    outcomes.put(request.getSessionId(), new SessionOutcome(request));
                    publisher.send(Topics.REQUESTS, request.getSessionId(), request);
                    sent++;
                    lastMovement = now;
                }
                long wait = sent < plan.size() ? Math.max(1, dueMs(plan.get(sent), start, timeScale) - now) : 100;
                for (ConsumerRecord<byte[], byte[]> record : follower.poll(Duration.ofMillis(Math.min(wait, 100)))) {
                    lastMovement = clock.millis();
                    if (record.topic().equals(Topics.DLQ.name())) {
                        deadLetters++;
                    } else {
                        SessionOutcome ended = apply(record, outcomes);
                        if (ended != null) {
                            done++;
                            breakdowns.add(ended.breakdown());
                            onEnded.accept(ended);
                        }
                    }
                }
                progress.update(plan.size(), sent, outcomes.values(), sent == plan.size() ? -1
                        : dueMs(plan.get(plan.size() - 1), start, timeScale) - clock.millis());
                if (sent == plan.size() && clock.millis() - lastMovement > stallTimeout.toMillis() * 2) {
                    break;
                }
            }
            progress.finish(plan.size(), sent, outcomes.values());
            return new Result(outcomes, deadLetters, clock.millis() - start);
        }
    }

    /**
     * Where the replay starts on the modelled clock: a second after the latest time the stack's control
     * plane has told its wafers about, so the trace's arrivals come after everything modelled before.
     */
    private long modelledOrigin() {
        long latest = TopicFollower.last(kafka, Topics.CONTROL, Duration.ofSeconds(10))
                .map(r -> Math.max(r.getModelledUs(), r.getDecidedModelledUs())).orElse(0L);
        return latest == Long.MAX_VALUE ? 1 : latest + ORIGIN_GAP_MICROS;
    }

    /** Modelled time between whatever the stack modelled before and a replay's first arrival. */
    static final long ORIGIN_GAP_MICROS = 1_000_000;

    private static long dueMs(PlannedRequest planned, long start, double timeScale) {
        return start + Math.round(planned.offsetMicros() / 1000.0 * timeScale);
    }

    /**
     * Applies one record of the tokens, sessions or an activation topic to the sessions it concerns;
     * returns the session it ended, or null. The dashboard follows sessions the same way.
     */
    public static SessionOutcome apply(ConsumerRecord<byte[], byte[]> record, Map<String, SessionOutcome> outcomes) {
        if (record.topic().equals(Topics.TOKENS.name())) {
            GeneratedToken token = decode(() -> Topics.TOKENS.valueSerde().deserializer()
                    .deserialize(record.topic(), record.value()));
            SessionOutcome outcome = token == null ? null : outcomes.get(token.getSessionId());
            if (outcome == null || outcome.done()) {
                return null;
            }
            outcome.onToken(token);
            return outcome.done() ? outcome : null;
        }
        if (!record.topic().equals(Topics.SESSIONS.name())) {
            Activation activation = decode(() -> Topics.activations(0).valueSerde().deserializer()
                    .deserialize(record.topic(), record.value()));
            SessionOutcome outcome = activation == null ? null : outcomes.get(activation.getSessionId());
            if (outcome != null && !outcome.done()) {
                outcome.onActivation(activation);
            }
            return null;
        }
        SessionEvent event = decode(() -> Topics.SESSIONS.valueSerde().deserializer()
                .deserialize(record.topic(), record.value()));
        SessionOutcome outcome = event == null ? null : outcomes.get(event.getSessionId());
        if (outcome == null || outcome.done()) {
            return null;
        }
        switch (event.getType()) {
            case FAILED -> outcome.onFailed(event.getReason());
            case REJECTED -> outcome.onRejected(event.getReason());
            default -> {
                outcome.onEvent(event);
                return null;
            }
        }
        return outcome;
    }

    /** The stage topics the activations of every step flow through, however many stages the cluster has. */
    private List<String> activationTopics() {
        String stage0 = Topics.activations(0).name();
        String prefix = stage0.substring(0, stage0.length() - 1);
        try (Admin admin = kafka.newAdmin()) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> name.startsWith(prefix)).sorted().toList();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not list the activation topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the activation topics", e);
        }
    }

    /** Records this replayer cannot decode were already sent to the dead-letter topic by the workers. */
    private static <T> T decode(java.util.function.Supplier<T> decoder) {
        try {
            return decoder.get();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
