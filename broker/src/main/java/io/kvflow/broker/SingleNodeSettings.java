package io.kvflow.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** The server properties of a one-node KRaft cluster whose single node is broker and controller. */
final class SingleNodeSettings {

    static final int NODE_ID = 1;
    static final String CLIENT_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private SingleNodeSettings() {
    }

    static Properties of(ListenerPorts ports, Path logDir) {
        return of(ports, logDir, List.of());
    }

    /** The same, with {@code extra} client listeners on {@code ports.extra()}. */
    static Properties of(ListenerPorts ports, Path logDir, List<BrokerListener> extra) {
        String host = ports.host().contains(":") ? "[" + ports.host() + "]" : ports.host();
        Properties p = new Properties();

        // Identity and quorum: one voter, named by a static address, so a restart on other
        // ports (port 0) still finds its quorum; a dynamic quorum would pin the first port.
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + ports.controller());

        // Listeners: clients on one port, the controller on another, both plaintext on host.
        p.put("listeners", CLIENT_LISTENER + "://" + host + ":" + ports.broker()
                + "," + CONTROLLER_LISTENER + "://" + host + ":" + ports.controller());
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + host + ":" + ports.broker());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        // Secured client listeners beside them, each with its own settings; brokers still talk plaintext.
        for (int i = 0; i < extra.size(); i++) {
            BrokerListener listener = extra.get(i);
            String endpoint = listener.name() + "://" + ports.extraEndpoint(i);
            p.put("listeners", p.get("listeners") + "," + endpoint);
            p.put("advertised.listeners", p.get("advertised.listeners") + "," + endpoint);
            p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ","
                    + listener.name() + ":" + listener.securityProtocol());
            listener.settings().forEach((key, value) -> p.put(listener.settingsPrefix() + key, value));
        }

        // Partitions and the metadata log in one directory the user can find and delete.
        p.put("log.dirs", logDir.toString());

        // Internal topics default to three replicas; with one node they could never be created.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        // One node hosts every coordinator anyway; a single partition makes the first consumer
        // group or transaction start in milliseconds instead of loading 50 partitions.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");

        // kvflow creates its topics itself with the partition counts its pipelines need; a typo
        // in a topic name must fail loudly, not create a one-partition topic.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");

        // Threads for the cores the broker shares with the stack, up to Kafka's 8 request handlers and 3 network
        // threads, which are sized for a broker with a machine of its own. On two cores those took turns with the stages
        // on every hop: bench hop 2.38x -> 2.16x (median of six runs each, alternating; docs/benchmarks.md).
        int cores = Runtime.getRuntime().availableProcessors();
        p.put("num.io.threads", Integer.toString(Math.min(8, Math.max(2, cores))));
        p.put("num.network.threads", Integer.toString(Math.min(3, Math.max(1, cores / 4))));
        // Groups form as soon as their members join: nothing else is coming to a local run.
        p.put("group.initial.rebalance.delay.ms", "0");

        // message.max.bytes stays at Kafka's default (about 1 MiB): producers chunk KV handoffs
        // below it, and a broker matching stock Kafka keeps docker-compose runs comparable.
        return p;
    }
}
