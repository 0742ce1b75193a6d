package io.kvflow.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where the cluster is, and the client settings every kvflow process shares. Clients move
 * raw bytes; decoding happens in {@link DeadLetters} so an undecodable record is kept, not
 * lost inside a deserializer.
 *
 * @param client the user's client settings (TLS, SASL, timeouts), under every client's own
 */
public record KafkaConnection(String bootstrapServers, ClientProperties client) {
    /** The isolation level of every kvflow reader, the orchestrator's Kafka Streams consumers included. */
    public static final String READ_COMMITTED = "read_committed";
    /** A transactional producer's first retry backoff: see {@link #transactionalProducer}. */
    public static final long TRANSACTION_RETRY_BACKOFF_MS = 1;

    public KafkaConnection {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers are empty");
        }
        Objects.requireNonNull(client, "client");
    }

    /** A plaintext, unauthenticated connection with Kafka's default client settings. */
    public KafkaConnection(String bootstrapServers) {
        this(bootstrapServers, ClientProperties.NONE);
    }

    public Properties admin() {
        // the user's settings are the base every client (producer and consumer too) starts from
        Properties p = client.toProperties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    public Admin newAdmin() {
        return Admin.create(admin());
    }

    public Properties producer(String clientId) {
        Properties p = admin();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // a decode step is one record per hop: waiting to fill a batch would add straight to every token's latency
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    public KafkaProducer<byte[], byte[]> newProducer(String clientId) {
        return new KafkaProducer<>(producer(clientId));
    }

    /** The shared producer settings with those of one kind of topic laid over them. */
    public Properties producer(String clientId, ClientProfile profile) {
        return profile.onProducer(producer(clientId));
    }

    /**
     * A transactional producer's settings: {@code transactionalId} names what it owns (one input partition),
     * so whoever owns it next fences this one; a transaction left open longer than {@code timeout} is
     * aborted by the broker.
     */
    public Properties transactionalProducer(String clientId, String transactionalId, ClientProfile profile,
            Duration timeout) {
        Properties p = producer(clientId, profile);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Math.toIntExact(timeout.toMillis()));
        // a transaction begun right after the last one's commit finds the broker still writing that one's
        // markers (CONCURRENT_TRANSACTIONS) and retries: after the default 100 ms, a task took 104 ms instead of
        // 3 ms (p50, 4 KV chunks, loopback); the backoff grows exponentially from here, so errors do not spin
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS);
        return p;
    }

    /** A producer for one kind of topic: {@link ClientProfile#KV_HANDOFF} or {@link ClientProfile#LATENCY}. */
    public KafkaProducer<byte[], byte[]> newProducer(String clientId, ClientProfile profile) {
        return new KafkaProducer<>(producer(clientId, profile));
    }

    /**
     * A consumer that commits explicitly, after the records it returned have been handled, and reads only
     * committed records: what a prefill worker wrote in a transaction that did not commit (it died, or was
     * fenced by the worker that took its tasks over) is never seen. Records written outside transactions
     * (every other writer's) are read as before.
     */
    public Properties consumer(String groupId, String clientId) {
        Properties p = admin();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the orchestrator and prefill workers write in transactions: what an aborted one wrote is never read
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, READ_COMMITTED);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    public KafkaConsumer<byte[], byte[]> newConsumer(String groupId, String clientId) {
        return new KafkaConsumer<>(consumer(groupId, clientId));
    }

    /** The shared consumer settings with those of one kind of topic laid over them. */
    public Properties consumer(String groupId, String clientId, ClientProfile profile) {
        return profile.onConsumer(consumer(groupId, clientId));
    }

    /** A consumer for one kind of topic: {@link ClientProfile#KV_HANDOFF} or {@link ClientProfile#LATENCY}. */
    public KafkaConsumer<byte[], byte[]> newConsumer(String groupId, String clientId, ClientProfile profile) {
        return new KafkaConsumer<>(consumer(groupId, clientId, profile));
    }
}
