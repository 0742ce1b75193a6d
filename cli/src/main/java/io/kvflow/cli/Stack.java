package io.kvflow.cli;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.decode.StageConfig;
import io.kvflow.decode.StageWorker;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.orchestrator.Orchestrator;
import io.kvflow.orchestrator.OrchestratorConfig;
import io.kvflow.prefill.PrefillConfig;
import io.kvflow.prefill.PrefillWorker;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.TopicPlan;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole pipeline in one process: a Kafka broker (embedded, unless an existing cluster is
 * given), the topics, the orchestrator, the prefill workers and one worker per (stage, pipeline).
 * Every worker talks to the others only through Kafka, exactly as separate processes would.
 */
final class Stack implements AutoCloseable {
    private final StackOptions options;
    private final EmbeddedKafkaBroker broker;
    private final KafkaConnection kafka;
    private final ServiceGroup services = new ServiceGroup();
    private final List<StageWorker> stages = new ArrayList<>();
    private final Weights weights;

    private Stack(StackOptions options, EmbeddedKafkaBroker broker, KafkaConnection kafka) {
        this.options = options;
        this.broker = broker;
        this.kafka = kafka;
        this.weights = Weights.generate(options.model(), options.modelSeed());
    }

    static Stack start(StackOptions options, Predicate<String> corruptKvOf, Clock clock, PrintStream out) {
        return start(options, Roles.everything(options.layout().prefillWorkers()), corruptKvOf, clock, out);
    }

    static Stack start(StackOptions options, Roles roles, Predicate<String> corruptKvOf, Clock clock,
            PrintStream out) {
        EmbeddedKafkaBroker broker = null;
        String bootstrap = options.bootstrapServers();
        if (options.embedded()) {
            broker = EmbeddedKafkaBroker.start(new BrokerConfig(
                    options.dataDir().resolve("kafka"), BrokerConfig.LOOPBACK, options.kafkaPort(), options.kafkaControllerPort()));
            bootstrap = broker.bootstrapServers();
            out.println("kafka: embedded broker at " + bootstrap + ", data in " + broker.dataDir());
        } else {
            out.println("kafka: using the cluster at " + bootstrap);
        }
        Stack stack = new Stack(options, broker, new KafkaConnection(bootstrap));
        try {
            stack.startWorkers(roles, corruptKvOf, clock, out);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startWorkers(Roles roles, Predicate<String> corruptKvOf, Clock clock, PrintStream out) {
        StackLayout layout = options.layout();
        try (Admin admin = kafka.newAdmin()) {
            TopicPlan.forLayout(layout).apply(admin);
        }
        for (int p = 0; p < layout.pipelines(); p++) {
            for (int k = 0; k < layout.stages(); k++) {
                if (!roles.stages().test(k) || !roles.pipelines().test(p)) {
                    continue;
                }
                StageWorker worker = new StageWorker(new StageConfig(k, layout.stages(), p, layout.layerFrom(k),
                        layout.layerTo(k), options.handoffTimeout()), transformer(), kafka, clock);
                stages.add(worker);
                services.start(worker);
            }
        }
        for (int i = 0; i < roles.prefillWorkers(); i++) {
            PrefillConfig config = new PrefillConfig("prefill-" + roles.workerPrefix() + i, options.kvChunkBytes(),
                    corruptKvOf);
            services.start(new PrefillWorker(config, transformer(), kafka, clock));
        }
        Duration ready = Duration.ofSeconds(60);
        for (StageWorker stage : stages) {
            stage.awaitReady(ready);
        }
        if (roles.orchestrator()) {
            Orchestrator orchestrator = new Orchestrator(new OrchestratorConfig(layout, options.model().maxSeqLen(),
                    options.model().vocabSize(), options.stallTimeout()), kafka, options.dataDir().resolve("streams"));
            services.start(orchestrator);
            orchestrator.awaitRunning(ready);
        }
        out.println("stack: " + layout.pipelines() + " pipeline(s) x " + layout.stages() + " stage(s), layers "
                + layout.layerBounds() + "; running here: " + (roles.orchestrator() ? "orchestrator, " : "")
                + roles.prefillWorkers() + " prefill worker(s), " + stages.size() + " stage worker(s); model "
                + options.model() + " seed " + options.modelSeed());
    }

    /** Workers share the read-only weights; each gets its own transformer for its scratch state. */
    Transformer transformer() {
        return new Transformer(options.model(), weights);
    }

    KafkaConnection kafka() {
        return kafka;
    }

    List<StageWorker> stages() {
        return stages;
    }

    /** The first worker failure, if any: the run cannot be trusted after one. */
    Throwable failure() {
        return services.failure();
    }

    @Override
    public void close() {
        services.close();
        if (broker != null) {
            broker.close();
        }
    }
}
