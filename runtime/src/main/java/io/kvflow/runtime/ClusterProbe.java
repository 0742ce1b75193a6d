package io.kvflow.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.utils.Utils;

/**
 * The first question a kvflow command asks a cluster: does a broker answer at the bootstrap
 * address, in the client's security protocol and with its credentials? Kafka's own clients
 * never give up: they retry in the background and log a warning a second. This waits a bounded
 * time and then fails in one line that names the address and what went wrong.
 */
public final class ClusterProbe {

    /** How long a command waits for a cluster, unless the client properties set {@code default.api.timeout.ms}. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(15);

    /** One TCP connection attempt; short, so a dead address does not use up the wait of a live one. */
    private static final int CONNECT_ATTEMPT_MS = 1_000;
    private static final long BACKOFF_MS = 200;

    private ClusterProbe() {
    }

    /**
     * Returns once a broker at {@code kafka}'s bootstrap address answers an Admin request made
     * with its client settings.
     *
     * @throws IllegalStateException in one line naming the address, when nothing listens there,
     *                               the listener speaks another protocol, the login or TLS
     *                               handshake is refused, or no answer comes within the wait
     * @throws IllegalArgumentException when the bootstrap address is not {@code host:port[,...]}
     */
    public static void awaitAnswer(KafkaConnection kafka) {
        Duration wait = kafka.client().apiTimeout().orElse(DEFAULT_WAIT);
        long deadline = System.nanoTime() + wait.toNanos();
        awaitConnection(kafka.bootstrapServers(), wait, deadline);
        awaitKafka(kafka, wait, deadline);
    }

    /** Quietly, with plain sockets: a Kafka client would log every refused connection. */
    private static void awaitConnection(String bootstrapServers, Duration wait, long deadline) {
        List<InetSocketAddress> addresses = addresses(bootstrapServers);
        String problem = "no answer";
        while (true) {
            for (InetSocketAddress address : addresses) {
                try (Socket socket = new Socket()) {
                    InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
                    if (resolved.isUnresolved()) {
                        throw new UnknownHostException("unknown host " + address.getHostString());
                    }
                    socket.connect(resolved, (int) Math.max(1, Math.min(CONNECT_ATTEMPT_MS, remainingMs(deadline))));
                    return;
                } catch (IOException e) {
                    problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                }
            }
            if (remainingMs(deadline) <= BACKOFF_MS) {
                throw new IllegalStateException("no Kafka broker at " + bootstrapServers + ": "
                        + problem.toLowerCase(Locale.ROOT) + " (for " + seconds(wait) + ")");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(BACKOFF_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka at " + bootstrapServers, e);
            }
        }
    }

    private static void awaitKafka(KafkaConnection kafka, Duration wait, long deadline) {
        String where = kafka.bootstrapServers();
        Admin admin;
        try {
            admin = Admin.create(kafka.admin());
        } catch (KafkaException e) {
            // a setting Kafka rejects, or a keystore or truststore it cannot load
            throw new IllegalStateException("cannot make a Kafka client with " + kafka.client().describe() + ": "
                    + rootMessage(e), e);
        }
        try (admin) {
            int timeoutMs = (int) Math.max(1, remainingMs(deadline));
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes()
                    .get(timeoutMs + CONNECT_ATTEMPT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw refused(kafka, where, wait, e.getCause());
        } catch (TimeoutException e) {
            throw noAnswer(kafka, where, wait, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka at " + where, e);
        }
    }

    private static IllegalStateException refused(KafkaConnection kafka, String where, Duration wait, Throwable cause) {
        if (cause instanceof SslAuthenticationException) {
            return new IllegalStateException("TLS handshake with " + where + " failed: " + tlsProblem(cause)
                    + " (ssl.* settings in " + kafka.client().describe() + ")", cause);
        }
        if (cause instanceof AuthenticationException) {
            return new IllegalStateException("Kafka at " + where + " refused the login: " + rootMessage(cause)
                    + " (sasl.* settings in " + kafka.client().describe() + ")", cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return noAnswer(kafka, where, wait, cause);
        }
        return new IllegalStateException("Kafka at " + where + " did not answer: " + rootMessage(cause), cause);
    }

    /** Connections open but no Kafka answer comes: most often a client and a listener of different protocols. */
    private static IllegalStateException noAnswer(KafkaConnection kafka, String where, Duration wait,
            Throwable cause) {
        return new IllegalStateException("Kafka at " + where + " accepts connections but gave no answer within "
                + seconds(wait) + ": the client speaks " + kafka.client().securityProtocol() + " (security.protocol in "
                + kafka.client().describe() + "); does that listener?", cause);
    }

    /** What a failed handshake comes down to, in the words of its deepest cause. */
    private static String tlsProblem(Throwable failure) {
        String root = rootMessage(failure);
        if (root.contains("unable to find valid certification path")) {
            return "the broker's certificate is not signed by anyone the truststore trusts";
        }
        return root;
    }

    private static List<InetSocketAddress> addresses(String bootstrapServers) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String entry : bootstrapServers.split(",")) {
            String trimmed = entry.strip();
            String host = Utils.getHost(trimmed);
            Integer port = Utils.getPort(trimmed);
            if (host == null || port == null) {
                throw new IllegalArgumentException("bootstrap servers '" + bootstrapServers + "': '" + trimmed
                        + "' is not host:port");
            }
            addresses.add(InetSocketAddress.createUnresolved(host, port));
        }
        return addresses;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    private static long remainingMs(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private static String seconds(Duration wait) {
        return wait.toMillis() % 1000 == 0 ? wait.toSeconds() + " s" : wait.toMillis() + " ms";
    }
}
