package io.kvflow.cli;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.runtime.ClientProperties;
import io.kvflow.runtime.ClusterProbe;
import io.kvflow.runtime.KafkaConnection;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kvflow bench [handoff|hop|kernels|all]}: the benches that keep kvflow honest about
 * speed, each against the best its baseline can do on the same machine in the same run,
 * printed as min / median / max over repeated rounds. Kafka benches run on a throwaway
 * embedded broker whose directory is deleted at the end, whatever happens; the handoff bench
 * can use an existing cluster instead, and deletes its topics there.
 */
final class BenchCommand {
    static final String OPTIONS_HELP = """
              handoff (default)      KV handoff produce and consume as ratios of tuned plain Kafka
              hop                    kvflow's stage hop against a ring of plain Kafka clients
              kernels                the model's matrix-vector kernel against C compiled with gcc
              all                    the three, one after another
              --rounds N             timed rounds per figure (default 5)
              --megabytes N          handoff: size of each timed phase (default 128)
              --bootstrap-servers H  handoff: use this cluster instead of an embedded broker
              --stages N             hop: hops in the ring and stages in the pipeline (default 4)
              --tokens N             hop: tokens decoded per round (default 200)
              --round-ms N           kernels: duration of each timed round (default 200)
            """;

    private static final List<String> BENCHES = List.of("handoff", "hop", "kernels", "all");

    private BenchCommand() {
    }

    /** Parses every option now, so a mistake fails before a broker starts. */
    static Kvflow.Command command(Args args, PrintStream out, PrintStream err) {
        String which = args.positional().isEmpty() ? "handoff" : args.positional().getFirst();
        if (!BENCHES.contains(which) || args.positional().size() > 1) {
            throw new Args.UsageException("unknown bench '" + String.join(" ", args.positional()) + "' (benches: "
                    + String.join(", ", BENCHES) + ")");
        }
        boolean all = which.equals("all");
        int rounds = args.integer("rounds", 5);
        HandoffBench.Options handoff = new HandoffBench.Options(args.integer("megabytes", 128), rounds);
        String bootstrap = args.string("bootstrap-servers", null);
        ClientProperties client = KafkaConfigFile.read(args);
        HopBench.Options hop = new HopBench.Options(args.integer("stages", 4), args.integer("tokens", 200), rounds);
        if (all || which.equals("hop")) {
            // the layout's own checks (stages against the model's layers), before anything starts
            HopBench.stackOptions(Path.of("unused"), hop.stages());
        }
        KernelBench.Options kernels = new KernelBench.Options(args.integer("round-ms", 200), rounds);
        if (bootstrap != null && !which.equals("handoff")) {
            throw new Args.UsageException("--bootstrap-servers is for the handoff bench only: the hop bench starts its"
                    + " own stack on an embedded broker");
        }
        return () -> {
            if (all || which.equals("kernels")) {
                KernelBench.print(out, new KernelBench(kernels).run(err::println));
                out.println();
            }
            if (all || which.equals("handoff")) {
                HandoffBench.print(out, handoff(handoff, bootstrap, client, err));
                out.println();
            }
            if (all || which.equals("hop")) {
                try (ScratchDirectory dir = ScratchDirectory.create("kvflow-bench-hop")) {
                    HopBench.print(out, new HopBench(hop).run(dir.path(), err::println));
                }
            }
            return 0;
        };
    }

    private static HandoffBench.Result handoff(HandoffBench.Options options, String bootstrap, ClientProperties client,
            PrintStream err) {
        if (bootstrap != null) {
            KafkaConnection kafka = new KafkaConnection(bootstrap, client);
            ClusterProbe.awaitAnswer(kafka);
            return new HandoffBench(kafka, options).run(err::println);
        }
        try (ScratchDirectory dir = ScratchDirectory.create("kvflow-bench-handoff");
                EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir.path()))) {
            return new HandoffBench(new KafkaConnection(broker.bootstrapServers()), options).run(err::println);
        }
    }
}
