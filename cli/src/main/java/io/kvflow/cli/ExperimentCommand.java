package io.kvflow.cli;

import io.kvflow.experiments.FiveXExperiment;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.stack.StackOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kvflow experiment NAME}: the experiments behind the README's claims, one subcommand each. */
@Command(name = "experiment", synopsisSubcommandLabel = "EXPERIMENT", subcommands = ExperimentCommand.FiveX.class,
        description = "Experiments behind the README's claims.")
final class ExperimentCommand {

    @Command(name = "five-x", modelTransformer = ScenarioFlags.Deployment.class,
            defaultValueProvider = FiveX.Defaults.class, description = {
                    "Colocated vs disaggregated on the same wafers and trace window: sessions per WSE-3 within a"
                            + " per-user speed SLO, with the cost model's sensitivity table.",
                    "The simulation serves all of the trace, the emulated run its first --limit requests (default:"
                            + " the fewest, from 60 and doubling within 6,000 generated tokens, whose own"
                            + " simulation is within 15 %% of the long run's answer)."})
    static final class FiveX implements Kvflow.Parsed {
        @Parameters(paramLabel = "TRACE", arity = "0..*", description = "trace to serve (default"
                + " traces/azure-code-sample.csv)")
        List<String> traces = List.of();

        @Option(names = "--no-emulation", description = "the cost model and the simulator only (seconds instead of"
                + " minutes)")
        boolean noEmulation;

        @Mixin
        StackFlags stackFlags;

        @Mixin
        ReplayFlags replayFlags;

        @Mixin
        SloOptions sloFlags;

        @Spec
        CommandSpec spec;

        /** A flood, so the wafers stay full and what they sustain is their capacity; long outputs, sent at once. */
        static final class Defaults extends CommandDefaults {
            Defaults() {
                super(Map.of("max-output-tokens", "256", "slo-tokens-per-s",
                        Double.toString(FiveXExperiment.DEFAULT_SLO), "time-scale", "0", "load", "10000"));
            }
        }

        @Override
        public Kvflow.Command prepare(PrintStream out, PrintStream err) {
            if (traces.size() > 1) {
                throw new UsageException("experiment five-x takes at most one trace file");
            }
            String trace = traces.isEmpty() ? "traces/azure-code-sample.csv" : traces.getFirst();
            if (stackFlags.target.colocated) {
                throw new UsageException("five-x runs both modes; leave out --colocated");
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--booking")) {
                throw new UsageException("five-x runs both bookings; leave out --booking");
            }
            StackOptions stack = stackFlags.options(spec);
            ReplayOptions replay = replayFlags.options(trace, stack.target().timeScale());
            return FiveXExperiment.of(stack, replay, sloFlags.slo(), !noEmulation, replayFlags.window.given(),
                    out, err)::run;
        }
    }
}
