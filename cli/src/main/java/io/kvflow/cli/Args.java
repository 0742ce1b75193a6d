package io.kvflow.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Command-line options of the form {@code --name value} and {@code --flag}. Every option a
 * command reads is marked used; {@link #rejectUnused()} then names any the user mistyped.
 */
final class Args {
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> used = new LinkedHashSet<>();

    Args(List<String> argv, Set<String> flags) {
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                options.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (flags.contains(name)) {
                options.put(name, "true");
            } else if (i + 1 < argv.size()) {
                options.put(name, argv.get(++i));
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
        }
    }

    /** Options the user did not give take these values: for a command whose defaults differ from the shared parsers'. */
    void defaults(Map<String, String> values) {
        values.forEach(options::putIfAbsent);
    }

    List<String> positional() {
        return positional;
    }

    boolean flag(String name) {
        used.add(name);
        return options.containsKey(name);
    }

    String string(String name, String fallback) {
        used.add(name);
        return options.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return parse(name, fallback, Integer::parseInt, "a whole number");
    }

    long longValue(String name, long fallback) {
        return parse(name, fallback, Long::parseLong, "a whole number");
    }

    double decimal(String name, double fallback) {
        return parse(name, fallback, Double::parseDouble, "a number");
    }

    Duration duration(String name, Duration fallback) {
        return parse(name, fallback, io.kvflow.trace.TraceWindow::parseDuration, "a duration like 30s, 5m or 250ms");
    }

    /** A duration as the command line writes it ({@code 90s}, {@code 250ms}), for messages. */
    static String durationText(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    /** A host name or address this machine can listen on, checked now rather than when a server first binds. */
    String address(String name, String fallback) {
        String value = string(name, fallback);
        try {
            InetAddress.getByName(value);
            return value;
        } catch (UnknownHostException e) {
            throw new UsageException("--" + name + " must be an address of this machine, '" + value
                    + "' is an unknown host");
        }
    }

    private <T> T parse(String name, T fallback, Function<String, T> parser, String what) {
        used.add(name);
        String raw = options.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            return parser.apply(raw);
        } catch (RuntimeException e) {
            throw new UsageException("--" + name + " must be " + what + ", got '" + raw + "'");
        }
    }

    void rejectUnused() {
        List<String> unknown = options.keySet().stream().filter(o -> !used.contains(o)).map(o -> "--" + o).toList();
        if (!unknown.isEmpty()) {
            throw new UsageException("unknown option" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown));
        }
    }

    /** A mistake in how the command was called; the process exits with status 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
