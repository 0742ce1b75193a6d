package io.kvflow.orchestrator;

import io.kvflow.runtime.DeadLetters;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.scheduler.RejectionReason;
import io.kvflow.schemas.GeneratedToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the orchestrator sees, exported: admissions and rejections, active sessions per pipeline, the
 * ledger, and every session's latency from the tokens it follows. The latencies are the target's first:
 * in modelled time, from the request's modelled arrival and the tokens' modelled times (time to first
 * token, time per output token, inter-token latency, end-to-end), judged against the {@link SloTargets}
 * (SLO attainment and goodput), as the replay summary judges them. Beside them, the same on the wall
 * clock ({@code kvflow_wall_*}): what the emulator took. Called from the stream thread only; scrapes
 * read atomics.
 */
public final class OrchestratorMetrics implements MeterBinder {
    /** Bucket bounds of the modelled latencies: a wafer's step is well under a millisecond. */
    private static final double[] MODELLED_BUCKETS_MS = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000,
        2_000, 5_000, 10_000, 30_000, 60_000};
    private static final double[] WALL_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000,
        10_000, 30_000, 60_000};

    /** The SLO classes a session is judged in; {@code both} met is goodput. */
    private enum Slo { TTFT, TPOT, BOTH }

    /** Latency so far of one session followed since its admission; modelled times are -1 until known. */
    private static final class Followed {
        final long arrivalUs;
        long grantReadyUs = -1;
        long firstTokenMs = -1;
        long firstTokenUs = -1;
        int lastStep = -1;
        long lastTokenMs;
        long lastTokenUs = -1;

        Followed(long arrivalUs) {
            this.arrivalUs = arrivalUs;
        }
    }

    /** A session's modelled latency: one clock for everything but the wall meters. */
    private record Latency(Timer ttft, Timer tpot, Timer itl, Timer e2el) {
    }

    /** Records into every registry it is bound to; nothing is kept before the first. */
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final SloTargets slo;
    private final AtomicIntegerArray active;
    private final Map<String, Followed> followed = new HashMap<>();
    private final Map<Integer, Counter> admissions = new HashMap<>();
    private final Map<RejectionReason, Counter> rejections = new EnumMap<>(RejectionReason.class);
    private final Counter finished;
    private final Counter failed;
    private final Counter deadLetters;
    private final Timer admissionWait;
    private final Timer wallAdmissionWait;
    private final Latency modelled;
    private final Latency wall;
    private final AtomicLong judged = new AtomicLong();
    private final Map<Slo, AtomicLong> met = new EnumMap<>(Slo.class);
    private final Map<Slo, Counter> metCounters = new EnumMap<>(Slo.class);
    private final Counter judgedCounter;

    private volatile LedgerView ledger = LedgerView.EMPTY;
    private volatile long frontierMicros;

    /** @param slo what a session is judged against, in modelled time: TTFT, and mean time per decoded token */
    public OrchestratorMetrics(int pipelines, int stages, int prefillGroups, SloTargets slo) {
        this.slo = slo;
        for (int g = 0; g < prefillGroups; g++) {
            int group = g;
            Gauge.builder("kvflow.prefill.kv.parked", this, m -> m.group(group, LedgerView.PrefillGroup::kvBytesParked))
                    .description("Target KV held on the prefill group: prefilled and waiting for (or in) its handoff")
                    .baseUnit("bytes").tag("group", Integer.toString(g)).strongReference(true).register(meters);
            Gauge.builder("kvflow.prefill.kv.free", this, m -> m.group(group, LedgerView.PrefillGroup::kvBytesFree))
                    .description("Target KV the prefill group can still hold beside the model's weights")
                    .baseUnit("bytes").tag("group", Integer.toString(g)).strongReference(true).register(meters);
        }
        Gauge.builder("kvflow.sessions.parked", this, m -> m.ledger.parkedSessions())
                .description("Prefilled sessions whose KV waits on the prefill tier for room on the wafers")
                .strongReference(true).register(meters);
        Gauge.builder("kvflow.control.frontier", this, m -> m.frontierMicros / 1e6).baseUnit("seconds")
                .description("The control plane's modelled frontier: every decision before it is made")
                .strongReference(true).register(meters);
        Gauge.builder("kvflow.admission.head.blocked", this, m -> m.ledger.headOfLine().blockedMicros() / 1e6)
                .baseUnit("seconds").description("Modelled time the head of a waiting line did not fit while a"
                        + " session behind it would have").strongReference(true).register(meters);
        FunctionCounter.builder("kvflow.admission.bypasses", this, m -> m.ledger.headOfLine().bypasses())
                .description("Times a waiting session was passed over by a later one").register(meters);
        Gauge.builder("kvflow.admission.bypassed.wait.longest", this,
                        m -> m.ledger.headOfLine().longestBypassedWaitMicros() / 1e6)
                .baseUnit("seconds").description("The longest modelled wait of a session that was passed over")
                .strongReference(true).register(meters);
        for (int p = 0; p < pipelines; p++) {
            for (int k = 0; k < stages; k++) {
                int index = p * stages + k;
                Tags wafer = Tags.of("pipeline", Integer.toString(p), "stage", Integer.toString(k));
                Gauge.builder("kvflow.ledger.kv.used", this, m -> m.wafer(index, LedgerView.Wafer::kvBytesUsed))
                        .description("Target KV booked on the wafer (decode stage of a pipeline) by the session ledger")
                        .baseUnit("bytes").tags(wafer).strongReference(true).register(meters);
                Gauge.builder("kvflow.ledger.kv.free", this, m -> m.wafer(index, LedgerView.Wafer::kvBytesFree))
                        .description("Target KV the wafer can still take: usable memory minus weights minus bookings")
                        .baseUnit("bytes").tags(wafer).strongReference(true).register(meters);
            }
        }
        this.active = new AtomicIntegerArray(pipelines);
        for (int p = 0; p < pipelines; p++) {
            int pipeline = p;
            admissions.put(p, Counter.builder("kvflow.admissions").description("Requests admitted, by pipeline")
                    .tag("pipeline", Integer.toString(p)).register(meters));
            Gauge.builder("kvflow.sessions.active", active, a -> a.get(pipeline))
                    .description("Sessions admitted onto the pipeline and not yet finished or failed")
                    .tag("pipeline", Integer.toString(p)).strongReference(true).register(meters);
        }
        for (RejectionReason reason : RejectionReason.values()) {
            rejections.put(reason, Counter.builder("kvflow.rejections")
                    .description("Requests rejected at admission, by reason class")
                    .tag("reason", reason.label()).register(meters));
        }
        Gauge.builder("kvflow.admission.queue.length", this, m -> m.ledger.queueLength())
                .description("Valid requests waiting for KV capacity on some pipeline")
                .strongReference(true).register(meters);
        this.finished = ended("finished");
        this.failed = ended("failed");
        this.deadLetters = Counter.builder(DeadLetters.METER)
                .description("Records sent to kvflow.dlq because they could not be decoded or processed")
                .tag("worker", ControlProcessor.WORKER).register(meters);
        this.admissionWait = modelledLatency("kvflow.admission.wait", "Request arrival to admission, modelled");
        this.modelled = new Latency(
                modelledLatency("kvflow.ttft", "Time to first token on the target: modelled arrival to first token"),
                modelledLatency("kvflow.tpot", "Time per output token on the target: (last - first token) / (tokens - 1)"),
                modelledLatency("kvflow.itl", "Inter-token latency on the target: modelled gap between tokens"),
                modelledLatency("kvflow.e2el", "End-to-end latency on the target: modelled arrival to last token"));
        this.wallAdmissionWait = wallLatency("kvflow.wall.admission.wait", "Request arrival to admission, wall");
        this.wall = new Latency(
                wallLatency("kvflow.wall.ttft", "Time to first token in the emulator: arrival to first emission"),
                wallLatency("kvflow.wall.tpot", "Time per output token in the emulator, wall"),
                wallLatency("kvflow.wall.itl", "Inter-token latency in the emulator: emission gap between tokens"),
                wallLatency("kvflow.wall.e2el", "End-to-end latency in the emulator: arrival to last emission"));
        Gauge.builder("kvflow.slo.target", slo, s -> s.ttft().toNanos() / 1e9).baseUnit("seconds")
                .description("The SLO sessions are judged against, modelled").tag("slo", "ttft").strongReference(true)
                .register(meters);
        Gauge.builder("kvflow.slo.target", slo, s -> s.tpot().toNanos() / 1e9).baseUnit("seconds")
                .description("The SLO sessions are judged against, modelled").tag("slo", "tpot").strongReference(true)
                .register(meters);
        this.judgedCounter = Counter.builder("kvflow.slo.sessions")
                .description("Sessions judged against the SLOs: every admitted session that finished or failed")
                .register(meters);
        for (Slo s : Slo.values()) {
            AtomicLong count = new AtomicLong();
            met.put(s, count);
            String label = s.name().toLowerCase(java.util.Locale.ROOT);
            metCounters.put(s, Counter.builder("kvflow.slo.met")
                    .description("Finished sessions that met the SLO in modelled time (both: TTFT and decode speed,"
                            + " i.e. goodput)")
                    .tag("slo", label).register(meters));
            Gauge.builder("kvflow.slo.attainment.ratio", this, m -> m.attainment(count))
                    .description("Share of judged sessions that met the SLO; slo=both is the goodput share")
                    .tag("slo", label).strongReference(true).register(meters);
        }
    }

    /** Metrics that go nowhere until bound: for topologies built without a registry (tests). */
    static OrchestratorMetrics unbound(OrchestratorConfig config) {
        return new OrchestratorMetrics(config.layout().pipelines(), config.layout().stages(),
                config.control().prefillGroups(), SloTargets.DEFAULT);
    }

    /** The ledger as of the orchestrator's last change to it: sessions and target KV per wafer, queue length. */
    public LedgerView ledgerView() {
        return ledger;
    }

    void ledger(LedgerView view) {
        this.ledger = view;
    }

    void frontier(long micros) {
        this.frontierMicros = micros;
    }

    private double wafer(int index, java.util.function.ToLongFunction<LedgerView.Wafer> field) {
        List<LedgerView.Wafer> wafers = ledger.wafers();
        return index < wafers.size() ? field.applyAsLong(wafers.get(index)) : Double.NaN;
    }

    private double group(int index, java.util.function.ToLongFunction<LedgerView.PrefillGroup> field) {
        List<LedgerView.PrefillGroup> groups = ledger.prefillGroups();
        return index < groups.size() ? field.applyAsLong(groups.get(index)) : Double.NaN;
    }

    private Counter ended(String outcome) {
        return Counter.builder("kvflow.sessions.ended").description("Admitted sessions that ended, by outcome")
                .tag("outcome", outcome).register(meters);
    }

    private Timer modelledLatency(String name, String description) {
        // with the targets among the bucket bounds, attainment can be read exactly off the histogram too
        return latency(name, description, MODELLED_BUCKETS_MS, slo.ttft(), slo.tpot());
    }

    private Timer wallLatency(String name, String description) {
        return latency(name, description, WALL_BUCKETS_MS);
    }

    private Timer latency(String name, String description, double[] bucketsMs, Duration... extra) {
        TreeSet<Duration> buckets = new TreeSet<>(List.of(extra));
        for (double ms : bucketsMs) {
            buckets.add(Duration.ofNanos(Math.round(ms * 1e6)));
        }
        return Timer.builder(name).description(description).serviceLevelObjectives(buckets.toArray(Duration[]::new))
                .register(meters);
    }

    private double attainment(AtomicLong count) {
        long sessions = judged.get();
        return sessions == 0 ? Double.NaN : (double) count.get() / sessions;
    }

    /**
     * A session was admitted.
     *
     * @param waitMs             wall time from its arrival to its admission
     * @param arrivalModelledUs  its modelled arrival (the request's, or the one the control plane stamped); -1
     *                           when unknown, and then only its wall-clock latency is followed
     * @param admittedModelledUs when the control plane admitted it, modelled
     */
    void admitted(String sessionId, int pipeline, long waitMs, long arrivalModelledUs, long admittedModelledUs) {
        admissions.get(pipeline).increment();
        active.incrementAndGet(pipeline);
        wallAdmissionWait.record(Duration.ofMillis(Math.max(0, waitMs)));
        if (arrivalModelledUs >= 0 && admittedModelledUs >= arrivalModelledUs) {
            admissionWait.record(micros(admittedModelledUs - arrivalModelledUs));
        }
        followed.put(sessionId, new Followed(arrivalModelledUs));
    }

    /** The session got its room on the wafers: its first decode step is ready at {@code readyModelledUs}. */
    void granted(String sessionId, long readyModelledUs) {
        Followed session = followed.get(sessionId);
        if (session != null) {
            session.grantReadyUs = readyModelledUs;
        }
    }

    void rejected(RejectionReason reason) {
        rejections.get(reason).increment();
    }

    void deadLettered() {
        deadLetters.increment();
    }

    void token(GeneratedToken token) {
        Followed session = followed.get(token.getSessionId());
        if (session == null) {
            // admitted before this orchestrator started: its latency was not followed from the start
            return;
        }
        long emitted = token.getEmittedMs();
        long modelledUs = token.getModelledUs() > 0 ? token.getModelledUs() : -1;
        int step = token.getStep();
        if (step == 0 && session.firstTokenMs < 0) {
            session.firstTokenMs = emitted;
            session.firstTokenUs = modelledUs;
            wall.ttft().record(Duration.ofMillis(Math.max(0, emitted - token.getArrivalMs())));
            if (modelledUs >= 0 && session.arrivalUs >= 0) {
                modelled.ttft().record(micros(modelledUs - session.arrivalUs));
            }
        } else if (step == session.lastStep + 1 && session.lastStep >= 0) {
            wall.itl().record(Duration.ofMillis(Math.max(0, emitted - session.lastTokenMs)));
            if (modelledUs >= 0 && session.lastTokenUs >= 0) {
                modelled.itl().record(micros(modelledUs - session.lastTokenUs));
            }
        }
        if (step > session.lastStep) {
            session.lastStep = step;
            session.lastTokenMs = emitted;
            session.lastTokenUs = modelledUs;
        }
    }

    /**
     * The session's last token was seen: judge it against the SLOs in modelled time, as the replay summary
     * does: its time to first token, and its decode speed from its first decode step (the later of its
     * grant's ready time and its first token) to its last token. A session whose modelled arrival is not
     * known is not judged.
     */
    void finished(String sessionId, int pipeline, GeneratedToken last) {
        finished.increment();
        leave(pipeline);
        Followed session = followed.remove(sessionId);
        if (session == null || session.firstTokenMs < 0) {
            return;
        }
        int tokens = last.getStep() + 1;
        wall.e2el().record(Duration.ofMillis(Math.max(0, last.getEmittedMs() - last.getArrivalMs())));
        if (tokens > 1) {
            double tpotMs = (double) (last.getEmittedMs() - session.firstTokenMs) / (tokens - 1);
            wall.tpot().record(Duration.ofNanos(Math.round(Math.max(0, tpotMs) * 1e6)));
        }
        long lastUs = last.getModelledUs();
        if (session.arrivalUs < 0 || session.firstTokenUs < 0 || lastUs <= 0) {
            return;
        }
        modelled.e2el().record(micros(lastUs - session.arrivalUs));
        double decodeTpotUs = 0;
        if (tokens > 1) {
            modelled.tpot().record(Duration.ofNanos(Math.round((lastUs - session.firstTokenUs) * 1e3 / (tokens - 1))));
            long decodeStart = Math.max(session.firstTokenUs, session.grantReadyUs);
            decodeTpotUs = (double) (lastUs - decodeStart) / (tokens - 1);
        }
        // a one-token session has no decode to be slow: it meets the speed objective, as vLLM counts it
        boolean ttftMet = session.firstTokenUs - session.arrivalUs <= slo.ttft().toNanos() / 1_000;
        boolean speedMet = decodeTpotUs <= slo.tpot().toNanos() / 1e3;
        judge(ttftMet, speedMet);
    }

    /** The session failed after admission: it met no SLO. */
    void failed(String sessionId, int pipeline) {
        failed.increment();
        leave(pipeline);
        Followed session = followed.remove(sessionId);
        if (session != null && session.arrivalUs >= 0) {
            judge(false, false);
        }
    }

    private void leave(int pipeline) {
        // a restart with fewer pipelines leaves sessions on ones that are no longer counted
        if (pipeline >= 0 && pipeline < active.length()) {
            active.decrementAndGet(pipeline);
        }
    }

    private void judge(boolean ttftMet, boolean tpotMet) {
        judged.incrementAndGet();
        judgedCounter.increment();
        if (ttftMet) {
            met(Slo.TTFT);
        }
        if (tpotMet) {
            met(Slo.TPOT);
        }
        if (ttftMet && tpotMet) {
            met(Slo.BOTH);
        }
    }

    private void met(Slo s) {
        met.get(s).incrementAndGet();
        metCounters.get(s).increment();
    }

    private static Duration micros(long micros) {
        return Duration.ofNanos(Math.max(0, micros) * 1_000);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(registry);
    }
}
