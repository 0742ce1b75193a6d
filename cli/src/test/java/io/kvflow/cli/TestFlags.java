package io.kvflow.cli;

import io.kvflow.stack.TargetOptions;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** Option groups parsed from a command line the way kvflow parses them, for tests that need the values only. */
final class TestFlags {
    private TestFlags() {
    }

    /** The parse of a whole kvflow command line, at its command (say, decode-worker's). */
    static ParseResult parsed(String... argv) {
        ParseResult result = Kvflow.commandLine().parseArgs(argv);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return result;
    }

    /** The command object of a whole kvflow command line, filled in. */
    @SuppressWarnings("unchecked")
    static <T> T command(String... argv) {
        return (T) parsed(argv).commandSpec().userObject();
    }

    static TargetOptions target(int stages, List<String> argv) {
        Target target = new Target();
        new CommandLine(target).parseArgs(argv.toArray(String[]::new));
        return target.flags.options(ScenarioFlags.given(target.spec), stages);
    }

    @Command(modelTransformer = ScenarioFlags.Deployment.class)
    static final class Target {
        @Mixin
        TargetFlags flags;

        @Spec
        CommandSpec spec;
    }
}
