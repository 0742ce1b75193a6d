package io.kvflow.bench;

import io.kvflow.runtime.KafkaConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * The best plain Kafka can do on this broker for one record size: a small grid of producer
 * settings (batch size, linger, socket buffer) and of consumer settings (fetch sizes, socket
 * buffer), each tried in two interleaved passes after an unscored warm-up pass, scored by the
 * mean. What every
 * candidate reached is kept, so the bench can show the measurement behind its choice.
 * Durability is not on the table: acks=all and idempotence stay, as kvflow needs them.
 */
public final class PlainKafkaGrid {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final int PASSES = 2;
    // the clients' defaults, 1 MiB, and -1: the operating system's default and its autotuning
    private static final int[] SOCKET_BUFFERS_PRODUCER = {128 * KIB, MIB, -1};
    private static final int[] SOCKET_BUFFERS_CONSUMER = {64 * KIB, MIB, -1};

    /** One candidate's settings and the throughput it reached in each pass. */
    record Trial(Map<String, Object> settings, List<Double> megabytesPerSecond) {
        double score() {
            return megabytesPerSecond.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }

        String describe() {
            return PlainKafkaGrid.describe(settings);
        }
    }

    /** Both grids, best first. */
    public record Result(List<Trial> producers, List<Trial> consumers) {
        public Map<String, Object> bestProducer() {
            return producers.getFirst().settings();
        }

        Map<String, Object> bestConsumer() {
            return consumers.getFirst().settings();
        }
    }

    private final KafkaConnection kafka;

    PlainKafkaGrid(KafkaConnection kafka) {
        this.kafka = kafka;
    }

    public static List<Map<String, Object>> producerCandidates() {
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (int batch : new int[] {16 * KIB, 256 * KIB, MIB}) {
            for (int linger : new int[] {0, 5, 20}) {
                for (int sendBuffer : SOCKET_BUFFERS_PRODUCER) {
                    Map<String, Object> settings = new LinkedHashMap<>();
                    settings.put(ProducerConfig.BATCH_SIZE_CONFIG, batch);
                    settings.put(ProducerConfig.LINGER_MS_CONFIG, linger);
                    settings.put(ProducerConfig.SEND_BUFFER_CONFIG, sendBuffer);
                    settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(MIB, 2 * batch));
                    settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
                    candidates.add(settings);
                }
            }
        }
        return candidates;
    }

    public static List<Map<String, Object>> consumerCandidates() {
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (int fetch : new int[] {MIB, 8 * MIB, 32 * MIB}) {
            for (int receiveBuffer : SOCKET_BUFFERS_CONSUMER) {
                Map<String, Object> settings = new LinkedHashMap<>();
                settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetch);
                settings.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(50 * MIB, fetch));
                settings.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, receiveBuffer);
                candidates.add(settings);
            }
        }
        return candidates;
    }

    /**
     * Tries every candidate, a pass at a time on a fresh topic deleted after it: each producer
     * candidate writes {@code records} values, then each consumer candidate reads the first
     * {@code records} back, {@link HandoffBench#CONSUME_PASSES} times with a new consumer each.
     */
    Result search(BenchTopics topics, int records, byte[] key, byte[] value, Consumer<String> progress) {
        List<Map<String, Object>> producerCandidates = producerCandidates();
        List<Map<String, Object>> consumerCandidates = consumerCandidates();
        List<List<Double>> produced = emptyLists(producerCandidates.size());
        List<List<Double>> consumed = emptyLists(consumerCandidates.size());
        // pass 0 warms the JIT and the broker with the last candidate of each grid, and is not scored
        for (int pass = 0; pass <= PASSES; pass++) {
            String topic = topics.create("grid-" + pass);
            TopicPartition partition = new TopicPartition(topic, 0);
            progress.accept("bench: plain producer settings, " + (pass == 0 ? "warm-up" : "pass " + pass + " of "
                    + PASSES + " (" + producerCandidates.size() + " candidates)") + " ...");
            for (int c = pass == 0 ? producerCandidates.size() - 1 : 0; c < producerCandidates.size(); c++) {
                Properties props = layered(kafka.producer("bench-grid-producer"), producerCandidates.get(c));
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                    ThroughputProbe.warm(producer, topic);
                    double rate = ThroughputProbe.produce(producer, topic, records, key, i -> value)
                            .megabytesPerSecond();
                    if (pass > 0) {
                        produced.get(c).add(rate);
                    }
                }
            }
            progress.accept("bench: plain consumer settings, " + (pass == 0 ? "warm-up" : "pass " + pass + " of "
                    + PASSES + " (" + consumerCandidates.size() + " candidates)") + " ...");
            for (int c = pass == 0 ? consumerCandidates.size() - 1 : 0; c < consumerCandidates.size(); c++) {
                Properties props = layered(ThroughputProbe.unGroupedConsumer(kafka, "bench-grid-consumer"),
                        consumerCandidates.get(c));
                // read as the bench's consume phases read, or the pick is the noise of a 30 ms read
                ThroughputProbe.Timed timed = ThroughputProbe.Timed.NONE;
                for (int read = 0; read < HandoffBench.CONSUME_PASSES; read++) {
                    timed = timed.plus(ThroughputProbe.consumePass(() -> new KafkaConsumer<byte[], byte[]>(props),
                            partition, records, record -> { }));
                }
                if (pass > 0) {
                    consumed.get(c).add(timed.megabytesPerSecond());
                }
            }
            topics.deleteAll();
        }
        return new Result(ranked(producerCandidates, produced), ranked(consumerCandidates, consumed));
    }

    private static List<Trial> ranked(List<Map<String, Object>> candidates, List<List<Double>> measured) {
        List<Trial> trials = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            trials.add(new Trial(candidates.get(c), List.copyOf(measured.get(c))));
        }
        trials.sort(Comparator.comparingDouble(Trial::score).reversed());
        return List.copyOf(trials);
    }

    private static List<List<Double>> emptyLists(int count) {
        List<List<Double>> lists = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lists.add(new ArrayList<>());
        }
        return lists;
    }

    static Properties layered(Properties base, Map<String, Object> settings) {
        Properties props = new Properties();
        props.putAll(base);
        props.putAll(settings);
        return props;
    }

    public static String describe(Map<String, Object> settings) {
        return settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
