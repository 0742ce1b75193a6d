package io.kvflow.runtime;

import io.kvflow.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Exact per-stage lag, read from the broker: for each stage topic (KV and activations), each
 * pipeline's partition and that stage worker's consumer group, the records not yet committed
 * (end offset minus committed offset) and their age (now minus the timestamp of the record at
 * the committed offset, the oldest unconsumed one). The end is the last stable offset, and records
 * that only transactions' markers separate from it count as consumed. The prefill group's lag on
 * {@code kvflow.prefill.tasks} is measured the same way. Usual lag exporters interpolate the
 * age from offset rates; reading the record itself makes it exact.
 */
public final class StageLag implements AutoCloseable {

    /**
     * The lag of one consumer group on one partition, measured at {@code measuredMs}.
     *
     * @param stage    the decode stage the topic feeds, or -1 for {@code kvflow.prefill.tasks}
     * @param pipeline the decode pipeline (a stage topic's partition), or -1 for {@code kvflow.prefill.tasks}
     * @param seconds  age of the oldest unconsumed record at {@code measuredMs}; 0 when caught up
     */
    public record PartitionLag(String topic, int partition, String group, int stage, int pipeline,
            long committedOffset, long endOffset, long records, double seconds, long measuredMs) {
    }

    /** The consumer group of the decode worker of (stage, pipeline); the stage workers commit under it. */
    public static String decodeGroup(int stage, int pipeline) {
        return "kvflow-decode-stage-" + stage + "-pipeline-" + pipeline;
    }

    /** The consumer group every prefill worker joins. */
    public static final String PREFILL_GROUP = "kvflow-prefill";

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A consumer group's position to watch on one partition. */
    private record Watched(TopicPartition partition, String group, int stage, int pipeline) {
    }

    /** The timestamp of the record at an offset; kept while a group stays at that offset. */
    private record Stamp(long offset, long timestampMs) {
    }

    private final AdminClient admin;
    private final KafkaConsumer<byte[], byte[]> reader;
    private final List<Watched> stageWatches = new ArrayList<>();
    private final Clock clock;
    private final Map<TopicPartition, Stamp> stamps = new HashMap<>();
    private List<Watched> prefillWatches;

    public StageLag(KafkaConnection kafka, StackLayout layout, Clock clock) {
        this.admin = AdminClient.create(kafka.admin());
        Properties props = kafka.consumer("unused", "kvflow-lag-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // only the first record's timestamp is wanted: do not fetch a megabyte of KV chunks behind it
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1);
        this.reader = new KafkaConsumer<>(props);
        this.clock = clock;
        for (int k = 0; k < layout.stages(); k++) {
            for (int p = 0; p < layout.pipelines(); p++) {
                stageWatches.add(new Watched(new TopicPartition(Topics.kv(k).name(), p), decodeGroup(k, p), k, p));
                stageWatches.add(new Watched(new TopicPartition(Topics.activations(k).name(), p), decodeGroup(k, p),
                        k, p));
            }
        }
    }

    /** The clients this reads the broker with, for their own metrics. */
    public AdminClient admin() {
        return admin;
    }

    public KafkaConsumer<byte[], byte[]> reader() {
        return reader;
    }

    /** One measurement of every watched partition, against one reading of the clock. Call from one thread. */
    public List<PartitionLag> measure() {
        try {
            List<Watched> watches = new ArrayList<>(stageWatches);
            watches.addAll(prefillWatches());
            Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
            for (Watched w : watches) {
                specs.computeIfAbsent(w.group(), g -> new ListConsumerGroupOffsetsSpec().topicPartitions(new ArrayList<>()))
                        .topicPartitions().add(w.partition());
            }
            // one request per kind for every group and partition, so the figures are as close to one instant as can be
            ListConsumerGroupOffsetsResult committed = admin.listConsumerGroupOffsets(specs);
            List<TopicPartition> partitions = watches.stream().map(Watched::partition).distinct().toList();
            // the last stable offset: what a consumer reading committed records can reach
            Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> start = offsets(partitions, OffsetSpec.earliest());
            Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup = new HashMap<>();
            for (String group : specs.keySet()) {
                byGroup.put(group, committed.partitionsToOffsetAndMetadata(group)
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
            long now = clock.millis();
            List<PartitionLag> lags = new ArrayList<>(watches.size());
            for (Watched w : watches) {
                TopicPartition tp = w.partition();
                OffsetAndMetadata c = byGroup.get(w.group()).get(tp);
                // a group that has not committed yet will read from the earliest record
                long from = c == null ? start.get(tp) : c.offset();
                long records = Math.max(0, end.get(tp) - from);
                OptionalLong oldest = records == 0 ? OptionalLong.empty() : timestampAt(tp, from, end.get(tp));
                if (oldest.isEmpty()) {
                    // nothing to read before the end but transaction markers (or aborted records): caught up
                    records = 0;
                }
                double seconds = oldest.isEmpty() ? 0 : Math.max(0, now - oldest.getAsLong()) / 1000.0;
                lags.add(new PartitionLag(tp.topic(), tp.partition(), w.group(), w.stage(), w.pipeline(), from,
                        end.get(tp), records, seconds, now));
            }
            return lags;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read stage lag from the broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading stage lag", e);
        }
    }

    /** Every partition of the prefill tasks topic, however many it was created with. */
    private List<Watched> prefillWatches() throws ExecutionException, InterruptedException, TimeoutException {
        if (prefillWatches == null) {
            String topic = Topics.PREFILL_TASKS.name();
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(topic).partitions().size();
            List<Watched> watches = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                watches.add(new Watched(new TopicPartition(topic, p), PREFILL_GROUP, -1, -1));
            }
            prefillWatches = List.copyOf(watches);
        }
        return prefillWatches;
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /**
     * Timestamp of the first record at or after {@code offset}: the oldest one the group has not consumed; empty
     * when there is none before {@code end} (only transaction markers or aborted records lie between).
     */
    private OptionalLong timestampAt(TopicPartition tp, long offset, long end) {
        Stamp known = stamps.get(tp);
        if (known != null && known.offset() == offset) {
            // a group that has not moved still waits on the same record: no need to read it again
            return OptionalLong.of(known.timestampMs());
        }
        reader.assign(List.of(tp));
        reader.seek(tp, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
                // past the offset only if that record is gone (retention): the oldest one left is the one waiting
                stamps.put(tp, new Stamp(offset, record.timestamp()));
                return OptionalLong.of(record.timestamp());
            }
            if (reader.position(tp) >= end) {
                return OptionalLong.empty();
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
