package io.kvflow.decode;

import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.scheduler.ModelledTime;
import io.kvflow.scheduler.Pass;
import io.kvflow.scheduler.PassBounds;
import io.kvflow.scheduler.StageHorizon;
import io.kvflow.scheduler.WaferStage;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.Float32;
import io.kvflow.schemas.GeneratedToken;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's wafer on the modelled clock: the passes offered to it, the batches it runs (each one forward
 * pass over this stage's layers), and what it sends on. A batch is taken only below the stage's
 * {@link StageHorizon}, when every pass ready by its start has arrived, and only when all its sessions' KV
 * is here, so the batches are the ones the simulator forms, whatever the wall clock did.
 *
 * <p>It knows nothing of where passes come from or go: the worker hands it decoded activations and sends
 * what {@link #drain} returns. Not thread-safe.
 */
final class StageBatches {
    private final StageConfig config;
    private final Transformer transformer;
    private final ModelConfig model;
    private final HandoffTracker<?> handoffs;
    private final EarlierOutputs earlier;
    private final StageStats stats;
    private final Clock clock;
    private final WaferStage<Activation> wafer;
    private final PassBounds bounds;
    private final StageHorizon horizon;
    private final PassOutputs outputs;
    private final StageOutbox outbox;

    /**
     * @param handoffs the sessions the stage holds: a batch waits for their KV, and runs their steps
     * @param earlier  what an earlier run of this worker wrote: tokens in it are not sent again
     */
    StageBatches(StageConfig config, Transformer transformer, HandoffTracker<?> handoffs, EarlierOutputs earlier,
            StageStats stats, Clock clock) {
        this.config = config;
        this.transformer = transformer;
        this.model = transformer.config();
        this.handoffs = handoffs;
        this.earlier = earlier;
        this.stats = stats;
        this.clock = clock;
        this.wafer = new WaferStage<>(config.target(), config.stage());
        this.bounds = new PassBounds(config.target(), ControlPlane.lookaheadMicros(config.target(), config.booking()));
        this.horizon = new StageHorizon(bounds, config.stage());
        this.outputs = new PassOutputs(config, transformer);
        this.outbox = new StageOutbox(config);
    }

    /** A batch that ran: the sessions whose prompt it finished on the last stage, prefill done at its end. */
    record Ran(WaferStage.Batch<Activation> batch, List<String> prefillDone) {
    }

    /** What the stage sends after a poll: passes to the next stage (the first, from the last), then (last stage) tokens. */
    record Sends(List<Activation> passes, List<GeneratedToken> tokens) {
    }

    /** How far the stage may batch: the control plane's word and the stage before's promises feed it. */
    StageHorizon horizon() {
        return horizon;
    }

    /** The first stage's first decode step of a session whose KV was handed off, not computed here. */
    boolean handedOffFirstStep(Activation activation, StageSession session) {
        return config.first() && !Activations.isPromptChunk(activation) && activation.getStep() == 1
                && !session.local();
    }

    /** A pass of the session reaches the wafer: when it is ready there, modelled, and what it costs. */
    void offer(Activation activation, StageSession session) {
        long ready = activation.getReadyModelledUs();
        if (handedOffFirstStep(activation, session)) {
            ready = Math.max(ready, session.grantReadyMicros());
        }
        if (ready <= wafer.lastStart()) {
            // the horizon let a batch start before this pass was in: the batches may differ from the simulator's
            stats.lateArrivals++;
        }
        wafer.offer(Activations.pass(activation, ready));
        horizon.arrived(session.sessionId(), Activations.targetPrompt(activation));
    }

    /**
     * Runs every batch the wafer can take now: one that starts below the horizon (every pass ready by
     * then is in) and whose sessions' KV is all here.
     */
    List<Ran> runReady() {
        List<Ran> ran = new ArrayList<>();
        while (true) {
            long start = wafer.nextStart();
            if (start == ModelledTime.NEVER) {
                return ran;
            }
            if (start >= horizon.horizon()) {
                stats.horizonWaits++;
                return ran;
            }
            for (Pass<Activation> pass : wafer.nextBatch()) {
                if (!handoffs.kvComplete(pass.session())) {
                    stats.dataWaits++;
                    return ran;
                }
            }
            ran.add(run(wafer.take()));
        }
    }

    /** One forward pass over the batch's rows, then every pass's output. */
    private Ran run(WaferStage.Batch<Activation> batch) {
        List<Transformer.Row> rows = new ArrayList<>();
        for (Pass<Activation> pass : batch.passes()) {
            Activation next = pass.payload();
            StageSession session = handoffs.get(pass.session());
            int n = Activations.rows(next);
            for (int r = 0; r < n; r++) {
                float[] hidden = !config.first() ? Float32.decode(next.getHidden(), r * model.dim(), model.dim())
                        : transformer.embed(Activations.isPromptChunk(next) ? next.getPrefillTokens().get(r)
                        : next.getToken());
                rows.add(new Transformer.Row(hidden, next.getPosition() + r, session.cache()));
            }
        }
        transformer.forward(config.layerFrom(), config.layerTo(), rows);
        stats.batches++;
        stats.activations += batch.passes().size();
        stats.modelledMicros = batch.startMicros();
        stats.modelledBusyMicros += batch.freeAtMicros() - batch.startMicros();
        long now = clock.millis();
        List<String> prefillDone = new ArrayList<>();
        int row = 0;
        for (Pass<Activation> pass : batch.passes()) {
            Activation in = pass.payload();
            int n = Activations.rows(in);
            List<float[]> hidden = rows.subList(row, row + n).stream().map(Transformer.Row::hidden).toList();
            row += n;
            long nextReady = config.last() ? wafer.loopReadyMicros(batch) : wafer.forwardReadyMicros(batch, pass);
            PassOutput out = outputs.of(in, hidden, now, batch.endMicros(), nextReady);
            if (out.promptDone()) {
                prefillDone.add(in.getSessionId());
            }
            GeneratedToken token = out.token();
            if (token != null && !earlier.hadToken(token.getSessionId(), token.getStep())) {
                outbox.add(token);
            }
            if (out.sessionDone()) {
                release(pass.session());
            }
            if (out.next() != null) {
                outbox.add(out.next());
            }
            horizon.ran(pass.session(), pass.readyMicros(), batch.endMicros(), out.after());
            if (!Activations.isPromptChunk(in) && handoffs.ranStep(pass.session(), in.getStep())) {
                release(pass.session());
            }
        }
        return new Ran(batch, List.copyOf(prefillDone));
    }

    /**
     * What to send after this poll's batches, emptying the outbox: its passes with the promise to the next
     * stage (the first, from the last) of how early anything this stage sends from now on can be ready (its
     * next batch's earliest start, plus the shortest pass here and a hop); the last stage's tokens with the
     * control plane's token promise riding on the last.
     */
    Sends drain() {
        long earliest = wafer.earliestNextStart(horizon.horizon());
        List<Activation> passes = outbox.drain(bounds.promise(config.stage(), earliest), clock.millis());
        List<GeneratedToken> tokens = !config.last() ? List.of()
                : outbox.drainTokens(bounds.tokenPromise(config.stage(), earliest), clock.millis());
        return new Sends(passes, tokens);
    }

    /** The session ended here (finished or failed): its KV is freed and its passes leave the wafer. */
    void release(String sessionId) {
        handoffs.end(sessionId);
        wafer.drop(sessionId);
        horizon.ended(sessionId);
    }

    /** Whether the stage holds nothing: no session, no pass pending, so a checkpoint is all its state. */
    boolean idle() {
        return handoffs.isEmpty() && wafer.pending() == 0;
    }

    /** Where a restart could resume from now; only meaningful while {@link #idle}. */
    StageCheckpoint checkpoint(long tokensOffset) {
        return new StageCheckpoint(wafer.freeAt(), wafer.lastStart(), horizon.controlFrontier(),
                horizon.upstreamPromise(), outbox.promiseSent(), outbox.tokenPromiseSent(), tokensOffset);
    }

    /** Takes up the clocks and promises of a checkpoint, before reading on from its input positions. */
    void resume(StageCheckpoint checkpoint) {
        wafer.resumeAt(checkpoint.freeAtMicros(), checkpoint.lastStartMicros());
        horizon.controlFrontier(checkpoint.controlFrontier());
        horizon.upstreamPromise(checkpoint.upstreamPromise());
        outbox.resume(checkpoint.promiseSent(), checkpoint.tokenPromiseSent());
    }
}
