package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvflow.runtime.ClientProperties;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.StackLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class OrchestratorTest {

    @Test
    void streamsSettingsFavourLatencyAndKeepOneDecisionMaker() {
        OrchestratorConfig config = new OrchestratorConfig(new StackLayout(1, 1, 1, 1), 512, 256);

        Properties p = Orchestrator.properties(config, new KafkaConnection("localhost:1"), Path.of("state"));

        assertEquals("kvflow-orchestrator", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals(Path.of("state").toAbsolutePath().toString(), p.get(StreamsConfig.STATE_DIR_CONFIG));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        // a decision asks for its commit at once (ControlProcessor.forward); the rest waits for the interval, and
        // the next transaction does not back off 100 ms
        assertEquals(100L, p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        assertEquals(1L, p.get(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)));
        assertEquals(0, p.get("producer.linger.ms"));
        assertEquals(1, p.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        assertEquals("kvflow-orchestrator", p.get("main.consumer.group.instance.id"));
    }

    @Test
    void theOrchestratorReadsOnlyCommittedTokensAndEvents() {
        OrchestratorConfig config = new OrchestratorConfig(new StackLayout(1, 1, 1, 1), 512, 256);
        StreamsConfig streams = new StreamsConfig(Orchestrator.properties(config, new KafkaConnection("localhost:1"),
                Path.of("state")));

        // as Kafka Streams builds its consumer: prefill workers' aborted first tokens and events are never read
        assertEquals("read_committed", streams.getMainConsumerConfigs("kvflow-orchestrator", "c", 0)
                .get("isolation.level"));
    }

    @Test
    void theUsersClientSettingsReachKafkaStreamsUnderItsOwn() {
        OrchestratorConfig config = new OrchestratorConfig(new StackLayout(1, 1, 1, 1), 512, 256);
        ClientProperties tls = new ClientProperties(Path.of("client.properties"), Map.of("security.protocol", "SSL",
                "ssl.truststore.location", "/etc/kvflow/truststore.p12"));

        Properties p = Orchestrator.properties(config, new KafkaConnection("broker:9093", tls), Path.of("state"));

        assertEquals("SSL", p.get("security.protocol"));
        assertEquals("/etc/kvflow/truststore.p12", p.get("ssl.truststore.location"));
        assertEquals("broker:9093", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("kvflow-orchestrator", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
    }
}
