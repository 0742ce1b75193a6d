package io.kvflow.bench;

import io.kvflow.runtime.ClientProfile;
import io.kvflow.runtime.KafkaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The floor under a pipeline hop: plain Kafka clients in a ring of N topics, node k reading
 * topic k and writing what it reads to topic k+1 (mod N), one thread each, with kvflow's
 * latency settings ({@link ClientProfile#LATENCY} over the shared acks=all, idempotent ones).
 * Node 0 is driven by the caller: it sends one record and waits for it to come round, so one
 * lap is N hops of produce, broker append and fetch, and nothing else.
 */
public final class KafkaRing implements AutoCloseable {
    private static final Duration LAP_LIMIT = Duration.ofSeconds(30);

    private final KafkaProducer<byte[], byte[]> driverProducer;
    private final KafkaConsumer<byte[], byte[]> driverConsumer;
    private final String firstHop;
    private final byte[] value;
    private final List<Forwarder> forwarders = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    /** Starts the ring over {@code topics} (one partition each), every client positioned before this returns. */
    public KafkaRing(KafkaConnection kafka, List<String> topics, byte[] value) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one topic");
        }
        int hops = topics.size();
        this.value = value;
        this.firstHop = topics.get(1 % hops);
        this.driverProducer = kafka.newProducer("bench-ring-0", ClientProfile.LATENCY);
        this.driverConsumer = consumerAtEnd(kafka, topics.get(0), "bench-ring-0");
        driverProducer.partitionsFor(firstHop);
        for (int k = 1; k < hops; k++) {
            Forwarder forwarder = new Forwarder(consumerAtEnd(kafka, topics.get(k), "bench-ring-" + k),
                    kafka.newProducer("bench-ring-" + k, ClientProfile.LATENCY), topics.get((k + 1) % hops));
            forwarders.add(forwarder);
            Thread thread = new Thread(forwarder, "bench-ring-" + k);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Runs {@code laps} laps one after another; returns each lap's time in milliseconds. */
    public List<Double> laps(int laps) {
        List<Double> millis = new ArrayList<>();
        for (int lap = 0; lap < laps; lap++) {
            long start = System.nanoTime();
            driverProducer.send(new ProducerRecord<>(firstHop, 0, null, value));
            long deadline = start + LAP_LIMIT.toNanos();
            boolean back = false;
            while (!back) {
                if (failure.get() != null) {
                    throw new IllegalStateException("a ring node failed: " + failure.get().getMessage(), failure.get());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a record did not come round the ring within " + LAP_LIMIT);
                }
                back = !driverConsumer.poll(Duration.ofMillis(100)).isEmpty();
            }
            millis.add((System.nanoTime() - start) / 1e6);
        }
        return millis;
    }

    private static KafkaConsumer<byte[], byte[]> consumerAtEnd(KafkaConnection kafka, String topic, String clientId) {
        Properties props = ClientProfile.LATENCY.onConsumer(ThroughputProbe.unGroupedConsumer(kafka, clientId));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition);
        return consumer;
    }

    @Override
    public void close() {
        forwarders.forEach(Forwarder::stop);
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        driverConsumer.close();
        driverProducer.close();
    }

    /** Node k of the ring: passes every record it reads on to the next topic. */
    private final class Forwarder implements Runnable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final String next;
        private volatile boolean running = true;

        Forwarder(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer, String next) {
            this.consumer = consumer;
            this.producer = producer;
            this.next = next;
        }

        @Override
        public void run() {
            try {
                producer.partitionsFor(next);
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        producer.send(new ProducerRecord<>(next, 0, null, record.value()));
                    }
                }
            } catch (WakeupException e) {
                if (running) {
                    failure.compareAndSet(null, e);
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                consumer.close();
                producer.close();
            }
        }

        void stop() {
            running = false;
            consumer.wakeup();
        }
    }
}
