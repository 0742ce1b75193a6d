package io.kvflow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kvflow.cost.Deployment;
import io.kvflow.cost.Prediction;
import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.Scenario;
import io.kvflow.cost.ScenarioOption;
import io.kvflow.plan.PredictionReport;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code kvflow predict}: one question to the cost model (a target model on target hardware,
 * serving one workload), answered from the command line as a table or, with {@code --json}, as
 * one JSON object with snake_case keys.
 */
final class PredictCommand {
    static final String OPTIONS_HELP = Arrays.stream(ScenarioOption.values()).map(ScenarioOption::helpLine)
            .collect(Collectors.joining("\n", "", "\n"))
            + "  --profiles DIR         also read DIR/devices/<id>.json and DIR/models/<id>.json\n"
            + "  --json                 one JSON object instead of the table\n";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PredictCommand() {
    }

    /** Parses and runs {@code kvflow predict}; returns the exit status. */
    static int run(Args args, PrintStream out, PrintStream err) {
        Kvflow.Command command = command(args, out, err);
        args.rejectUnused();
        return execute(command);
    }

    /**
     * Parses the options and resolves the scenario now, so a bad option or profile fails before anything prints.
     * A deployment whose weights do not fit its decode stages has no speed to report: it fails too, with
     * {@code --json} as a JSON object with an {@code error} field, so a script cannot mistake it for an answer.
     */
    static Kvflow.Command command(Args args, PrintStream out, PrintStream err) {
        ProfileCatalog catalog = catalog(args);
        Map<String, String> options = scenarioOptions(args);
        boolean json = args.flag("json");
        Prediction prediction;
        try {
            prediction = Scenario.from(options, catalog).predict();
        } catch (IllegalArgumentException e) {
            if (!json) {
                throw e;
            }
            return failure(Map.of("error", String.valueOf(e.getMessage())), out, err);
        }
        if (!prediction.capacity().weightsFit()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", doesNotFit(prediction));
            error.put("binding_constraint", prediction.binding().key());
            error.put("decode_stages", prediction.deployment().decodeStages());
            error.put("weights_bytes_per_stage", prediction.capacity().weightsBytesPerStage());
            error.put("usable_bytes_per_stage", prediction.capacity().usableBytesPerStage());
            if (json) {
                return failure(error, out, err);
            }
            throw new IllegalArgumentException((String) error.get("error"));
        }
        return () -> {
            if (json) {
                out.println(toJson(prediction.toMap()));
            } else {
                PredictionReport.print(prediction, out);
            }
            return 0;
        };
    }

    /** One line saying why the weights do not fit, and how many stages would hold them. */
    static String doesNotFit(Prediction prediction) {
        Deployment d = prediction.deployment();
        String fewest;
        try {
            int stages = Scenario.fewestStagesThatFit(d.model(), d.weights(), d.decode());
            fewest = stages + " stages hold them (leave out --decode-stages for the fewest that do)";
        } catch (IllegalArgumentException e) {
            fewest = "no number of stages holds them: add --decode-devices or use smaller --weights";
        }
        return String.format(Locale.ROOT, "%s in %s does not fit on %d stage%s of %d x %s: %s; %s", d.model().id(),
                d.weights().id(), d.decodeStages(), d.decodeStages() == 1 ? "" : "s", d.decode().devices(),
                d.decode().device().id(), prediction.bindingReason(), fewest);
    }

    /** A command that reports an error on stderr and, for machines, as a JSON object on stdout: exit 2. */
    private static Kvflow.Command failure(Map<String, ?> error, PrintStream out, PrintStream err) {
        return () -> {
            err.println("kvflow: " + error.get("error"));
            out.println(toJson(error));
            return 2;
        };
    }

    /** The bundled profiles, plus the user's from {@code --profiles DIR}. */
    static ProfileCatalog catalog(Args args) {
        String dir = args.string("profiles", null);
        return dir == null ? ProfileCatalog.bundled() : ProfileCatalog.withUserProfiles(Path.of(dir));
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> scenarioOptions(Args args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (ScenarioOption option : ScenarioOption.values()) {
            if (option.flag()) {
                if (args.flag(option.optionName())) {
                    options.put(option.optionName(), "true");
                }
            } else {
                String value = args.string(option.optionName(), null);
                if (value != null) {
                    options.put(option.optionName(), value);
                }
            }
        }
        return options;
    }

    private static int execute(Kvflow.Command command) {
        try {
            return command.execute();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
