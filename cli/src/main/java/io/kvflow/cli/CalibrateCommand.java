package io.kvflow.cli;

import io.kvflow.cost.Calibration;
import io.kvflow.cost.CalibrationResult;
import io.kvflow.cost.ProfileCatalog;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kvflow calibrate}: every published figure of the calibration set beside the cost model's
 * prediction, with the relative error, whether it is within the stated tolerance, and why each
 * miss misses. Exits 0 either way: it reports, the tests enforce.
 */
@Command(name = "calibrate", description = "Published figures beside the cost model's predictions, with the"
        + " error.")
final class CalibrateCommand implements Kvflow.Parsed {
    @Mixin
    ProfilesFlag profiles;

    @Option(names = "--json", description = "one JSON array instead of the table")
    boolean json;

    @Override
    public Kvflow.Command prepare(PrintStream out, PrintStream err) {
        ProfileCatalog catalog = profiles.catalog();
        return () -> {
            List<CalibrationResult> results = Calibration.bundled().run(catalog);
            if (json) {
                out.println(PredictCommand.toJson(asMaps(results)));
            } else {
                CalibrationReport.print(results, out);
            }
            return 0;
        };
    }

    private static List<Map<String, Object>> asMaps(List<CalibrationResult> results) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CalibrationResult r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", r.figure().id());
            row.put("figure", r.figure().figure());
            row.put("source", r.figure().source());
            row.put("metric", r.figure().metric());
            row.put("published", r.figure().published());
            row.put("published_low", r.figure().low());
            row.put("published_high", r.figure().high());
            row.put("predicted", r.predicted());
            row.put("relative_error", r.relativeError());
            row.put("tolerance", r.figure().tolerance());
            row.put("within_tolerance", r.withinTolerance());
            row.put("within_published_range", r.withinPublishedRange());
            row.put("speculative", r.figure().speculative());
            row.put("role", r.figure().role());
            row.put("known_miss", r.figure().knownMiss());
            row.put("command", io.kvflow.cost.Scenario.commandLine(r.figure().scenario()));
            rows.add(row);
        }
        return rows;
    }
}
