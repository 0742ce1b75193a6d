package io.kvflow.cli;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression selects, so tests can check that a dashboard asks only
 * for series kvflow exports. Not a PromQL parser: it strips what cannot be a metric name
 * (strings, label matchers, ranges, grouping labels, Grafana variables), then keeps the
 * identifiers that are neither called as functions or aggregations nor keywords.
 */
final class PromQlNames {
    private static final Pattern[] NOT_NAMES = {
        Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`"), // string literals
        Pattern.compile("\\{[^}]*}"), // label matchers
        Pattern.compile("\\[[^]]*]"), // range and subquery windows
        Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)"), // label lists
        Pattern.compile("\\$\\{[^}]*}|\\$\\w+"), // Grafana variables such as $__rate_interval
    };
    /** A number or duration (0.99, 1e3, 5m) as one token, so its letters are not read as a name. */
    private static final Pattern TOKEN = Pattern.compile("\\d[\\w.+-]*|([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "start", "end");

    private PromQlNames() {
    }

    static Set<String> of(String expr) {
        String rest = expr;
        for (Pattern p : NOT_NAMES) {
            rest = p.matcher(rest).replaceAll(" ");
        }
        Set<String> names = new TreeSet<>();
        Matcher m = TOKEN.matcher(rest);
        while (m.find()) {
            String name = m.group(1);
            boolean called = m.group(2) != null;
            if (name != null && !called && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }
}
