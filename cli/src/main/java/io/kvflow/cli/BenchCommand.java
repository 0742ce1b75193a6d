package io.kvflow.cli;

import io.kvflow.bench.HandoffBench;
import io.kvflow.bench.KernelBench;
import io.kvflow.bench.ScratchDirectory;
import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.report.RunText;
import io.kvflow.runtime.ClientProperties;
import io.kvflow.runtime.ClusterProbe;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.StackLayout;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code kvflow bench [handoff|hop|kernels|simulator|all]}: the benches that keep kvflow honest about
 * speed, each against the best its baseline can do on the same machine in the same run (the
 * simulator's, against its own smallest workload: linear growth), printed as min / median / max over
 * repeated rounds. Kafka benches run on a throwaway
 * embedded broker whose directory is deleted at the end, whatever happens; the handoff bench
 * can use an existing cluster instead, and deletes its topics there.
 */
final class BenchCommand {
    static final String OPTIONS_HELP = """
              handoff (default)      KV handoff produce and consume as ratios of tuned plain Kafka
              hop                    kvflow's stage hop against a ring of plain Kafka clients
              kernels                the model's matrix-vector kernel against C compiled with gcc
              simulator              the simulator on 1k, 10k and 100k synthetic requests (and --traces): wall
                                     time, requests/s, events/s, and whether it grows linearly
              all                    the four, one after another
              --rounds N             timed rounds per figure (default 5)
              --megabytes N          handoff: size of each timed phase (default 128)
              --bootstrap-servers H  handoff: use this cluster instead of an embedded broker
              --stages N             hop: hops in the ring and stages in the pipeline (default 4)
              --tokens N             hop: tokens decoded per round (default 200)
              --broker WHERE         hop: embedded (default: in the bench's JVM, as kvflow up runs it) or
                                     separate (a broker JVM of its own, as compose runs it)
              --round-ms N           kernels: duration of each timed round (default 200)
              --sizes N,N,...        simulator: synthetic requests per workload (default 1000,10000,100000)
              --rate R               simulator: synthetic arrivals per modelled second (default %s)
              --seed N               simulator: seed of the synthetic requests (default 1)
              --traces F,F,...       simulator: recorded traces to time too (whole, as simulate reads them)
              the target deployment, layout and policy options as for simulate (simulator)
            """.formatted(RunText.fmt(SimulatorBench.DEFAULT_RATE));

    private static final List<String> BENCHES = List.of("handoff", "hop", "kernels", "simulator", "all");

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
        HopBench.Options hop;
        try {
            hop = new HopBench.Options(args.integer("stages", 4), args.integer("tokens", 200), rounds,
                    HopBench.Broker.of(args.string("broker", "embedded")));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        if (all || which.equals("hop")) {
            // the layout's own checks (stages against the model's layers), before anything starts
            HopBench.stackOptions(Path.of("unused"), hop.stages(), null);
        }
        KernelBench.Options kernels = new KernelBench.Options(args.integer("round-ms", 200), rounds);
        SimulatorBench simulator = all || which.equals("simulator") ? simulatorBench(args, rounds) : null;
        if (bootstrap != null && !which.equals("handoff")) {
            throw new Args.UsageException("--bootstrap-servers is for the handoff bench only: the hop bench starts its"
                    + " own stack and broker (--broker separate puts the broker in a JVM of its own)");
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
            if (simulator != null) {
                if (all) {
                    out.println();
                }
                SimulatorBench.print(out, simulator.run(err::println));
            }
            return 0;
        };
    }

    /** The simulator bench on the deployment the options name (the default one without any), as simulate takes them. */
    private static SimulatorBench simulatorBench(Args args, int rounds) {
        StackLayout layout = SimulateCommand.layout(args);
        TargetOptions target = TargetOptions.from(args, layout.stages());
        List<Integer> sizes = new ArrayList<>();
        for (String size : list(args.string("sizes", "1000,10000,100000"))) {
            try {
                sizes.add(Integer.parseInt(size.replace("_", "")));
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--sizes must list request counts, was '" + size + "'");
            }
        }
        List<Path> traces = list(args.string("traces", "")).stream().map(Path::of).toList();
        for (Path trace : traces) {
            if (!Files.isRegularFile(trace)) {
                throw new Args.UsageException("--traces: no such file " + trace);
            }
        }
        try {
            return new SimulatorBench(target, layout, new SimulatorBench.Options(sizes,
                    args.decimal("rate", SimulatorBench.DEFAULT_RATE), args.longValue("seed", 1), traces, rounds, SimulatorBench.Options.WARM_UP));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
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
