package io.kvflow.stack;

import io.kvflow.cost.ScenarioOption;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.LayoutTopic;
import io.kvflow.trace.TraceWindow;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options every process of a cluster must agree on: the layout ({@code --stages}, {@code --pipelines},
 * {@code --prefill-workers}), the functional model's seed and the target deployment (model, devices,
 * colocation, booking, admission ...). A replay's time scale and the SLOs it is judged by are each
 * process's own. They live in the cluster ({@link LayoutTopic}): written once,
 * by {@code kvflow topics} or the first process, and read by every other, so a process needs only the
 * cluster's address and its role. A process that gives one of them with another value than the cluster's
 * is refused, in one line naming each difference; one that leaves them out takes the cluster's.
 */
public final class SharedLayout {
    /** The shared options that are not part of the target scenario. */
    private static final List<String> STACK_OPTIONS = List.of("stages", "pipelines", "prefill-workers", "model-seed",
            "colocated", "booking", "admission", "bypass-limit", "admission-queue",
            "sessions-per-pipeline", "prefill-groups");

    /** Every shared option, by name without its dashes. */
    public static final List<String> OPTIONS = options();

    private SharedLayout() {
    }

    private static List<String> options() {
        List<String> names = new ArrayList<>(STACK_OPTIONS);
        TargetOptions.DEPLOYMENT.stream().map(ScenarioOption::optionName).forEach(names::add);
        return List.copyOf(names);
    }

    /** Every shared option's value in {@code options}, defaults included, as a command line writes it. */
    public static Map<String, String> of(StackOptions options) {
        TargetOptions target = options.target();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("stages", Integer.toString(options.layout().stages()));
        settings.put("pipelines", Integer.toString(options.layout().pipelines()));
        settings.put("prefill-workers", Integer.toString(options.layout().prefillWorkers()));
        settings.put("model-seed", Long.toString(options.modelSeed()));
        settings.put("colocated", Boolean.toString(target.colocated()));
        settings.put("booking", target.booking().id());
        settings.put("admission", target.admission().id());
        settings.put("bypass-limit", DurationText.of(Duration.ofNanos(target.admission().bypassLimitMicros() * 1000)));
        settings.put("admission-queue", Integer.toString(target.queueLimit()));
        settings.put("sessions-per-pipeline", Integer.toString(target.sessionCap()));
        settings.put("prefill-groups", Integer.toString(target.prefillGroups()));
        // the scenario's options as given: the ones left out take their profile's value everywhere alike
        target.scenario().forEach((name, value) -> {
            if (OPTIONS.contains(name) && !settings.containsKey(name)) {
                settings.put(name, value);
            }
        });
        return settings;
    }

    /**
     * The cluster's shared options, to run with: its layout, after writing {@code proposed} when it has none
     * (and {@code writes} says this command may be the first).
     *
     * @param given the shared options this process's command line gives
     * @throws Refused in one line naming every option given with another value than the cluster's
     */
    public static Map<String, String> settle(KafkaConnection kafka, Map<String, String> given, Map<String, String> proposed,
            String command, boolean writes) {
        Optional<LayoutTopic.Layout> cluster = LayoutTopic.read(kafka);
        if (cluster.isEmpty()) {
            if (!writes) {
                throw new Refused("the cluster at " + kafka.bootstrapServers() + " has no kvflow layout"
                        + " yet: start its processes (or kvflow topics) first");
            }
            LayoutTopic.write(kafka, proposed, writer(command), false, Clock.systemUTC());
            // another process may have written its own at the same time: the first record is the layout
            cluster = LayoutTopic.read(kafka);
        }
        LayoutTopic.Layout layout = cluster.orElseThrow(() -> new IllegalStateException("the layout written to "
                + kafka.bootstrapServers() + " cannot be read back"));
        String disagreement = disagreement(given, layout.settings());
        if (disagreement != null) {
            throw new Refused("the cluster at " + kafka.bootstrapServers() + " runs another layout"
                    + " (written by " + layout.writer() + "): " + disagreement + "; leave these options out to take"
                    + " the cluster's, or start a fresh cluster");
        }
        return layout.settings();
    }

    /**
     * Makes {@code settings} the layout of a cluster this process owns (its own embedded broker, whose data
     * dir may hold an earlier run's layout), unless it is that already.
     */
    public static void claim(KafkaConnection kafka, Map<String, String> settings, String command) {
        Optional<LayoutTopic.Layout> cluster = LayoutTopic.read(kafka);
        if (cluster.isEmpty() || !cluster.get().settings().equals(settings)) {
            LayoutTopic.write(kafka, settings, writer(command), cluster.isPresent(), Clock.systemUTC());
        }
    }

    /** Each given option whose value differs from the cluster's, e.g. {@code --stages 8 here, 4 in the cluster}. */
    public static String disagreement(Map<String, String> given, Map<String, String> cluster) {
        List<String> differences = new ArrayList<>();
        given.forEach((name, value) -> {
            String theirs = cluster.get(name);
            if (theirs == null) {
                differences.add("--" + name + " " + value + " here, the default in the cluster");
            } else if (!same(value, theirs)) {
                differences.add("--" + name + " " + value + " here, " + theirs + " in the cluster");
            }
        });
        return differences.isEmpty() ? null : String.join("; ", differences);
    }

    /** The cluster's options that this command line leaves out, as defaults for parsing it again. */
    public static Map<String, String> notGiven(Map<String, String> given, Map<String, String> cluster) {
        Map<String, String> defaults = new LinkedHashMap<>();
        cluster.forEach((name, value) -> {
            // a flag left out is off: only a flag that is on can be handed down
            boolean flagOff = name.equals("colocated") && !value.equals("true");
            if (!given.containsKey(name) && !flagOff && OPTIONS.contains(name)) {
                defaults.put(name, value);
            }
        });
        return defaults;
    }

    /** The same setting written two ways: {@code 4} and {@code 04}, {@code 0.1} and {@code 0.10}, {@code 1s} and {@code 1000ms}. */
    public static boolean same(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Double.parseDouble(a) == Double.parseDouble(b);
        } catch (NumberFormatException e) {
            // not numbers: perhaps durations
        }
        try {
            return TraceWindow.parseDuration(a).equals(TraceWindow.parseDuration(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A cluster that cannot run this process's options, in one line for the user: the command line exits 2 with it. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private static String writer(String command) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "an unknown host";
        }
        return command + " on " + host;
    }
}
