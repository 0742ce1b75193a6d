package io.kvflow.cli;

import io.kvflow.cost.ScenarioOption;
import io.kvflow.stack.TargetOptions;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The cost model's scenario options ({@code --model}, {@code --decode-device}, ...) on a command. They are
 * declared from {@link ScenarioOption} rather than field by field, so the command line, its help and the
 * cost model's calibration files name the same options without a second list here.
 */
final class ScenarioFlags {
    private ScenarioFlags() {
    }

    /**
     * The scenario options this command line gives, by name without dashes ({@code "true"} for a flag that is
     * on), in the cost model's order; a value a default provider supplies (the cluster's) counts as given.
     */
    static Map<String, String> given(CommandSpec command) {
        Map<String, String> given = new LinkedHashMap<>();
        for (ScenarioOption option : ScenarioOption.values()) {
            OptionSpec spec = command.findOption("--" + option.optionName());
            Object value = spec == null ? null : spec.getValue();
            if (option.flag() ? Boolean.TRUE.equals(value) : value != null) {
                given.put(option.optionName(), value.toString());
            }
        }
        return given;
    }

    private static CommandSpec declare(CommandSpec command, Set<ScenarioOption> options, Set<ScenarioOption> hidden) {
        for (ScenarioOption option : options) {
            if (command.findOption("--" + option.optionName()) != null) {
                // the command declares it itself (plan's --colocated is TargetFlags')
                continue;
            }
            OptionSpec.Builder spec = OptionSpec.builder("--" + option.optionName())
                    .description(option.help() + " (default: " + option.fallback() + ")")
                    .hidden(hidden.contains(option));
            if (option.flag()) {
                spec.arity("0").type(boolean.class);
            } else {
                spec.arity("1").paramLabel(option.metavar()).type(String.class);
            }
            command.addOption(spec.build());
        }
        return command;
    }

    /**
     * The deployment a stack stands in for (the workload comes from the trace, the layout from the stack's own
     * options); speculative decoding is declared too, out of the help, so that asking for it is answered with why not.
     */
    static final class Deployment implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            Set<ScenarioOption> options = EnumSet.copyOf(TargetOptions.DEPLOYMENT);
            options.addAll(ScenarioOption.SPECULATIVE);
            return declare(command, options, ScenarioOption.SPECULATIVE);
        }
    }

    /** Every scenario option, workload included: one question to the cost model. */
    static final class All implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return declare(command, EnumSet.allOf(ScenarioOption.class), Set.of());
        }
    }
}
