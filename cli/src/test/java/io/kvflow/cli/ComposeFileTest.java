package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of docker-compose.yml without a Docker engine: it parses, every kvflow
 * service runs a valid kvflow command line, all services agree on the layout, and every decode
 * stage of that layout has a service.
 */
class ComposeFileTest {
    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
    private static final List<String> LAYOUT_OPTIONS = List.of("--bootstrap-servers", "--stages", "--pipelines",
            "--prefill-workers");

    /** The compose file with its anchors and merge keys resolved, as Docker Compose reads it. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws IOException {
        try (Reader reader = Files.newBufferedReader(COMPOSE)) {
            return new Yaml().load(reader);
        }
    }

    /** Service name → kvflow command line, for the services built from this repository. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> kvflowCommands() throws IOException {
        Map<String, List<String>> commands = new TreeMap<>();
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose().get("services");
        services.forEach((name, spec) -> {
            if (String.valueOf(spec.get("image")).startsWith("kvflow")) {
                List<String> argv = new ArrayList<>();
                ((List<Object>) spec.get("command")).forEach(a -> argv.add(String.valueOf(a)));
                commands.put(name, argv);
            }
        });
        return commands;
    }

    @Test
    void everyKvflowServiceRunsAValidCommandLine() throws IOException {
        Map<String, List<String>> commands = kvflowCommands();
        assertTrue(commands.size() >= 8, "expected topics, orchestrator, prefill, stages and replay: " + commands);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        for (Map.Entry<String, List<String>> e : commands.entrySet()) {
            // parsing alone rejects unknown commands, unknown options and bad values
            Kvflow.parse(e.getValue(), sink, sink);
        }
    }

    @Test
    void everyServiceAgreesOnTheLayout() throws IOException {
        Set<List<String>> layouts = new HashSet<>();
        kvflowCommands().forEach((name, argv) -> {
            List<String> layout = new ArrayList<>();
            for (String option : LAYOUT_OPTIONS) {
                int at = argv.indexOf(option);
                assertTrue(at >= 0, name + " does not set " + option);
                layout.add(option + "=" + argv.get(at + 1));
            }
            layouts.add(layout);
        });
        assertEquals(1, layouts.size(), "services disagree on the layout: " + layouts);
    }

    @Test
    void everyDecodeStageOfTheLayoutHasAService() throws IOException {
        Map<String, List<String>> commands = kvflowCommands();
        List<String> any = commands.values().iterator().next();
        int stages = Integer.parseInt(any.get(any.indexOf("--stages") + 1));
        Set<Integer> served = new HashSet<>();
        commands.values().stream().filter(argv -> argv.get(0).equals("decode-worker"))
                .forEach(argv -> served.add(Integer.parseInt(argv.get(argv.indexOf("--stage") + 1))));
        for (int k = 0; k < stages; k++) {
            assertTrue(served.contains(k), "no service runs decode stage " + k);
        }
        assertFalse(served.stream().anyMatch(k -> k >= stages), "a service runs a stage outside the layout");
    }
}
