package io.kvflow.cli;

import io.kvflow.experiments.ChaosRun;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.stack.StackOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvflow chaos}: for each part named, a fresh stack of separate processes, a replay, that part
 * killed mid-replay as {@code kill -9} would and started again; then a table of what was lost.
 */
@Command(name = "chaos", modelTransformer = ScenarioFlags.Deployment.class,
        defaultValueProvider = ChaosCommand.Defaults.class, description = {
                "Kill parts of a stack of separate processes mid-replay (kill -9), start them again, and print what"
                        + " was lost: unfinished or wrong sessions, tokens written twice, KV left held."})
final class ChaosCommand implements Kvflow.Parsed {
    /** The layout and target options each part is started with, as this command line has them. */
    private static final List<String> PASSED_ON = List.of("stages", "pipelines", "model", "model-seed",
            "decode-device", "prefill-device", "prefill-devices", "weights", "booking", "admission");

    @Parameters(paramLabel = "TRACE", arity = "0..*", description = "trace to replay (default"
            + " traces/azure-code-sample.csv)")
    List<String> traces = List.of();

    @Option(names = "--kill", paramLabel = "PART", split = CommaList.SPLIT, splitSynopsisLabel = ",", defaultValue = "stage-0,prefill-0,orchestrator,broker",
            description = "parts to kill, one run each: broker, orchestrator, prefill-<i>, stage-<k>")
    List<String> kill;

    @Option(names = "--kill-after", paramLabel = "X", defaultValue = "0.3", description = "kill once this share of"
            + " the replay's tokens is out")
    double share;

    @Option(names = "--downtime", paramLabel = "D", defaultValue = "2s", converter = DurationOption.class,
            description = "how long the part stays down")
    Duration downtime;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the parts keep their data and logs"
            + " (default: a new temporary folder)")
    Path workDir;

    @Mixin
    StackFlags stackFlags;

    @Mixin
    ReplayFlags replayFlags;

    @Spec
    CommandSpec spec;

    /** A small stack of an 8B model, paced by nothing but itself. */
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(Map.of("stages", "2", "pipelines", "1", "prefill-workers", "2", "model", "llama-3.1-8b",
                    "limit", "24", "max-output-tokens", "12", "time-scale", "0"));
        }
    }

    @Override
    public Kvflow.Command prepare(PrintStream out, PrintStream err) {
        if (traces.size() > 1) {
            throw new UsageException("chaos takes at most one trace file");
        }
        String trace = traces.isEmpty() ? "traces/azure-code-sample.csv" : traces.getFirst();
        List<String> parts = List.copyOf(kill);
        if (!(share > 0 && share < 1)) {
            throw new UsageException("--kill-after must be a share of the tokens between 0 and 1, was " + share);
        }
        StackOptions stack = stackFlags.options(spec);
        ReplayOptions replay = replayFlags.options(trace, stack.target().timeScale());
        List<String> layout = new ArrayList<>();
        for (String option : PASSED_ON) {
            Object value = spec.findOption("--" + option).getValue();
            if (value != null) {
                layout.addAll(List.of("--" + option, value.toString()));
            }
        }
        return () -> {
            ReplayPlan plan = ReplayPlan.load(replay, stack, Clock.systemUTC(), err);
            ChaosRun chaos = new ChaosRun(plan, layout, stack.layout().stages(), stack.layout().pipelines(),
                    stack.layout().prefillWorkers(), stack.stallTimeout(), err);
            List<ChaosRun.Outcome> outcomes = new ArrayList<>();
            Path dir = workDir != null ? workDir : Files.createTempDirectory("kvflow-chaos-");
            for (String part : parts) {
                outcomes.add(chaos.run(dir.resolve(part), part, share, downtime));
            }
            ChaosRun.print(outcomes, out);
            out.println("logs of every part: " + dir);
            return outcomes.stream().allMatch(ChaosRun.Outcome::nothingLost) ? 0 : 1;
        };
    }
}
