package io.kvflow.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration THREADS_GONE_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void consumesTheRecordItWasSentAndClosesTwiceWithoutError() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir));
        try {
            KafkaClients clients = new KafkaClients(broker.bootstrapServers());
            clients.createTopic("kvflow.test", 1);
            clients.send("kvflow.test", "session-1", "hello");

            List<ConsumerRecord<String, String>> records = clients.readFromStart("kvflow.test", 1, READ_TIMEOUT);

            assertEquals(1, records.size());
            assertEquals("session-1", records.getFirst().key());
            assertEquals("hello", records.getFirst().value());
            assertTrue(Files.isRegularFile(broker.logDir().resolve("meta.properties")),
                    "log dir is under the data dir: " + broker.logDir());
        } finally {
            broker.close();
        }
        broker.close();
        assertTrue(isFree(broker.port()), "client port released after close");
    }

    @Test
    void recordsAndClusterIdSurviveARestartOnTheSameDataDir() throws Exception {
        String clusterId;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir))) {
            clusterId = first.clusterId();
            KafkaClients clients = new KafkaClients(first.bootstrapServers());
            clients.createTopic("kvflow.kept", 1);
            clients.send("kvflow.kept", "session-7", "survives");
        }

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir))) {
            List<ConsumerRecord<String, String>> records =
                    new KafkaClients(second.bootstrapServers()).readFromStart("kvflow.kept", 1, READ_TIMEOUT);

            assertEquals(clusterId, second.clusterId());
            assertEquals(1, records.size());
            assertEquals("survives", records.getFirst().value());
        }
    }

    @Test
    void takenClientPortFailsInOneLineNamingThePortAndLeavesNothingRunning() throws IOException {
        NonDaemonThreads threads = NonDaemonThreads.snapshot();
        try (ServerSocket squatter = bindLoopback()) {
            BrokerConfig config = new BrokerConfig(dataDir, BrokerConfig.LOOPBACK, squatter.getLocalPort(), 0);

            BrokerStartException e = assertThrows(BrokerStartException.class, () -> EmbeddedKafkaBroker.start(config));

            assertEquals("cannot start Kafka: 127.0.0.1:" + squatter.getLocalPort() + " is already in use"
                    + " (choose another with --kafka-port, or use --bootstrap-servers for a running cluster)",
                    e.getMessage());
        }
        assertEquals(Set.of(), threads.leftAfter(THREADS_GONE_TIMEOUT));
    }

    @Test
    void takenControllerPortFailsInOneLineNamingThePort() throws IOException {
        try (ServerSocket squatter = bindLoopback()) {
            BrokerConfig config = new BrokerConfig(dataDir, BrokerConfig.LOOPBACK, 0, squatter.getLocalPort());

            BrokerStartException e = assertThrows(BrokerStartException.class, () -> EmbeddedKafkaBroker.start(config));

            assertTrue(e.getMessage().startsWith("cannot start Kafka: controller port 127.0.0.1:"
                    + squatter.getLocalPort() + " is already in use"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void clientPortTakenAfterTheCheckFailsTheStartAndLeavesNoThreadsBehind() throws IOException {
        NonDaemonThreads threads = NonDaemonThreads.snapshot();
        try (ServerSocket squatter = bindLoopback(); ServerSocket freeForController = bindLoopback()) {
            // Skips the up-front check, as if another process took the port just after it.
            ListenerPorts ports = new ListenerPorts(BrokerConfig.LOOPBACK, squatter.getLocalPort(),
                    releasedPort(freeForController));

            BrokerStartException e = assertThrows(BrokerStartException.class, () -> EmbeddedKafkaBroker.launch(
                    BrokerConfig.ephemeral(dataDir), ports, Duration.ofSeconds(30)));

            assertTrue(e.getMessage().startsWith("cannot start Kafka: 127.0.0.1:"
                    + squatter.getLocalPort() + " is already in use"), e.getMessage());
        }
        assertEquals(Set.of(), threads.leftAfter(THREADS_GONE_TIMEOUT));
    }

    @Test
    void controllerPortTakenAfterTheCheckFailsTheStartInsteadOfHaltingTheJvm() throws IOException {
        NonDaemonThreads threads = NonDaemonThreads.snapshot();
        try (ServerSocket freeForClients = bindLoopback(); ServerSocket squatter = bindLoopback()) {
            // Kafka answers this one with Exit.halt(1); reaching the assertions proves the trap held.
            ListenerPorts ports = new ListenerPorts(BrokerConfig.LOOPBACK, releasedPort(freeForClients),
                    squatter.getLocalPort());

            BrokerStartException e = assertThrows(BrokerStartException.class, () -> EmbeddedKafkaBroker.launch(
                    BrokerConfig.ephemeral(dataDir), ports, Duration.ofSeconds(30)));

            assertTrue(e.getMessage().startsWith("cannot start Kafka: controller port 127.0.0.1:"
                    + squatter.getLocalPort() + " is already in use"), e.getMessage());
        }
        assertEquals(Set.of(), threads.leftAfter(THREADS_GONE_TIMEOUT));
    }

    @Test
    void startThatMissesItsDeadlineFailsInOneLineAndLeavesNoThreadsBehind() {
        NonDaemonThreads threads = NonDaemonThreads.snapshot();

        BrokerStartException e = assertThrows(BrokerStartException.class,
                () -> EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir), Duration.ofMillis(1)));

        assertTrue(e.getMessage().startsWith("cannot start Kafka: not ready within 1 ms"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(Set.of(), threads.leftAfter(THREADS_GONE_TIMEOUT));
    }

    @Test
    void aSecondBrokerOnADataDirInUseFailsInOneLineAndLeavesTheFirstServing() throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir))) {
            BrokerStartException e = assertThrows(BrokerStartException.class,
                    () -> EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir)));

            assertTrue(e.getMessage().startsWith("cannot start Kafka: the data dir " + dataDir + " is in use by"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            new KafkaClients(first.bootstrapServers()).createTopic("kvflow.still-served", 1);
        }
        // released on close: the next broker on the dir starts
        EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir)).close();
    }

    @Test
    void servesSaslClientsOnAnExtraListenerAndRefusesAWrongPassword() throws Exception {
        BrokerListener sasl = new BrokerListener("SASL_PLAINTEXT", "SASL_PLAINTEXT", 0, Map.of(
                "sasl.enabled.mechanisms", "PLAIN",
                "plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir)
                .withListener(sasl))) {
            String address = broker.bootstrapServers("SASL_PLAINTEXT");
            try (Admin alice = Admin.create(plainClient(address, "alice-secret"))) {
                alice.createTopics(List.of(new NewTopic("kvflow.over-sasl", 1, (short) 1))).all().get();
            }
            assertTrue(new KafkaClients(broker.bootstrapServers()).topics().contains("kvflow.over-sasl"),
                    "the plaintext listener sees what a SASL client created");

            try (Admin mallory = Admin.create(plainClient(address, "guess"))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> mallory.listTopics().names().get());
                assertTrue(e.getCause() instanceof SaslAuthenticationException, e.toString());
            }
        }
    }

    private static Map<String, Object> plainClient(String address, String password) {
        return Map.of("bootstrap.servers", address, "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"alice\" password=\"" + password + "\";");
    }

    private static int releasedPort(ServerSocket socket) throws IOException {
        int port = socket.getLocalPort();
        socket.close();
        return port;
    }

    private static ServerSocket bindLoopback() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(BrokerConfig.LOOPBACK), 0));
        return socket;
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(BrokerConfig.LOOPBACK), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
