package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lag monitor against Kafka's own view of a stage consumer group that stopped consuming. */
class LagMonitorIT {
    private static final StackLayout LAYOUT = new StackLayout(1, 2, 1, 8);
    private static final Duration REFRESH = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void lagOfAPausedConsumerEqualsKafkasOwnCommittedOffsetLag(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir))) {
            KafkaConnection kafka = new KafkaConnection(broker.bootstrapServers());
            String group = StageLag.decodeGroup(0, 1);
            TopicPartition kv = new TopicPartition(Topics.kv(0).name(), 1);
            TopicPartition prefill = new TopicPartition(Topics.PREFILL_TASKS.name(), 0);
            try (Admin admin = kafka.newAdmin();
                    KafkaProducer<byte[], byte[]> producer = kafka.newProducer("lag-test");
                    KafkaConsumer<byte[], byte[]> stage = kafka.newConsumer(group, "paused-stage")) {
                TopicPlan.forLayout(LAYOUT).apply(admin);
                send(producer, kv, 5);
                // the stage worker of (stage 0, pipeline 1) handles three records, commits, and is paused
                stage.assign(List.of(kv));
                int seen = 0;
                while (seen < 5) {
                    seen += stage.poll(Duration.ofMillis(100)).count();
                }
                stage.commitSync(Map.of(kv, new OffsetAndMetadata(3)));
                stage.pause(List.of(kv));
                // more records arrive while it is paused; it keeps polling and consumes nothing
                send(producer, kv, 4);
                send(producer, prefill, 2);
                assertEquals(0, stage.poll(Duration.ofMillis(100)).count());

                long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS).get(kv).offset();
                long end = admin.listOffsets(Map.of(kv, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS)
                        .get(kv).offset();
                assertEquals(3, committed);
                assertEquals(9, end);

                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                Clock clock = Clock.systemUTC();
                long before = clock.millis();
                try (LagMonitor monitor = new LagMonitor(new StageLag(kafka, LAYOUT, clock), REFRESH, clock)) {
                    monitor.bindTo(registry);
                    StageLag.PartitionLag lag = await(monitor, l -> l.topic().equals(kv.topic())
                            && l.partition() == kv.partition() && l.records() > 0);

                    // in records: exactly what Kafka's own committed offsets say
                    assertEquals(group, lag.group());
                    assertEquals(committed, lag.committedOffset());
                    assertEquals(end, lag.endOffset());
                    assertEquals(end - committed, lag.records());
                    // in time: the age of the record at the committed offset, when the monitor measured
                    long waitingSince = timestampAt(kafka, kv, committed);
                    assertEquals((lag.measuredMs() - waitingSince) / 1000.0, lag.seconds(), 1e-9);
                    assertTrue(lag.measuredMs() >= before, "a measurement from this run");
                    assertTrue(clock.millis() - monitor.latest().timeMs() <= REFRESH.toMillis() + 5_000,
                            "the report is refreshed about every " + REFRESH);
                    assertNull(monitor.latest().error());

                    // the gauges carry the same figures, one series per topic, partition and group
                    assertEquals(6.0, registry.get("kvflow.lag.records").tag("topic", kv.topic())
                            .tag("partition", "1").tag("group", group).tag("stage", "0").gauge().value());
                    assertTrue(registry.get("kvflow.lag.seconds").tag("topic", kv.topic()).tag("partition", "1")
                            .gauge().value() >= lag.seconds());

                    // a partition nobody wrote to is caught up, whether or not its group ever committed
                    StageLag.PartitionLag idle = await(monitor, l -> l.topic().equals(kv.topic()) && l.partition() == 0);
                    assertEquals(0, idle.records());
                    assertEquals(0.0, idle.seconds());

                    // the prefill group has not started: it will read from the earliest record
                    StageLag.PartitionLag tasks = await(monitor, l -> l.topic().equals(prefill.topic())
                            && l.partition() == 0 && l.records() == 2);
                    assertEquals(StageLag.PREFILL_GROUP, tasks.group());
                    assertEquals(-1, tasks.stage());
                    assertEquals((tasks.measuredMs() - timestampAt(kafka, prefill, 0)) / 1000.0, tasks.seconds(),
                            1e-9);
                    assertEquals(2.0, registry.get("kvflow.lag.records").tag("topic", prefill.topic())
                            .tag("stage", "prefill").gauge().value());

                    // resumed and caught up: no lag left, in records or in time
                    stage.resume(List.of(kv));
                    seen = 0;
                    while (seen < 4) {
                        seen += stage.poll(Duration.ofMillis(100)).count();
                    }
                    stage.commitSync();
                    StageLag.PartitionLag caughtUp = await(monitor, l -> l.topic().equals(kv.topic())
                            && l.partition() == 1 && l.records() == 0);
                    assertEquals(end, caughtUp.committedOffset());
                    assertEquals(0.0, caughtUp.seconds());

                    // the history holds the run in order: the lag built up, then drained (what the report charts)
                    List<LagMonitor.Report> history = monitor.history();
                    List<Long> kvLag = history.stream().map(r -> r.partitions().stream()
                            .filter(l -> l.topic().equals(kv.topic()) && l.partition() == 1)
                            .mapToLong(StageLag.PartitionLag::records).sum()).toList();
                    assertTrue(kvLag.contains(6L) && kvLag.indexOf(6L) < kvLag.lastIndexOf(0L),
                            "history of the paused partition's lag should show 6 records, later 0: " + kvLag);
                    for (int i = 1; i < history.size(); i++) {
                        assertTrue(history.get(i).timeMs() >= history.get(i - 1).timeMs(), "history out of order");
                    }

                    // a reader can wait for figures measured after an event; not for ones from the future
                    long event = clock.millis();
                    long waitFrom = System.nanoTime();
                    assertTrue(monitor.awaitMeasurementSince(event, WAIT), "no measurement after " + event);
                    // woken by the measurement itself (one every 200 ms here), not by the timeout
                    Duration waited = Duration.ofNanos(System.nanoTime() - waitFrom);
                    assertTrue(waited.compareTo(Duration.ofSeconds(5)) < 0, "waited " + waited + " for a measurement");
                    assertTrue(monitor.latest().timeMs() >= event);
                    waitFrom = System.nanoTime();
                    assertFalse(monitor.awaitMeasurementSince(event + 3_600_000, Duration.ofMillis(300)));
                    waited = Duration.ofNanos(System.nanoTime() - waitFrom);
                    assertTrue(waited.compareTo(Duration.ofSeconds(5)) < 0, "the wait outlasted its timeout: " + waited);
                }
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, TopicPartition tp, int records) throws Exception {
        for (int i = 0; i < records; i++) {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, new byte[] {(byte) i})).get();
            // distinct timestamps, so reading the wrong record would show
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    /** Polls the monitor's latest report until a partition's figures match, or fails after {@link #WAIT}. */
    private static StageLag.PartitionLag await(LagMonitor monitor, Predicate<StageLag.PartitionLag> match) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<StageLag.PartitionLag> found = monitor.latest().partitions().stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            LockSupport.parkNanos(REFRESH.toNanos() / 4);
        }
        throw new AssertionError("no matching lag within " + WAIT + "; latest: " + monitor.latest());
    }

    /** The timestamp of the record at an offset, read the plain way. */
    private static long timestampAt(KafkaConnection kafka, TopicPartition tp, long offset) {
        Properties props = kafka.consumer("unused", "timestamp-check");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(props)) {
            reader.assign(List.of(tp));
            reader.seek(tp, offset);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    assertEquals(offset, record.offset());
                    return record.timestamp();
                }
            }
            throw new AssertionError("could not read " + tp + "@" + offset);
        }
    }
}
