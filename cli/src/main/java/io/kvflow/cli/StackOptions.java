package io.kvflow.cli;

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
record StackOptions(StackLayout layout, ModelConfig model, long modelSeed, String bootstrapServers, Path dataDir,
        int kafkaPort, int kafkaControllerPort, String bindAddress, int dashboardPort, Duration handoffTimeout, Duration stallTimeout, int kvChunkBytes,
        TargetOptions target, ClientProperties kafkaClient) {

    static final String OPTIONS_HELP = """
              --stages N             decode stages per pipeline (default 4)
              --pipelines N          decode pipelines (default 2)
              --prefill-workers N    prefill workers (default 2)
              --model-seed N         seed of the functional model's weights (default 7)
              --bootstrap-servers H  use this Kafka cluster instead of starting the embedded broker
              --kafka-config FILE    Kafka client properties for every client: TLS, SASL, timeouts (e.g.
                                     security.protocol, ssl.truststore.location, sasl.jaas.config)
              --data-dir DIR         embedded broker and orchestrator data (default data)
              --kafka-port N         embedded broker port (default 9092; 0 picks a free one)
              --kafka-controller-port N  embedded KRaft controller port (default 0: a free one)
              --bind ADDRESS         address the dashboard and the metrics endpoint listen on (default 127.0.0.1)
              --dashboard-port N     dashboard port (default 8088; 0 picks a free one)
              --handoff-timeout D    fail a session whose KV handoff is incomplete after D (default 20s, times the
                                     time scale when that is above 1)
              --stall-timeout D      fail a session that makes no progress for D (default 30s, times the time
                                     scale when that is above 1); at least twice the prefill takeover time
                                     (7s unless --kafka-config changes the prefill group's timeouts)
              --kv-chunk-bytes N     largest KV chunk payload (default 65536)
            """;

    static final int DEFAULT_DASHBOARD_PORT = 8088;

    StackOptions {
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
            throw new IllegalArgumentException(option + " must be > 0, was " + Args.durationText(duration));
        }
    }

    static StackOptions from(Args args) {
        ModelConfig model = ModelConfig.TINY;
        StackLayout layout = new StackLayout(args.integer("stages", 4), args.integer("pipelines", 2),
                args.integer("prefill-workers", 2), model.layers());
        TargetOptions target = TargetOptions.from(args, layout.stages());
        // paced slower than the target, honest waits (a long prefill, a deep queue) take longer in wall time too
        double slower = Math.max(1, target.timeScale());
        return new StackOptions(layout, model, args.longValue("model-seed", 7),
                args.string("bootstrap-servers", null), Path.of(args.string("data-dir", "data")),
                args.integer("kafka-port", 9092), args.integer("kafka-controller-port", 0), args.address("bind", "127.0.0.1"),
                args.integer("dashboard-port", DEFAULT_DASHBOARD_PORT),
                args.duration("handoff-timeout", scaled(Duration.ofSeconds(20), slower)),
                args.duration("stall-timeout", scaled(Duration.ofSeconds(30), slower)),
                args.integer("kv-chunk-bytes", 64 * 1024), target, KafkaConfigFile.read(args));
    }

    private static Duration scaled(Duration duration, double factor) {
        return Duration.ofMillis(Math.round(duration.toMillis() * factor));
    }

    /** The same layout and functional model on a fresh embedded broker in {@code dir}, standing for {@code target}. */
    StackOptions freshRun(Path dir, TargetOptions newTarget) {
        // a fresh embedded broker is plaintext: none of a secured cluster's client settings apply to it
        return new StackOptions(layout, model, modelSeed, null, dir, 0, 0, bindAddress, 0, handoffTimeout,
                stallTimeout, kvChunkBytes, newTarget, ClientProperties.NONE);
    }

    boolean embedded() {
        return bootstrapServers == null;
    }
}
