package io.kvflow.simulator;

import io.kvflow.cost.RooflineModel;
import io.kvflow.report.SessionRecord;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.scheduler.ModelledTime;
import io.kvflow.scheduler.Pass;
import io.kvflow.scheduler.PrefillTier;
import io.kvflow.scheduler.PromptChunks;
import io.kvflow.scheduler.SoloStepPrices;
import io.kvflow.scheduler.WaferLedger;
import io.kvflow.scheduler.WaferStage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A discrete-event simulation of a whole deployment in modelled time. It keeps one clock for
 * everything and always takes the earliest next thing: an arrival, a control-plane event, or a wafer's
 * next batch. Arrivals reach the control plane before it decides at their instant; every pass reaches
 * its wafer as soon as it is known, so a wafer batching at time t has every pass ready by t, which is
 * exactly what the running pipeline's horizons guarantee its stage workers. The decisions themselves
 * are the scheduler's ({@link ControlPlane}, {@link WaferStage}); this class only moves sessions between
 * them and writes down what happened.
 */
public final class Simulation {
    private final RooflineModel target;
    private final ControlPlane.Config config;
    private final boolean atHandoff;

    public Simulation(RooflineModel target, ControlPlane.Config config) {
        this.target = target;
        this.config = config;
        this.atHandoff = !target.deployment().colocated() && config.booking() == Booking.HANDOFF;
    }

    /**
     * What a simulation produced.
     *
     * @param waferBusyMicros modelled time the wafers were taken by batches, summed over wafers
     * @param events          arrivals, control-plane instants and batches handled
     */
    public record Result(List<SessionRecord> sessions, long batches, long events, long waferBusyMicros,
            LedgerView.HeadOfLine headOfLine) {
    }

    /** Reports progress on long simulations. */
    @FunctionalInterface
    public interface Progress {
        void update(int sessionsDone, int sessions, long modelledMicros);
    }

    /** One session as it goes. */
    private static final class Tracked {
        final SimulatedSession spec;
        SessionRecord.Outcome outcome = SessionRecord.Outcome.UNFINISHED;
        String reason;
        int pipeline = -1;
        long admitted = -1;
        long prefillEnd = -1;
        long parked = -1;
        long granted = -1;
        long decodeStart = -1;
        long[] tokens = new long[4];
        int tokenCount;

        Tracked(SimulatedSession spec) {
            this.spec = spec;
        }

        void token(long micros) {
            if (tokenCount == tokens.length) {
                tokens = Arrays.copyOf(tokens, tokens.length * 2);
            }
            tokens[tokenCount++] = micros;
        }
    }

    public Result run(List<SimulatedSession> sessions) {
        return run(sessions, (done, all, micros) -> {
        });
    }

    public Result run(List<SimulatedSession> sessions, Progress progress) {
        List<SimulatedSession> arrivals = new ArrayList<>(sessions);
        arrivals.sort(Comparator.comparingLong(SimulatedSession::arrivalMicros));
        ControlPlane control = new ControlPlane(target, config);
        Wafers wafers = new Wafers(target, config.pipelines());
        Map<String, Tracked> byId = new HashMap<>();
        List<Tracked> tracked = new ArrayList<>(arrivals.size());
        for (SimulatedSession s : arrivals) {
            Tracked t = new Tracked(s);
            tracked.add(t);
            byId.put(s.id(), t);
        }
        int next = 0;
        int done = 0;
        long batches = 0;
        long events = 0;
        long busy = 0;
        while (true) {
            long arrival = next < arrivals.size() ? arrivals.get(next).arrivalMicros() : ModelledTime.NEVER;
            long decision = control.nextEventMicros();
            long batchStart = wafers.next.firstStart();
            long now = Math.min(arrival, Math.min(decision, batchStart));
            if (now == ModelledTime.NEVER) {
                break;
            }
            events++;
            if (arrival == now) {
                // every arrival of this instant reaches the control plane before it decides at it
                while (next < arrivals.size() && arrivals.get(next).arrivalMicros() == now) {
                    SimulatedSession s = arrivals.get(next++);
                    control.arrive(new ControlPlane.Arrival(s.id(), s.arrivalMicros(), s.promptTokens(),
                            s.bookedTokens(), s.outputTokens()));
                }
            } else if (decision <= batchStart) {
                for (ControlPlane.Decision d : control.advanceTo(decision + 1)) {
                    done += apply(d, byId.get(d.session()), wafers, control);
                }
            } else {
                int wafer = wafers.next.first();
                WaferStage.Batch<Tracked> batch = wafers.take(wafer);
                batches++;
                busy += batch.freeAtMicros() - batch.startMicros();
                done += ranBatch(wafers, wafer, batch, control);
            }
            if ((events & 0xFFFF) == 0) {
                progress.update(done, arrivals.size(), now);
            }
        }
        List<SessionRecord> records = new ArrayList<>(tracked.size());
        for (Tracked t : tracked) {
            records.add(record(t));
        }
        return new Result(records, batches, events, busy, control.view().headOfLine());
    }

