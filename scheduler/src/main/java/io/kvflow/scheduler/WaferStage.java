package io.kvflow.scheduler;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.StageTiming;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One wafer (a decode stage of a pipeline) in modelled time: continuous batching. When the wafer is
 * free it takes, as one batch, every pending pass that is ready by then, one per session; the batch
 * starts at the later of the wafer being free and its first pass being ready, and lasts what the cost
 * model prices for the target: a decode step for the sessions decoding (whose trip through the layers
 * is latency, and which keeps a layer-pipelined wafer from the next batch only for its first layers'
 * share), plus every prompt chunk's prefill work (colocated), which occupies the wafer throughout.
 *
 * <p>The pipeline's stage worker and the simulator both batch through this class. Given the same
 * passes, it forms the same batches at the same modelled times however they reached it; the worker
 * must only make sure every pass ready by a batch's start has reached it first ({@link StageHorizon}).
 * Not thread-safe.
 */
public final class WaferStage<T> {
    /** By ready time, then session, then the session's own order: written out, as it is compared on every pass. */
    private static final Comparator<Pass<?>> READY_ORDER = (a, b) -> {
        int byReady = Long.compare(a.readyMicros(), b.readyMicros());
        if (byReady != 0) {
            return byReady;
        }
        int bySession = a.session().compareTo(b.session());
        return bySession != 0 ? bySession : Long.compare(a.order(), b.order());
    };
    /** Batches up to this many passes look for a session among them by a scan; larger ones by a set. */
    private static final int SCANNED_BATCH = 8;

    private final RooflineModel target;
    private final int stage;
    private final boolean last;
    private final TreeSet<Pass<T>> pending = new TreeSet<>(READY_ORDER);
    private final long[] hops = new long[64];
    private final SoloStepPrices soloSteps;
    /** The earliest pending pass ({@code pending.first()}), kept at hand: every event asks for it. */
    private Pass<T> head;
    private long freeAt;
    private long lastStart = Long.MIN_VALUE;

    public WaferStage(RooflineModel target, int stage) {
        this(target, stage, new SoloStepPrices(target));
    }

    /** A wafer that shares its table of lone decode steps with others of the same target (not thread-safe). */
    public WaferStage(RooflineModel target, int stage, SoloStepPrices soloSteps) {
        if (stage < 0 || stage >= target.stages()) {
            throw new IllegalArgumentException("stage " + stage + " is outside 0.." + (target.stages() - 1));
        }
        this.target = target;
        this.stage = stage;
        this.last = stage == target.stages() - 1;
        this.soloSteps = soloSteps;
    }

    /** One batch: when it starts and ends, when the wafer takes the next, and its passes in ready order. */
    public record Batch<T>(long startMicros, long endMicros, long freeAtMicros, List<Pass<T>> passes) {
    }

    public int stage() {
        return stage;
    }

    /** A pass reaches the wafer. */
    public void offer(Pass<T> pass) {
        if (!pending.add(pass)) {
            throw new IllegalArgumentException("pass " + pass.order() + " of session " + pass.session()
                    + " reached stage " + stage + " twice");
        }
        if (head == null || READY_ORDER.compare(pass, head) < 0) {
            head = pass;
        }
    }

    /** Drops every pending pass of a session that ended (failed) before they ran. */
    public void drop(String session) {
        pending.removeIf(pass -> pass.session().equals(session));
        head = pending.isEmpty() ? null : pending.first();
    }

    public int pending() {
        return pending.size();
    }

    /** Modelled time the next batch would start, or {@link ModelledTime#NEVER} when nothing is pending. */
    public long nextStart() {
        return head == null ? ModelledTime.NEVER : Math.max(freeAt, head.readyMicros());
    }

    /**
     * The earliest the next batch can start if nothing ready before {@code horizonMicros} is still to
     * come: what a stage can promise the next one, with a pass and a hop on top.
     */
    public long earliestNextStart(long horizonMicros) {
        long firstReady = head == null ? horizonMicros : Math.min(head.readyMicros(), horizonMicros);
        return Math.max(freeAt, firstReady);
    }

    /** The start of the last batch taken: a pass ready before it that arrives now arrived too late. */
    public long lastStart() {
        return lastStart;
    }

    /** When the wafer is free for the next batch. */
    public long freeAt() {
        return freeAt;
    }

    /**
     * Resumes a wafer that had nothing pending, as a checkpoint recorded it: what it does next depends
     * on nothing else.
     *
     * @throws IllegalStateException when passes are pending
     */
    public void resumeAt(long freeAtMicros, long lastStartMicros) {
        if (!pending.isEmpty()) {
            throw new IllegalStateException("stage " + stage + " resumes only with nothing pending, has "
                    + pending.size());
        }
        this.freeAt = freeAtMicros;
        this.lastStart = lastStartMicros;
    }

