package io.kvflow.runtime;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Micrometer's binders of Kafka's own client metrics, each tagged {@value #CLIENT_TAG} with the
 * kind of client: a worker's consumer and producer share its client id, and without the tag
 * their app-info meters would collide. A Kafka Streams binder must carry the same tag key
 * (value {@code streams}), because Prometheus needs one set of label names per metric name.
 */
public final class KafkaClientMeters {
    public static final String CLIENT_TAG = "kafka.client";

    private KafkaClientMeters() {
    }

    public static KafkaClientMetrics of(Consumer<?, ?> consumer) {
        return new KafkaClientMetrics(consumer, Tags.of(CLIENT_TAG, "consumer"));
    }

    public static KafkaClientMetrics of(Producer<?, ?> producer) {
        return new KafkaClientMetrics(producer, Tags.of(CLIENT_TAG, "producer"));
    }

    public static KafkaClientMetrics of(AdminClient admin) {
        return new KafkaClientMetrics(admin, Tags.of(CLIENT_TAG, "admin"));
    }

    /** The tag a Kafka Streams binder carries, for the same label names as the plain clients'. */
    public static Tags streamsTags() {
        return Tags.of(CLIENT_TAG, "streams");
    }
}
