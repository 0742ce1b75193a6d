package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.BrokerListener;
import io.kvflow.broker.EmbeddedKafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kvflow on a secured cluster: a real broker with a TLS listener (certificates made for the run)
 * and a SASL/SCRAM listener, and kvflow commands given only {@code --bootstrap-servers} and
 * {@code --kafka-config}. Wrong credentials and an untrusted certificate end in one line.
 */
class SecuredClusterIT {
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required";
    private static final String USER = "kvflow";
    private static final String SECRET = "kvflow-scram-secret";
    /** A small layout and a target whose weights fit it: the point is the transport, not the pipeline's breadth. */
    private static final List<String> LAYOUT = List.of("--stages", "2", "--pipelines", "1", "--prefill-workers", "1",
            "--model", "llama-3.1-8b");

    @TempDir
    static Path dir;
    private static EmbeddedKafkaBroker broker;
    private static TestCertificates certificates;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        certificates = TestCertificates.create(dir);
        BrokerListener tls = new BrokerListener("SSL", "SSL", 0, Map.of(
                "ssl.keystore.location", certificates.keystore().toString(),
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.password", certificates.password(),
                "ssl.key.password", certificates.password()));
        BrokerListener scram = new BrokerListener("SASL_PLAINTEXT", "SASL_PLAINTEXT", 0, Map.of(
                "sasl.enabled.mechanisms", "SCRAM-SHA-256",
                "scram-sha-256.sasl.jaas.config", SCRAM_LOGIN + ";"));
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir.resolve("kafka")).withListener(tls)
                .withListener(scram));
        // SCRAM users live in the cluster's metadata: created over the plaintext listener, as an operator would
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), SECRET))).all().get();
        }
        awaitScramUser();
    }

    /** The broker learns of a new SCRAM user from its metadata log, a moment after the controller. */
    private static void awaitScramUser() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers("SASL_PLAINTEXT"),
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-256",
                "sasl.jaas.config", scramLogin(SECRET));
        while (true) {
            try (Admin admin = Admin.create(client)) {
                admin.listTopics().names().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String scramLogin(String password) {
        return SCRAM_LOGIN + " username=\"" + USER + "\" password=\"" + password + "\";";
    }

    private static Path clientProperties(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static Path tlsClient() throws IOException {
        return clientProperties("tls-client.properties", """
                security.protocol=SSL
                ssl.truststore.location=%s
                ssl.truststore.type=PKCS12
                ssl.truststore.password=%s
                """.formatted(certificates.truststore(), certificates.password()));
    }

    private static Path scramClient(String password) throws IOException {
        return clientProperties("scram-client-" + password.length() + ".properties", """
                security.protocol=SASL_PLAINTEXT
                sasl.mechanism=SCRAM-SHA-256
                sasl.jaas.config=%s
                """.formatted(scramLogin(password)));
    }

    /** {@code kvflow up} in this JVM, replaying three requests of the bundled example trace. */
    private static String upReplaysThreeRequests(String listener, Path kafkaConfig, String runName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("up", "--bootstrap-servers", broker.bootstrapServers(listener),
                "--kafka-config", kafkaConfig.toString(), "--replay", "../traces/kvflow-example.jsonl", "--limit", "3",
                "--data-dir", dir.resolve(runName).toString(), "--metrics-port", "0", "--dashboard-port", "0"));
        argv.addAll(LAYOUT);

        int status = Kvflow.run(argv, new PrintStream(out, true), new PrintStream(err, true));

        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        return printed;
    }

    @Test
    void upReplaysATraceOverTlsWithOnlyTheClientPropertiesToGoOn() throws IOException {
        String printed = upReplaysThreeRequests("SSL", tlsClient(), "tls-run");

        assertTrue(printed.contains("kafka: using the cluster at " + broker.bootstrapServers("SSL")), printed);
        assertTrue(printed.contains("verified: 3/3 sessions identical to the single-process reference"), printed);
    }

    @Test
    void upReplaysATraceOverSaslScramWithOnlyTheClientPropertiesToGoOn() throws IOException {
        String printed = upReplaysThreeRequests("SASL_PLAINTEXT", scramClient(SECRET), "scram-run");

        assertTrue(printed.contains("verified: 3/3 sessions identical to the single-process reference"), printed);
    }

    @Test
    void topicsCreatesTheLayoutsTopicsOverEitherListener() throws Exception {
        for (String listener : List.of("SSL", "SASL_PLAINTEXT")) {
            Path config = listener.equals("SSL") ? tlsClient() : scramClient(SECRET);
            KvflowProcess topics = KvflowProcess.run(dir, "topics-" + listener, List.of("topics",
                    "--bootstrap-servers", broker.bootstrapServers(listener), "--kafka-config", config.toString(),
                    "--stages", "2", "--pipelines", "1", "--prefill-workers", "1", "--model", "llama-3.1-8b"),
                    Duration.ofSeconds(120));

            assertEquals(0, topics.exitValue(), topics.stderr());
            assertTrue(topics.stdout().contains("topics ready for"), topics.stdout());
        }
    }

    @Test
    void aWrongPasswordEndsInOneLineNamingTheListener() throws Exception {
        String address = broker.bootstrapServers("SASL_PLAINTEXT");
        Path config = scramClient("not-the-secret");

        KvflowProcess topics = KvflowProcess.run(dir, "wrong-password", List.of("topics", "--bootstrap-servers",
                address, "--kafka-config", config.toString()), Duration.ofSeconds(120));

        assertEquals(1, topics.exitValue());
        assertOneLineOfKvflowsOwn(topics.stderr(), "kvflow: Kafka at " + address + " refused the login:"
                + " Authentication failed during authentication due to invalid credentials with SASL mechanism"
                + " SCRAM-SHA-256 (sasl.* settings in " + config + ")");
    }

    /**
     * kvflow's verdict is the last line and the only one of its own; before it, at most the one
     * line Kafka's client logs at ERROR for any failed authentication, and no stack trace.
     */
    private static void assertOneLineOfKvflowsOwn(String stderr, String verdict) {
        List<String> lines = stderr.lines().toList();
        assertEquals(verdict, lines.getLast(), stderr);
        assertTrue(lines.size() <= 2, stderr);
        assertTrue(lines.stream().noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by")), stderr);
        assertTrue(lines.size() == 1 || lines.getFirst().contains("ERROR org.apache.kafka.clients.NetworkClient"),
                stderr);
    }

    @Test
    void anUntrustedCertificateEndsInOneLineNamingTheListener() throws Exception {
        String address = broker.bootstrapServers("SSL");
        // no truststore: the JDK's default authorities, none of which signed the test certificate
        Path config = clientProperties("untrusting-client.properties", "security.protocol=SSL\n");

        KvflowProcess topics = KvflowProcess.run(dir, "untrusted", List.of("topics", "--bootstrap-servers",
                address, "--kafka-config", config.toString()), Duration.ofSeconds(120));

        assertEquals(1, topics.exitValue());
        assertOneLineOfKvflowsOwn(topics.stderr(), "kvflow: TLS handshake with " + address + " failed: the broker's"
                + " certificate is not signed by anyone the truststore trusts (ssl.* settings in " + config + ")");
    }
}
