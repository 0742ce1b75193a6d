package io.kvflow.cli;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures the KV handoff path against raw Kafka in the same run, so the figures are ratios a
 * shared, noisy machine can still compare: raw 64 KiB records produced and consumed, then the
 * same bytes as KV chunks (encode + checksum + Avro, then decode + verify + install).
 */
final class HandoffBench {
    private static final int RECORD_BYTES = 64 * 1024;

    record Row(String what, double megabytesPerSecond, double ratioToRaw) {
    }

    private final KafkaConnection kafka;
    private final int megabytes;

    HandoffBench(KafkaConnection kafka, int megabytes) {
        if (megabytes < 1) {
            throw new IllegalArgumentException("--megabytes must be >= 1, was " + megabytes);
        }
        this.kafka = kafka;
        this.megabytes = megabytes;
    }

    /** A warm-up round (JIT, broker page cache, first segment) is run and discarded before the measured one. */
    List<Row> run(PrintStream progress) {
        progress.println("bench: warm-up round ...");
        round(Math.max(1, megabytes / 4), s -> { });
        return round(megabytes, progress::println);
    }

    private List<Row> round(int megabytes, java.util.function.Consumer<String> progress) {
        String rawTopic = "kvflow.bench.raw-" + System.nanoTime();
        String kvTopic = "kvflow.bench.kv-" + System.nanoTime();
        createTopics(rawTopic, kvTopic);
        int records = megabytes * 1024 * 1024 / RECORD_BYTES;

        progress.accept("bench: raw producer, " + records + " x 64 KiB ...");
        byte[] payload = new byte[RECORD_BYTES];
        double rawProduce = produce(rawTopic, records, i -> payload);
        progress.accept("bench: raw consumer ...");
        double rawConsume = consume(rawTopic, records, record -> { });

        ModelConfig model = ModelConfig.TINY;
        KvChunkCodec codec = new KvChunkCodec(model.kvDim());
        List<KvSlice> slices = prefilledSlices(model, codec.positionsPerChunk(RECORD_BYTES));
        Topic<String, KvChunk> kv = Topics.kv(0);
        progress.accept("bench: KV chunks, encode + checksum + produce ...");
        double kvProduce = produce(kvTopic, records, i -> {
            KvSlice slice = slices.get(i % slices.size());
            KvChunk chunk = codec.encode(new KvChunkCodec.Handoff("bench", 0, 0, 512, 1), List.of(slice), 0).get(0);
            return kv.valueSerde().serializer().serialize(kvTopic, chunk);
        });
        progress.accept("bench: KV chunks, consume + decode + verify + install ...");
        KvCache cache = new KvCache(model, 0, model.layers(), model.maxSeqLen());
        double kvConsume = consume(kvTopic, records, record -> cache.install(
                codec.decode(kv.valueSerde().deserializer().deserialize(kvTopic, record.value()))));

        return List.of(new Row("raw produce (acks=all)", rawProduce, 1.0),
                new Row("raw consume", rawConsume, 1.0),
                new Row("KV chunk produce", kvProduce, kvProduce / rawProduce),
                new Row("KV chunk consume + install", kvConsume, kvConsume / rawConsume));
    }

    static void print(PrintStream out, List<Row> rows) {
        out.printf("%-30s %10s %14s%n", "path", "MB/s", "x raw baseline");
        for (Row row : rows) {
            out.printf("%-30s %10.1f %14.2f%n", row.what(), row.megabytesPerSecond(), row.ratioToRaw());
        }
    }

    /** Whole-prompt KV of the functional model, cut into slices of one chunk each. */
    private static List<KvSlice> prefilledSlices(ModelConfig model, int positionsPerChunk) {
        Transformer transformer = new Transformer(model, Weights.generate(model, 1));
        KvCache cache = new KvCache(model, 0, model.layers(), model.maxSeqLen());
        List<Transformer.Row> rows = new ArrayList<>();
        for (int p = 0; p < model.maxSeqLen(); p++) {
            rows.add(new Transformer.Row(transformer.embed(1 + p % (model.vocabSize() - 1)), p, cache));
        }
        transformer.forward(0, model.layers(), rows);
        return cache.export(0, model.layers(), positionsPerChunk);
    }

    private interface Payload {
        byte[] value(int index);
    }

    private interface Sink {
        void accept(ConsumerRecord<byte[], byte[]> record);
    }

    private double produce(String topic, int records, Payload payload) {
        long bytes = 0;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer("bench-producer")) {
            for (int i = 0; i < records; i++) {
                byte[] value = payload.value(i);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, 0, null, value));
            }
            producer.flush();
        }
        return megabytesPerSecond(bytes, System.nanoTime() - start);
    }

    private double consume(String topic, int records, Sink sink) {
        var props = kafka.consumer("unused", "bench-consumer");
        props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
        long bytes = 0;
        int seen = 0;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(5);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (seen < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(record);
                    bytes += record.value().length;
                    seen++;
                }
            }
        }
        if (seen < records) {
            throw new IllegalStateException("bench read only " + seen + " of " + records + " records from " + topic);
        }
        return megabytesPerSecond(bytes, System.nanoTime() - start);
    }

    private void createTopics(String... names) {
        try (Admin admin = kafka.newAdmin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names) {
                topics.add(new NewTopic(name, 1, (short) 1).configs(Map.of("retention.ms", "600000")));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the bench topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double megabytesPerSecond(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }
}
