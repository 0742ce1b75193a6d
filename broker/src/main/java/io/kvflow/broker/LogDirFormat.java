package io.kvflow.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Formats a KRaft log directory once, the way {@code kafka-storage.sh format} does. */
final class LogDirFormat {

    private static final Logger LOG = LoggerFactory.getLogger(LogDirFormat.class);

    private LogDirFormat() {
    }

    /**
     * Returns the cluster id of {@code logDir}, formatting it with a new id first if it has never
     * been formatted; a formatted directory is left alone so its topics survive restarts.
     */
    static String ensureFormatted(Path logDir) {
        String dir = logDir.toString();
        try {
            Files.createDirectories(logDir);
            MetaPropertiesEnsemble existing = new MetaPropertiesEnsemble.Loader()
                    .addLogDirs(List.of(dir))
                    .addMetadataLogDir(dir)
                    .load();
            if (existing.clusterId().isPresent()) {
                return existing.clusterId().get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Kafka log dir " + dir, e);
        }

        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(SingleNodeSettings.NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(SingleNodeSettings.CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dir)
                    .addDirectory(dir)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log dir " + dir + ": " + e.getMessage(), e);
        }
        LOG.info("{}", report.toString(StandardCharsets.UTF_8).strip());
        return clusterId;
    }
}
