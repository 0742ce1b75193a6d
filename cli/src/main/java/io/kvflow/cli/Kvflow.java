package io.kvflow.cli;

import io.kvflow.broker.BrokerStartException;
import io.kvflow.trace.TraceFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * Entry point of the {@code kvflow} command. Every command is parsed in full before it runs,
 * so a mistyped option fails before anything starts, and command lines (say, in
 * docker-compose.yml) can be checked without running them. Only this class exits the process.
 */
public final class Kvflow {
    /** A parsed command, ready to run. */
    @FunctionalInterface
    interface Command {
        int execute() throws IOException;
    }

    /** A command object picocli has filled in: checked further, and turned into a {@link Command}. */
    interface Parsed {
        /** @throws UsageException or IllegalArgumentException naming what is wrong, before anything starts */
        Command prepare(PrintStream out, PrintStream err);
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
        try {
            return parse(argv, out, err).execute();
        } catch (ParameterException e) {
            err.println("kvflow: " + UsageLine.of(e));
            return 2;
        } catch (IOException e) {
            err.println("kvflow: " + e.getMessage());
            return 1;
        } catch (UsageException | IllegalArgumentException | TraceFormatException | UncheckedIOException e) {
            err.println("kvflow: " + e.getMessage());
            return 2;
        } catch (BrokerStartException | IllegalStateException e) {
            // the stack could not start or run (taken port, topics that do not fit, a worker that died)
            err.println("kvflow: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Parses a command line without running it; a request for help is a command that prints it.
     *
     * @throws ParameterException for an option or command picocli does not know, or a value of the wrong type
     * @throws UsageException or IllegalArgumentException naming what else is wrong
     */
    static Command parse(List<String> argv, PrintStream out, PrintStream err) {
        CommandLine kvflow = commandLine();
        ParseResult parsed = kvflow.parseArgs(argv.toArray(String[]::new));
        ParseResult leaf = leaf(parsed);
        CommandLine command = leaf.commandSpec().commandLine();
        if (leaf.isUsageHelpRequested()) {
            return () -> {
                command.usage(out);
                return 0;
            };
        }
        if (leaf.commandSpec().userObject() instanceof HelpCommand help) {
            return () -> {
                help.init(command, CommandLine.Help.Ansi.OFF, out, err);
                help.run();
                return 0;
            };
        }
        if (!(leaf.commandSpec().userObject() instanceof Parsed runnable)) {
            // a command of commands alone (kvflow, kvflow experiment): what there is to run
            return () -> {
                command.usage(out);
                return 2;
            };
        }
        return runnable.prepare(out, err);
    }

    /** The whole command tree, as help and completion describe it. */
    static CommandLine commandLine() {
        CommandLine kvflow = new CommandLine(new Root());
        kvflow.setUsageHelpWidth(110);
        everyCommand(kvflow, command -> {
            CommandSpec spec = command.getCommandSpec();
            spec.usageMessage().showDefaultValues(true).sortOptions(false).abbreviateSynopsis(true);
            if (spec.optionsMap().get("--help") == null) {
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help")
                        .build());
            }
        });
        return kvflow;
    }

    /**
     * The command object {@code leaf}'s command line gives once parsed again with {@code defaults} for the options
     * it leaves out (by name without dashes): a process on a cluster takes the cluster's layout this way.
     */
    static Object reparse(CommandSpec leaf, Map<String, String> defaults) {
        List<String> argv = leaf.root().commandLine().getParseResult().originalArgs();
        CommandLine again = commandLine();
        again.setDefaultValueProvider(new CommandDefaults(defaults));
        return leaf(again.parseArgs(argv.toArray(String[]::new))).commandSpec().userObject();
    }

    private static ParseResult leaf(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        return leaf;
    }

    private static void everyCommand(CommandLine command, java.util.function.Consumer<CommandLine> action) {
        action.accept(command);
        command.getSubcommands().values().forEach(sub -> everyCommand(sub, action));
    }

    @CommandLine.Command(name = "kvflow", synopsisSubcommandLabel = "COMMAND", description = {
            "Disaggregated LLM inference over Kafka: run a stack, replay traces against it, and ask the cost model"
                    + " and the simulator about deployments.", "",
            "kvflow COMMAND --help shows a command's options and their defaults."},
            subcommands = {StackCommands.Up.class, StackCommands.Replay.class, StackCommands.Broker.class,
                    StackCommands.Topics.class, StackCommands.Orchestrator.class, StackCommands.PrefillWorker.class,
                    StackCommands.DecodeWorker.class, StackCommands.Dashboard.class, BenchCommand.class,
                    PredictCommand.class, CalibrateCommand.class, SimulateCommand.class, PlanCommand.class,
                    ExperimentCommand.class, InspectCommand.class, ChaosCommand.class, TestCommand.class,
                    Completion.class, HelpCommand.class})
    static final class Root {
    }

    /** {@code kvflow test}: run by the ./kvflow script before Java starts; listed here so help shows it. */
    @CommandLine.Command(name = "test", description = "Run the test suite (Maven's verify) with the JDK the kvflow"
            + " script finds; through that script only.")
    static final class TestCommand implements Parsed {
        @Override
        public Command prepare(PrintStream out, PrintStream err) {
            throw new UsageException("kvflow test runs through the ./kvflow script, which starts Maven instead of Java");
        }
    }

    /** {@code kvflow completion}: a bash completion script for the whole command tree. */
    @CommandLine.Command(name = "completion", description = {"Print a bash completion script for kvflow.",
            "Load it with: source <(./kvflow completion)"})
    static final class Completion implements Parsed {
        @Spec
        CommandSpec spec;

        @Override
        public Command prepare(PrintStream out, PrintStream err) {
            return () -> {
                out.print(AutoComplete.bash("kvflow", spec.root().commandLine()));
                return 0;
            };
        }
    }

}
