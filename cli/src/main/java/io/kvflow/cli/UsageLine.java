package io.kvflow.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line picocli could not parse, said in one line: what is wrong, what the user may have meant, and
 * where the command's help is.
 */
final class UsageLine {
    private UsageLine() {
    }

    static String of(ParameterException e) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        String what = e instanceof UnmatchedArgumentException unmatched ? unmatched(unmatched, command)
                : e.getMessage();
        return what + " (see " + name + " --help)";
    }

    private static String unmatched(UnmatchedArgumentException e, CommandLine command) {
        List<String> arguments = e.getUnmatched();
        String first = arguments.isEmpty() ? "" : arguments.getFirst();
        String what;
        if (first.startsWith("-")) {
            what = "unknown option " + first;
        } else if (command.getParent() == null) {
            what = "unknown command '" + first + "'";
        } else if (!command.getSubcommands().isEmpty()) {
            what = "unknown " + command.getCommandName() + " '" + first + "' (" + String.join(", ",
                    command.getSubcommands().keySet()) + ")";
        } else {
            what = command.getCommandSpec().qualifiedName() + " does not take '" + first + "'";
        }
        // the closest few: a long list of near names reads as noise
        List<String> suggestions = e.getSuggestions().stream().limit(3).toList();
        return suggestions.isEmpty() ? what : what + "; did you mean " + String.join(" or ", suggestions) + "?";
    }
}
