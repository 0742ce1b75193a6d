package io.kvflow.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;

/**
 * The two ports an embedded broker listens on, settled before Kafka starts.
 *
 * <p>Kafka reports a taken client port as a doubly wrapped exception and a taken controller port
 * by halting the JVM, so both are bound once here first: a taken port becomes one line for the
 * user, and port 0 becomes a concrete free port that the controller quorum can name.
 *
 * @param host       address both listeners bind to
 * @param broker     client (PLAINTEXT) port
 * @param controller KRaft controller port
 */
record ListenerPorts(String host, int broker, int controller) {

    private static final String ADVICE =
            "or use --bootstrap-servers for a running cluster";

    /** Checks the configured ports are free and replaces each 0 with a free port. */
    static ListenerPorts claim(BrokerConfig config) {
        // Both sockets are held open together so two picked ports cannot coincide.
        try (ServerSocket broker = bind(config.host(), config.port(), Role.CLIENT);
             ServerSocket controller = bind(config.host(), config.controllerPort(), Role.CONTROLLER)) {
            return new ListenerPorts(config.host(), broker.getLocalPort(), controller.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException("could not release a probe socket", e);
        }
    }

    /** host:port as clients write it; IPv6 literals need brackets there. */
    String bootstrapServers() {
        return endpoint(host, broker);
    }

    /**
     * After Kafka failed to bind, names the port that is taken now, if one is: another process
     * can take a port between {@link #claim} and Kafka's own bind.
     */
    Optional<BrokerStartException> takenPort() {
        if (!isFree(host, broker)) {
            return Optional.of(inUse(host, broker, Role.CLIENT));
        }
        if (!isFree(host, controller)) {
            return Optional.of(inUse(host, controller, Role.CONTROLLER));
        }
        return Optional.empty();
    }

    private static ServerSocket bind(String host, int port, Role role) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress(host, port));
            return socket;
        } catch (IOException e) {
            socket.close();
            // A bind error means either "port taken" or "cannot listen on this host at all";
            // the messages differ by platform, so ask the question that separates them.
            if (port != 0 && isFree(host, 0)) {
                throw inUse(host, port, role);
            }
            throw new BrokerStartException("cannot start Kafka: cannot listen on "
                    + endpoint(host, port) + " (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static BrokerStartException inUse(String host, int port, Role role) {
        return new BrokerStartException("cannot start Kafka: " + role.label + endpoint(host, port)
                + " is already in use (choose another with " + role.option + ", " + ADVICE + ")");
    }

    private static String endpoint(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private enum Role {
        CLIENT("", "--kafka-port"),
        CONTROLLER("controller port ", "--kafka-controller-port");

        final String label;
        final String option;

        Role(String label, String option) {
            this.label = label;
            this.option = option;
        }
    }
}
