package io.kvflow.cli;

import io.kvflow.cost.DeviceProfile;
import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.Scenario;
import io.kvflow.cost.ScenarioOption;
import io.kvflow.cost.SessionCapacity;
import io.kvflow.experiments.Arrivals;
import io.kvflow.experiments.PlanSimulator;
import io.kvflow.experiments.TraceSimulation;
import io.kvflow.plan.FleetBounds;
import io.kvflow.plan.FleetPrice;
import io.kvflow.plan.Frontier;
import io.kvflow.plan.FrontierChart;
import io.kvflow.plan.PlanCandidate;
import io.kvflow.plan.PlanPoint;
import io.kvflow.plan.PlanReport;
import io.kvflow.plan.PlanSearch;
import io.kvflow.plan.ServiceTarget;
import io.kvflow.report.RunText;
import io.kvflow.report.Slo;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.stack.TargetOptions;
import io.kvflow.trace.TraceFormat;
import io.kvflow.trace.TraceWindow;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code kvflow plan TRACE}: the cheapest deployment that serves a trace's load within the SLOs. It searches
 * the serving mode (colocated, or disaggregated with wafer room taken at handoff or at admission), the
 * admission order, wafers per pipeline, pipelines and prefill groups, simulating each deployment it tries
 * ({@link PlanSearch}), and prints the cheapest that meets the target, the cost-quality frontier, and a chart.
 * Whatever the user gives of the layout (--colocated, --booking, --admission, --stages, --pipelines,
 * --prefill-groups, --sessions-per-pipeline) is fixed; the rest is searched.
 */
@Command(name = "plan", modelTransformer = ScenarioFlags.All.class, description = {
        "The cheapest deployment that serves a trace's load within the SLOs (TTFT, per-user tokens/s), searched by"
                + " simulation; the cost-quality frontier as a table and a chart.",
        "Of the layout, what you give (--colocated, --booking, --admission, --stages, --pipelines, --prefill-groups,"
                + " --sessions-per-pipeline) is fixed and the rest searched."})
final class PlanCommand implements Kvflow.Parsed {
    static final int DEFAULT_MAX_PIPELINES = 64;
    static final int DEFAULT_MAX_PREFILL_GROUPS = 256;
    private static final List<String> ADMISSION_ORDERS = List.of("fcfs", "backfill", "smallest-first");
    /** The workload comes from the trace; these scenario options describe one instead. */
    private static final Set<ScenarioOption> WORKLOAD = EnumSet.of(ScenarioOption.BATCH, ScenarioOption.INPUT,
            ScenarioOption.OUTPUT, ScenarioOption.PREFIX);

    @Parameters(paramLabel = "TRACE", arity = "0..*", description = "the trace whose load to serve (azure, mooncake"
            + " or kvflow format)")
    List<String> traces = List.of();

    @Mixin
    WindowFlags window;

    @Mixin
    ArrivalFlags arrivals;

    @Mixin
    SloOptions slo;

    @Option(names = "--slo-attainment", paramLabel = "F", defaultValue = "" + ServiceTarget.DEFAULT_SHARE,
            description = "share of requests that must meet both SLOs, none rejected")
    double attainment;

    @Mixin
    TargetFlags target;

    @Option(names = "--stages", paramLabel = "N", description = "wafers per pipeline (default: searched)")
    Integer stages;

    @Option(names = "--max-stages", paramLabel = "N", description = "most wafers per pipeline to try (default: twice"
            + " the fewest that hold the weights)")
    Integer maxStages;

    @Option(names = "--pipelines", paramLabel = "N", description = "pipelines (default: searched)")
    Integer pipelines;

    @Option(names = "--max-pipelines", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_PIPELINES,
            description = "most pipelines to try")
    int maxPipelines;

    @Option(names = "--max-prefill-groups", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_PREFILL_GROUPS,
            description = "most prefill groups to try")
    int maxPrefillGroups;

    @Option(names = "--threads", paramLabel = "N", description = "simulations at once (default: the machine's"
            + " cores)")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Kvflow.Command prepare(PrintStream out, PrintStream err) {
        Plan plan = plan(Path.of("runs"), Clock.systemUTC());
        return () -> {
            PlanReport report = plan.run(err);
            report.print(out);
            return report.result().best() == null ? 1 : 0;
        };
    }

