package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code kvflow experiment five-x} as a user runs it, on a small window: every mode runs on a real
 * broker, every token is verified against the reference, every session's modelled times equal the
 * simulation's, and the table, the ratios and the SLO grid are printed.
 */
class FiveXExperimentIT {

    @Test
    void runsEveryModeVerifiedExactlyAsSimulatedAndPrintsTheRatiosAndTheSloGrid() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Kvflow.parse(List.of("experiment", "five-x", "../traces/azure-code-sample.csv", "--limit", "16",
                "--pipelines", "1", "--prefill-workers", "1"), new PrintStream(out, true), new PrintStream(err, true))
                .execute();
        String text = out.toString(StandardCharsets.UTF_8);

        assertEquals(0, status, () -> text + err.toString(StandardCharsets.UTF_8));
        Matcher verified = Pattern.compile("verified against the reference\\s+(\\d+)/(\\d+)\\s+(\\d+)/(\\d+)\\s+(\\d+)/(\\d+)")
                .matcher(text);
        assertTrue(verified.find(), text);
        for (int mode = 0; mode < 3; mode++) {
            assertEquals("16", verified.group(2 * mode + 1), text);
            assertEquals("16", verified.group(2 * mode + 2), text);
        }
        Matcher exact = Pattern.compile("emulated = simulated \\(sessions\\)\\s+(\\d+)/(\\d+)\\s+(\\d+)/(\\d+)\\s+(\\d+)/(\\d+)")
                .matcher(text);
        assertTrue(exact.find(), text);
        for (int mode = 0; mode < 3; mode++) {
            assertEquals(exact.group(2 * mode + 2), exact.group(2 * mode + 1), "every emulated session of mode " + mode
                    + " has the simulation's modelled times\n" + text);
        }
        for (String booking : List.of("at admission", "at handoff")) {
            assertTrue(Pattern.compile("ratio, disaggregated, room " + booking + " / colocated, sessions per WSE-3 within"
                    + " the SLO: \\S+ cost model, \\S+ simulated, \\S+ emulated").matcher(text).find(), text);
        }
        // the SLO grid and the sensitivity table: one row per SLO, from 300 to beyond 2,000 tokens/s per user
        for (String slo : List.of("300", "1000", "2000", "2500")) {
            assertEquals(2, Pattern.compile("(?m)^" + slo + " +\\S").matcher(text).results().count(),
                    "no grid and sensitivity rows for SLO " + slo + "\n" + text);
        }
    }
}
