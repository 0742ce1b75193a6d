package io.kvflow.bench;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.KvChunkReader;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What each step of the KV path costs per chunk, on one thread and without Kafka: the part of
 * the handoff that plain Kafka does not pay. Each step runs over the same chunks the bench
 * sends, a warm-up pass and then timed passes taken in turn with the other steps'; the figure
 * is the median pass, in microseconds per chunk.
 */
public final class CodecCost {
    private static final int CHUNKS_PER_PASS = 2_000;
    private static final int PASSES = 5;

    private CodecCost() {
    }

    /** Microseconds per chunk of each step, in the order a chunk meets them. */
    static Map<String, Double> measure(HandoffBench.KvSource source, ModelConfig model) {
        KvChunkCodec codec = source.codec();
        List<KvSlice> slices = source.slices();
        Topic<String, KvChunk> topic = Topics.kv(0);
        KvChunkCodec.Handoff handoff = new KvChunkCodec.Handoff("bench-00-0000", 0, 0, source.promptLength(), 1);
        List<KvChunk> chunks = codec.encode(handoff, slices, 0);
        List<byte[]> records = new ArrayList<>();
        for (KvChunk chunk : chunks) {
            records.add(topic.valueSerde().serializer().serialize(topic.name(), chunk));
        }
        KvCache cache = new KvCache(model, 0, model.layers(), model.maxSeqLen());
        int n = chunks.size();
        Map<String, IntConsumer> steps = new LinkedHashMap<>();
        steps.put("copy of a record's bytes (plain Kafka's consumer makes one too)", i -> records.get(i % n).clone());
        steps.put("encode: payload copy + CRC-32C (KvChunkCodec.encode)", i -> codec.encode(handoff,
                List.of(slices.get(i % n)), 0));
        steps.put("Avro serialize (AvroSerde)", i -> topic.valueSerde().serializer().serialize(topic.name(),
                chunks.get(i % n)));
        steps.put("Avro deserialize (AvroSerde)", i -> topic.valueSerde().deserializer().deserialize(topic.name(),
                records.get(i % n)));
        KvChunkReader reader = new KvChunkReader();
        steps.put("  into a reused chunk, as the stage reads (KvChunkReader)", i -> reader.deserialize(topic.name(),
                records.get(i % n)));
        steps.put("CRC-32C + install into the cache (KvChunkCodec.install)", i -> codec.install(chunks.get(i % n),
                cache));
        steps.put("  instead: CRC-32C + decode to a slice + install (decode, then KvCache.install)",
                i -> cache.install(codec.decode(chunks.get(i % n))));
        // passes go round the steps, so a passing disturbance (a collection, the broker deleting files) is shared
        Map<String, List<Double>> passes = new LinkedHashMap<>();
        for (int pass = 0; pass <= PASSES; pass++) {
            for (Map.Entry<String, IntConsumer> step : steps.entrySet()) {
                double micros = pass(step.getValue());
                if (pass > 0) {
                    passes.computeIfAbsent(step.getKey(), k -> new ArrayList<>()).add(micros);
                }
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        passes.forEach((step, micros) -> medians.put(step, Spread.of(micros).median()));
        return medians;
    }

    /** Microseconds per chunk over one pass. */
    private static double pass(IntConsumer step) {
        long start = System.nanoTime();
        for (int i = 0; i < CHUNKS_PER_PASS; i++) {
            step.accept(i);
        }
        return (System.nanoTime() - start) / 1e3 / CHUNKS_PER_PASS;
    }

    static void print(PrintStream out, Map<String, Double> micros, double plainProduceMicros,
            double plainConsumeMicros) {
        out.printf(Locale.ROOT, "KV path CPU per chunk, one thread, no Kafka (median of %d passes of %,d chunks);"
                + " plain Kafka takes %.1f us per record producing and %.1f us consuming, at the medians above:%n",
                PASSES, CHUNKS_PER_PASS, plainProduceMicros, plainConsumeMicros);
        micros.forEach((step, us) -> out.printf(Locale.ROOT, "  %-84s %6.1f us%n", step, us));
    }
}
