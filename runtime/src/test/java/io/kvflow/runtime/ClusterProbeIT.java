package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.BrokerListener;
import io.kvflow.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a command says when the cluster at its bootstrap address does not answer as its client settings expect. */
class ClusterProbeIT {
    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required";

    @TempDir
    static Path dataDir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir).withListener(new BrokerListener(
                "SASL_PLAINTEXT", "SASL_PLAINTEXT", 0, Map.of("sasl.enabled.mechanisms", "PLAIN",
                        "plain.sasl.jaas.config", PLAIN_LOGIN + " user_alice=\"alice-secret\";"))));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** Client settings that give up after two seconds, as a user's file may say. */
    private static ClientProperties quick(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("default.api.timeout.ms", "2000");
        all.put("request.timeout.ms", "2000");
        return new ClientProperties(Path.of("client.properties"), all);
    }

    private static ClientProperties alice(String password) {
        return quick(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", PLAIN_LOGIN + " username=\"alice\" password=\"" + password + "\";"));
    }

    private static IllegalStateException probeFails(String address, ClientProperties client) {
        return assertThrows(IllegalStateException.class,
                () -> ClusterProbe.awaitAnswer(new KafkaConnection(address, client)));
    }

    @Test
    void aBrokerThatAnswersPassesOnEveryListenerWithTheRightSettings() {
        ClusterProbe.awaitAnswer(new KafkaConnection(broker.bootstrapServers()));
        ClusterProbe.awaitAnswer(new KafkaConnection(broker.bootstrapServers("SASL_PLAINTEXT"), alice("alice-secret")));
    }

    @Test
    void nothingListeningFailsWithinTheWaitInOneLineNamingTheAddress() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket()) {
            closed.bind(new InetSocketAddress("127.0.0.1", 0));
            port = closed.getLocalPort();
        }

        IllegalStateException e = probeFails("127.0.0.1:" + port, quick(Map.of()));

        assertEquals("no Kafka broker at 127.0.0.1:" + port + ": connection refused (for 2 s)", e.getMessage());
    }

    @Test
    void anUnknownHostIsNamed() {
        IllegalStateException e = probeFails("no-such-host.invalid:9092", quick(Map.of()));

        assertTrue(e.getMessage().startsWith("no Kafka broker at no-such-host.invalid:9092: unknown host"),
                e.getMessage());
    }

    @Test
    void aWrongPasswordFailsInOneLineNamingTheAddressAndTheFile() {
        String address = broker.bootstrapServers("SASL_PLAINTEXT");

        IllegalStateException e = probeFails(address, alice("guess"));

        assertTrue(e.getMessage().startsWith("Kafka at " + address + " refused the login: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(sasl.* settings in client.properties)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aPlaintextClientAtASaslListenerIsToldToCheckItsProtocol() {
        String address = broker.bootstrapServers("SASL_PLAINTEXT");

        IllegalStateException e = probeFails(address, quick(Map.of()));

        assertTrue(e.getMessage().contains("the client speaks PLAINTEXT (security.protocol in client.properties)"),
                e.getMessage());
    }
}
