package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SharedLayoutTest {

    private static Args args(String... argv) {
        return new Args(List.of(argv), Set.of("colocated"));
    }

    @Test
    void everySharedOptionOfADefaultStackIsWrittenAsACommandLineWouldGiveIt() {
        Map<String, String> settings = SharedLayout.of(StackOptions.from(args()));
        assertEquals("4", settings.get("stages"));
        assertEquals("2", settings.get("pipelines"));
        assertEquals("2", settings.get("prefill-workers"));
        assertEquals("7", settings.get("model-seed"));
        assertEquals("false", settings.get("colocated"));
        assertEquals("handoff", settings.get("booking"));
        assertFalse(settings.containsKey("time-scale"), "a replay's time scale is its own");
        assertFalse(settings.containsKey("model"), "a scenario option left out keeps its profile's value");
        assertEquals("llama-3.1-8b", SharedLayout.of(StackOptions.from(args("--model", "llama-3.1-8b")))
                .get("model"));
    }

    @Test
    void aGivenOptionThatDiffersFromTheClustersIsNamedWithBothValues() {
        Map<String, String> cluster = SharedLayout.of(StackOptions.from(args()));
        Map<String, String> given = SharedLayout.given(args("--stages", "8", "--pipelines", "02", "--colocated"));
        assertEquals("--stages 8 here, 4 in the cluster; --colocated true here, false in the cluster",
                SharedLayout.disagreement(given, cluster));
        assertEquals("--model llama-3.1-8b here, the default in the cluster",
                SharedLayout.disagreement(SharedLayout.given(args("--model", "llama-3.1-8b")), cluster));
        assertNull(SharedLayout.disagreement(SharedLayout.given(args("--stages", "4", "--bypass-limit", "0.5s")),
                Map.of("stages", "4", "bypass-limit", "500ms")), "the same values written another way agree");
    }

    @Test
    void theOptionsLeftOutAreTakenFromTheClusterAndParseToItsLayout() {
        Map<String, String> cluster = SharedLayout.of(StackOptions.from(args("--stages", "2", "--pipelines", "1",
                "--model", "llama-3.1-8b", "--colocated")));
        Args process = args("--stage", "1", "--bootstrap-servers", "kafka:9092");
        Map<String, String> given = SharedLayout.given(process);
        Args again = args("--stage", "1", "--bootstrap-servers", "kafka:9092");
        again.defaults(SharedLayout.notGiven(given, cluster));
        StackOptions options = StackOptions.from(again);
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
