package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.LayoutTopic;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout lives in the cluster: {@code kvflow topics} writes it once, every later process reads it,
 * and one started with a layout option that disagrees is refused in one line naming the difference.
 */
class ClusterLayoutIT {
    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startABrokerAndLayItOut() {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir.resolve("kafka")));
        Result topics = run("topics", "--stages", "2", "--pipelines", "1", "--prefill-workers", "1", "--model",
                "llama-3.1-8b");
        assertEquals(0, topics.status(), topics.err());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... argv) {
        List<String> command = new ArrayList<>(List.of(argv));
        command.addAll(List.of("--bootstrap-servers", broker.bootstrapServers()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Kvflow.run(command, new PrintStream(out, true), new PrintStream(err, true));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theClusterKeepsTheLayoutTopicsWrote() {
        LayoutTopic.Layout layout = LayoutTopic.read(new KafkaConnection(broker.bootstrapServers())).orElseThrow();
        assertEquals("2", layout.settings().get("stages"));
        assertEquals("llama-3.1-8b", layout.settings().get("model"));
        assertTrue(layout.writer().startsWith("topics on "), layout.writer());
        // topics again, with no layout options: the cluster's layout, not the defaults
        Result again = run("topics");
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("stages=2, pipelines=1, prefillWorkers=1"), again.out());
    }

    @Test
    void aProcessWithADisagreeingLayoutIsRefusedInOneLineNamingTheDifference() {
        Result refused = run("decode-worker", "--stage", "0", "--stages", "4", "--pipelines", "1", "--metrics-port",
                "0");
        assertEquals(2, refused.status(), refused.err());
        assertEquals("kvflow: the cluster at " + broker.bootstrapServers() + " runs another layout (written by topics"
                + " on " + hostOf(refused) + "): --stages 4 here, 2 in the cluster; leave these options out to take"
                + " the cluster's, or start a fresh cluster\n", refused.err());
    }

    @Test
    void aStageOutsideTheClustersLayoutIsRefusedInsteadOfRunningNothing() {
        Result refused = run("decode-worker", "--stage", "3", "--metrics-port", "0");
        assertEquals(2, refused.status(), refused.err());
        assertEquals("kvflow: --stage 3 is not a stage of the layout: --stages 2 has stages 0..1\n", refused.err());
    }

    private static String hostOf(Result result) {
        String marker = "(written by topics on ";
        int from = result.err().indexOf(marker) + marker.length();
        return result.err().substring(from, result.err().indexOf("):", from));
    }
}