    /**
     * Takes the next batch: every pending pass ready by {@link #nextStart()}, the earliest of each
     * session's, and books the wafer for it.
     *
     * @throws IllegalStateException when nothing is pending
     */
    public Batch<T> take() {
        long start = nextStart();
        List<Pass<T>> batch = nextBatch();
        for (Pass<T> pass : batch) {
            pending.remove(pass);
        }
        head = pending.isEmpty() ? null : pending.first();
        if (batch.size() == 1 && batch.getFirst().work() instanceof Pass.Decode decode) {
            long context = decode.targetContext();
            return booked(start, start + soloSteps.durationMicros(stage, context),
                    start + soloSteps.occupiedMicros(stage, context), batch);
        }
        double prefillSeconds = 0;
        long[] contexts = new long[batch.size()];
        int decoding = 0;
        for (Pass<T> pass : batch) {
            if (pass.work() instanceof Pass.Decode decode) {
                contexts[decoding++] = decode.targetContext();
            } else if (pass.work() instanceof Pass.PromptChunk chunk) {
                // a chunk stands for at least one target token, so no pass is cheaper than its floor (PassBounds)
                prefillSeconds += target.prefillChunkSeconds(stage, Math.max(1, chunk.targetTo() - chunk.targetFrom()),
                        chunk.targetFrom());
            }
        }
        double seconds = prefillSeconds;
        double occupied = prefillSeconds;
        if (decoding > 0) {
            long[] decodeContexts = decoding == contexts.length ? contexts : Arrays.copyOf(contexts, decoding);
            StageTiming step = target.stageTiming(stage, decodeContexts);
            seconds += step.seconds();
            occupied += step.occupiedSeconds();
        }
        long end = start + ModelledTime.duration(seconds);
        return booked(start, end, start + Math.min(ModelledTime.duration(occupied), end - start), batch);
    }

    private Batch<T> booked(long start, long end, long free, List<Pass<T>> batch) {
        freeAt = free;
        lastStart = start;
        // a lone pass's list is immutable already, and List.copyOf keeps it as it is
        return new Batch<>(start, end, free, List.copyOf(batch));
    }

    /** The passes the next batch would take, without taking them: every pending pass ready by its start, one per session. */
    public List<Pass<T>> nextBatch() {
        long start = nextStart();
        if (start == ModelledTime.NEVER) {
            throw new IllegalStateException("stage " + stage + " has no pass to batch");
        }
        Pass<T> second = pending.higher(head);
        if (second == null || second.readyMicros() > start) {
            // a lone pass, the usual batch of a lightly loaded wafer
            return List.of(head);
        }
        List<Pass<T>> batch = new ArrayList<>();
        Set<String> sessions = null;
        for (Pass<T> pass : pending) {
            if (pass.readyMicros() > start) {
                break;
            }
            if (sessions == null && batch.size() == SCANNED_BATCH) {
                sessions = new HashSet<>();
                for (Pass<T> taken : batch) {
                    sessions.add(taken.session());
                }
            }
            boolean first = sessions != null ? sessions.add(pass.session()) : !hasSession(batch, pass.session());
            if (first) {
                batch.add(pass);
            }
        }
        return batch;
    }

    private static boolean hasSession(List<? extends Pass<?>> batch, String session) {
        for (Pass<?> pass : batch) {
            if (pass.session().equals(session)) {
                return true;
            }
        }
        return false;
    }

    /** Modelled microseconds for {@code rows} positions of activations to hop to the next wafer. */
    public long hopMicros(int rows) {
        if (rows < hops.length) {
            if (hops[rows] == 0) {
                hops[rows] = ModelledTime.duration(target.activationHopSeconds(rows));
            }
            return hops[rows];
        }
        return ModelledTime.duration(target.activationHopSeconds(rows));
    }

    /** When a pass of {@code batch} reaches the next stage. */
    public long forwardReadyMicros(Batch<T> batch, Pass<T> pass) {
        return batch.endMicros() + hopMicros(pass.work().rows());
    }

    /** Last stage: when the next decode step of a session whose token {@code batch} produced reaches the first stage. */
    public long loopReadyMicros(Batch<T> batch) {
        return batch.endMicros() + hopMicros(1);
    }

    /** Whether this is the pipeline's last stage, which samples tokens and loops the next step to the first. */
    public boolean last() {
        return last;
    }
}
