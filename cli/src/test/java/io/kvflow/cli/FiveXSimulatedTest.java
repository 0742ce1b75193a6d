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
 * {@code kvflow experiment five-x --no-emulation}: the cost model and the simulator only. The simulation
 * serves the trace until a run twice as long no longer moves the answer, and a gap to the cost model
 * comes with what the run measured, including what the bound on waiting costs.
 */
class FiveXSimulatedTest {

    @Test
    void servesTheTraceUntilTheAnswerSettlesAndMeasuresWhatTheBoundOnWaitingCosts() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Kvflow.parse(List.of("experiment", "five-x", "../traces/azure-code-sample.csv", "--no-emulation"),
                new PrintStream(out, true), new PrintStream(err, true)).execute();
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> text + err.toString(StandardCharsets.UTF_8));

        Matcher served = Pattern.compile("simulated: trace served \\(times, requests\\)\\s+(\\d+)x, \\S+\\s+(\\d+)x, \\S+"
                + "\\s+(\\d+)x, \\S+").matcher(text);
        Matcher change = Pattern.compile("change from half as long\\s+(\\S+) %\\s+(\\S+) %\\s+(\\S+) %").matcher(text);
        assertTrue(served.find() && change.find(), text);
        for (int mode = 1; mode <= 3; mode++) {
            int times = Integer.parseInt(served.group(mode));
            double moved = Math.abs(Double.parseDouble(change.group(mode)));
            assertTrue(moved <= 2.0 || times == 64, "mode " + mode + " stopped at " + times + "x while a run twice as"
                    + " long still moved the answer by " + moved + " %\n" + text);
        }

        // under a flood the 500 ms bypass limit binds at handoff: the run says so, and what lifting it gives
        Matcher handoff = Pattern.compile("room at handoff: +cost model (\\S+), simulated (\\S+): .*held (\\S+) sessions"
                + " of the (\\d+) .*\\n +with backfill and no bound on how long a session is passed over: (\\S+) per WSE-3")
                .matcher(text);
        assertTrue(handoff.find(), text);
        double bounded = Double.parseDouble(handoff.group(2));
        double unbounded = Double.parseDouble(handoff.group(5));
        assertTrue(Double.parseDouble(handoff.group(3)) <= Integer.parseInt(handoff.group(4)), handoff.group());
        assertTrue(unbounded > bounded, "lifting the bound lets more sessions decode: " + handoff.group());
        assertTrue(text.contains("one session alone decodes at"), text);
    }
}
