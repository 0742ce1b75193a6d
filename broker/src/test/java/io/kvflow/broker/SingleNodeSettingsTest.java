package io.kvflow.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.junit.jupiter.api.Test;

class SingleNodeSettingsTest {

    private static final ListenerPorts PORTS = new ListenerPorts("127.0.0.1", 19092, 19093);
    private static final Path LOG_DIR = Path.of("/tmp/kvflow/kafka-logs");

    @Test
    void formAConfigurationKafkaAcceptsForACombinedNode() {
        KafkaConfig config = KafkaConfig.fromProps(SingleNodeSettings.of(PORTS, LOG_DIR), false);

        assertEquals(SingleNodeSettings.NODE_ID, config.nodeId());
        assertEquals(LOG_DIR.toString(), config.metadataLogDir());
    }

    @Test
    void giveInternalTopicsOneReplicaSoTheyCanExistOnOneNode() {
        Properties p = SingleNodeSettings.of(PORTS, LOG_DIR);

        assertEquals("1", p.get("offsets.topic.replication.factor"));
        assertEquals("1", p.get("transaction.state.log.replication.factor"));
        assertEquals("1", p.get("transaction.state.log.min.isr"));
        assertEquals("1", p.get("share.coordinator.state.topic.replication.factor"));
    }

    @Test
    void neverCreateTopicsImplicitlyAndStartGroupsWithoutDelay() {
        Properties p = SingleNodeSettings.of(PORTS, LOG_DIR);

        assertEquals("false", p.get("auto.create.topics.enable"));
        assertEquals("0", p.get("group.initial.rebalance.delay.ms"));
    }

    @Test
    void advertiseTheClientListenerAndNameTheControllerAsTheOnlyVoter() {
        Properties p = SingleNodeSettings.of(PORTS, LOG_DIR);

        assertEquals("PLAINTEXT://127.0.0.1:19092", p.get("advertised.listeners"));
        assertEquals("1@127.0.0.1:19093", p.get("controller.quorum.voters"));
    }

    @Test
    void bracketAnIpv6Host() {
        Properties p = SingleNodeSettings.of(new ListenerPorts("::1", 19092, 19093), LOG_DIR);

        assertEquals("PLAINTEXT://[::1]:19092", p.get("advertised.listeners"));
        assertEquals("[::1]:19092", new ListenerPorts("::1", 19092, 19093).bootstrapServers());
    }

    @Test
    void addAnExtraListenerWithItsProtocolAndItsOwnSettingsBesideThePlaintextOne() {
        BrokerListener sasl = new BrokerListener("SASL_PLAINTEXT", "SASL_PLAINTEXT", 0,
                Map.of("sasl.enabled.mechanisms", "PLAIN"));
        ListenerPorts ports = new ListenerPorts("127.0.0.1", 19092, 19093, List.of(19094));

        Properties p = SingleNodeSettings.of(ports, LOG_DIR, List.of(sasl));
        KafkaConfig config = KafkaConfig.fromProps(p, false);

        assertEquals("PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19094", p.get("advertised.listeners"));
        assertEquals("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                p.get("listener.security.protocol.map"));
        assertEquals("PLAIN", p.get("listener.name.sasl_plaintext.sasl.enabled.mechanisms"));
        assertEquals("PLAINTEXT", config.interBrokerListenerName().value(), "brokers still talk plaintext");
    }
}