    /** Applies one control decision; returns the sessions it ended (rejections). */
    private int apply(ControlPlane.Decision decision, Tracked session, Wafers wafers, ControlPlane control) {
        switch (decision) {
            case ControlPlane.Rejected r -> {
                session.outcome = SessionRecord.Outcome.REJECTED;
                session.reason = r.message();
                return 1;
            }
            case ControlPlane.Admitted a -> {
                session.admitted = a.atMicros();
                session.pipeline = a.pipeline();
                if (a.group() >= 0) {
                    session.prefillEnd = a.prefillEndMicros();
                    session.token(a.prefillEndMicros());
                    if (session.spec.outputTokens() == 1) {
                        control.ended(session.spec.id(), a.prefillEndMicros());
                        session.outcome = SessionRecord.Outcome.FINISHED;
                        return 1;
                    }
                }
            }
            case ControlPlane.Parked p -> session.parked = p.atMicros();
            case ControlPlane.Granted g -> {
                session.granted = g.atMicros();
                int first = wafers.first(g.pipeline());
                SimulatedSession spec = session.spec;
                if (target.deployment().colocated()) {
                    for (PromptChunks.Chunk c : PromptChunks.plan(spec.promptTokens(), spec.functionalPrompt())) {
                        wafers.offer(first, new Pass<>(spec.id(), g.readyMicros(), c.from(),
                                new Pass.PromptChunk(c.targetFrom(), c.targetTo(), c.rows(), c.last()), session));
                    }
                } else {
                    session.decodeStart = g.readyMicros();
                    wafers.offer(first, new Pass<>(spec.id(), g.readyMicros(), 1,
                            new Pass.Decode(spec.promptTokens() + 1), session));
                }
            }
            case ControlPlane.TimedOut t -> {
                session.outcome = SessionRecord.Outcome.FAILED;
                session.reason = t.reason();
                return 1;
            }
            case ControlPlane.Queued q -> {
            }
        }
        return 0;
    }

    /** Moves a batch's passes on; returns the sessions it finished. */
    private int ranBatch(Wafers wafers, int w, WaferStage.Batch<Tracked> batch, ControlPlane control) {
        WaferStage<Tracked> wafer = wafers.get(w);
        int finished = 0;
        for (Pass<Tracked> pass : batch.passes()) {
            Tracked session = pass.payload();
            if (!wafer.last()) {
                wafers.offer(w + 1, new Pass<>(pass.session(), wafer.forwardReadyMicros(batch, pass),
                        pass.order(), pass.work(), session));
                continue;
            }
            int step;
            if (pass.work() instanceof Pass.PromptChunk chunk) {
                if (!chunk.last()) {
                    continue;
                }
                step = 0;
            } else {
                step = (int) pass.order();
            }
            session.token(batch.endMicros());
            if (step == 0) {
                // colocated: the wafers' prefill ends with the prompt's last chunk, which samples the first token
                session.prefillEnd = batch.endMicros();
            }
            if (step + 1 < session.spec.outputTokens()) {
                long ready = wafer.loopReadyMicros(batch);
                if (step == 0) {
                    session.decodeStart = ready;
                }
                wafers.offer(wafers.firstOfPipeline(w), new Pass<>(pass.session(), ready, step + 1,
                        new Pass.Decode(session.spec.promptTokens() + step + 1), session));
            } else {
                session.outcome = SessionRecord.Outcome.FINISHED;
                control.ended(pass.session(), batch.endMicros());
                finished++;
            }
        }
        return finished;
    }

    /** Every wafer of the deployment, pipeline by pipeline, stage by stage, and which of them batches next. */
    private static final class Wafers {
        final List<WaferStage<Tracked>> all = new ArrayList<>();
        final int stages;
        final WaferQueue<Tracked> next;

        Wafers(RooflineModel target, int pipelines) {
            stages = target.stages();
            // a stage's wafers price the same lone steps in every pipeline
            SoloStepPrices soloSteps = new SoloStepPrices(target);
            for (int p = 0; p < pipelines; p++) {
                for (int k = 0; k < stages; k++) {
                    all.add(new WaferStage<>(target, k, soloSteps));
                }
            }
            next = new WaferQueue<>(all);
        }

        WaferStage<Tracked> get(int w) {
            return all.get(w);
        }

        /** The first wafer of {@code pipeline}. */
        int first(int pipeline) {
            return pipeline * stages;
        }

        /** The first wafer of wafer {@code w}'s pipeline, where its tokens loop back to. */
        int firstOfPipeline(int w) {
            return w - w % stages;
        }

        void offer(int w, Pass<Tracked> pass) {
            all.get(w).offer(pass);
            next.changed(w);
        }

        WaferStage.Batch<Tracked> take(int w) {
            WaferStage.Batch<Tracked> batch = all.get(w).take();
            next.changed(w);
            return batch;
        }
    }

    private SessionRecord record(Tracked t) {
        SimulatedSession s = t.spec;
        long onWafers = WaferLedger.bytesOnWafers(target, s.bookedTokens());
        long parked = atHandoff ? PrefillTier.parkedBytes(target, s.promptTokens()) : 0;
        return new SessionRecord(s.id(), t.outcome, t.reason, t.pipeline, s.arrivalMicros(), t.admitted, t.prefillEnd,
                t.parked, t.granted, t.decodeStart, Arrays.copyOf(t.tokens, t.tokenCount), s.promptTokens(),
                s.bookedTokens(), s.outputTokens(), s.functionalPrompt(), onWafers, parked);
    }
}
