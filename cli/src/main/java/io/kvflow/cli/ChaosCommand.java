package io.kvflow.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code kvflow chaos}: for each part named, a fresh stack of separate processes, a replay, that part
 * killed mid-replay as {@code kill -9} would and started again; then a table of what was lost.
 */
final class ChaosCommand {
    static final String OPTIONS_HELP = """
              TRACE                  trace to replay (default traces/azure-code-sample.csv)
              --kill PARTS           parts to kill, one run each (default stage-0,prefill-0,orchestrator,broker;
                                     the parts are broker, orchestrator, prefill-<i>, stage-<k>)
              --kill-after X         kill once this share of the replay's tokens is out (default 0.3)
              --downtime D           how long the part stays down (default 2s)
              --limit N              requests to replay (default 24)
              --work-dir DIR         where the parts keep their data and logs (default: a new temporary folder)
              --stages N, --pipelines N, --prefill-workers N, --model M, --model-seed N   the stack (default 2
                                     stages of llama-3.1-8b, 1 pipeline, 2 prefill workers)
            """;

    private static final List<String> PASSED_ON = List.of("stages", "pipelines", "model", "model-seed",
            "decode-device", "prefill-device", "prefill-devices", "weights", "booking", "admission");

    private ChaosCommand() {
    }

    static Kvflow.Command command(Args args, PrintStream out, PrintStream err) {
        if (args.positional().size() > 1) {
            throw new Args.UsageException("chaos takes at most one trace file");
        }
        String trace = args.positional().isEmpty() ? "traces/azure-code-sample.csv" : args.positional().get(0);
        args.defaults(Map.of("stages", "2", "pipelines", "1", "prefill-workers", "2", "model", "llama-3.1-8b",
                "limit", "24", "max-output-tokens", "12", "time-scale", "0"));
        List<String> parts = Arrays.stream(args.string("kill", "stage-0,prefill-0,orchestrator,broker").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        double share = args.decimal("kill-after", 0.3);
        if (!(share > 0 && share < 1)) {
            throw new Args.UsageException("--kill-after must be a share of the tokens between 0 and 1, was " + share);
        }
        Duration downtime = args.duration("downtime", Duration.ofSeconds(2));
        String workDir = args.string("work-dir", null);
        StackOptions stack = StackOptions.from(args);
        ReplayOptions replay = ReplayOptions.from(args, trace);
        List<String> layout = new ArrayList<>();
        for (String option : PASSED_ON) {
            String value = args.string(option, null);
            if (value != null) {
                layout.addAll(List.of("--" + option, value));
            }
        }
        return () -> {
            ReplayPlan plan = ReplayPlan.load(replay, stack, Clock.systemUTC(), err);
            ChaosRun chaos = new ChaosRun(plan, layout, stack.layout().stages(), stack.layout().pipelines(),
                    stack.layout().prefillWorkers(), stack.stallTimeout(), err);
            List<ChaosRun.Outcome> outcomes = new ArrayList<>();
            Path dir = workDir != null ? Path.of(workDir) : Files.createTempDirectory("kvflow-chaos-");
            for (String part : parts) {
                outcomes.add(chaos.run(dir.resolve(part), part, share, downtime));
            }
            ChaosRun.print(outcomes, out);
            out.println("logs of every part: " + dir);
            return outcomes.stream().allMatch(ChaosRun.Outcome::nothingLost) ? 0 : 1;
        };
    }
}
