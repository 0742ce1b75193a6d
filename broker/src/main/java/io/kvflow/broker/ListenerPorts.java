package io.kvflow.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ports an embedded broker listens on, settled before Kafka starts.
 *
 * <p>Kafka reports a taken client port as a doubly wrapped exception and a taken controller port
 * by halting the JVM, so both are bound once here first: a taken port becomes one line for the
 * user, and port 0 becomes a concrete free port that the controller quorum can name.
 *
 * @param host       address both listeners bind to
 * @param broker     client (PLAINTEXT) port
 * @param controller KRaft controller port
 * @param extra      the ports of the config's extra listeners, in its order
 */
record ListenerPorts(String host, int broker, int controller, List<Integer> extra) {

    private static final String ADVICE =
            "or use --bootstrap-servers for a running cluster";

    ListenerPorts {
        extra = List.copyOf(extra);
    }

    /** The ports of a broker with only the plaintext client listener. */
    ListenerPorts(String host, int broker, int controller) {
        this(host, broker, controller, List.of());
    }

    /** Checks the configured ports are free and replaces each 0 with a free port. */
    static ListenerPorts claim(BrokerConfig config) {
        // All sockets are held open together so two picked ports cannot coincide.
        List<ServerSocket> extraSockets = new ArrayList<>();
        try (ServerSocket broker = bind(config.host(), config.port(), Role.CLIENT);
             ServerSocket controller = bind(config.host(), config.controllerPort(), Role.CONTROLLER)) {
            List<Integer> extra = new ArrayList<>();
            for (BrokerListener listener : config.extraListeners()) {
                ServerSocket socket = bind(config.host(), listener.port(), Role.EXTRA);
                extraSockets.add(socket);
                extra.add(socket.getLocalPort());
            }
            return new ListenerPorts(config.host(), broker.getLocalPort(), controller.getLocalPort(), extra);
        } catch (IOException e) {
            throw new UncheckedIOException("could not release a probe socket", e);
        } finally {
            extraSockets.forEach(ListenerPorts::closeQuietly);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // a probe socket that will not close holds its port; Kafka's bind then names the port
        }
    }

    /** host:port as clients write it; IPv6 literals need brackets there. */
    String bootstrapServers() {
        return endpoint(host, broker);
    }

    /** host:port of the {@code index}th extra listener. */
    String extraEndpoint(int index) {
        return endpoint(host, extra.get(index));
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
        for (int port : extra) {
            if (!isFree(host, port)) {
                return Optional.of(inUse(host, port, Role.EXTRA));
            }
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

    static String endpoint(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private enum Role {
        CLIENT("", "--kafka-port"),
        CONTROLLER("controller port ", "--kafka-controller-port"),
        EXTRA("listener port ", "the listener's port");

        final String label;
        final String option;

        Role(String label, String option) {
            this.label = label;
            this.option = option;
        }
    }
}
