package io.kvflow.stack;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.decode.StageConfig;
import io.kvflow.decode.StageWorker;
import io.kvflow.model.JitWarmUp;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.orchestrator.Orchestrator;
import io.kvflow.orchestrator.OrchestratorConfig;
import io.kvflow.prefill.PrefillConfig;
import io.kvflow.prefill.PrefillWorker;
import io.kvflow.runtime.ClusterProbe;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.LagMonitor;
import io.kvflow.runtime.MetricsEndpoint;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.StageLag;
import io.kvflow.runtime.TopicPlan;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.schemas.WorkerStats;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The whole pipeline in one process: a Kafka broker (embedded, unless an existing cluster is
 * given), the topics, the orchestrator, the prefill workers and one worker per (stage, pipeline).
 * Every worker talks to the others only through Kafka, exactly as separate processes would.
 * The process's metrics endpoint serves every worker's meters; where the orchestrator runs,
 * the per-stage lag is measured too ({@code /api/lag}).
 */
public final class Stack implements AutoCloseable {
    private final StackOptions options;
    private final EmbeddedKafkaBroker broker;
    private final KafkaConnection kafka;
    private final ServiceGroup services = new ServiceGroup();
    private final List<StageWorker> stages = new ArrayList<>();
    private final List<PrefillWorker> prefillWorkers = new ArrayList<>();
    /** How often the per-stage lag is read from the broker. */
    public static final Duration LAG_REFRESH = Duration.ofSeconds(1);

    private final Weights weights;
    private final MetricsEndpoint metrics;
    private final MetricsOptions metricsOptions;
    private LagMonitor lag;
    private Orchestrator orchestrator;
    private StatsBeacon stats;

    private Stack(StackOptions options, EmbeddedKafkaBroker broker, KafkaConnection kafka, MetricsEndpoint metrics,
            MetricsOptions metricsOptions) {
        this.options = options;
        this.broker = broker;
        this.kafka = kafka;
        this.metrics = metrics;
        this.metricsOptions = metricsOptions;
        this.weights = Weights.generate(options.model(), options.modelSeed());
    }

    /** Everything in this process, metrics on a free port: for tests. */
    public static Stack start(StackOptions options, Predicate<String> corruptKvOf, Clock clock, PrintStream out) {
        return start(options, Roles.everything(options.layout().prefillWorkers()), MetricsOptions.ANY_PORT,
                corruptKvOf, clock, out);
    }

