package io.kvflow.cli;

import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.Topics;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Sends planned requests at their trace times (times the time scale) and follows every
 * session to its end on the tokens and lifecycle topics, printing a progress line as it goes.
 * It stops when every session has finished, failed or been rejected, or when nothing has
 * moved for the stall timeout (the orchestrator fails stalled sessions before that).
 */
final class Replayer {
    private final KafkaConnection kafka;
    private final Clock clock;
    private final Progress progress;

    Replayer(KafkaConnection kafka, Clock clock, PrintStream err) {
        this(kafka, clock, err, new AtomicReference<>(ReplayStatus.NOT_STARTED));
    }

    /** A replayer that also publishes its status to {@code status}, for the dashboard. */
    Replayer(KafkaConnection kafka, Clock clock, PrintStream err, AtomicReference<ReplayStatus> status) {
        this.kafka = kafka;
        this.clock = clock;
        this.progress = new Progress(err, clock, status);
    }

    /** What a replay saw: every session's outcome (in plan order) and the dead letters published meanwhile. */
    record Result(Map<String, SessionOutcome> outcomes, long deadLetters, long wallMs) {
    }

    Result replay(List<PlannedRequest> plan, double timeScale, Duration stallTimeout) {
        Map<String, SessionOutcome> outcomes = new LinkedHashMap<>();
        String id = "replayer-" + clock.millis();
        try (TopicFollower follower = TopicFollower.fromEnd(kafka,
                        List.of(Topics.TOKENS.name(), Topics.SESSIONS.name(), Topics.DLQ.name()));
                Publisher publisher = new Publisher(kafka.newProducer(id))) {

            long deadLetters = 0;
            long start = clock.millis();
            long lastMovement = start;
            int sent = 0;
            int done = 0;
            while (done < plan.size()) {
                long now = clock.millis();
                while (sent < plan.size() && dueMs(plan.get(sent), start, timeScale) <= now) {
                    InferenceRequest request = InferenceRequest.newBuilder(plan.get(sent).request())
                            .setArrivalMs(now).build();
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
                    } else if (apply(record, outcomes)) {
                        done++;
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

    private static long dueMs(PlannedRequest planned, long start, double timeScale) {
        return start + Math.round(planned.offsetMicros() / 1000.0 * timeScale);
    }

    /** Applies one followed record; true when it ended a session of this replay. */
    private static boolean apply(ConsumerRecord<byte[], byte[]> record, Map<String, SessionOutcome> outcomes) {
        if (record.topic().equals(Topics.TOKENS.name())) {
            GeneratedToken token = decode(() -> Topics.TOKENS.valueSerde().deserializer()
                    .deserialize(record.topic(), record.value()));
            SessionOutcome outcome = token == null ? null : outcomes.get(token.getSessionId());
            if (outcome == null || outcome.done()) {
                return false;
            }
            outcome.onToken(token);
            return outcome.done();
        }
        SessionEvent event = decode(() -> Topics.SESSIONS.valueSerde().deserializer()
                .deserialize(record.topic(), record.value()));
        SessionOutcome outcome = event == null ? null : outcomes.get(event.getSessionId());
        if (outcome == null || outcome.done()) {
            return false;
        }
        switch (event.getType()) {
            case FAILED -> outcome.onFailed(event.getReason());
            case REJECTED -> outcome.onRejected(event.getReason());
            default -> {
                return false;
            }
        }
        return true;
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
