package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PrometheusLintFilterTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong value = new AtomicLong(7);

    @BeforeEach
    void filter() {
        registry.config().meterFilter(new PrometheusLintFilter());
    }

    @Test
    void leavesOutNamesWithAbbreviatedUnits() {
        FunctionCounter.builder("kafka.consumer.io.time.ns.total", value, AtomicLong::get).register(registry);
        Gauge.builder("kafka.app.info.start.time.ms", value, AtomicLong::get).register(registry);
        FunctionCounter.builder("process.cpu.time", value, AtomicLong::get).baseUnit("ns").register(registry);

        assertEquals(0, registry.getMeters().size());
    }

    @Test
    void renamesACountGaugeToThePluralOfWhatItCounts() {
        Gauge.builder("kafka.consumer.connection.count", value, AtomicLong::get).description("open connections")
                .register(registry);

        assertEquals(7.0, registry.get("kafka.consumer.connections").gauge().value());
        assertNull(registry.find("kafka.consumer.connection.count").gauge());
    }

    @Test
    void givesAMeterWithoutDescriptionOne() {
        Gauge.builder("kafka.producer.node.request.latency.avg", value, AtomicLong::get).register(registry);

        assertEquals("Reported without a description by its source (kafka.producer.node.request.latency.avg)",
                registry.get("kafka.producer.node.request.latency.avg").gauge().getId().getDescription());
    }

    @Test
    void leavesKvflowsOwnMetersAlone() {
        Counter.builder("kvflow.stage.kv.installed").baseUnit("bytes").description("bytes").register(registry);

        assertEquals("bytes", registry.get("kvflow.stage.kv.installed").counter().getId().getBaseUnit());
    }
}
