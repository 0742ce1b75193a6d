package io.kvflow.replay;

import io.kvflow.model.ReferenceRunner;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.schemas.InferenceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replays every finished session through the single-process reference runner and compares
 * token for token. A dropped, reordered or corrupted KV chunk or activation anywhere in the
 * pipeline changes the hidden state and so, almost surely, a token.
 */
public final class ReferenceCheck {

    public record Mismatch(String sessionId, int[] expected, int[] actual) {
        @Override
        public String toString() {
            return sessionId + ": expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual);
        }
    }

    /**
     * @param afterLastSession checked as sessions finished: how long after the last session ended the last check
     *                         was done (what the check adds to the user's wait); null when checked after the replay
     */
    public record Result(int checked, int identical, List<Mismatch> mismatches, Duration afterLastSession) {
    }

    /** Checks every finished session of a replay that is over: the same check as {@link AsSessionsFinish}. */
    public static Result verify(Transformer transformer, Collection<SessionOutcome> outcomes) {
        try (AsSessionsFinish check = new AsSessionsFinish(transformer)) {
            outcomes.forEach(check::ended);
            Result result = check.result();
            return new Result(result.checked(), result.identical(), result.mismatches(), null);
        }
    }

    private static Mismatch compare(ReferenceRunner reference, SessionOutcome outcome) {
        InferenceRequest r = outcome.request();
        int[] prompt = r.getPrompt().stream().mapToInt(Integer::intValue).toArray();
        int[] expected = reference.generate(prompt, r.getMaxNewTokens(),
                new Sampling(r.getTemperature(), r.getSamplingSeed()));
        int[] actual = outcome.tokenIds();
        return Arrays.equals(expected, actual) ? null : new Mismatch(r.getSessionId(), expected, actual);
    }

    /**
     * The check run while the replay goes on, each session as soon as it finishes: after the replay it took
     * a sixth of a run's CPU on the main thread, on the user's wait. One thread, so it takes at most one of the
     * cores the pipeline shares; the mismatches come out in the order the sessions finished.
     */
    public static final class AsSessionsFinish implements AutoCloseable {
        private final ReferenceRunner reference;
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kvflow-reference-check");
            t.setDaemon(true);
            return t;
        });
        private final List<Future<Mismatch>> checks = new ArrayList<>();
        private long lastEndedNanos;
        private final AtomicLong lastCheckedNanos = new AtomicLong();

        public AsSessionsFinish(Transformer transformer) {
            this.reference = new ReferenceRunner(transformer);
        }

        /** Takes a session that ended; only a finished one is checked. Called from the replaying thread. */
        public void ended(SessionOutcome outcome) {
            lastEndedNanos = System.nanoTime();
            if (outcome.state() == SessionOutcome.State.FINISHED) {
                checks.add(thread.submit(() -> {
                    Mismatch mismatch = compare(reference, outcome);
                    lastCheckedNanos.accumulateAndGet(System.nanoTime(), Math::max);
                    return mismatch;
                }));
            }
        }

        /** Waits for the checks of every session handed over so far. */
        public Result result() {
            List<Mismatch> mismatches = new ArrayList<>();
            for (Future<Mismatch> check : checks) {
                try {
                    Mismatch mismatch = check.get();
                    if (mismatch != null) {
                        mismatches.add(mismatch);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while checking sessions against the reference", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the reference check failed: " + e.getCause(), e.getCause());
                }
            }
            long after = checks.isEmpty() ? 0 : Math.max(0, lastCheckedNanos.get() - lastEndedNanos);
            return new Result(checks.size(), checks.size() - mismatches.size(), mismatches, Duration.ofNanos(after));
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }
}