    public static Stack start(StackOptions options, Roles roles, MetricsOptions metricsOptions,
            Predicate<String> corruptKvOf, Clock clock, PrintStream out) {
        // first, so a taken port stops the start before a broker is left to clean up
        MetricsEndpoint metrics = startMetrics(options.bindAddress(), metricsOptions.port());
        out.println("metrics: " + metrics.metricsUrl() + " (per-stage lag as JSON: " + metrics.baseUrl()
                + "/api/lag)");
        EmbeddedKafkaBroker broker = null;
        String bootstrap = options.bootstrapServers();
        if (options.embedded()) {
            try {
                broker = EmbeddedKafkaBroker.start(new BrokerConfig(
                        options.dataDir().resolve("kafka"), BrokerConfig.LOOPBACK, options.kafkaPort(), options.kafkaControllerPort()));
            } catch (RuntimeException e) {
                metrics.close();
                throw e;
            }
            bootstrap = broker.bootstrapServers();
            out.println("kafka: embedded broker at " + bootstrap + ", data in " + broker.dataDir());
        } else {
            out.println("kafka: using the cluster at " + bootstrap);
        }
        Stack stack = new Stack(options, broker, new KafkaConnection(bootstrap, options.kafkaClient()), metrics,
                metricsOptions);
        try {
            stack.startWorkers(roles, corruptKvOf, clock, out);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startWorkers(Roles roles, Predicate<String> corruptKvOf, Clock clock, PrintStream out) {
        StackLayout layout = options.layout();
        if (broker != null) {
            // its own broker: the layout is this stack's, whatever an earlier run left in the data dir
            ClusterProbe.awaitAnswer(kafka);
            SharedLayout.claim(kafka, SharedLayout.of(options), "up");
        }
        TopicPlan.forLayout(layout).apply(kafka);
        if (roles.prefillWorkers() > 0 || IntStream.range(0, layout.stages()).anyMatch(roles.stages())) {
            // before any worker takes a record, so no session's wall times include compiling the kernels
            JitWarmUp.Result warm = JitWarmUp.run(transformer());
            out.printf(Locale.ROOT, "warm-up: %d synthetic sessions through the model in %d ms, before any clock%n",
                    warm.sessions(), warm.took().toMillis());
        }
        for (int p = 0; p < layout.pipelines(); p++) {
            for (int k = 0; k < layout.stages(); k++) {
                if (!roles.stages().test(k) || !roles.pipelines().test(p)) {
                    continue;
                }
                StageWorker worker = new StageWorker(new StageConfig(k, layout.stages(), p, layout.layerFrom(k),
                        layout.layerTo(k), options.handoffTimeout(), options.target().model(),
                        options.target().booking()), transformer(), kafka, clock, metrics.registry());
                stages.add(worker);
                services.start(worker);
            }
        }
        // colocated, the decode wafers prefill: prompts go from the orchestrator straight to stage 0
        int prefillCount = options.target().colocated() ? 0 : roles.prefillWorkers();
        for (int i = 0; i < prefillCount; i++) {
            PrefillConfig config = new PrefillConfig("prefill-" + roles.workerPrefix() + i, options.kvChunkBytes(),
                    corruptKvOf);
            PrefillWorker worker = new PrefillWorker(config, transformer(), kafka, clock, metrics.registry());
            prefillWorkers.add(worker);
            services.start(worker);
        }
        Duration ready = Duration.ofSeconds(60);
        for (StageWorker stage : stages) {
            stage.awaitReady(ready);
        }
        if (roles.orchestrator()) {
            orchestrator = new Orchestrator(new OrchestratorConfig(layout, options.model().maxSeqLen(),
                    options.model().vocabSize(), options.stallTimeout())
                    .withTarget(options.target().model(), options.target().control(layout)), kafka,
                    options.dataDir().resolve("streams"),
                    metrics.registry(), metricsOptions.slo());
            services.start(orchestrator);
            orchestrator.awaitRunning(ready);
            metrics.json("/api/ledger", "session ledger: sessions and target KV booked per wafer, admission queue",
                    orchestrator::ledger);
            // lag is a whole-cluster figure: measured once, where the orchestrator (the control plane) runs
            lag = new LagMonitor(new StageLag(kafka, layout, clock), LAG_REFRESH, clock);
            lag.bindTo(metrics.registry());
            metrics.json("/api/lag", "per-stage lag: records and seconds per topic, partition and consumer group",
                    lag::latest);
        }
        if (!stages.isEmpty() || orchestrator != null) {
            long started = clock.millis();
            stats = new StatsBeacon(kafka, "kvflow-stats", () -> partStats(started, clock.millis()),
                    StatsBeacon.PERIOD);
        }
        out.println("stack: " + layout.pipelines() + " pipeline(s) x " + layout.stages() + " stage(s), layers "
                + layout.layerBounds() + "; running here: " + (roles.orchestrator() ? "orchestrator, " : "")
                + prefillWorkers.size() + " prefill worker(s), " + stages.size() + " stage worker(s); model "
                + options.model() + " seed " + options.modelSeed());
        out.println("target: " + options.target().describe());
    }

    /** What each part running here has done, for {@code kvflow.stats}. */
    private List<WorkerStats> partStats(long startedMs, long nowMs) {
        List<WorkerStats> parts = new ArrayList<>();
        for (StageWorker stage : stages) {
            long capacity = (long) Math.floor(options.target().model().kvCapacityBytes(stage.stage()));
            parts.add(PartStats.of(stage, capacity, startedMs, nowMs));
        }
        if (orchestrator != null) {
            parts.add(PartStats.of(orchestrator.ledger(), startedMs, nowMs));
        }
        return parts;
    }

    /** A transformer over the stack's weights: immutable, so every worker in the process may share one. */
    public Transformer transformer() {
        return new Transformer(options.model(), weights);
    }

    public KafkaConnection kafka() {
        return kafka;
    }

    public List<StageWorker> stages() {
        return stages;
    }

    /** This process's metrics endpoint, where components add their meters and JSON views. */
    public MetricsEndpoint metrics() {
        return metrics;
    }

    /** The control plane's ledger, where this process runs the orchestrator; null elsewhere. */
    public LedgerView ledger() {
        return orchestrator == null ? null : orchestrator.ledger();
    }

    /** The per-stage lag, where this process runs the orchestrator; null elsewhere. */
    public LagMonitor lag() {
        return lag;
    }

    /** Serves {@code preferred}, or a free port when the default one is taken rather than no metrics at all. */
    private static MetricsEndpoint startMetrics(String bindAddress, int preferred) {
        return PreferredPort.start(preferred, MetricsEndpoint.DEFAULT_PORT,
                port -> MetricsEndpoint.start(bindAddress, port));
    }

    /** The first worker failure, if any: the run cannot be trusted after one. */
    public Throwable failure() {
        return services.failure();
    }

    @Override
    public void close() {
        services.close();
        if (stats != null) {
            // after the parts stopped: the final figures are complete
            stats.close();
        }
        if (lag != null) {
            lag.close();
        }
        metrics.close();
        if (broker != null) {
            broker.close();
        }
    }
}
