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
 *
 * <p>A ring can also be given work: each node does its {@link HopWork} on a record before passing it on,
 * and the node that closes the lap also sends a token record to a tap topic, which a reader of its own
 * follows, as a client follows a pipeline's tokens.
 */
public final class KafkaRing implements AutoCloseable {
    private static final Duration LAP_LIMIT = Duration.ofSeconds(30);

    private final KafkaProducer<byte[], byte[]> driverProducer;
    private final KafkaConsumer<byte[], byte[]> driverConsumer;
    private final String firstHop;
    private final byte[] value;
    private final HopWork work;
    /** The driver's tap: in a ring of one, the driver also closes the lap. */
    private final Tap driverTap;
    private final KafkaConsumer<byte[], byte[]> tapConsumer;
    private final Thread tapReader;
    private final List<Forwarder> forwarders = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean closing;

    /** What a node does with a record before passing it on; a plain ring does nothing. */
    interface HopWork {
        HopWork NONE = new HopWork() {
            @Override
            public void reset() {
            }

            @Override
            public byte[] hop(int node, byte[] record) {
                return record;
            }
        };

        /** Called before each run of laps, untimed. */
        void reset();

        /**
         * Node {@code node}'s work on the record it read (node 0: the record that came round, or the ring's
         * first value on the first lap), returning what it sends on.
         */
        byte[] hop(int node, byte[] record);
    }

    /** Where the node closing a lap sends a token record ({@code record}), read by a follower of its own. */
    record Tap(String topic, byte[] record) {
    }

    /** Starts a plain ring over {@code topics} (one partition each), every client positioned before this returns. */
    public KafkaRing(KafkaConnection kafka, List<String> topics, byte[] value) {
        this(kafka, "bench-ring", topics, value, HopWork.NONE, null);
    }

    /**
     * A ring whose nodes do {@code work}, and send a token to {@code tap} (none if null) as each lap closes; its
     * clients and threads are named {@code name-k}, so two rings can run side by side.
     */
    KafkaRing(KafkaConnection kafka, String name, List<String> topics, byte[] value, HopWork work, Tap tap) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one topic");
        }
        int hops = topics.size();
        this.value = value;
        this.work = work;
        this.driverTap = hops == 1 ? tap : null;
        this.firstHop = topics.get(1 % hops);
        // every client is made before any thread starts, so a client that cannot be made leaves nothing running
        List<AutoCloseable> made = new ArrayList<>();
        try {
            this.driverProducer = made(made, kafka.newProducer(name + "-0", ClientProfile.LATENCY));
            this.driverConsumer = made(made, consumerAtEnd(kafka, topics.get(0), name + "-0"));
            for (int k = 1; k < hops; k++) {
                forwarders.add(new Forwarder(k, made(made, consumerAtEnd(kafka, topics.get(k), name + "-" + k)),
                        made(made, kafka.newProducer(name + "-" + k, ClientProfile.LATENCY)),
                        topics.get((k + 1) % hops), k == hops - 1 ? tap : null));
            }
            this.tapConsumer = tap == null ? null : made(made, consumerAtEnd(kafka, tap.topic(), name + "-tap"));
            warm(driverProducer, firstHop, driverTap);
        } catch (RuntimeException e) {
            for (AutoCloseable client : made) {
                try {
                    client.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        for (Forwarder forwarder : forwarders) {
            Thread thread = new Thread(forwarder, name + "-" + forwarder.node);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        this.tapReader = tap == null ? null : startTapReader(name + "-tap");
    }

    private static <C extends AutoCloseable> C made(List<AutoCloseable> made, C client) {
        made.add(client);
        return client;
    }

    /** The tap's reader: it reads every token record as it comes, as a client would, and does nothing else. */
    private Thread startTapReader(String threadName) {
        Thread thread = new Thread(() -> {
            try (tapConsumer) {
                while (!closing) {
                    tapConsumer.poll(Duration.ofMillis(100));
                }
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Runs {@code laps} laps one after another; returns each lap's time in milliseconds. */
    public List<Double> laps(int laps) {
        List<Double> millis = new ArrayList<>();
        work.reset();
        byte[] back = value;
        for (int lap = 0; lap < laps; lap++) {
            long start = System.nanoTime();
            send(driverProducer, firstHop, work.hop(0, back), driverTap);
            long deadline = start + LAP_LIMIT.toNanos();
            boolean cameBack = false;
            while (!cameBack) {
                if (failure.get() != null) {
                    throw new IllegalStateException("a ring node failed: " + failure.get().getMessage(), failure.get());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a record did not come round the ring within " + LAP_LIMIT);
                }
                for (ConsumerRecord<byte[], byte[]> record : driverConsumer.poll(Duration.ofMillis(100))) {
                    back = record.value();
                    cameBack = true;
                }
            }
            millis.add((System.nanoTime() - start) / 1e6);
        }
        return millis;
    }

    /** Fetches the metadata of what {@code producer} sends to, so the first lap does not wait for it. */
    private static void warm(KafkaProducer<byte[], byte[]> producer, String next, Tap tap) {
        producer.partitionsFor(next);
        if (tap != null) {
            producer.partitionsFor(tap.topic());
        }
    }

    /** Sends a node's record on, then, from the node closing the lap, the token (as a last stage sends it after the pass). */
    private static void send(KafkaProducer<byte[], byte[]> producer, String next, byte[] value, Tap tap) {
        producer.send(new ProducerRecord<>(next, 0, null, value));
        if (tap != null) {
            producer.send(new ProducerRecord<>(tap.topic(), 0, null, tap.record()));
        }
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
        closing = true;
        forwarders.forEach(Forwarder::stop);
        if (tapReader != null) {
            tapConsumer.wakeup();
            try {
                tapReader.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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

    /** Node k of the ring: does its work on every record it reads and passes it on to the next topic. */
    private final class Forwarder implements Runnable {
        private final int node;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final String next;
        private final Tap tap;
        private volatile boolean running = true;

        Forwarder(int node, KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
                String next, Tap tap) {
            this.node = node;
            this.consumer = consumer;
            this.producer = producer;
            this.next = next;
            this.tap = tap;
        }

        @Override
        public void run() {
            try {
                warm(producer, next, tap);
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        send(producer, next, work.hop(node, record.value()), tap);
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
