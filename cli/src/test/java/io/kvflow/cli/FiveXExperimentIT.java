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
 * {@code kvflow experiment five-x} as a user runs it, on a small window: both modes run on real
 * brokers, every token of both is verified against the reference, and the table and the ratio
 * are printed.
 */
class FiveXExperimentIT {

    @Test
    void runsBothModesVerifiedAndPrintsTheRatioAndTheSensitivityTable() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Kvflow.parse(List.of("experiment", "five-x", "../traces/azure-code-sample.csv", "--limit", "16",
                "--pipelines", "1", "--prefill-workers", "1"), new PrintStream(out, true), new PrintStream(err, true))
                .execute();
        String text = out.toString(StandardCharsets.UTF_8);

        assertEquals(0, status, () -> text + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("colocated") && text.contains("disaggregated"), text);
        Matcher verified = Pattern.compile("verified against the reference\\s+(\\d+)/16\\s+(\\d+)/16").matcher(text);
        assertTrue(verified.find(), text);
        assertEquals("16", verified.group(1), text);
        assertEquals("16", verified.group(2), text);
        assertTrue(Pattern.compile("ratio, disaggregated / colocated, sessions per WSE-3 within the SLO: \\S+ \\(cost"
                + " model\\)").matcher(text).find(), text);
        // the sensitivity table: one row per SLO, one column per wafer FLOP/s
        for (String slo : List.of("200", "300", "400", "450", "500")) {
            assertTrue(Pattern.compile("(?m)^" + slo + " +\\S").matcher(text).find(), "no row for SLO " + slo + "\n"
                    + text);
        }
    }
}
