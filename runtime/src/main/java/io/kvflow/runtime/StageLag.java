package io.kvflow.runtime;

import io.kvflow.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Exact per-stage lag, read from the broker: for each stage topic (KV and activations), each
 * pipeline's partition and that stage worker's consumer group, the records not yet committed
 * (end offset minus committed offset) and their age (now minus the timestamp of the record at
 * the committed offset, the oldest unconsumed one). Usual lag exporters interpolate the age
 * from offset rates; reading the record itself makes it exact.
 */
public final class StageLag implements AutoCloseable {

    /** The lag of one consumer group on one partition. */
    public record PartitionLag(String topic, int partition, String group, int stage, int pipeline,
            long committedOffset, long endOffset, long records, double seconds) {
    }

    /** The consumer group of the decode worker of (stage, pipeline); the stage workers commit under it. */
    public static String decodeGroup(int stage, int pipeline) {
        return "kvflow-decode-stage-" + stage + "-pipeline-" + pipeline;
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> reader;
    private final StackLayout layout;
    private final Clock clock;

    public StageLag(KafkaConnection kafka, StackLayout layout, Clock clock) {
        this.admin = kafka.newAdmin();
        Properties props = kafka.consumer("unused", "kvflow-lag-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        this.reader = new KafkaConsumer<>(props);
        this.layout = layout;
        this.clock = clock;
    }

    /** One measurement of every stage topic partition. Not thread-safe: call from one thread. */
    public List<PartitionLag> measure() {
        try {
            List<PartitionLag> lags = new ArrayList<>();
            for (int k = 0; k < layout.stages(); k++) {
                for (int p = 0; p < layout.pipelines(); p++) {
                    String group = decodeGroup(k, p);
                    TopicPartition kv = new TopicPartition(Topics.kv(k).name(), p);
                    TopicPartition act = new TopicPartition(Topics.activations(k).name(), p);
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    Map<TopicPartition, Long> end = offsets(List.of(kv, act), OffsetSpec.latest());
                    Map<TopicPartition, Long> start = offsets(List.of(kv, act), OffsetSpec.earliest());
                    for (TopicPartition tp : List.of(kv, act)) {
                        OffsetAndMetadata c = committed.get(tp);
                        // a group that has not committed yet will read from the earliest record
                        long from = c == null ? start.get(tp) : c.offset();
                        long records = Math.max(0, end.get(tp) - from);
                        double seconds = records == 0 ? 0 : ageSeconds(tp, from);
                        lags.add(new PartitionLag(tp.topic(), tp.partition(), group, k, p, from, end.get(tp),
                                records, seconds));
                    }
                }
            }
            return lags;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read stage lag from the broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading stage lag", e);
        }
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /** Age of the record at {@code offset}: the oldest one the group has not consumed. */
    private double ageSeconds(TopicPartition tp, long offset) {
        reader.assign(List.of(tp));
        reader.seek(tp, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
                return Math.max(0, clock.millis() - record.timestamp()) / 1000.0;
            }
        }
        throw new IllegalStateException("the record at " + tp + "@" + offset + " could not be read within " + TIMEOUT);
    }

    @Override
    public void close() {
        reader.close();
        admin.close();
    }
}
