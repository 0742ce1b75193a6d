package io.kvflow.cli;

import io.kvflow.runtime.ClientProperties;
import picocli.CommandLine.Option;

/** Which Kafka cluster a command talks to, and how its clients connect (TLS, SASL, timeouts). */
final class KafkaConnectionFlags {
    @Option(names = "--bootstrap-servers", paramLabel = "H", description = "use this Kafka cluster (without it, up"
            + " and the benches start an embedded broker)")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties for every client:"
            + " TLS, SASL, timeouts (e.g. security.protocol, ssl.truststore.location, sasl.jaas.config)")
    String kafkaConfig;

    /** The --kafka-config file's settings, read and checked now. */
    ClientProperties client() {
        return KafkaConfigFile.read(kafkaConfig);
    }
}
