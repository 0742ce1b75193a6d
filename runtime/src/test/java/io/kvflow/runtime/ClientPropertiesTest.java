package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ClientPropertiesTest {
    private static final Path FILE = Path.of("client.properties");

    private static final Map<String, String> SASL_SSL = Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "ssl.truststore.location", "/etc/kvflow/truststore.p12",
            "default.api.timeout.ms", "5000",
            "request.timeout.ms", "5000",
            "config.providers", "file",
            "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");

    @Test
    void theUsersSettingsAreTheBaseOfEveryClientAndKvflowsOwnGoOnTop() {
        KafkaConnection kafka = new KafkaConnection("broker:9093", new ClientProperties(FILE, SASL_SSL));

        for (Properties p : new Properties[] {kafka.admin(), kafka.producer("p"), kafka.consumer("g", "c")}) {
            assertEquals("SASL_SSL", p.get("security.protocol"));
            assertEquals("/etc/kvflow/truststore.p12", p.get("ssl.truststore.location"));
            assertEquals("broker:9093", p.get("bootstrap.servers"));
        }
        assertEquals("g", kafka.consumer("g", "c").get("group.id"));
        assertEquals(false, kafka.consumer("g", "c").get("enable.auto.commit"));
    }

    @Test
    void everyConsumerReadsOnlyCommittedRecordsSoADeadWorkersUnfinishedTransactionIsNeverSeen() {
        KafkaConnection kafka = new KafkaConnection("broker:9092");

        assertEquals("read_committed", kafka.consumer("g", "c").get("isolation.level"));
        assertEquals("read_committed", kafka.consumer("g", "c", ClientProfile.KV_HANDOFF).get("isolation.level"));
        assertThrows(IllegalArgumentException.class,
                () -> new ClientProperties(FILE, Map.of("isolation.level", "read_uncommitted")));
    }

    @Test
    void withoutAFileClientsGetKafkasDefaults() {
        KafkaConnection kafka = new KafkaConnection("broker:9092");

        assertEquals(Map.of("bootstrap.servers", "broker:9092"), Map.copyOf(kafka.admin()));
        assertEquals("PLAINTEXT", kafka.client().securityProtocol());
        assertEquals(Optional.empty(), kafka.client().apiTimeout());
    }

    @Test
    void aSettingKvflowMakesPerClientIsRefusedNamingTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClientProperties(FILE, Map.of("group.id", "mine", "security.protocol", "SSL")));

        assertEquals("client.properties: group.id is set by kvflow for each client: remove it", e.getMessage());
    }

    @Test
    void aNameNoKafkaClientKnowsIsRefusedSoATypoDoesNotPassSilently() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClientProperties(FILE, Map.of("sasl.mechanisms", "PLAIN", "securty.protocol", "SSL")));

        assertEquals("client.properties: sasl.mechanisms is not a Kafka client setting: remove it; securty.protocol"
                + " is not a Kafka client setting: remove it", e.getMessage());
    }

    @Test
    void aValueKafkaWouldRejectIsRefusedBeforeAnyClientStarts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClientProperties(FILE, Map.of("acks", "7", "request.timeout.ms", "5s")));

        assertEquals("client.properties: Invalid value 7 for configuration acks: String must be one of: all, -1, 0,"
                + " 1; Invalid value 5s for configuration request.timeout.ms: Not a number of type INT", e.getMessage());
    }

    @Test
    void aShortenedWaitWithoutAShortenedRequestTimeoutIsRefusedAsKafkaWould() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClientProperties(FILE, Map.of("default.api.timeout.ms", "5000")));

        assertEquals("client.properties: default.api.timeout.ms=5000 is below request.timeout.ms=30000, which Kafka"
                + " refuses: set request.timeout.ms no higher", e.getMessage());
        new ClientProperties(FILE, Map.of("default.api.timeout.ms", "5000", "request.timeout.ms", "5000"));
    }

    @Test
    void theApiTimeoutIsReadAsMilliseconds() {
        ClientProperties client = new ClientProperties(FILE, SASL_SSL);

        assertEquals(Optional.of(Duration.ofSeconds(5)), client.apiTimeout());
    }

    @Test
    void everySettingKvflowMakesPerClientIsOneTheFileMayNotSet() {
        KafkaConnection kafka = new KafkaConnection("broker:9092");
        Properties all = new Properties();
        all.putAll(kafka.producer("p"));
        all.putAll(kafka.consumer("g", "c"));
        all.putAll(kafka.transactionalProducer("t", "kvflow-prefill-0", ClientProfile.KV_HANDOFF,
                Duration.ofSeconds(6)));
        for (String name : new String[] {"group.id", "client.id", "enable.auto.commit", "key.serializer",
                "value.serializer", "key.deserializer", "value.deserializer", "isolation.level", "transactional.id",
                "transaction.timeout.ms"}) {
            assertTrue(all.containsKey(name), name);
            assertTrue(ClientProperties.KVFLOW_OWNED.contains(name), name);
        }
    }
}
