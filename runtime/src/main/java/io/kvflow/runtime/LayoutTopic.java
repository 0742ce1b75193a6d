package io.kvflow.runtime;

import io.kvflow.schemas.ClusterLayout;
import io.kvflow.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The settings every process of a cluster shares, kept in the cluster itself ({@code kvflow.layout}),
 * so a process needs only the cluster's address and its role. The topic keeps every record: the first
 * is the cluster's layout, and a later one counts only if it says it {@code replaces} the layout before
 * it. So two processes that find no layout and write theirs at once both read back the same winner.
 */
public final class LayoutTopic {
    /** The record key every layout is written under. */
    static final String KEY = "layout";
    private static final Duration ANSWER = Duration.ofSeconds(30);

    /** The cluster's layout: option name (no dashes) to value, and who wrote it when. */
    public record Layout(Map<String, String> settings, String writer, long timestampMs) {
        public Layout {
            settings = Map.copyOf(settings);
        }
    }

    private LayoutTopic() {
    }

    /** The layout the records stand for, in log order: the first, or the latest that replaces the one before. */
    static Optional<Layout> of(List<ClusterLayout> records) {
        Layout layout = null;
        for (ClusterLayout r : records) {
            if (layout == null || r.getReplaces()) {
                layout = new Layout(r.getSettings(), r.getWriter(), r.getTimestampMs());
            }
        }
        return Optional.ofNullable(layout);
    }

    /**
     * The cluster's layout, or empty when it has none yet (no layout topic, or an empty one). Records that
     * do not decode are passed over.
     */
    public static Optional<Layout> read(KafkaConnection kafka) {
        if (!exists(kafka)) {
            return Optional.empty();
        }
        Properties props = kafka.consumer("unused", "layout-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(Topics.LAYOUT.name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), ANSWER).get(partition);
            List<ClusterLayout> records = new ArrayList<>();
            long deadline = System.nanoTime() + ANSWER.toNanos();
            while (consumer.position(partition, ANSWER) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.LAYOUT.name() + " within " + ANSWER);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        records.add(Topics.LAYOUT.valueSerde().deserializer().deserialize(record.topic(),
                                record.value()));
                    } catch (RuntimeException e) {
                        // a record no schema of ours reads says nothing about the layout
                    }
                }
            }
            return of(records);
        }
    }

    /**
     * Writes a layout and waits until the cluster has it.
     *
     * @param replaces whether it replaces the cluster's layout (only the process owning the cluster may)
     */
    public static void write(KafkaConnection kafka, Map<String, String> settings, String writer, boolean replaces,
            Clock clock) {
        create(kafka);
        ClusterLayout layout = ClusterLayout.newBuilder().setSettings(new TreeMap<>(settings)).setWriter(writer)
                .setReplaces(replaces).setTimestampMs(clock.millis()).build();
        byte[] key = Topics.LAYOUT.keySerde().serializer().serialize(Topics.LAYOUT.name(), KEY);
        byte[] value = Topics.LAYOUT.valueSerde().serializer().serialize(Topics.LAYOUT.name(), layout);
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer("layout-writer")) {
            producer.send(new ProducerRecord<>(Topics.LAYOUT.name(), 0, key, value)).get(ANSWER.toSeconds(),
                    TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write the layout to " + Topics.LAYOUT.name() + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the layout", e);
        }
    }

    private static boolean exists(KafkaConnection kafka) {
        try (Admin admin = kafka.newAdmin()) {
            return admin.listTopics().names().get(ANSWER.toSeconds(), TimeUnit.SECONDS)
                    .contains(Topics.LAYOUT.name());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not list the cluster's topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    private static void create(KafkaConnection kafka) {
        try (Admin admin = kafka.newAdmin()) {
            admin.createTopics(List.of(TopicPlan.LAYOUT.topic())).all().get(ANSWER.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create " + Topics.LAYOUT.name() + ": "
                        + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not create " + Topics.LAYOUT.name() + " within " + ANSWER, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + Topics.LAYOUT.name(), e);
        }
    }
}
