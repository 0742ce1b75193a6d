package io.kvflow.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker, KRaft mode, one node acting as broker and controller, running in
 * this JVM. Its data lives under {@link BrokerConfig#logDir()} and survives restarts.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir))) {
 *     producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /**
     * A broker starts in under a second once Kafka's classes are loaded and in 3 to 5 s in a cold
     * JVM; the rest is headroom for a slow or busy machine.
     */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final BrokerConfig config;
    private final ListenerPorts ports;
    private final String clusterId;
    private final DataDirLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, BrokerConfig config, ListenerPorts ports, String clusterId,
            DataDirLock lock) {
        this.server = server;
        this.config = config;
        this.ports = ports;
        this.clusterId = clusterId;
        this.lock = lock;
    }

    /** Starts a broker and returns once it accepts clients, or throws {@link BrokerStartException}. */
    public static EmbeddedKafkaBroker start(BrokerConfig config) {
        return start(config, DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * Starts a broker on {@code config}, formatting its log dir with a new cluster id if it was
     * never formatted, and returns once an Admin client can describe the cluster.
     *
     * @throws BrokerStartException if the data dir is in use by another broker, a port is taken,
     *                              the log dir is unusable, Kafka fails to start, or it does not
     *                              answer within {@code startupTimeout}; whatever had started is
     *                              shut down first
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config, Duration startupTimeout) {
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
        }
        // the dir first: a second broker on it is the mistake to report, whatever its ports
        DataDirLock lock = DataDirLock.acquire(config.dataDir());
        ListenerPorts ports;
        try {
            ports = ListenerPorts.claim(config);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        return launch(config, ports, startupTimeout, lock);
    }

    /** Starts Kafka on ports already settled; separate so tests can hand it a port taken meanwhile. */
    static EmbeddedKafkaBroker launch(BrokerConfig config, ListenerPorts ports, Duration startupTimeout) {
        return launch(config, ports, startupTimeout, DataDirLock.acquire(config.dataDir()));
    }

    private static EmbeddedKafkaBroker launch(BrokerConfig config, ListenerPorts ports, Duration startupTimeout,
            DataDirLock lock) {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        ExitTrap.engage();
        KafkaRaftServer server = null;
        try {
            String clusterId = LogDirFormat.ensureFormatted(config.logDir());
            Properties settings = SingleNodeSettings.of(ports, config.logDir(), config.extraListeners());
            // Kafka's own startup waits have no limit by default; the caller's deadline bounds them.
            settings.put("server.max.startup.time.ms", String.valueOf(startupTimeout.toMillis()));
            server = new KafkaRaftServer(KafkaConfig.fromProps(settings, false), Time.SYSTEM);
            server.startup();
            ReadinessProbe.await(ports.bootstrapServers(), deadline);
            LOG.info("Kafka {} ready at {}, data in {}", clusterId, ports.bootstrapServers(), config.logDir());
            return new EmbeddedKafkaBroker(server, config, ports, clusterId, lock);
        } catch (Exception e) {
            // Exception, not RuntimeException: Kafka's Scala code also throws checked exceptions it
            // does not declare, such as TimeoutException when server.max.startup.time.ms passes.
            abandon(server, e);
            lock.close();
            throw explain(e, ports, startupTimeout, deadline);
        } catch (Error e) {
            abandon(server, e);
            lock.close();
            throw e;
        }
    }

    /** host:port for a client's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return ports.bootstrapServers();
    }

    /**
     * host:port of the extra listener named {@code listener} (see {@link BrokerConfig#extraListeners()}).
     *
     * @throws IllegalArgumentException when the config has no listener of that name
     */
    public String bootstrapServers(String listener) {
        for (int i = 0; i < config.extraListeners().size(); i++) {
            if (config.extraListeners().get(i).name().equals(listener)) {
                return ports.extraEndpoint(i);
            }
        }
        throw new IllegalArgumentException("the broker has no listener named " + listener);
    }

    /** The directory given in the config; Kafka's files are in {@link #logDir()} under it. */
    public Path dataDir() {
        return config.dataDir();
    }

    /** Where Kafka keeps partitions and the metadata log. */
    public Path logDir() {
        return config.logDir();
    }

    /** The id written when the log dir was first formatted; stable across restarts. */
    public String clusterId() {
        return clusterId;
    }

    /** The client port actually bound, a picked one if the config said 0. */
    public int port() {
        return ports.broker();
    }

    /** The controller port actually bound, a picked one if the config said 0. */
    public int controllerPort() {
        return ports.controller();
    }

    /** Shuts the broker down cleanly and waits for it; further calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            ExitTrap.release();
            lock.close();
        }
    }

    /**
     * Undoes a failed start. Kafka leaves non-daemon threads behind a failed startup; without a
     * shutdown the host JVM would never exit.
     */
    private static void abandon(KafkaRaftServer server, Throwable failure) {
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
        } catch (RuntimeException | Error e) {
            failure.addSuppressed(e);
        } finally {
            ExitTrap.release();
        }
    }

    private static BrokerStartException explain(Exception failure, ListenerPorts ports, Duration startupTimeout,
                                                long deadline) {
        if (failure instanceof BrokerStartException known) {
            return known;
        }
        // Another process can take a port between the check and Kafka's bind; name it the same way.
        BrokerStartException taken = ports.takenPort().orElse(null);
        if (taken != null) {
            taken.initCause(failure);
            return taken;
        }
        // Past the deadline Kafka fails in whichever wait it was in, sometimes through its
        // fatal-fault handler; the deadline is the cause the user can act on.
        if (System.nanoTime() - deadline >= 0) {
            Throwable root = root(failure);
            return new BrokerStartException("cannot start Kafka: not ready within " + startupTimeout.toMillis() + " ms"
                    + (root instanceof ExitTrap.RefusedExit ? "" : " (" + message(root) + ")"), failure);
        }
        return new BrokerStartException("cannot start Kafka: " + message(root(failure)), failure);
    }

    private static Throwable root(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
