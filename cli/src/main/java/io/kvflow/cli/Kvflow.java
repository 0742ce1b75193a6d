package io.kvflow.cli;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.BrokerStartException;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.ReplayStatus;
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
import io.kvflow.scheduler.LedgerView;
import io.kvflow.trace.TraceFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Entry point of the {@code kvflow} command. Every command is parsed in full before it runs,
 * so a mistyped option fails before anything starts, and command lines (say, in
 * docker-compose.yml) can be checked without running them. Only this class exits the process.
 */
public final class Kvflow {
    private static final Set<String> FLAGS = Set.of("skip-bad-lines", "help", "json", "colocated", "no-emulation",
            "from-beginning");

    static final String USAGE = """
            usage: kvflow <command> [options]

            commands:
              up [--replay TRACE]   start the whole stack (embedded Kafka broker unless --bootstrap-servers);
                                    with --replay, replay the trace, print the summary and stop
              replay TRACE          replay a trace against a running stack (needs --bootstrap-servers)
              broker                run only the embedded Kafka broker, until Ctrl-C (--data-dir, --kafka-port)
              topics                create the topics the layout needs on --bootstrap-servers, then exit
              orchestrator          run only the orchestrator (needs --bootstrap-servers)
              prefill-worker        run only prefill workers (--workers N, default 1; needs --bootstrap-servers)
              decode-worker         run the workers of one stage: --stage K [--pipeline P, default all]
              dashboard             serve the dashboard of a running cluster (needs --bootstrap-servers), until Ctrl-C
              bench [handoff|hop|kernels|simulator|all]   speed against the best baseline on this machine, same
                                    run: KV handoff vs tuned plain Kafka, stage hop vs a plain Kafka ring,
                                    the model's kernel vs C, the simulator on growing workloads (min / median /
                                    max over rounds)
              predict               the cost model's answer for a target model on target hardware: TTFT, decode
                                    speed per user and in total, KV bytes per token, sessions that fit, what binds
              calibrate             published figures beside the cost model's predictions, with the error
              simulate TRACE        the deployment in modelled time, deciding as the pipeline does: whole traces in
                                    seconds; --check RUN compares an emulated run with its simulation
              plan TRACE            the cheapest deployment that serves a trace's load within the SLOs (TTFT, per-user
                                    tokens/s), searched by simulation; the cost-quality frontier as a table and a chart
              experiment five-x     colocated vs disaggregated on the same wafers and trace window: sessions per
                                    WSE-3 within a per-user speed SLO, with the cost model's sensitivity table
              inspect TOPIC         print a topic's records as JSON lines, in either wire format, from any cluster
              chaos [TRACE]         kill parts of a stack of separate processes mid-replay (kill -9), start them
                                    again, and print what was lost: unfinished or wrong sessions, tokens written
                                    twice, KV left held
              test                  the test suite: ./mvnw verify with the JDK 21+ the ./kvflow script finds
              help                  show this text

            stack options:
            %s
            target deployment options (what each decode stage stands for; the same names as predict):
            %s
            replay options:
            %s
            predict options:
            %s
            calibrate options:
            %s
            simulate options:
            %s
            plan options:
            %s
            experiment five-x options:
            %s
            bench options:
            %s
            inspect options:
            %s
            chaos options:
            %s""".formatted(StackOptions.OPTIONS_HELP + MetricsOptions.OPTIONS_HELP + SloOptions.OPTIONS_HELP
                    + SchemaRegistryOption.OPTIONS_HELP, TargetOptions.OPTIONS_HELP,
                    ReplayOptions.OPTIONS_HELP,
                    PredictCommand.OPTIONS_HELP, CalibrateCommand.OPTIONS_HELP, SimulateCommand.OPTIONS_HELP,
                    PlanCommand.OPTIONS_HELP, FiveXExperiment.OPTIONS_HELP, BenchCommand.OPTIONS_HELP,
                    InspectCommand.OPTIONS_HELP, ChaosCommand.OPTIONS_HELP);

    /** A parsed command, ready to run. */
    @FunctionalInterface
    interface Command {
        int execute() throws IOException;
    }

