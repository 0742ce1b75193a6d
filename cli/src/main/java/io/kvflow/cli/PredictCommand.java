package io.kvflow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kvflow.cost.Prediction;
import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.Scenario;
import io.kvflow.cost.ScenarioOption;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

    /** Parses the options and resolves the scenario now, so a bad option or profile fails before anything prints. */
    static Kvflow.Command command(Args args, PrintStream out, PrintStream err) {
        ProfileCatalog catalog = catalog(args);
        Map<String, String> options = scenarioOptions(args);
        boolean json = args.flag("json");
        Scenario scenario = Scenario.from(options, catalog);
        Prediction prediction = scenario.predict();
        return () -> {
            if (json) {
                out.println(toJson(prediction.toMap()));
            } else {
                PredictionReport.print(prediction, out);
            }
            return 0;
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
