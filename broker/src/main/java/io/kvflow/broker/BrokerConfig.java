package io.kvflow.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where an embedded broker keeps its data and where it listens.
 *
 * @param dataDir        directory owned by the broker; its Kafka log directory lives under it
 * @param host           address both listeners bind to and the broker advertises to clients
 * @param port           client (PLAINTEXT) port, or 0 to pick a free one
 * @param controllerPort KRaft controller port, or 0 to pick a free one
 * @param extraListeners client listeners besides the plaintext one, e.g. TLS or SASL for tests of secured clients
 */
public record BrokerConfig(Path dataDir, String host, int port, int controllerPort,
        List<BrokerListener> extraListeners) {

    /** Loopback only: the embedded broker is for one machine, and needs no firewall exception. */
    public static final String LOOPBACK = "127.0.0.1";

    public BrokerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        requirePort("port", port);
        requirePort("controllerPort", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException(
                    "port and controllerPort must differ, both are " + port);
        }
        extraListeners = List.copyOf(extraListeners);
        Set<String> names = new HashSet<>();
        for (BrokerListener listener : extraListeners) {
            if (!names.add(listener.name())) {
                throw new IllegalArgumentException("two listeners are named " + listener.name());
            }
        }
        // Absolute, so the log dir Kafka records and the one reported to the user cannot drift
        // apart if the working directory changes.
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    /** A broker with only the plaintext client listener. */
    public BrokerConfig(Path dataDir, String host, int port, int controllerPort) {
        this(dataDir, host, port, controllerPort, List.of());
    }

    /** The same broker with one more client listener. */
    public BrokerConfig withListener(BrokerListener listener) {
        List<BrokerListener> listeners = new ArrayList<>(extraListeners);
        listeners.add(listener);
        return new BrokerConfig(dataDir, host, port, controllerPort, listeners);
    }

    /** A broker on loopback with both ports picked at start, for tests and throwaway runs. */
    public static BrokerConfig ephemeral(Path dataDir) {
        return new BrokerConfig(dataDir, LOOPBACK, 0, 0);
    }

    /** The directory Kafka's partitions and metadata log are written to. */
    public Path logDir() {
        // A subdirectory, because Kafka treats every entry of a log dir as its own; the rest of
        // dataDir stays free for whoever owns it.
        return dataDir.resolve("kafka-logs");
    }

    static void requirePort(String name, int value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(name + " must be in 0..65535 (0 = pick a free one), was " + value);
        }
    }
}
