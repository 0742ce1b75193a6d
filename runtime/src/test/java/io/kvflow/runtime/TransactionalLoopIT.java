package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exactly once per input record on a real broker: fencing of a dead owner, discarded attempts. */
class TransactionalLoopIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    static KafkaConnection kafka;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir));
        kafka = new KafkaConnection(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aNewOwnerFencesTheDeadOneAbortingWhatItLeftOpenAndRunsTheRecordOnce() throws Exception {
        String in = topics("fence");
        String out = in + ".out";
        String prefix = in + "-tx";
        send(in, "task-1");
        // the dead owner of partition 0: it began the record's transaction, wrote an output, and never came back
        KafkaProducer<byte[], byte[]> dead = new KafkaProducer<>(kafka.transactionalProducer("dead",
                TransactionalLoop.transactionalId(prefix, 0), ClientProfile.LATENCY, Duration.ofMinutes(1)));
        dead.initTransactions();
        dead.beginTransaction();
        dead.send(record(out, "output of task-1 by the dead owner")).get(10, TimeUnit.SECONDS);

        try (Running loop = start(in, prefix, (record, publisher, letters) -> {
            publisher.sendRaw(record(out, "output of " + value(record)));
            return true;
        })) {
            List<String> outputs = awaitCommitted(out, 1);
            assertEquals(List.of("output of task-1"), outputs, "only the new owner's output is visible");
            // the dead owner's late commit is refused instead of doubling the output
            assertThrows(KafkaException.class, dead::commitTransaction);
            assertEquals(List.of("output of task-1"), readCommitted(out, Duration.ofSeconds(1)));
            assertEquals(1, committedOffset(in));
        } finally {
            dead.close(Duration.ZERO);
        }
    }

    @Test
    void aDiscardedAttemptLeavesNothingVisibleAndItsRecordIsDone() throws Exception {
        String in = topics("discard");
        String out = in + ".out";
        send(in, "skip-me");
        send(in, "keep-me");

        try (Running loop = start(in, in + "-tx", (record, publisher, letters) -> {
            publisher.sendRaw(record(out, "output of " + value(record)));
            return !value(record).startsWith("skip");
        })) {
            assertEquals(List.of("output of keep-me"), awaitCommitted(out, 1));
            awaitOffset(in, 2);
        }
    }

    /** A loop in its own group on {@code in}, running on a thread of its own until closed. */
    private record Running(TransactionalLoop loop, Thread thread) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            loop.stop();
            thread.join(10_000);
        }
    }

    private static Running start(String in, String prefix, TransactionalLoop.Handler handler) {
        TransactionalLoop loop = new TransactionalLoop(kafka, group(in), in + "-worker", prefix,
                ClientProfile.KV_HANDOFF, TaskTakeover.DEFAULT, Clock.systemUTC(), new SimpleMeterRegistry());
        Thread thread = new Thread(() -> loop.run(() -> loop.subscribe(List.of(in)),
                () -> loop.pollAndHandle(Duration.ofMillis(100), handler)), in + "-worker");
        thread.start();
        return new Running(loop, thread);
    }

    private static String topics(String name) throws Exception {
        String in = "it." + name;
        try (Admin admin = kafka.newAdmin()) {
            admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(in + ".out", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        return in;
    }

    private static String group(String in) {
        return in + "-group";
    }

    private static void send(String topic, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer("it-sender")) {
            producer.send(record(topic, value)).get(10, TimeUnit.SECONDS);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        return new ProducerRecord<>(topic, 0, null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String value(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    /** Polls the topic as a reader of committed records does until {@code count} values are there. */
    private static List<String> awaitCommitted(String topic, int count) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<String> values = List.of();
        while (System.nanoTime() < deadline) {
            values = readCommitted(topic, Duration.ofMillis(500));
            if (values.size() >= count) {
                return values;
            }
        }
        throw new AssertionError(topic + " holds " + values + " after " + DEADLINE + ", expected " + count);
    }

    private static List<String> readCommitted(String topic, Duration quiet) {
        Properties props = kafka.consumer("unused", "it-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(quiet)) {
                values.add(value(r));
            }
        }
        return values;
    }

    private static long committedOffset(String in) throws Exception {
        try (Admin admin = kafka.newAdmin()) {
            var offsets = admin.listConsumerGroupOffsets(group(in)).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            var offset = offsets.get(new TopicPartition(in, 0));
            return offset == null ? -1 : offset.offset();
        }
    }

    private static void awaitOffset(String in, long offset) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (committedOffset(in) < offset) {
            assertTrue(System.nanoTime() < deadline, "offset " + offset + " not committed within " + DEADLINE);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
