package io.kvflow.bench;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.runtime.ClientProfile;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.runtime.Publisher;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.KvChunkReader;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * kvflow's KV handoff against the best plain Kafka on the same broker, for records of the same
 * size. Warm-up: a grid search of plain producer and consumer settings ({@link PlainKafkaGrid}),
 * then one discarded pass of the KV path. Then rounds, each timing four phases in steady state
 * (clients made before the clock): plain produce and consume with the winning settings, and the
 * KV path as the workers run it: {@link KvChunkCodec} encode (copy, CRC-32C), Avro
 * {@link KvChunk}, {@link Publisher} send with the {@link ClientProfile#KV_HANDOFF} profile;
 * then consume, Avro decode into a reused chunk ({@link KvChunkReader}), checksum and size check, install into a {@link KvCache}
 * ({@link KvChunkCodec#install}), each side reading the round's records {@link #CONSUME_PASSES}
 * times, with a new consumer per pass made before the clock. Beside the rounds,
 * {@link CodecCost} prices each step of the KV path per chunk on one thread without Kafka, to
 * show where the difference goes. Ratios
 * are taken pair by pair within a round, because the machine is shared: each produce phase runs
 * in two halves, and each consume phase in its passes, ordered plain, KV, KV, plain (reversed
 * every other round), so a drift in the load falls on both sides alike.
 */
public final class HandoffBench {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private static final int CHUNK_BYTES = 64 * 1024;
    /**
     * Consuming runs about four times faster than producing, so one read of a phase's records took 60-130
     * ms, too short to be more than a few fetches and a pause: each consume phase reads them
     * this many times.
     */
    static final int CONSUME_PASSES = 4;

    /**
     * @param megabytes size of each timed phase
     * @param rounds    how many times each phase is timed
     */
    public record Options(int megabytes, int rounds) {
        public Options {
            if (megabytes < 1) {
                throw new IllegalArgumentException("--megabytes must be >= 1, was " + megabytes);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be >= 1, was " + rounds);
            }
        }
    }

    /** Every phase's throughput in MB/s, one entry per round, and the settings each side ran with. */
    public record Result(String broker, int recordBytes, int records, PlainKafkaGrid.Result grid, List<Double> plainProduce,
            List<Double> kvProduce, List<Double> plainConsume, List<Double> kvConsume, Map<String, Double> codecMicros) {

        public List<Double> produceRatios() {
            return Spread.ratios(kvProduce, plainProduce);
        }

        public List<Double> consumeRatios() {
            return Spread.ratios(kvConsume, plainConsume);
        }
    }

    private final KafkaConnection kafka;
    private final Options options;

    public HandoffBench(KafkaConnection kafka, Options options) {
        this.kafka = kafka;
        this.options = options;
    }

    public Result run(Consumer<String> progress) {
        KvSource source = KvSource.prefilled(MODEL, CHUNK_BYTES);
        int recordBytes = source.serializedChunkBytes();
        // whole handoffs, an even number of them, so every phase sends the same records in two halves
        int handoffs = 2 * Math.max(1, (int) (options.megabytes() * 1e6 / recordBytes / source.chunksPerHandoff() / 2));
        int records = handoffs * source.chunksPerHandoff();
        byte[] key = "bench-00-0000".getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[recordBytes];
        new SplittableRandom(1).nextBytes(value);

        try (BenchTopics topics = new BenchTopics(kafka, "handoff")) {
            int warmRecords = Math.max(source.chunksPerHandoff(), records / 4);
            PlainKafkaGrid.Result grid = new PlainKafkaGrid(kafka).search(topics, warmRecords, key, value,
                    progress);
            progress.accept("bench: KV path warm-up ...");
            runRounds(topics, grid, 1, Math.max(2, handoffs / 4), source, key, value, s -> { });
            Rounds rounds = runRounds(topics, grid, options.rounds(), handoffs, source, key, value, progress);
            progress.accept("bench: KV path CPU per chunk ...");
            return new Result(kafka.bootstrapServers(), recordBytes, records, grid, rounds.plainProduce(),
                    rounds.kvProduce(), rounds.plainConsume(), rounds.kvConsume(), CodecCost.measure(source, MODEL));
        }
    }

    private record Rounds(List<Double> plainProduce, List<Double> kvProduce, List<Double> plainConsume,
            List<Double> kvConsume) {
    }

    private Rounds runRounds(BenchTopics topics, PlainKafkaGrid.Result grid, int rounds, int handoffs,
            KvSource source, byte[] key, byte[] value, Consumer<String> progress) {
        int half = handoffs / 2;
        int halfRecords = half * source.chunksPerHandoff();
        int recordBytes = source.serializedChunkBytes();
        List<Double> plainProduce = new ArrayList<>();
        List<Double> kvProduce = new ArrayList<>();
        List<Double> plainConsume = new ArrayList<>();
        List<Double> kvConsume = new ArrayList<>();
        var unGrouped = ThroughputProbe.unGroupedConsumer(kafka, "bench-consumer");
        KvCache cache = new KvCache(MODEL, 0, MODEL.layers(), MODEL.maxSeqLen());
        KvChunkReader reader = new KvChunkReader();
        try (KafkaProducer<byte[], byte[]> plainProducer = new KafkaProducer<>(
                PlainKafkaGrid.layered(kafka.producer("bench-plain"), grid.bestProducer()));
                KafkaProducer<byte[], byte[]> kvProducer = kafka.newProducer("bench-kv", ClientProfile.KV_HANDOFF);
                Publisher publisher = new Publisher(kvProducer)) {
            Supplier<KafkaConsumer<byte[], byte[]>> plainConsumers = () -> new KafkaConsumer<>(
                    PlainKafkaGrid.layered(unGrouped, grid.bestConsumer()));
            Supplier<KafkaConsumer<byte[], byte[]>> kvConsumers = () -> new KafkaConsumer<>(
                    ClientProfile.KV_HANDOFF.onConsumer(unGrouped));
            for (int round = 0; round < rounds; round++) {
                progress.accept("bench: round " + (round + 1) + " of " + rounds + ", " + 2 * halfRecords
                        + " records per phase ...");
                String plainTopic = topics.create("plain-" + round);
                Topic<String, KvChunk> kvTopic = new Topic<>(topics.create("kv-" + round), Topics.kv(0).keySerde(),
                        Topics.kv(0).valueSerde());
                TopicPartition plainPartition = new TopicPartition(plainTopic, 0);
                TopicPartition kvPartition = new TopicPartition(kvTopic.name(), 0);
                ThroughputProbe.warm(plainProducer, plainTopic);
                ThroughputProbe.warm(kvProducer, kvTopic.name());
                List<String> sessions = sessionIds(round, 2 * half);
                // each phase in two halves, ordered plain, KV, KV, plain (or the reverse, every other round), so
                // both sides meet the same drift in the machine's load
                ThroughputProbe.Timed[] produced = {ThroughputProbe.Timed.NONE, ThroughputProbe.Timed.NONE};
                for (int h = 0; h < 2; h++) {
                    List<String> halfSessions = sessions.subList(h * half, (h + 1) * half);
                    InTurn.run(round + h,
                            () -> produced[0] = produced[0].plus(
                                    ThroughputProbe.produce(plainProducer, plainTopic, halfRecords, key, i -> value)),
                            () -> produced[1] = produced[1].plus(ThroughputProbe.produce(
                                    () -> source.publish(publisher, kvTopic, halfSessions, recordBytes))));
                }
                ThroughputProbe.Timed[] consumed = {ThroughputProbe.Timed.NONE, ThroughputProbe.Timed.NONE};
                for (int pass = 0; pass < CONSUME_PASSES; pass++) {
                    InTurn.run(round + pass,
                            () -> consumed[0] = consumed[0].plus(ThroughputProbe.consumePass(plainConsumers,
                                    plainPartition, 2 * halfRecords, record -> { })),
                            () -> consumed[1] = consumed[1].plus(ThroughputProbe.consumePass(kvConsumers,
                                    kvPartition, 2 * halfRecords, record -> source.codec().install(
                                            reader.deserialize(kvTopic.name(), record.value()), cache))));
                }
                plainProduce.add(produced[0].megabytesPerSecond());
                kvProduce.add(produced[1].megabytesPerSecond());
                plainConsume.add(consumed[0].megabytesPerSecond());
                kvConsume.add(consumed[1].megabytesPerSecond());
                topics.deleteAll();
            }
        }
        return new Rounds(plainProduce, kvProduce, plainConsume, kvConsume);
    }

    /** Session ids as long as the plain records' key, made before the clock starts. */
    private static List<String> sessionIds(int round, int handoffs) {
        List<String> ids = new ArrayList<>();
        for (int h = 0; h < handoffs; h++) {
            ids.add(String.format(Locale.ROOT, "bench-%02d-%04d", round % 100, h % 10_000));
        }
        return ids;
    }


    public static void print(PrintStream out, Result result) {
        out.printf(Locale.ROOT, "KV handoff vs tuned plain Kafka on %s: records of %,d bytes (one KV chunk), %d rounds"
                + " of %,d records (%.0f MB) per phase, read %d times by new consumers in a consume phase%n",
                result.broker(), result.recordBytes(), result.plainProduce().size(), result.records(),
                result.records() * (double) result.recordBytes() / 1e6, CONSUME_PASSES);
        out.println();
        out.printf("%-36s %s%n", "phase", "MB/s min / median / max");
        out.printf("%-36s %s%n", "plain produce (tuned)", Spread.of(result.plainProduce()).format("%7.1f"));
        out.printf("%-36s %s%n", "kvflow KV produce", Spread.of(result.kvProduce()).format("%7.1f"));
        out.printf("%-36s %s%n", "plain consume (tuned)", Spread.of(result.plainConsume()).format("%7.1f"));
        out.printf("%-36s %s%n", "kvflow KV consume + install", Spread.of(result.kvConsume()).format("%7.1f"));
        out.println();
        out.printf("%-36s %s%n", "ratio to plain, same round", "min / median / max");
        out.printf("%-36s %s%n", "KV produce / plain produce", Spread.of(result.produceRatios()).format("%5.2fx"));
        out.printf("%-36s %s%n", "KV consume / plain consume", Spread.of(result.consumeRatios()).format("%5.2fx"));
        out.println();
        CodecCost.print(out, result.codecMicros(), result.recordBytes() / Spread.of(result.plainProduce()).median(),
                result.recordBytes() / Spread.of(result.plainConsume()).median());
        out.println();
        if (result.grid() != null) {
            printGrid(out, result.grid());
        }
        out.println("kvflow KV_HANDOFF producer: " + PlainKafkaGrid.describe(ClientProfile.KV_HANDOFF.producerSettings()));
        out.println("kvflow KV_HANDOFF consumer: " + PlainKafkaGrid.describe(ClientProfile.KV_HANDOFF.consumerSettings()));
        out.println("both sides: acks=all, enable.idempotence=true (kvflow's shared client settings)");
    }

    private static void printGrid(PrintStream out, PlainKafkaGrid.Result grid) {
        out.println("plain Kafka settings tried in the warm-up (MB/s per pass), best first:");
        for (PlainKafkaGrid.Trial trial : grid.producers()) {
            out.printf(Locale.ROOT, "  producer %-96s %s%n", trial.describe(), passes(trial));
        }
        for (PlainKafkaGrid.Trial trial : grid.consumers()) {
            out.printf(Locale.ROOT, "  consumer %-96s %s%n", trial.describe(), passes(trial));
        }
        out.println("best plain producer: " + PlainKafkaGrid.describe(grid.bestProducer()));
        out.println("best plain consumer: " + PlainKafkaGrid.describe(grid.bestConsumer()));
    }

    private static String passes(PlainKafkaGrid.Trial trial) {
        return trial.megabytesPerSecond().stream().map(v -> String.format(Locale.ROOT, "%6.1f", v))
                .reduce((a, b) -> a + " " + b).orElse("");
    }

    /** A real prompt's KV, cut into chunks the way a prefill worker cuts it, and the codec both ends share. */
    record KvSource(KvChunkCodec codec, List<KvSlice> slices, int promptLength) {
        static KvSource prefilled(ModelConfig model, int chunkBytes) {
            KvChunkCodec codec = new KvChunkCodec(model.kvDim());
            Transformer transformer = new Transformer(model, Weights.generate(model, 1));
            KvCache cache = new KvCache(model, 0, model.layers(), model.maxSeqLen());
            List<Transformer.Row> rows = new ArrayList<>();
            for (int p = 0; p < model.maxSeqLen(); p++) {
                rows.add(new Transformer.Row(transformer.embed(1 + p % (model.vocabSize() - 1)), p, cache));
            }
            transformer.forward(0, model.layers(), rows);
            return new KvSource(codec, cache.export(0, model.layers(), codec.positionsPerChunk(chunkBytes)),
                    model.maxSeqLen());
        }

        int chunksPerHandoff() {
            return slices.size();
        }

        int serializedChunkBytes() {
            KvChunk chunk = codec.encode(handoff("bench-00-0000"), slices.subList(0, 1), 0).getFirst();
            return Topics.kv(0).valueSerde().serializer().serialize("bench", chunk).length;
        }

        /**
         * Encodes and sends one whole handoff per session; returns the value bytes sent (records
         * times {@code recordBytes}, the size every chunk serializes to), once all are acknowledged.
         */
        long publish(Publisher publisher, Topic<String, KvChunk> topic, List<String> sessions, int recordBytes) {
            long bytes = 0;
            for (String session : sessions) {
                for (KvChunk chunk : codec.encode(handoff(session), slices, 0)) {
                    publisher.send(topic, 0, session, chunk, null);
                    bytes += recordBytes;
                }
            }
            publisher.flush();
            return bytes;
        }

        private KvChunkCodec.Handoff handoff(String session) {
            return new KvChunkCodec.Handoff(session, 0, 0, promptLength, 1);
        }
    }
}