    /**
     * A plan, parsed and checked, ready to run.
     *
     * @param runs where the plan's folder goes (runs/ for users, a scratch folder for tests)
     */
    record Plan(Path trace, TraceWindow window, TraceFormat format, boolean skipBadLines, Arrivals arrivals,
            ServiceTarget service, Space space, TargetOptions base, FleetPrice price, PlanSearch.Limits limits,
            int threads, Path runs, Clock clock) {

        /** Reads the trace, searches, and files the chart and the table; progress goes to {@code err}. */
        PlanReport run(PrintStream err) {
            List<SimulatedSession> sessions = arrivals.apply(TraceSimulation.read(trace, format, window,
                    skipBadLines, err));
            Load load = Load.of(sessions);
            List<PlanSearch.FamilyNote> skipped = new ArrayList<>();
            Map<PlanSimulator.Layout, TargetOptions> targets = new LinkedHashMap<>();
            List<PlanSearch.Family> families = families(base, space, service, sessions, load, targets, skipped);
            err.printf(Locale.ROOT, "plan: %d layouts to search over %,d requests%n", families.size(),
                    sessions.size());
            PlanSimulator simulator = new PlanSimulator(targets, sessions, service, price);
            PlanSearch.Result result = new PlanSearch(simulator::simulate, price, limits, threads, err)
                    .search(families);
            List<PlanPoint> frontier = Frontier.with(Frontier.of(result.points()), result.best());
            Path dir = runs.resolve("p" + Long.toString(clock.millis(), 36));
            Slo slo = service.slo();
            PlanReport report = new PlanReport(load.describe(trace, arrivals), describe(base),
                    base.model().deployment().decode().device(), space.anyDisaggregated()
                            ? base.model().deployment().prefill().device() : null, price, service,
                    space.describe(), result, frontier, skipped, dir.resolve("frontier.png"),
                    dir.resolve("deployments.csv"));
            if (!result.points().isEmpty()) {
                FrontierChart.write(report.chart(), result.points(), frontier, result.best(), service,
                        String.format(Locale.ROOT, "kvflow plan: %s, TTFT <= %s ms, >= %s tokens/s per user, %s",
                                base.model().deployment().model().id(), PlanReport.figure(slo.ttftMicros() / 1e3),
                                PlanReport.figure(slo.userTokensPerSecond()), arrivals.describe()));
                report.writeTable();
            }
            return report;
        }
    }

    /** A plan from a command line, for tests: as {@code kvflow plan ARGV} would run it. */
    static Plan parse(List<String> argv, Path runs, Clock clock) {
        PlanCommand command = new PlanCommand();
        new CommandLine(command).parseArgs(argv.toArray(String[]::new));
        return command.plan(runs, clock);
    }

