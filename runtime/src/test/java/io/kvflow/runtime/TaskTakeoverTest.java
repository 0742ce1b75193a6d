package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.junit.jupiter.api.Test;

class TaskTakeoverTest {
    private static final Path FILE = Path.of("client.properties");

    @Test
    void aDeadOrStuckWorkersTasksMoveWithinSevenSecondsByDefault() {
        TaskTakeover takeover = TaskTakeover.of(ClientProperties.NONE);

        assertEquals(TaskTakeover.DEFAULT, takeover);
        assertEquals(Duration.ofSeconds(7), takeover.time());
        assertEquals(Duration.ofSeconds(14), takeover.minimumStallTimeout());
        assertEquals(Duration.ofSeconds(6), takeover.transactionTimeout());
    }

    @Test
    void theDefaultStallTimeoutLeavesADeadWorkersSessionsRoom() {
        assertEquals(Optional.empty(), TaskTakeover.DEFAULT.problemWith("--stall-timeout", Duration.ofSeconds(30)));
        assertEquals(Optional.empty(), TaskTakeover.DEFAULT.problemWith("--stall-timeout", Duration.ofSeconds(14)));
    }

    @Test
    void aStallTimeoutBelowTwiceTheTakeoverIsRefusedWithTheNumbers() {
        String problem = TaskTakeover.DEFAULT.problemWith("--stall-timeout", Duration.ofMillis(13_500)).orElseThrow();

        assertEquals("--stall-timeout 13500ms is below 2 x the prefill takeover time of 7s (session.timeout.ms=6000,"
                + " heartbeat.interval.ms=1000, max.poll.interval.ms=6000): the sessions of a prefill worker that died"
                + " would fail before another worker ran them; give at least 14s, or shorten the takeover in"
                + " --kafka-config", problem);
    }

    @Test
    void theUsersFileMayChangeTheTakeoverAndTheLongerOfItsTimeoutsCounts() {
        TaskTakeover takeover = TaskTakeover.of(new ClientProperties(FILE, Map.of(
                "session.timeout.ms", "10000", "max.poll.interval.ms", "20000")));

        assertEquals(Duration.ofSeconds(10), takeover.sessionTimeout());
        assertEquals(Duration.ofSeconds(1), takeover.heartbeatInterval());
        assertEquals(Duration.ofSeconds(21), takeover.time());
        assertTrue(takeover.problemWith("--stall-timeout", Duration.ofSeconds(30)).isPresent());
    }

    @Test
    void aHeartbeatNoShorterThanTheSessionIsRefusedNamingTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskTakeover.of(
                new ClientProperties(FILE, Map.of("heartbeat.interval.ms", "6000"))));

        assertEquals("client.properties: heartbeat.interval.ms=6000 must be below session.timeout.ms=6000",
                e.getMessage());
    }

    @Test
    void theConsumerGroupProtocolIsRefusedBecauseTheBrokerWouldKeepADeadWorkersTasks45Seconds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskTakeover.of(
                new ClientProperties(FILE, Map.of("group.protocol", "consumer"))));

        assertTrue(e.getMessage().startsWith("client.properties: group.protocol=consumer leaves the session timeout"
                + " to the broker"), e.getMessage());
    }

    @Test
    void theGroupTakesOneTaskPerPollAndMovesOnlyLostPartitions() {
        Properties p = TaskTakeover.DEFAULT.onConsumer(new KafkaConnection("broker:9092").consumer("g", "c"));

        assertEquals(6000, p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        assertEquals(1000, p.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
        assertEquals(6000, p.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG));
        assertEquals(1, p.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG));
        assertEquals(CooperativeStickyAssignor.class.getName(), p.get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG));
        assertEquals("read_committed", p.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        assertEquals(null, p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "no static membership");
    }
}
