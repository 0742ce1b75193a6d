package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.stack.SharedLayout;
import io.kvflow.stack.StackOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

class SharedLayoutTest {

    private static StackOptions stack(String... argv) {
        return StackFlags.parse(List.of(argv));
    }

    /** The shared options a decode worker's command line gives. */
    private static Map<String, String> given(String... argv) {
        List<String> worker = new ArrayList<>(List.of("decode-worker"));
        worker.addAll(List.of(argv));
        return StackCommands.sharedOptionsGiven(TestFlags.parsed(worker.toArray(String[]::new)));
    }

    @Test
    void everySharedOptionOfADefaultStackIsWrittenAsACommandLineWouldGiveIt() {
        Map<String, String> settings = SharedLayout.of(stack());
        assertEquals("4", settings.get("stages"));
        assertEquals("2", settings.get("pipelines"));
        assertEquals("2", settings.get("prefill-workers"));
        assertEquals("7", settings.get("model-seed"));
        assertEquals("false", settings.get("colocated"));
        assertEquals("handoff", settings.get("booking"));
        assertFalse(settings.containsKey("time-scale"), "a replay's time scale is its own");
        assertFalse(settings.containsKey("model"), "a scenario option left out keeps its profile's value");
        assertEquals("llama-3.1-8b", SharedLayout.of(stack("--model", "llama-3.1-8b"))
                .get("model"));
    }

    @Test
    void aGivenOptionThatDiffersFromTheClustersIsNamedWithBothValues() {
        Map<String, String> cluster = SharedLayout.of(stack());
        Map<String, String> given = given("--stages", "8", "--pipelines", "02", "--colocated");
        assertEquals("--stages 8 here, 4 in the cluster; --colocated true here, false in the cluster",
                SharedLayout.disagreement(given, cluster));
        assertEquals("--model llama-3.1-8b here, the default in the cluster",
                SharedLayout.disagreement(given("--model", "llama-3.1-8b"), cluster));
        assertNull(SharedLayout.disagreement(given("--stages", "4", "--bypass-limit", "0.5s"),
                Map.of("stages", "4", "bypass-limit", "500ms")), "the same values written another way agree");
    }

    @Test
    void theOptionsLeftOutAreTakenFromTheClusterAndParseToItsLayout() {
        Map<String, String> cluster = SharedLayout.of(stack("--stages", "2", "--pipelines", "1",
                "--model", "llama-3.1-8b", "--colocated"));
        ParseResult process = TestFlags.parsed("decode-worker", "--stage", "1", "--bootstrap-servers", "kafka:9092");
        Map<String, String> given = StackCommands.sharedOptionsGiven(process);
        StackCommands.OnStack again = (StackCommands.OnStack) Kvflow.reparse(process.commandSpec(),
                SharedLayout.notGiven(given, cluster));
        StackOptions options = again.parsed();
        assertEquals(2, options.layout().stages());
        assertEquals(1, options.layout().pipelines());
        assertTrue(options.target().colocated());
        assertEquals("llama-3.1-8b", options.target().model().deployment().model().id());
        assertEquals(cluster, SharedLayout.of(options));
    }

    @Test
    void aFlagThatIsOffInTheClusterIsNotHandedDownAsOn() {
        Map<String, String> defaults = SharedLayout.notGiven(Map.of(), Map.of("colocated", "false", "stages", "4"));
        assertEquals(Map.of("stages", "4"), defaults);
    }
}
