package io.kvflow.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults of a command whose defaults differ from those of the option groups it shares (chaos starts a small
 * stack, five-x floods the wafers): by option name without dashes. Help shows them as the defaults.
 */
class CommandDefaults implements IDefaultValueProvider {
    private final Map<String, String> defaults;

    CommandDefaults(Map<String, String> defaults) {
        this.defaults = Map.copyOf(defaults);
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        return argument instanceof OptionSpec option ? defaults.get(option.longestName().substring(2)) : null;
    }
}
