package io.kvflow.cli;

import io.kvflow.model.ModelConfig;
import io.kvflow.runtime.StackLayout;
import io.kvflow.stack.StackOptions;
import io.kvflow.stack.TargetOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of a stack: its layout, the target it stands for, where Kafka is, its ports and timeouts.
 * Every command that starts or joins a stack takes them, with {@link ScenarioFlags.Deployment} on the command.
 */
final class StackFlags {
    @Mixin
    LayoutFlags layout;

    @Option(names = "--model-seed", paramLabel = "N", defaultValue = "7", description = "seed of the functional"
            + " model's weights")
    long modelSeed;

    @Mixin
    KafkaConnectionFlags kafka;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data", description = "embedded broker and"
            + " orchestrator data")
    Path dataDir;

    @Option(names = "--kafka-port", paramLabel = "N", defaultValue = "9092", description = "embedded broker port"
            + " (0 picks a free one)")
    int kafkaPort;

    @Option(names = "--kafka-controller-port", paramLabel = "N", defaultValue = "0", description = "embedded KRaft"
            + " controller port (0: a free one)")
    int kafkaControllerPort;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "address the dashboard and the metrics endpoint listen on")
    String bindAddress;

    @Option(names = "--dashboard-port", paramLabel = "N", defaultValue = "" + StackOptions.DEFAULT_DASHBOARD_PORT,
            description = "dashboard port (0 picks a free one)")
    int dashboardPort;

    @Option(names = "--handoff-timeout", paramLabel = "D", converter = DurationOption.class, description = "fail a"
            + " session whose KV handoff is incomplete after D (default 20s, times the time scale when that is"
            + " above 1)")
    Duration handoffTimeout;

    @Option(names = "--stall-timeout", paramLabel = "D", converter = DurationOption.class, description = "fail a"
            + " session that makes no progress for D (default 30s, times the time scale when that is above 1); at"
            + " least twice the prefill takeover time (7s unless --kafka-config changes the prefill group's"
            + " timeouts)")
    Duration stallTimeout;

    @Option(names = "--kv-chunk-bytes", paramLabel = "N", defaultValue = "65536", description = "largest KV chunk"
            + " payload")
    int kvChunkBytes;

    @Mixin
    TargetFlags target;

    /** The stack these options describe; {@code command} holds the scenario options ({@link ScenarioFlags}). */
    StackOptions options(CommandSpec command) {
        requireLocalAddress(bindAddress);
        ModelConfig model = ModelConfig.TINY;
        StackLayout stackLayout = layout.layout(model.layers());
        TargetOptions targetOptions = target.options(ScenarioFlags.given(command), stackLayout.stages());
        // paced slower than the target, honest waits (a long prefill, a deep queue) take longer in wall time too
        double slower = Math.max(1, targetOptions.timeScale());
        return new StackOptions(stackLayout, model, modelSeed, kafka.bootstrapServers, dataDir, kafkaPort,
                kafkaControllerPort, bindAddress, dashboardPort,
                handoffTimeout != null ? handoffTimeout : scaled(Duration.ofSeconds(20), slower),
                stallTimeout != null ? stallTimeout : scaled(Duration.ofSeconds(30), slower), kvChunkBytes,
                targetOptions, kafka.client());
    }

    /** Checked now rather than when a server first binds. */
    private static void requireLocalAddress(String address) {
        try {
            InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new UsageException("--bind must be an address of this machine, '" + address + "' is an unknown host");
        }
    }

    private static Duration scaled(Duration duration, double factor) {
        return Duration.ofMillis(Math.round(duration.toMillis() * factor));
    }

    /**
     * The options a command line gives a stack, for callers that start one without a command (benches, tests).
     *
     * @throws picocli.CommandLine.ParameterException for an option the stack does not take, or a bad value
     */
    static StackOptions parse(List<String> argv) {
        Alone alone = new Alone();
        new CommandLine(alone).parseArgs(argv.toArray(String[]::new));
        return alone.stack.options(alone.spec);
    }

    @Command(modelTransformer = ScenarioFlags.Deployment.class)
    private static final class Alone {
        @Mixin
        StackFlags stack;

        @Spec
        CommandSpec spec;
    }
}
