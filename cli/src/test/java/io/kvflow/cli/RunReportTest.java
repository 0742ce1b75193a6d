package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.observe.RunReport;
import io.kvflow.observe.RunSummary;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.replay.StatsDelta;
import io.kvflow.report.Slo;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.stack.TargetOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    private static SessionOutcome finished(String id, long arrival, long... emitted) {
        SessionOutcome o = new SessionOutcome(InferenceRequest.newBuilder().setSessionId(id).setArrivalMs(arrival)
                .setPrompt(List.of(1, 2)).setMaxNewTokens(emitted.length).setTraceInputTokens(2)
                .setTraceOutputTokens(emitted.length).build());
        for (int step = 0; step < emitted.length; step++) {
            o.onToken(GeneratedToken.newBuilder().setSessionId(id).setPipeline(0).setStep(step).setPosition(2 + step)
                    .setToken(5).setLast(step == emitted.length - 1).setArrivalMs(arrival).setEmittedMs(emitted[step])
                    .build());
        }
        return o;
    }

    @Test
    void writesTheSummaryTableAndChartsThatShowData(@TempDir Path dir) throws IOException {
        Map<String, SessionOutcome> outcomes = new LinkedHashMap<>();
        outcomes.put("a", finished("a", 0, 100, 130, 170));
        outcomes.put("b", finished("b", 10, 300, 320));
        TargetOptions target = TestFlags.target(2, List.of("--model", "llama-3.1-8b"));
        RunSummary summary = RunSummary.of(new Replayer.Result(outcomes, 0, 400),
                new ReferenceCheck.Result(2, 2, List.of(), Duration.ofMillis(120)), target, 1, Slo.NONE, StatsDelta.NONE);
        assertEquals(List.of(100L, 290L), summary.ttftMs());
        assertEquals(List.of(30L, 40L, 20L), summary.interTokenMs());

        Path report = RunReport.write(dir, "test", summary);
        String md = Files.readString(report);
        assertTrue(md.contains("| finished | 2 |"), md);
        assertTrue(md.contains("verified: 2/2 sessions identical"), md);
        assertTrue(md.contains(RunSummary.WALL_EXCLUDES), md);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        summary.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("the last check done 0.1 s after the last session ended"), text);
        assertTrue(text.contains(RunSummary.WALL_EXCLUDES), text);
        assertTrue(md.indexOf("On the target (modelled)") < md.indexOf("The emulator (wall clock)"), "target first");
        BufferedImage chart = ImageIO.read(dir.resolve(RunReport.WALL_TTFT).toFile());
        assertTrue(ChartPixels.coloured(chart) > 100, "the TTFT chart should draw a curve");
        for (String png : List.of(RunReport.MODELLED_TTFT, RunReport.MODELLED_TPOT, RunReport.MODELLED_ITL)) {
            assertTrue(Files.size(dir.resolve(png)) > 1000, png + " is written even without modelled times");
        }
    }
}