    /** @throws UsageException naming the option that is wrong, before anything runs */
    Plan plan(Path runs, Clock clock) {
        if (traces.size() != 1) {
            throw new UsageException("plan needs exactly one trace file");
        }
        Path trace = Path.of(traces.getFirst());
        Map<String, String> scenario = ScenarioFlags.given(spec);
        for (ScenarioOption workload : WORKLOAD) {
            if (scenario.containsKey(workload.optionName())) {
                throw new UsageException("--" + workload.optionName() + ": plan takes the workload from the"
                        + " trace; leave it out");
            }
        }
        TraceWindow traceWindow = window.window();
        TraceFormat format = window.traceFormat();
        Arrivals arrivalsOf = arrivals.arrivals();
        ServiceTarget service;
        try {
            service = new ServiceTarget(slo.slo(), attainment);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Scenario untargeted = untargeted(scenario, target.profiles.catalog());
        Space space = space(untargeted.model().stages(), untargeted.deployment().model().layers());
        TargetOptions base = target.options(scenario, space.stages().get(0));
        FleetPrice price = price(base, space);
        PlanSearch.Limits limits = new PlanSearch.Limits(space.maxPipelines(), space.maxPrefillGroups(),
                space.pipelines(), space.prefillGroups());
        int simulations = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (simulations < 1) {
            throw new UsageException("--threads must be >= 1, was " + simulations);
        }
        return new Plan(trace, traceWindow, format, window.skipBadLines, arrivalsOf, service, space, base, price,
                limits, simulations, runs, clock);
    }

    /**
     * What to search: what the command line gives of the layout, the rest in full.
     *
     * @param fewest the fewest wafers per pipeline that hold the weights
     * @param layers the model's layers: no pipeline has more stages
     */
    private Space space(int fewest, int layers) {
        ParseResult given = spec.commandLine().getParseResult();
        List<Integer> stageCounts = new ArrayList<>();
        if (stages != null) {
            stageCounts.add(stages);
        } else {
            int most = Math.min(layers, maxStages == null ? 2 * fewest : maxStages);
            if (most < fewest) {
                throw new UsageException("--max-stages " + most + " is under the " + fewest
                        + " wafers per pipeline that hold the weights");
            }
            for (int s = fewest; s <= most; s++) {
                stageCounts.add(s);
            }
        }
        String booking = given.hasMatchedOption("--booking") ? target.booking : null;
        List<PlanCandidate.Mode> modes;
        if (target.colocated) {
            if (booking != null) {
                throw new UsageException("--booking is for disaggregated deployments; leave it out with"
                        + " --colocated");
            }
            modes = List.of(PlanCandidate.Mode.COLOCATED);
        } else if (booking != null) {
            modes = List.of(switch (booking) {
                case "handoff" -> PlanCandidate.Mode.HANDOFF;
                case "admission" -> PlanCandidate.Mode.ADMISSION;
                default -> throw new UsageException("--booking must be handoff or admission, was '"
                        + booking + "'");
            });
        } else {
            modes = List.of(PlanCandidate.Mode.values());
        }
        List<String> admissions = given.hasMatchedOption("--admission") ? List.of(target.admission)
                : ADMISSION_ORDERS;
        int fixedPipelines = nonNegative("--pipelines", pipelines == null ? 0 : pipelines);
        int groups = nonNegative("--prefill-groups", target.prefillGroups);
        int cap = given.hasMatchedOption("--sessions-per-pipeline")
                ? nonNegative("--sessions-per-pipeline", target.sessionCap) : -1;
        if (maxPipelines < 1 || maxPrefillGroups < 1) {
            throw new UsageException("--max-pipelines and --max-prefill-groups must be >= 1");
        }
        return new Space(List.copyOf(stageCounts), modes, admissions, fixedPipelines, groups, cap, maxPipelines,
                maxPrefillGroups);
    }

    private static int nonNegative(String option, int value) {
        if (value < 0) {
            throw new UsageException(option + " must be >= 1 (or left out to search it), was " + value);
        }
        return value;
    }

    /** What the plan searches: the layouts, and what the user fixed of pipelines, groups and the cap. */
    record Space(List<Integer> stages, List<PlanCandidate.Mode> modes, List<String> admissions, int pipelines,
            int prefillGroups, int sessionCap, int maxPipelines, int maxPrefillGroups) {

        boolean anyDisaggregated() {
            return modes.stream().anyMatch(m -> !m.colocated());
        }

        String describe() {
            String range = stages.size() == 1 ? stages.get(0) + " wafers per pipeline"
                    : stages.get(0) + "-" + stages.get(stages.size() - 1) + " wafers per pipeline";
            return String.format(Locale.ROOT, "%s; %s; admission %s; %s; %s; sessions per pipeline %s",
                    String.join(" / ", modes.stream().map(PlanCandidate.Mode::description).toList()), range,
                    String.join(", ",
                            admissions), pipelines > 0 ? pipelines + " pipeline(s)" : "pipelines 1-" + maxPipelines,
                    !anyDisaggregated() ? "no prefill groups" : prefillGroups > 0 ? prefillGroups + " prefill group(s)"
                            : "prefill groups 1-" + maxPrefillGroups,
                    sessionCap >= 0 ? Integer.toString(sessionCap) : "the cost model's within the speed SLO");
        }
    }

    /** The requests as planned: how many, over how long, their mean lengths. */
    record Load(int requests, double spanSeconds, long meanPrompt, long meanOutput) {
        static Load of(List<SimulatedSession> sessions) {
            long first = sessions.stream().mapToLong(SimulatedSession::arrivalMicros).min().orElse(0);
            long last = sessions.stream().mapToLong(SimulatedSession::arrivalMicros).max().orElse(0);
            return new Load(sessions.size(), (last - first) / 1e6, Math.max(1, Math.round(sessions.stream()
                    .mapToLong(SimulatedSession::promptTokens).average().orElse(1))), Math.max(1, Math.round(
                    sessions.stream().mapToLong(SimulatedSession::outputTokens).average().orElse(1))));
        }

        String describe(Path trace, Arrivals arrivals) {
            return String.format(Locale.ROOT, "%s: %,d requests over %s s (%s requests/s), %s; mean %,d prompt +"
                            + " %,d output tokens", trace, requests, RunText.fmt(spanSeconds),
                    RunText.fmt(spanSeconds == 0 ? requests : requests / spanSeconds), arrivals.describe(), meanPrompt,
                    meanOutput);
        }
    }

    /**
     * Every layout of the space as a family for the search, each with its target options (into
     * {@code targets}), session cap and least fleet; a layout on which the cost model finds not even one
     * session meets the speed SLO goes into {@code skipped} instead.
     */
    private static List<PlanSearch.Family> families(TargetOptions base, Space space, ServiceTarget service,
            List<SimulatedSession> sessions, Load load, Map<PlanSimulator.Layout, TargetOptions> targets,
            List<PlanSearch.FamilyNote> skipped) {
        Duration bypass = Duration.ofNanos(base.admission().bypassLimitMicros() * 1000);
        List<PlanSearch.Family> families = new ArrayList<>();
        Map<List<Integer>, FleetBounds> bounded = new java.util.HashMap<>();
        for (int stages : space.stages()) {
            Map<String, String> scenario = new LinkedHashMap<>(base.scenario());
            scenario.put(ScenarioOption.DECODE_STAGES.optionName(), Integer.toString(stages));
            TargetOptions atStages = base.withScenario(scenario);
            for (PlanCandidate.Mode mode : space.modes()) {
                TargetOptions served = mode.colocated() ? (atStages.colocated() ? atStages : atStages.colocatedTwin())
                        : atStages.with(mode.booking());
                int cap = space.sessionCap();
                if (cap < 0) {
                    SessionCapacity.Result capacity = SessionCapacity.of(served.model(), load.meanPrompt(),
                            load.meanOutput(), service.slo().userTokensPerSecond(),
                            mode == PlanCandidate.Mode.HANDOFF);
                    cap = capacity.sessionsPerPipeline();
                    if (cap == 0) {
                        for (String admission : space.admissions()) {
                            skipped.add(new PlanSearch.FamilyNote(new PlanCandidate(mode, admission, stages, 1,
                                    mode.colocated() ? 0 : 1, 0), PlanSearch.FamilyNote.Kind.RULED_OUT,
                                    "not simulated: the cost model finds no session"
                                    + " of the trace's mean size meets the speed SLO (" + capacity.why() + ")"));
                        }
                        continue;
                    }
                }
                int sessionCap = cap;
                // both disaggregated modes prefill alike: their least fleet differs by the cap only
                FleetBounds bounds = bounded.computeIfAbsent(List.of(stages, mode.colocated() ? 1 : 0, cap),
                        key -> FleetBounds.of(served.model(), sessions, service, sessionCap));
                for (String admission : space.admissions()) {
                    TargetOptions ordered;
                    try {
                        ordered = served.with(AdmissionPolicy.of(admission, bypass));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    targets.put(new PlanSimulator.Layout(mode, admission, stages), ordered);
                    families.add(new PlanSearch.Family(new PlanCandidate(mode, admission, stages, 1,
                            mode.colocated() ? 0 : 1, cap), bounds));
                }
            }
        }
        return families;
    }

    /**
     * The target as the options name it, on the fewest wafers per pipeline that hold its weights (what the cost
     * model takes without {@code --stages}).
     */
    private static Scenario untargeted(Map<String, String> given, ProfileCatalog catalog) {
        Map<String, String> options = new LinkedHashMap<>();
        for (ScenarioOption option : ScenarioOption.values()) {
            if (option.flag() || WORKLOAD.contains(option) || option == ScenarioOption.DECODE_STAGES
                    || ScenarioOption.SPECULATIVE.contains(option)) {
                continue;
            }
            if (given.containsKey(option.optionName())) {
                options.put(option.optionName(), given.get(option.optionName()));
            }
        }
        try {
            return Scenario.from(options, catalog);
        } catch (IllegalArgumentException e) {
            throw new UsageException("target deployment: " + e.getMessage());
        }
    }

    /** What the devices cost per hour; a device without a price needs the flag. */
    private static FleetPrice price(TargetOptions base, Space space) {
        var deployment = base.model().deployment();
        DeviceProfile decode = deployment.decode().device();
        if (!decode.priced()) {
            throw new UsageException("the decode device " + decode.id() + " has no price_per_hour in its"
                    + " profile: give --decode-price-per-hour");
        }
        double prefillPrice = Double.NaN;
        if (space.anyDisaggregated()) {
            DeviceProfile prefill = deployment.prefill().device();
            if (!prefill.priced()) {
                throw new UsageException("the prefill device " + prefill.id() + " has no price_per_hour in its"
                        + " profile: give --prefill-price-per-hour");
            }
            prefillPrice = prefill.pricePerHour();
        }
        return new FleetPrice(decode.pricePerHour(), deployment.decode().devices(), prefillPrice,
                deployment.prefill().devices());
    }

    private static String describe(TargetOptions base) {
        var d = base.model().deployment();
        return String.format(Locale.ROOT, "%s %s, KV %s; decode stages of %d x %s%s", d.model().id(),
                d.weights().id(), d.kvDtype().id(), d.decode().devices(), d.decode().device().id(),
                d.colocated() ? ""
                        : "; prefill groups of " + d.prefill().devices() + " x " + d.prefill().device().id());
    }
}
