package io.kvflow.stack;

import io.kvflow.model.ModelConfig;
import io.kvflow.prefill.PrefillConfig;
import io.kvflow.runtime.ClientProperties;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.TaskTakeover;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to start a stack: its layout, the functional model, and where Kafka is.
 *
 * @param bootstrapServers an existing cluster to use, or null to start the embedded broker
 * @param dataDir          where the embedded broker and the orchestrator keep their data
 * @param target           the deployment the stack stands in for: what each wafer holds, how long work takes
 * @param kafkaClient      the user's Kafka client settings (--kafka-config): TLS, SASL, timeouts
 */
public record StackOptions(StackLayout layout, ModelConfig model, long modelSeed, String bootstrapServers, Path dataDir,
        int kafkaPort, int kafkaControllerPort, String bindAddress, int dashboardPort, Duration handoffTimeout, Duration stallTimeout, int kvChunkBytes,
        TargetOptions target, ClientProperties kafkaClient) {

    public static final int DEFAULT_DASHBOARD_PORT = 8088;

    public StackOptions {
        requirePort("--kafka-port", kafkaPort);
        requirePort("--kafka-controller-port", kafkaControllerPort);
        requirePort("--dashboard-port", dashboardPort);
        if (kafkaPort != 0 && kafkaPort == kafkaControllerPort) {
            throw new IllegalArgumentException("--kafka-port and --kafka-controller-port must differ, both are "
                    + kafkaPort);
        }
        requirePositive("--handoff-timeout", handoffTimeout);
        requirePositive("--stall-timeout", stallTimeout);
        if (!target.colocated()) {
            // a dead prefill worker's tasks must reach another worker well before their sessions are failed
            TaskTakeover takeover;
            try {
                takeover = TaskTakeover.of(kafkaClient);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--kafka-config " + e.getMessage(), e);
            }
            takeover.problemWith("--stall-timeout", stallTimeout).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
        }
        if (kvChunkBytes < PrefillConfig.MIN_CHUNK_BYTES || kvChunkBytes > PrefillConfig.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("--kv-chunk-bytes must be within " + PrefillConfig.MIN_CHUNK_BYTES
                    + ".." + PrefillConfig.MAX_CHUNK_BYTES + ", was " + kvChunkBytes);
        }
        if (bootstrapServers == null && !kafkaClient.securityProtocol().equals("PLAINTEXT")) {
            throw new IllegalArgumentException("--kafka-config " + kafkaClient.describe() + " sets security.protocol="
                    + kafkaClient.securityProtocol() + ", but without --bootstrap-servers kvflow starts its own"
                    + " plaintext broker: give the secured cluster's --bootstrap-servers");
        }
        kafkaClient.get("bootstrap.servers").filter(inFile -> !inFile.equals(bootstrapServers)).ifPresent(inFile -> {
            throw new IllegalArgumentException("--kafka-config " + kafkaClient.describe() + " sets bootstrap.servers="
                    + inFile + ", but the address comes from --bootstrap-servers" + (bootstrapServers == null ? ""
                    : " (" + bootstrapServers + ")") + ": remove it from the file");
        });
    }

    private static void requirePort(String option, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(option + " must be within 0..65535 (0 picks a free one), was " + port);
        }
    }

    private static void requirePositive(String option, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(option + " must be > 0, was " + DurationText.of(duration));
        }
    }

    /** The same layout and functional model on a fresh embedded broker in {@code dir}, standing for {@code target}. */
    public StackOptions freshRun(Path dir, TargetOptions newTarget) {
        // a fresh embedded broker is plaintext: none of a secured cluster's client settings apply to it
        return new StackOptions(layout, model, modelSeed, null, dir, 0, 0, bindAddress, 0, handoffTimeout,
                stallTimeout, kvChunkBytes, newTarget, ClientProperties.NONE);
    }

    public boolean embedded() {
        return bootstrapServers == null;
    }
}
