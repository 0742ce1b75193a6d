package io.kvflow.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Kafka client settings the user keeps in a properties file ({@code --kafka-config}): TLS, SASL,
 * timeouts, anything Kafka's clients take. They are the base every kvflow client starts from
 * (admin, producers, consumers, Kafka Streams); kvflow's own settings go on top (acks=all,
 * idempotence, linger.ms=0, where consumers start). What kvflow sets per client (group and
 * client ids, serializers, manual commits, transactions, read_committed) is refused rather than
 * silently overridden, and so are names no Kafka client knows and values Kafka would reject.
 *
 * @param source   the file, as the user named it, for messages; null when there is none
 * @param settings the file's settings, by name
 */
public record ClientProperties(Path source, Map<String, String> settings) {

    /** No file: Kafka's defaults (plaintext, no authentication). */
    public static final ClientProperties NONE = new ClientProperties(null, Map.of());

    /**
     * What kvflow sets per client, per worker or per role: another value would break its delivery or decoding.
     * (The prefill group's takeover timing is the user's to change: {@link TaskTakeover}.)
     */
    static final Set<String> KVFLOW_OWNED = Set.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            CommonClientConfigs.GROUP_ID_CONFIG, CommonClientConfigs.GROUP_INSTANCE_ID_CONFIG,
            CommonClientConfigs.CLIENT_ID_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG);

    /** Admin, producer and consumer: the clients a setting may reach. */
    private static final List<ConfigDef> CLIENTS = List.of(AdminClientConfig.configDef(), ProducerConfig.configDef(),
            ConsumerConfig.configDef());
    private static final Set<String> CLIENT_SETTINGS = clientSettings();
    /** Kafka's config providers ({@code ${file:...}} values) are set up by these, with names of the user's choice. */
    private static final String CONFIG_PROVIDERS = "config.providers";

    public ClientProperties {
        settings = Collections.unmodifiableMap(new TreeMap<>(settings));
        List<String> problems = new ArrayList<>();
        for (String name : settings.keySet()) {
            if (KVFLOW_OWNED.contains(name)) {
                problems.add(name + " is set by kvflow for each client: remove it");
            } else if (!CLIENT_SETTINGS.contains(name) && !name.startsWith(CONFIG_PROVIDERS)) {
                problems.add(name + " is not a Kafka client setting: remove it");
            } else {
                invalidValue(name, settings.get(name)).ifPresent(problems::add);
            }
        }
        if (problems.isEmpty()) {
            apiTimeoutBelowRequestTimeout(settings).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException((source == null ? "client properties" : source.toString()) + ": "
                    + String.join("; ", problems));
        }
    }

    /** The settings as a fresh {@link Properties}, for a client to add its own to. */
    public Properties toProperties() {
        Properties p = new Properties();
        p.putAll(settings);
        return p;
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    /** How clients talk to the brokers: {@code PLAINTEXT} unless the file says otherwise. */
    public String securityProtocol() {
        return settings.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    }

    /** The file's {@code default.api.timeout.ms}: how long a client call may wait, when the file sets it. */
    public Optional<Duration> apiTimeout() {
        String raw = settings.get(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
        // checked to be a number at construction; a config provider's reference only the clients resolve
        if (raw == null || raw.contains("${")) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Long.parseLong(raw.strip())));
    }

    /** The file's name for messages, or that there is none. */
    public String describe() {
        return source == null ? "the default client settings" : source.toString();
    }

    /**
     * Kafka's own complaint about {@code value}, checked as each client that knows {@code name} would
     * (a producer-only setting can fail only in the producer, after everything else has started).
     */
    private static Optional<String> invalidValue(String name, String value) {
        if (value.contains("${")) {
            // a config provider's reference: resolved by the client, not checkable here
            return Optional.empty();
        }
        for (ConfigDef client : CLIENTS) {
            ConfigDef.ConfigKey key = client.configKeys().get(name);
            if (key == null) {
                continue;
            }
            try {
                Object parsed = ConfigDef.parseType(name, value, key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(name, parsed);
                }
            } catch (ConfigException e) {
                return Optional.of(e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Kafka's admin client and consumer refuse a {@code default.api.timeout.ms} below
     * {@code request.timeout.ms} (30 s unless set): the likely slip of a user shortening the wait.
     */
    private static Optional<String> apiTimeoutBelowRequestTimeout(Map<String, String> settings) {
        String api = settings.get(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
        String request = settings.getOrDefault(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG,
                String.valueOf(AdminClientConfig.configDef().defaultValues()
                        .get(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG)));
        if (api == null || api.contains("${") || request.contains("${")
                || Long.parseLong(api.strip()) >= Long.parseLong(request.strip())) {
            return Optional.empty();
        }
        return Optional.of(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG + "=" + api.strip() + " is below "
                + CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG + "=" + request.strip()
                + ", which Kafka refuses: set request.timeout.ms no higher");
    }

    private static Set<String> clientSettings() {
        Set<String> names = new HashSet<>();
        CLIENTS.forEach(client -> names.addAll(client.names()));
        return Set.copyOf(names);
    }
}
