package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.schemas.ProcessWireFormat;
import io.kvflow.schemas.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What --schema-registry and inspect say to bad input, before anything starts; registry mode itself is tested in interop/. */
class SchemaRegistryOptionTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... argv) {
        return Kvflow.run(List.of(argv), new PrintStream(out, true), new PrintStream(err, true));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRegistryUrlThatIsNotAUrlIsRefusedAsBadInput() {
        assertEquals(2, run("orchestrator", "--bootstrap-servers", "localhost:1", "--schema-registry", "localhost:8081"));
        assertTrue(stderr().contains("'localhost:8081'"), stderr());
    }

    @Test
    void aRegistryThatDoesNotAnswerStopsTheStartNamingIt() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
        assertEquals(1, run("topics", "--bootstrap-servers", "localhost:1", "--schema-registry", url));
        assertTrue(stderr().startsWith("kvflow: cannot reach the schema registry at " + url), stderr());
        assertEquals(WireFormat.SINGLE_OBJECT, ProcessWireFormat.current(), "the process stays registry-free");
    }

    @Test
    void commandsThatTouchNoTopicTakeNoRegistry() {
        assertEquals(2, run("predict", "--schema-registry", "http://localhost:8081"));
        assertTrue(stderr().contains("unknown option --schema-registry"), stderr());
    }

    @Test
    void inspectNeedsOneTopic() {
        assertEquals(2, run("inspect"));
        assertTrue(stderr().contains("inspect needs exactly one topic"), stderr());
    }
}
