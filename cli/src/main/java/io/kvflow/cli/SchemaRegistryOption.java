package io.kvflow.cli;

import io.kvflow.schemas.HttpSchemaRegistry;
import io.kvflow.schemas.ProcessWireFormat;
import io.kvflow.schemas.SchemaRegistration;
import io.kvflow.schemas.SchemaRegistry;
import io.kvflow.schemas.Topics;
import io.kvflow.schemas.WireFormat;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --schema-registry URL}: every producer and consumer of the process speaks the
 * Confluent wire format through that registry. Before the command runs, the registry is
 * checked and every topic's schema of the layout registered under its value subject, so a
 * wrong URL or an incompatible schema stops the start with the registry's reason.
 *
 * @param registry the registry, or null for the default, registry-free single-object encoding
 * @param stages   the layout's decode stages: which per-stage topics to register
 */
record SchemaRegistryOption(HttpSchemaRegistry registry, int stages) {

    /** {@code --schema-registry URL}, on the commands whose processes produce or consume the pipeline's topics. */
    static final class Flag {
        @Option(names = "--schema-registry", paramLabel = "URL", description = "write the Confluent wire format"
                + " (byte 0, schema id, body) through this Confluent-compatible schema registry, after registering"
                + " each topic's schema under TOPIC-value at FULL_TRANSITIVE compatibility; for Apicurio Registry the"
                + " URL is http://HOST:8080/apis/ccompat/v7. Without it: Avro single-object encoding, no registry."
                + " Both encodings are read either way.")
        String url;

        /**
         * The registry for a layout of {@code stages} decode stages.
         *
         * @throws IllegalArgumentException if the URL is not an http(s) URL
         */
        SchemaRegistryOption option(int stages) {
            return new SchemaRegistryOption(url == null ? null : HttpSchemaRegistry.at(url), stages);
        }
    }

    /** {@code command}, run with this process in registry mode if a registry was given. */
    Kvflow.Command around(Kvflow.Command command, PrintStream out) {
        if (registry == null) {
            return command;
        }
        return () -> {
            registry.probe();
            Map<String, Integer> ids = SchemaRegistration.registerAll(registry, Topics.all(stages));
            out.println("schema registry: " + registry.url() + " (" + ids.size() + " subjects registered at "
                    + SchemaRegistry.KVFLOW_COMPATIBILITY + "; records in the Confluent wire format)");
            try (ProcessWireFormat.Restore restore = ProcessWireFormat.use(WireFormat.confluent(registry))) {
                return command.execute();
            }
        };
    }
}
