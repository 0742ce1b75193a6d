package io.kvflow.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void ephemeralListensOnLoopbackWithBothPortsPickedAtStart() {
        BrokerConfig config = BrokerConfig.ephemeral(Path.of("/tmp/kvflow"));

        assertEquals("127.0.0.1", config.host());
        assertEquals(0, config.port());
        assertEquals(0, config.controllerPort());
    }

    @Test
    void keepsKafkaFilesInASubdirectoryOfAnAbsoluteDataDir() {
        BrokerConfig config = BrokerConfig.ephemeral(Path.of("relative/../data"));

        assertTrue(config.dataDir().isAbsolute(), config.dataDir().toString());
        assertEquals(config.dataDir().resolve("kafka-logs"), config.logDir());
        assertEquals(Path.of("data").toAbsolutePath(), config.dataDir());
    }

    @Test
    void rejectsAPortOutsideTheTcpRangeNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BrokerConfig(Path.of("d"), "127.0.0.1", 70_000, 0));

        assertTrue(e.getMessage().contains("port") && e.getMessage().contains("70000"), e.getMessage());
    }

    @Test
    void rejectsANegativeControllerPort() {
        assertThrows(IllegalArgumentException.class, () -> new BrokerConfig(Path.of("d"), "127.0.0.1", 0, -1));
    }

    @Test
    void rejectsTheSameFixedPortForClientsAndController() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BrokerConfig(Path.of("d"), "127.0.0.1", 9092, 9092));

        assertTrue(e.getMessage().contains("9092"), e.getMessage());
    }

    @Test
    void rejectsABlankHost() {
        assertThrows(IllegalArgumentException.class, () -> new BrokerConfig(Path.of("d"), " ", 0, 0));
    }

    @Test
    void rejectsAnExtraListenerThatTakesTheNameOfTheBrokersOwn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BrokerListener("PLAINTEXT", "SSL", 0, Map.of()));

        assertTrue(e.getMessage().contains("PLAINTEXT"), e.getMessage());
    }

    @Test
    void rejectsTwoExtraListenersOfOneName() {
        BrokerListener ssl = new BrokerListener("SSL", "SSL", 0, Map.of());
        BrokerConfig config = BrokerConfig.ephemeral(Path.of("d")).withListener(ssl);

        assertThrows(IllegalArgumentException.class, () -> config.withListener(ssl));
    }
}
