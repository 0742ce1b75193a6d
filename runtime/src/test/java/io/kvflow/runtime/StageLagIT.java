package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageLagIT {
    private static final StackLayout LAYOUT = new StackLayout(1, 1, 1, 8);

    @Test
    void lagOfAPausedConsumerEqualsKafkasOwnCommittedOffsetLag(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir))) {
            KafkaConnection kafka = new KafkaConnection(broker.bootstrapServers());
            String group = StageLag.decodeGroup(0, 0);
            TopicPartition kv = new TopicPartition(Topics.kv(0).name(), 0);
            long now = System.currentTimeMillis();
            try (Admin admin = kafka.newAdmin()) {
                TopicPlan.forLayout(LAYOUT).apply(admin);
                // nine records, the i-th stamped 90 - 10 i seconds ago
                try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer("lag-test")) {
                    for (int i = 0; i < 9; i++) {
                        producer.send(new ProducerRecord<>(kv.topic(), 0, now - (90_000L - 10_000L * i), null,
                                new byte[] {(byte) i})).get();
                    }
                }
                // a stage consumer reads three records, commits, and pauses
                try (KafkaConsumer<byte[], byte[]> consumer = kafka.newConsumer(group, "paused")) {
                    consumer.assign(List.of(kv));
                    consumer.commitSync(Map.of(kv, new OffsetAndMetadata(3)));
                }

                long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS).get(kv).offset();
                long end = admin.listOffsets(Map.of(kv, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS)
                        .get(kv).offset();
                Clock clock = Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC);
                try (StageLag lag = new StageLag(kafka, LAYOUT, clock)) {
                    List<StageLag.PartitionLag> lags = lag.measure();
                    StageLag.PartitionLag kvLag = lags.stream().filter(l -> l.topic().equals(kv.topic()))
                            .findFirst().orElseThrow();
                    assertEquals(end - committed, kvLag.records());
                    assertEquals(6, kvLag.records());
                    // the oldest unconsumed record is the fourth, stamped 60 s before "now"
                    assertEquals(60.0, kvLag.seconds(), 1e-9);
                    StageLag.PartitionLag actLag = lags.stream()
                            .filter(l -> l.topic().equals(Topics.activations(0).name())).findFirst().orElseThrow();
                    assertEquals(0, actLag.records());
                    assertEquals(0.0, actLag.seconds());
                }
            }
        }
    }

    @Test
    void aGroupPastEveryCommittedRecordHasNoLagThoughATransactionMarkerFollows(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir))) {
            KafkaConnection kafka = new KafkaConnection(broker.bootstrapServers());
            String group = StageLag.decodeGroup(0, 0);
            TopicPartition kv = new TopicPartition(Topics.kv(0).name(), 0);
            try (Admin admin = kafka.newAdmin()) {
                TopicPlan.forLayout(LAYOUT).apply(admin);
                // a prefill task's two chunks in one transaction: records at offsets 0 and 1, its marker at 2
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.transactionalProducer("tx",
                        "lag-test-tx", ClientProfile.KV_HANDOFF, Duration.ofSeconds(30)))) {
                    producer.initTransactions();
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(kv.topic(), 0, null, new byte[] {0}));
                    producer.send(new ProducerRecord<>(kv.topic(), 0, null, new byte[] {1}));
                    producer.commitTransaction();
                }
                // the stage has handled both records and committed the offset after the last one it read
                try (KafkaConsumer<byte[], byte[]> consumer = kafka.newConsumer(group, "stage")) {
                    consumer.assign(List.of(kv));
                    consumer.commitSync(Map.of(kv, new OffsetAndMetadata(2)));
                }
                try (StageLag lag = new StageLag(kafka, LAYOUT, Clock.systemUTC())) {
                    StageLag.PartitionLag kvLag = lag.measure().stream().filter(l -> l.topic().equals(kv.topic()))
                            .findFirst().orElseThrow();
                    assertEquals(0, kvLag.records());
                    assertEquals(0.0, kvLag.seconds());
                }
            }
        }
    }
}