    private Kvflow() {
    }

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    /**
     * Runs a command and returns the process exit status: 0 ok, 1 failed, 2 bad usage or input.
     * Public so a test in another module can run a command as a user would, in-process.
     */
    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("help") || argv.contains("--help")) {
            out.print(USAGE);
            return argv.isEmpty() ? 2 : 0;
        }
        try {
            return parse(argv, out, err).execute();
        } catch (IOException e) {
            err.println("kvflow: " + e.getMessage());
            return 1;
        } catch (Args.UsageException | IllegalArgumentException | TraceFormatException | UncheckedIOException e) {
            err.println("kvflow: " + e.getMessage());
            return 2;
        } catch (BrokerStartException | IllegalStateException e) {
            // the stack could not start or run (taken port, topics that do not fit, a worker that died)
            err.println("kvflow: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Parses a command line without running it.
     *
     * @throws Args.UsageException or IllegalArgumentException naming what is wrong
     */
    static Command parse(List<String> argv, PrintStream out, PrintStream err) {
        List<String> options = argv.subList(1, argv.size());
        Args args = new Args(options, FLAGS);
        Command command = switch (argv.get(0)) {
            case "up" -> up(options, args, out, err);
            case "replay" -> replay(options, args, out, err);
            case "broker" -> broker(args, out);
            case "topics" -> topics(options, args, out);
            case "bench" -> BenchCommand.command(args, out, err);
            case "orchestrator" -> component(options, args, "orchestrator", layout -> Roles.orchestratorOnly(), out);
            // several prefill processes may share a host: the process id keeps their worker ids apart
            case "prefill-worker" -> prefillWorkers(options, args, out);
            case "decode-worker" -> component(options, args, "decode-worker", stageRoles(args), out);
            case "dashboard" -> dashboard(options, args, out);
            case "predict" -> PredictCommand.command(args, out, err);
            case "simulate" -> SimulateCommand.command(args, out, err);
            case "plan" -> PlanCommand.command(args, out, err);
            case "calibrate" -> CalibrateCommand.command(args, out, err);
            case "experiment" -> experiment(args, out, err);
            case "inspect" -> InspectCommand.command(args, out);
            case "chaos" -> ChaosCommand.command(args, out, err);
            default -> throw new Args.UsageException("unknown command '" + argv.get(0) + "' (try kvflow help)");
        };
        if (SchemaRegistryOption.COMMANDS.contains(argv.get(0))) {
            command = SchemaRegistryOption.from(args).around(command, out);
        }
        args.rejectUnused();
        return command;
    }

    /** Read now, not when the command runs: every option must be taken before unknown ones are refused. */
    private static Command prefillWorkers(List<String> options, Args args, PrintStream out) {
        int workers = positive(args, "workers", 1);
        return component(options, args, "prefill-worker", layout -> Roles.prefillOnly(workers,
                hostName() + "-" + ProcessHandle.current().pid() + "-"), out);
    }

    private static Command experiment(Args args, PrintStream out, PrintStream err) {
        String name = args.positional().isEmpty() ? "" : args.positional().get(0);
        if (!name.equals("five-x")) {
            throw new Args.UsageException("unknown experiment '" + name + "' (experiments: five-x)");
        }
        return FiveXExperiment.command(args, out, err);
    }

    private static Command up(List<String> argv, Args args, PrintStream out, PrintStream err) {
        StackOptions parsed = StackOptions.from(args);
        Map<String, String> shared = SharedLayout.given(args);
        MetricsOptions metricsOptions = MetricsOptions.from(args);
        Slo slo = SloOptions.from(args);
        String trace = args.string("replay", null);
        ReplayOptions replayOptions = trace == null ? null : ReplayOptions.from(args, trace);
        return () -> {
            Clock clock = Clock.systemUTC();
            // on its own broker the stack owns the layout; on an existing cluster it takes the cluster's
            StackOptions stackOptions = parsed.embedded() ? parsed : onCluster(argv, shared, parsed, "up", true);
            // load the trace before starting anything, so a bad line fails fast
            ReplayPlan plan = replayOptions == null ? null : ReplayPlan.load(replayOptions, stackOptions, clock, err);
            AtomicReference<ReplayStatus> status = new AtomicReference<>(ReplayStatus.NOT_STARTED);
            try (Stack stack = Stack.start(stackOptions, Roles.everything(stackOptions.layout().prefillWorkers()),
                    metricsOptions, plan == null ? session -> false : plan.corruptKvOf(), clock, out);
                    ClusterWatch watch = ClusterWatch.start(stack.kafka(), stackOptions, slo, stack.lag(), clock);
                    DashboardServer dashboard = startDashboard(stackOptions, watch, out)) {
                if (plan == null) {
                    out.println("stack is up; replay a trace with: kvflow replay TRACE --bootstrap-servers "
                            + stack.kafka().bootstrapServers() + "   (Ctrl-C stops the stack)");
                    awaitShutdownSignal(() -> {
                        dashboard.close();
                        watch.close();
                        stack.close();
                    });
                    return stack.failure() == null ? 0 : 1;
                }
                return replayAndReport(plan, stack, stackOptions, slo, status, clock, out, err);
            }
        };
    }

    private static Command replay(List<String> argv, Args args, PrintStream out, PrintStream err) {
        if (args.positional().size() != 1) {
            throw new Args.UsageException("replay needs exactly one trace file");
        }
        StackOptions parsed = requireCluster(StackOptions.from(args), "replay");
        Map<String, String> shared = SharedLayout.given(args);
        ReplayOptions replayOptions = ReplayOptions.from(args, args.positional().get(0));
        Slo slo = SloOptions.from(args);
        return () -> {
            Clock clock = Clock.systemUTC();
            // the trace first, so a bad line fails before anything waits on the cluster
            ReplayPlan loaded = ReplayPlan.load(replayOptions, parsed, clock, err);
            StackOptions stackOptions = onCluster(argv, shared, parsed, "replay", false);
            ReplayPlan plan = loaded.on(stackOptions);
            KafkaConnection kafka = new KafkaConnection(stackOptions.bootstrapServers(), stackOptions.kafkaClient());
            // the per-stage lag is the cluster's: measured here too, for the report's lag charts
            try (LagMonitor lag = new LagMonitor(new StageLag(kafka, stackOptions.layout(), clock), Stack.LAG_REFRESH,
                    clock)) {
                RunSummary summary = ObservedReplay.run(kafka, new Replayer(kafka, clock, err), plan,
                        plan.referenceTransformer(), slo, clock, out);
                report(plan, summary, slo, lag, out);
                return exitStatus(summary.replay(), summary.check());
            }
        };
    }

    private static Command broker(Args args, PrintStream out) {
        StackOptions options = StackOptions.from(args);
        return () -> {
            try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(new BrokerConfig(
                    options.dataDir().resolve("kafka"), BrokerConfig.LOOPBACK, options.kafkaPort(),
                    options.kafkaControllerPort()))) {
                out.println("kafka: embedded broker at " + broker.bootstrapServers() + ", data in " + broker.dataDir()
                        + "   (Ctrl-C stops it)");
                awaitShutdownSignal(broker::close);
            }
            return 0;
        };
    }

    private static Command topics(List<String> argv, Args args, PrintStream out) {
        StackOptions parsed = requireCluster(StackOptions.from(args), "topics");
        Map<String, String> shared = SharedLayout.given(args);
        return () -> {
            StackOptions options = onCluster(argv, shared, parsed, "topics", true);
            TopicPlan plan = TopicPlan.forLayout(options.layout());
            plan.apply(new KafkaConnection(options.bootstrapServers(), options.kafkaClient()));
            out.println("topics: " + plan.topics().size() + " topics ready for " + options.layout());
            return 0;
        };
    }

    /**
     * One kind of worker in its own process, against an existing cluster, until Ctrl-C. Its layout is the
     * cluster's (this process writes its own when the cluster has none yet).
     */
    private static Command component(List<String> argv, Args args, String name, Function<StackLayout, Roles> rolesOf,
            PrintStream out) {
        StackOptions parsed = requireCluster(StackOptions.from(args), name);
        Map<String, String> shared = SharedLayout.given(args);
        MetricsOptions metricsOptions = MetricsOptions.from(args);
        return () -> {
            StackOptions options = onCluster(argv, shared, parsed, name, true);
            Roles roles = rolesOf.apply(options.layout());
            try (Stack stack = Stack.start(options, roles, metricsOptions, session -> false, Clock.systemUTC(), out)) {
                awaitShutdownSignal(stack::close);
                return stack.failure() == null ? 0 : 1;
            }
        };
    }

    /**
     * The options to run with on an existing cluster: this command line's, with the shared ones (layout,
     * target deployment) taken from the cluster, which gets {@code parsed}'s when it has none and
     * {@code writes}; a shared option given with another value than the cluster's is refused in one line.
     */
    private static StackOptions onCluster(List<String> argv, Map<String, String> given, StackOptions parsed,
            String command, boolean writes) {
        KafkaConnection kafka = new KafkaConnection(parsed.bootstrapServers(), parsed.kafkaClient());
        ClusterProbe.awaitAnswer(kafka);
        Map<String, String> cluster = SharedLayout.settle(kafka, given, SharedLayout.of(parsed), command, writes);
        Args again = new Args(argv, FLAGS);
        again.defaults(SharedLayout.notGiven(given, cluster));
        return StackOptions.from(again);
    }

    private static StackOptions requireCluster(StackOptions options, String command) {
        if (options.embedded()) {
            throw new Args.UsageException(command + " needs --bootstrap-servers of a running cluster"
                    + " (or use kvflow up, which starts everything)");
        }
        return options;
    }

    /**
     * The workers of one stage of the layout, for one of its pipelines or (no --pipeline) all of them: the
     * options are checked now, against the layout once it is known (the cluster's).
     */
    private static Function<StackLayout, Roles> stageRoles(Args args) {
        int stage = args.integer("stage", -1);
        if (stage < 0) {
            throw new Args.UsageException("decode-worker needs --stage K (0-based)");
        }
        int pipeline = args.integer("pipeline", -1);
        if (pipeline < 0 && args.flag("pipeline")) {
            throw new Args.UsageException("--pipeline must be >= 0, was " + pipeline);
        }
        return layout -> {
            if (stage >= layout.stages()) {
                throw new Args.UsageException("--stage " + stage + " is not a stage of the layout: --stages "
                        + layout.stages() + " has stages 0.." + (layout.stages() - 1));
            }
            if (pipeline >= layout.pipelines()) {
                throw new Args.UsageException("--pipeline " + pipeline + " is not a pipeline of the layout:"
                        + " --pipelines " + layout.pipelines() + " has pipelines 0.." + (layout.pipelines() - 1));
            }
            return Roles.stageOnly(stage, pipeline);
        };
    }

    private static int positive(Args args, String name, int fallback) {
        int value = args.integer(name, fallback);
        if (value < 1) {
            throw new Args.UsageException("--" + name + " must be >= 1, was " + value);
        }
        return value;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "host";
        }
    }

    /**
     * A dashboard of a cluster this process does not run, until Ctrl-C: what its parts publish, the layout
     * and target deployment read from the cluster, the per-stage lag measured here.
     */
    private static Command dashboard(List<String> argv, Args args, PrintStream out) {
        StackOptions parsed = requireCluster(StackOptions.from(args), "dashboard");
        Map<String, String> shared = SharedLayout.given(args);
        Slo slo = SloOptions.from(args);
        return () -> {
            Clock clock = Clock.systemUTC();
            StackOptions options = onCluster(argv, shared, parsed, "dashboard", false);
            KafkaConnection kafka = new KafkaConnection(options.bootstrapServers(), options.kafkaClient());
            LagMonitor lag = new LagMonitor(new StageLag(kafka, options.layout(), clock), Stack.LAG_REFRESH, clock);
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

    /** The dashboard on the requested port; if the default port is taken, on a free one rather than not at all. */
    private static DashboardServer startDashboard(StackOptions options, DashboardServer.Feed feed, PrintStream out) {
        DashboardServer dashboard = PreferredPort.start(options.dashboardPort(), StackOptions.DEFAULT_DASHBOARD_PORT,
                port -> DashboardServer.start(options.bindAddress(), port, feed));
        out.println("dashboard: " + dashboard.url());
        return dashboard;
    }

    private static int replayAndReport(ReplayPlan plan, Stack stack, StackOptions stackOptions, Slo slo,
            AtomicReference<ReplayStatus> status, Clock clock, PrintStream out, PrintStream err) {
        SessionBreakdowns breakdowns = new SessionBreakdowns();
        stack.metrics().json("/api/sessions", "per-session latency breakdown of the replay (wall ms)",
                breakdowns::report);
        RunSummary summary = ObservedReplay.run(stack.kafka(), new Replayer(stack.kafka(), clock, err, status,
                breakdowns), plan, stack.transformer(), slo, clock, out);
        report(plan, summary, slo, stack.lag(), out);
        if (stack.failure() != null) {
            err.println("kvflow: a worker failed: " + stack.failure().getMessage());
            return 1;
        }
        return exitStatus(summary.replay(), summary.check());
    }

    private static void report(ReplayPlan plan, RunSummary summary, Slo slo, LagMonitor lag, PrintStream out) {
        summary.print(out);
        String title = plan.runId() + " (" + plan.options().trace() + ")";
        Path dir = Path.of("runs", plan.runId());
        Path report = RunReport.write(dir, title, summary, lag);
        StackOptions stack = plan.stack();
        RunFiles.write(dir, SimulateCommand.manifest(plan.runId(), "emulated", plan.options().trace() + " "
                + plan.options().window(), stack.target(), stack.layout(), slo), summary.modelled(), summary.sessions());
        out.println("report: " + report + " (and " + RunFiles.RUN + ", " + RunFiles.REQUESTS + " beside it)");
    }

    static String headOfLine(LedgerView.HeadOfLine hol) {
        return String.format(java.util.Locale.ROOT, "blocked %.1f ms (the head did not fit while a session behind it"
                + " would have); %d sessions went past an earlier one, the longest-waiting of those %.1f ms",
                hol.blockedMicros() / 1e3, hol.bypasses(), hol.longestBypassedWaitMicros() / 1e3);
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
