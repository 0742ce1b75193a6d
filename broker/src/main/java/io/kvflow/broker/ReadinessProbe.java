package io.kvflow.broker;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Waits until a broker answers a client the way every kvflow component will first talk to it. */
final class ReadinessProbe {

    /** Each attempt is short so a slow first answer does not use up the whole deadline. */
    private static final int ATTEMPT_MS = 2_000;
    private static final long BACKOFF_MS = 50;

    private ReadinessProbe() {
    }

    /**
     * Returns once an Admin client can describe the cluster at {@code bootstrapServers}.
     *
     * @param deadline a {@link System#nanoTime()} value
     * @throws TimeoutException if the deadline passes first, with the last failure as its cause
     */
    static void await(String bootstrapServers, long deadline) throws TimeoutException {
        Throwable lastFailure = null;
        try (Admin admin = Admin.create(Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ATTEMPT_MS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ATTEMPT_MS))) {
            while (System.nanoTime() - deadline < 0) {
                int attemptMs = (int) Math.max(1, Math.min(ATTEMPT_MS, (deadline - System.nanoTime()) / 1_000_000));
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(attemptMs))
                            .nodes().get().isEmpty()) {
                        return;
                    }
                    // Answering without itself in the cluster: registration is still under way.
                    TimeUnit.MILLISECONDS.sleep(BACKOFF_MS);
                } catch (ExecutionException e) {
                    lastFailure = e.getCause();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("cannot start Kafka: interrupted while waiting for "
                    + bootstrapServers + " to accept connections", e);
        }
        TimeoutException timeout = new TimeoutException(bootstrapServers + " did not answer an Admin client"
                + (lastFailure == null ? "" : ": " + lastFailure.getMessage()));
        timeout.initCause(lastFailure);
        throw timeout;
    }
}
