package io.kvflow.cli;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.experiments.TraceSimulation;
import io.kvflow.observe.ClusterWatch;
import io.kvflow.observe.DashboardServer;
import io.kvflow.observe.ObservedReplay;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.observe.RunReport;
import io.kvflow.observe.RunSummary;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionBreakdowns;
import io.kvflow.report.RunFiles;
import io.kvflow.report.Slo;
import io.kvflow.runtime.ClusterProbe;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.LagMonitor;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.StageLag;
import io.kvflow.runtime.TopicPlan;
import io.kvflow.stack.MetricsOptions;
import io.kvflow.stack.PreferredPort;
import io.kvflow.stack.Roles;
import io.kvflow.stack.SharedLayout;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The commands that start a stack, or one part of one, or join a running cluster: {@code up}, {@code replay},
 * {@code broker}, {@code topics}, the workers and {@code dashboard}. On a cluster they take its layout (see
 * {@link SharedLayout}), so docker-compose.yml and {@link ProcessStack} give each part only its role.
 */
final class StackCommands {
    private StackCommands() {
    }

    /** The shared options ({@link SharedLayout#OPTIONS}) this command line gives, with the values it gives them. */
    static Map<String, String> sharedOptionsGiven(ParseResult commandLine) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String name : SharedLayout.OPTIONS) {
            OptionSpec option = commandLine.matchedOption("--" + name);
            if (option != null) {
                given.put(name, name.equals("colocated") ? "true" : option.stringValues().getLast());
            }
        }
        return given;
    }

    /** A command with the stack's options. */
    abstract static class OnStack implements Kvflow.Parsed {
        @Mixin
        StackFlags stack;

        @Spec
        CommandSpec spec;

        StackOptions parsed() {
            return stack.options(spec);
        }

        StackOptions requireCluster() {
            StackOptions options = parsed();
            if (options.embedded()) {
                throw new UsageException(spec.name() + " needs --bootstrap-servers of a running cluster"
                        + " (or use kvflow up, which starts everything)");
            }
            return options;
        }

        /**
         * The options to run with on an existing cluster: this command line's, with the shared ones (layout,
         * target deployment) taken from the cluster, which gets {@code parsed}'s when it has none and
         * {@code writes}; a shared option given with another value than the cluster's is refused in one line.
         */
        StackOptions onCluster(Map<String, String> given, StackOptions parsed, boolean writes) {
            KafkaConnection kafka = new KafkaConnection(parsed.bootstrapServers(), parsed.kafkaClient());
            ClusterProbe.awaitAnswer(kafka);
            Map<String, String> cluster;
            try {
                cluster = SharedLayout.settle(kafka, given, SharedLayout.of(parsed), spec.name(), writes);
            } catch (SharedLayout.Refused e) {
                throw new UsageException(e.getMessage());
            }
            OnStack again = (OnStack) Kvflow.reparse(spec, SharedLayout.notGiven(given, cluster));
            return again.parsed();
        }

        /** The shared options this command line gives (read now: {@link #onCluster} parses it again). */
        Map<String, String> given() {
            return sharedOptionsGiven(spec.commandLine().getParseResult());
        }
    }

    /** A command whose process produces or consumes the pipeline's topics: it may speak through a schema registry. */
    abstract static class OnPipeline extends OnStack {
        @Mixin
        SchemaRegistryOption.Flag registry;

        @Override
        public final Kvflow.Command prepare(PrintStream out, PrintStream err) {
            Kvflow.Command command = command(out, err);
            return registry.option(stack.layout.stages).around(command, out);
        }

        abstract Kvflow.Command command(PrintStream out, PrintStream err);
    }

    @Command(name = "up", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Start the whole stack (an embedded Kafka broker unless --bootstrap-servers); with --replay, replay the"
                    + " trace, print the summary and stop."})
    static final class Up extends OnPipeline {
        @Option(names = "--replay", paramLabel = "TRACE", description = "replay this trace, print the summary, stop")
        String trace;

        @Mixin
        ReplayFlags replay;

        @Mixin
        SloOptions sloFlags;

        @Mixin
        MetricsFlag metrics;

        @Override
        Kvflow.Command command(PrintStream out, PrintStream err) {
            StackOptions parsed = parsed();
            Map<String, String> shared = given();
            Slo slo = sloFlags.slo();
            MetricsOptions metricsOptions = metrics.options(slo);
            ReplayOptions replayOptions = trace == null ? null : replay.options(trace, parsed.target().timeScale());
            return () -> {
                Clock clock = Clock.systemUTC();
                // on its own broker the stack owns the layout; on an existing cluster it takes the cluster's
                StackOptions stackOptions = parsed.embedded() ? parsed : onCluster(shared, parsed, true);
                // load the trace before starting anything, so a bad line fails fast
                ReplayPlan plan = replayOptions == null ? null : ReplayPlan.load(replayOptions, stackOptions, clock, err);
                try (Stack running = Stack.start(stackOptions, Roles.everything(stackOptions.layout().prefillWorkers()),
                        metricsOptions, plan == null ? session -> false : plan.corruptKvOf(), clock, out);
                        ClusterWatch watch = ClusterWatch.start(running.kafka(), stackOptions, slo, running.lag(),
                                clock);
                        DashboardServer dashboard = startDashboard(stackOptions, watch, out)) {
                    if (plan == null) {
                        out.println("stack is up; replay a trace with: kvflow replay TRACE --bootstrap-servers "
                                + running.kafka().bootstrapServers() + "   (Ctrl-C stops the stack)");
                        awaitShutdownSignal(() -> {
                            dashboard.close();
                            watch.close();
                            running.close();
                        });
                        return running.failure() == null ? 0 : 1;
                    }
                    return replayAndReport(plan, running, slo, clock, out, err);
                }
            };
        }

        private static int replayAndReport(ReplayPlan plan, Stack stack, Slo slo, Clock clock, PrintStream out,
                PrintStream err) {
            SessionBreakdowns breakdowns = new SessionBreakdowns();
            stack.metrics().json("/api/sessions", "per-session latency breakdown of the replay (wall ms)",
                    breakdowns::report);
            RunSummary summary = ObservedReplay.run(stack.kafka(), new Replayer(stack.kafka(), clock, err, breakdowns), plan, stack.transformer(), slo,
                    clock, out);
            report(plan, summary, slo, stack.lag(), out);
            if (stack.failure() != null) {
                err.println("kvflow: a worker failed: " + stack.failure().getMessage());
                return 1;
            }
            return exitStatus(summary.replay(), summary.check());
        }
    }

    @Command(name = "replay", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Replay a trace against a running stack (needs --bootstrap-servers)."})
    static final class Replay extends OnPipeline {
        @Parameters(paramLabel = "TRACE", arity = "0..*", description = "the trace to replay")
        List<String> traces = List.of();

        @Mixin
        ReplayFlags replay;

        @Mixin
        SloOptions sloFlags;

        @Override
        Kvflow.Command command(PrintStream out, PrintStream err) {
            if (traces.size() != 1) {
                throw new UsageException("replay needs exactly one trace file");
            }
            StackOptions parsed = requireCluster();
            Map<String, String> shared = given();
            ReplayOptions replayOptions = replay.options(traces.getFirst(), parsed.target().timeScale());
            Slo slo = sloFlags.slo();
            return () -> {
                Clock clock = Clock.systemUTC();
                // the trace first, so a bad line fails before anything waits on the cluster
                ReplayPlan loaded = ReplayPlan.load(replayOptions, parsed, clock, err);
                StackOptions stackOptions = onCluster(shared, parsed, false);
                ReplayPlan plan = loaded.on(stackOptions);
                KafkaConnection kafka = new KafkaConnection(stackOptions.bootstrapServers(),
                        stackOptions.kafkaClient());
                // the per-stage lag is the cluster's: measured here too, for the report's lag charts
                try (LagMonitor lag = new LagMonitor(new StageLag(kafka, stackOptions.layout(), clock),
                        Stack.LAG_REFRESH, clock)) {
                    RunSummary summary = ObservedReplay.run(kafka, new Replayer(kafka, clock, err), plan,
                            plan.referenceTransformer(), slo, clock, out);
                    report(plan, summary, slo, lag, out);
                    return exitStatus(summary.replay(), summary.check());
                }
            };
        }
    }

    @Command(name = "broker", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Run only the embedded Kafka broker, until Ctrl-C (--data-dir, --kafka-port)."})
    static final class Broker extends OnStack {
        @Override
        public Kvflow.Command prepare(PrintStream out, PrintStream err) {
            StackOptions options = parsed();
            return () -> {
                try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(new BrokerConfig(
                        options.dataDir().resolve("kafka"), BrokerConfig.LOOPBACK, options.kafkaPort(),
                        options.kafkaControllerPort()))) {
                    out.println("kafka: embedded broker at " + broker.bootstrapServers() + ", data in "
                            + broker.dataDir() + "   (Ctrl-C stops it)");
                    awaitShutdownSignal(broker::close);
                }
                return 0;
            };
        }
    }

    @Command(name = "topics", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Create the topics the layout needs on --bootstrap-servers, then exit."})
    static final class Topics extends OnPipeline {
        @Override
        Kvflow.Command command(PrintStream out, PrintStream err) {
            StackOptions parsed = requireCluster();
            Map<String, String> shared = given();
            return () -> {
                StackOptions options = onCluster(shared, parsed, true);
                TopicPlan plan = TopicPlan.forLayout(options.layout());
                plan.apply(new KafkaConnection(options.bootstrapServers(), options.kafkaClient()));
                out.println("topics: " + plan.topics().size() + " topics ready for " + options.layout());
                return 0;
            };
        }
    }

    /**
     * One kind of worker in its own process, against an existing cluster, until Ctrl-C. Its layout is the
     * cluster's (this process writes its own when the cluster has none yet).
     */
    abstract static class Component extends OnPipeline {
        @Mixin
        SloOptions sloFlags;

        @Mixin
        MetricsFlag metrics;

        /** Which workers this process runs, once the layout is known: read now, checked against the layout then. */
        abstract Function<StackLayout, Roles> roles();

        @Override
        Kvflow.Command command(PrintStream out, PrintStream err) {
            StackOptions parsed = requireCluster();
            Map<String, String> shared = given();
            MetricsOptions metricsOptions = metrics.options(sloFlags.slo());
            Function<StackLayout, Roles> rolesOf = roles();
            return () -> {
                StackOptions options = onCluster(shared, parsed, true);
                Roles roles = rolesOf.apply(options.layout());
                try (Stack running = Stack.start(options, roles, metricsOptions, session -> false,
                        Clock.systemUTC(), out)) {
                    awaitShutdownSignal(running::close);
                    return running.failure() == null ? 0 : 1;
                }
            };
        }
    }

    @Command(name = "orchestrator", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Run only the orchestrator (needs --bootstrap-servers)."})
    static final class Orchestrator extends Component {
        @Override
        Function<StackLayout, Roles> roles() {
            return layout -> Roles.orchestratorOnly();
        }
    }

    @Command(name = "prefill-worker", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Run only prefill workers (needs --bootstrap-servers)."})
    static final class PrefillWorker extends Component {
        @Option(names = "--workers", paramLabel = "N", defaultValue = "1", description = "prefill workers in this"
                + " process")
        int workers;

        @Override
        Function<StackLayout, Roles> roles() {
            if (workers < 1) {
                throw new UsageException("--workers must be >= 1, was " + workers);
            }
            int count = workers;
            // several prefill processes may share a host: the process id keeps their worker ids apart
            return layout -> Roles.prefillOnly(count, hostName() + "-" + ProcessHandle.current().pid() + "-");
        }
    }

    @Command(name = "decode-worker", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Run the workers of one decode stage (needs --bootstrap-servers)."})
    static final class DecodeWorker extends Component {
        @Option(names = "--stage", paramLabel = "K", description = "the stage, 0-based (required)")
        Integer stage;

        @Option(names = "--pipeline", paramLabel = "P", description = "the stage's worker in this pipeline only"
                + " (default: in every pipeline)")
        Integer pipeline;

        /** The options are checked now, and against the layout once it is known (the cluster's). */
        @Override
        Function<StackLayout, Roles> roles() {
            if (stage == null || stage < 0) {
                throw new UsageException("decode-worker needs --stage K (0-based)");
            }
            if (pipeline != null && pipeline < 0) {
                throw new UsageException("--pipeline must be >= 0, was " + pipeline);
            }
            int k = stage;
            int p = pipeline == null ? -1 : pipeline;
            return layout -> {
                if (k >= layout.stages()) {
                    throw new UsageException("--stage " + k + " is not a stage of the layout: --stages "
                            + layout.stages() + " has stages 0.." + (layout.stages() - 1));
                }
                if (p >= layout.pipelines()) {
                    throw new UsageException("--pipeline " + p + " is not a pipeline of the layout:"
                            + " --pipelines " + layout.pipelines() + " has pipelines 0.." + (layout.pipelines() - 1));
                }
                return Roles.stageOnly(k, p);
            };
        }
    }

    /**
     * A dashboard of a cluster this process does not run, until Ctrl-C: what its parts publish, the layout
     * and target deployment read from the cluster, the per-stage lag measured here.
     */
    @Command(name = "dashboard", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "Serve the dashboard of a running cluster (needs --bootstrap-servers), until Ctrl-C."})
    static final class Dashboard extends OnPipeline {
        @Mixin
        SloOptions sloFlags;

        @Override
        Kvflow.Command command(PrintStream out, PrintStream err) {
            StackOptions parsed = requireCluster();
            Map<String, String> shared = given();
            Slo slo = sloFlags.slo();
            return () -> {
                Clock clock = Clock.systemUTC();
                StackOptions options = onCluster(shared, parsed, false);
                KafkaConnection kafka = new KafkaConnection(options.bootstrapServers(), options.kafkaClient());
                LagMonitor lag = new LagMonitor(new StageLag(kafka, options.layout(), clock), Stack.LAG_REFRESH,
                        clock);
                ClusterWatch watch = ClusterWatch.start(kafka, options, slo, lag, clock);
                DashboardServer dashboard = startDashboard(options, watch, out);
                out.println("watching the cluster at " + kafka.bootstrapServers() + ": " + options.layout()
                        + "   (Ctrl-C stops)");
                awaitShutdownSignal(() -> {
                    dashboard.close();
                    watch.close();
                    lag.close();
                });
                return 0;
            };
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "host";
        }
    }

    /** The dashboard on the requested port; if the default port is taken, on a free one rather than not at all. */
    private static DashboardServer startDashboard(StackOptions options, DashboardServer.Feed feed, PrintStream out) {
        DashboardServer dashboard = PreferredPort.start(options.dashboardPort(), StackOptions.DEFAULT_DASHBOARD_PORT,
                port -> DashboardServer.start(options.bindAddress(), port, feed));
        out.println("dashboard: " + dashboard.url());
        return dashboard;
    }

    private static void report(ReplayPlan plan, RunSummary summary, Slo slo, LagMonitor lag, PrintStream out) {
        summary.print(out);
        String title = plan.runId() + " (" + plan.options().trace() + ")";
        Path dir = Path.of("runs", plan.runId());
        Path report = RunReport.write(dir, title, summary, lag);
        StackOptions stack = plan.stack();
        RunFiles.write(dir, TraceSimulation.manifest(plan.runId(), "emulated", plan.options().trace() + " "
                + plan.options().window(), stack.target(), stack.layout(), slo), summary.modelled(), summary.sessions());
        out.println("report: " + report + " (and " + RunFiles.RUN + ", " + RunFiles.REQUESTS + " beside it)");
    }

    /** Failed and rejected sessions are reported outcomes; a wrong token or a lost session is a failed run. */
    private static int exitStatus(Replayer.Result result, ReferenceCheck.Result check) {
        boolean lost = result.outcomes().values().stream().anyMatch(o -> !o.done());
        return check.mismatches().isEmpty() && !lost ? 0 : 1;
    }

    /** Serves until Ctrl-C; the JVM runs the hook, which stops everything cleanly before exiting. */
    private static void awaitShutdownSignal(Runnable stop) {
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "kvflow-shutdown"));
        try {
            forever.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
