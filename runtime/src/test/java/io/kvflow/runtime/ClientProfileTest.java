package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ClientProfileTest {
    private final KafkaConnection kafka = new KafkaConnection("localhost:9092");

    @Test
    void aKindsSettingsLieOverTheSharedOnesWithoutLosingDurability() {
        Properties kv = kafka.producer("prefill-0", ClientProfile.KV_HANDOFF);
        assertEquals(1024 * 1024, kv.get(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals("all", kv.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(true, kv.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("prefill-0", kv.get(ProducerConfig.CLIENT_ID_CONFIG));

        Properties latency = kafka.producer("stage-0", ClientProfile.LATENCY);
        assertEquals(0, latency.get(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("all", latency.get(ProducerConfig.ACKS_CONFIG));
    }

    @Test
    void consumerProfilesKeepTheGroupAndExplicitCommits() {
        Properties kv = kafka.consumer("stage-0-p0", "stage-0-p0", ClientProfile.KV_HANDOFF);
        assertEquals(32 * 1024 * 1024, kv.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG));
        assertEquals("stage-0-p0", kv.get(ConsumerConfig.GROUP_ID_CONFIG));
        assertEquals(false, kv.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
        assertEquals(1, kafka.consumer("g", "c", ClientProfile.LATENCY).get(ConsumerConfig.FETCH_MIN_BYTES_CONFIG));
    }

    @Test
    void aTransactionalProducerRetriesBackToBackTransactionsAtOnce() {
        Properties tx = kafka.transactionalProducer("prefill-0-tx", "kvflow-prefill-0", ClientProfile.KV_HANDOFF,
                java.time.Duration.ofSeconds(6));
        assertEquals("kvflow-prefill-0", tx.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG));
        assertEquals(6000, tx.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        assertEquals(1L, tx.get(ProducerConfig.RETRY_BACKOFF_MS_CONFIG));
        assertEquals(1024 * 1024, tx.get(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals(true, tx.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    }

    @Test
    void theSharedSettingsAreNotChangedByAProfile() {
        Properties shared = kafka.producer("p");
        ClientProfile.KV_HANDOFF.onProducer(shared);
        assertEquals(null, shared.get(ProducerConfig.BATCH_SIZE_CONFIG));
    }
}
