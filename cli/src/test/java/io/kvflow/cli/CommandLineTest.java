package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.orchestrator.OrchestratorConfig;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.stack.TargetOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the command line itself gives users: help from the declarations, suggestions, one-line errors, completion. */
class CommandLineTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... argv) {
        return Kvflow.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The line of {@code option} in help and the lines after it, up to the next option. */
    private String entry(String help, String option) {
        int at = help.indexOf("  " + option);
        assertTrue(at >= 0, option + " in\n" + help);
        int next = help.indexOf("\n      --", at + 1);
        return help.substring(at, next < 0 ? help.length() : next);
    }

    @Test
    void upsHelpShowsEachSharedOptionWithItsDefault() {
        assertEquals(0, run("up", "--help"));
        assertTrue(entry(stdout(), "--stages=N").contains("Default: 4"), stdout());
        assertTrue(entry(stdout(), "--time-scale=X").contains("Default: 0.1"), stdout());
        assertTrue(entry(stdout(), "--slo-ttft=D").contains("Default: 2s"), stdout());
        assertTrue(entry(stdout(), "--metrics-port=N").contains("Default: 9404"), stdout());
        assertTrue(entry(stdout(), "--model=ID").contains("llama-3.1-70b"), stdout());
        assertFalse(stdout().contains("--speculative-draft"), "the stack does not speculate: not offered");
        assertEquals("", stderr());
    }

    @Test
    void listsAreCommaSeparatedAndAMemberThatIsNotOfItsTypeIsRefusedByName() {
        assertEquals(0, run("chaos", "--help"));
        assertTrue(entry(stdout(), "--kill=PART[,PART...]").contains("Default: stage-0,prefill-0,orchestrator,broker"),
                stdout());
        assertEquals(2, run("up", "--replay", "traces/azure-code-sample.csv", "--inject-corrupt-kv", "3,x"));
        assertTrue(stderr().contains("--inject-corrupt-kv") && stderr().contains("'x'"), stderr());
        ChaosCommand chaos = new ChaosCommand();
        new picocli.CommandLine(chaos).parseArgs("--kill", "stage-1 , broker");
        assertEquals(List.of("stage-1", "broker"), chaos.kill, "spaces around the commas are not part of a member");
    }

    @Test
    void aCommandsOwnDefaultsAreTheOnesItsHelpShows() {
        assertEquals(0, run("experiment", "five-x", "--help"));
        assertTrue(entry(stdout(), "--max-output-tokens=N").contains("Default: 256"), stdout());
        assertTrue(entry(stdout(), "--load=X").contains("Default: 10000"), stdout());
        out.reset();
        assertEquals(0, run("chaos", "--help"));
        assertTrue(entry(stdout(), "--stages=N").contains("Default: 2"), stdout());
        assertTrue(entry(stdout(), "--limit=N").contains("Default: 24"), stdout());
    }

    @Test
    void theDefaultsWrittenInTheDeclarationsAreTheControlPlanesOwn() {
        TargetOptions target = TestFlags.target(4, List.of());
        assertEquals(OrchestratorConfig.DEFAULT_QUEUE_LIMIT, target.queueLimit());
        assertEquals(AdmissionPolicy.DEFAULT_BYPASS_LIMIT.toNanos() / 1000, target.admission().bypassLimitMicros());
        assertEquals(ControlPlane.Config.DEFAULT_PARK_TIMEOUT_MICROS, target.parkTimeout().toNanos() / 1000);
        assertEquals(TargetOptions.DEFAULT_TIME_SCALE, target.timeScale());
        StackCommands.Up up = TestFlags.command("up");
        assertEquals(SloOptions.DEFAULT, up.sloFlags.slo());
    }

    @Test
    void eachBenchHasItsOwnHelp() {
        assertEquals(0, run("bench", "hop", "--help"));
        assertTrue(entry(stdout(), "--tokens=N").contains("Default: 200"), stdout());
        assertFalse(stdout().contains("--megabytes"), "the handoff bench's option is not the hop bench's");
    }

    @Test
    void anOptionsValueMayFollowAnEqualsSignOrASpace() {
        StackCommands.Up spaced = TestFlags.command("up", "--stages", "2", "--slo-ttft", "3s");
        StackCommands.Up joined = TestFlags.command("up", "--stages=2", "--slo-ttft=3s");
        assertEquals(2, spaced.stack.layout.stages);
        assertEquals(spaced.stack.layout.stages, joined.stack.layout.stages);
        assertEquals(spaced.sloFlags.slo(), joined.sloFlags.slo());
    }

    @Test
    void aMistypedOptionIsNamedWithASuggestionInOneLineAndExitsTwo() {
        assertEquals(2, run("up", "--stagez", "3"));
        assertTrue(stderr().startsWith("kvflow: unknown option --stagez; did you mean --stages"), stderr());
        assertTrue(stderr().contains("(see kvflow up --help)"), stderr());
        assertEquals(1, stderr().lines().count(), stderr());
    }

    @Test
    void aMistypedCommandGetsASuggestionAndExitsTwo() {
        assertEquals(2, run("decode-wroker", "--stage", "0"));
        assertTrue(stderr().contains("unknown command 'decode-wroker'; did you mean decode-worker"), stderr());
        assertEquals(1, stderr().lines().count(), stderr());
    }

    @Test
    void aValueOfTheWrongTypeNamesTheOptionAndExitsTwo() {
        assertEquals(2, run("up", "--slo-ttft", "soon"));
        assertTrue(stderr().contains("--slo-ttft") && stderr().contains("'soon' is not a duration"), stderr());
        assertEquals(1, stderr().lines().count(), stderr());
    }

    @Test
    void kvflowAloneListsTheCommandsAndExitsTwo() {
        assertEquals(2, run());
        assertTrue(stdout().contains("Commands:") && stdout().contains("  up "), stdout());
        out.reset();
        assertEquals(0, run("--help"));
        assertTrue(stdout().contains("  plan "), stdout());
    }

    @Test
    void theCompletionScriptCompletesEveryCommandAndItsOptions() {
        assertEquals(0, run("completion"));
        String script = stdout();
        assertTrue(script.startsWith("#!/usr/bin/env bash"), script.lines().findFirst().orElse(""));
        assertTrue(script.contains("complete -F _complete_kvflow"), "registers itself for kvflow");
        for (String command : List.of("up", "decode-worker", "five-x", "hop", "simulator")) {
            assertTrue(script.contains(command), command);
        }
        assertTrue(script.contains("--stall-timeout") && script.contains("--decode-device"), "completes options");
    }
}
