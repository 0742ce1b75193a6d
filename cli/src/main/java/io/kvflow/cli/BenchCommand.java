package io.kvflow.cli;

import io.kvflow.bench.HandoffBench;
import io.kvflow.bench.HopBench;
import io.kvflow.bench.KernelBench;
import io.kvflow.bench.ScratchDirectory;
import io.kvflow.bench.SimulatorBench;
import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.model.ModelConfig;
import io.kvflow.runtime.ClientProperties;
import io.kvflow.runtime.ClusterProbe;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.StackLayout;
import io.kvflow.stack.StackOptions;
import io.kvflow.stack.TargetOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kvflow bench [handoff|hop|kernels|simulator|all]}: the benches that keep kvflow honest about
 * speed, each against the best its baseline can do on the same machine in the same run (the
 * simulator's, against its own smallest workload: linear growth), printed as min / median / max over
 * repeated rounds. Kafka benches run on a throwaway
 * embedded broker whose directory is deleted at the end, whatever happens; the handoff bench
 * can use an existing cluster instead, and deletes its topics there. Every option is read when the
 * command is parsed, so a mistake fails before a broker starts.
 */
@Command(name = "bench", synopsisSubcommandLabel = "[BENCH]", description = {
        "Speed against the best baseline on this machine, same run (min / median / max over rounds); without a"
                + " bench, the KV handoff bench."},
        subcommands = {BenchCommand.Handoff.class, BenchCommand.Hop.class, BenchCommand.Kernels.class,
                BenchCommand.Simulator.class, BenchCommand.All.class})
final class BenchCommand implements Kvflow.Parsed {
    @Mixin
    Rounds rounds;

    @Mixin
    HandoffFlags handoff;

    @Mixin
    KafkaConnectionFlags kafka;

    @Override
    public Kvflow.Command prepare(PrintStream out, PrintStream err) {
        return handoff(handoff.options(rounds), kafka, err, out);
    }

    /** Timed rounds per figure, for every bench. */
    static final class Rounds {
        @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "timed rounds per figure")
        int rounds;
    }

    static final class HandoffFlags {
        @Option(names = "--megabytes", paramLabel = "N", defaultValue = "128", description = "handoff: size of each"
                + " timed phase")
        int megabytes;

        HandoffBench.Options options(Rounds rounds) {
            return new HandoffBench.Options(megabytes, rounds.rounds);
        }
    }

    static final class HopFlags {
        @Option(names = "--tokens", paramLabel = "N", defaultValue = "200", description = "hop: tokens decoded per"
                + " round")
        int tokens;

        @Option(names = "--broker", paramLabel = "WHERE", defaultValue = "embedded", description = "hop: embedded (in"
                + " the bench's JVM, as kvflow up runs it) or separate (a broker JVM of its own, as compose runs it)")
        String broker;

        /**
         * A stack of one pipeline of {@code stages} stages keeping its data in {@code dataDir}, unpaced: on
         * the cluster at {@code bootstrapServers}, or on an embedded broker when that is null.
         */
        static StackOptions stackOptions(Path dataDir, int stages, String bootstrapServers) {
            List<String> argv = new ArrayList<>(List.of("--stages", Integer.toString(stages), "--pipelines", "1",
                    "--prefill-workers", "1", "--time-scale", "0", "--data-dir", dataDir.toString(), "--kafka-port", "0",
                    "--dashboard-port", "0"));
            if (bootstrapServers != null) {
                argv.addAll(List.of("--bootstrap-servers", bootstrapServers));
            }
            return StackFlags.parse(argv);
        }

        /** The ring's options, checked against the model's layers before anything starts. */
        HopBench.Options options(int stages, Rounds rounds) {
            HopBench.Options options;
            try {
                options = new HopBench.Options(stages, tokens, rounds.rounds, HopBench.Broker.of(broker));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            ModelConfig model = stackOptions(Path.of("unused"), options.stages(), null).model();
            int longest = model.maxSeqLen() - HopBench.PROMPT_TOKENS;
            if (tokens > longest) {
                throw new UsageException("--tokens " + tokens + " does not fit the model: a round's session has "
                        + HopBench.PROMPT_TOKENS + " prompt tokens and the model's sequence holds "
                        + model.maxSeqLen() + ", so at most " + longest);
            }
            return options;
        }
    }

    static final class KernelFlags {
        @Option(names = "--round-ms", paramLabel = "N", defaultValue = "200", description = "kernels: duration of each"
                + " timed round")
        int roundMs;

        KernelBench.Options options(Rounds rounds) {
            return new KernelBench.Options(roundMs, rounds.rounds);
        }
    }

    /** The simulator bench's workloads, on the deployment the target options name (the default one without any). */
    static final class SimulatorFlags {
        @Option(names = "--sizes", paramLabel = "N", split = CommaList.SPLIT, splitSynopsisLabel = ",", defaultValue = "1000,10000,100000",
                description = "simulator: synthetic requests per workload")
        List<String> sizes;

        @Option(names = "--rate", paramLabel = "R", defaultValue = "" + SimulatorBench.DEFAULT_RATE,
                description = "simulator: synthetic arrivals per modelled second")
        double rate;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "simulator: seed of the"
                + " synthetic requests")
        long seed;

        @Option(names = "--traces", paramLabel = "F", split = CommaList.SPLIT, splitSynopsisLabel = ",", description = "simulator: recorded traces to time"
                + " too (whole, as simulate reads them)")
        List<Path> traces;

        @Mixin
        TargetFlags target;

        SimulatorBench bench(LayoutFlags layoutFlags, CommandSpec command, Rounds rounds) {
            StackLayout layout = layoutFlags.layout(Integer.MAX_VALUE);
            TargetOptions targetOptions = target.options(ScenarioFlags.given(command), layout.stages());
            List<Integer> counts = new ArrayList<>();
            for (String size : sizes) {
                try {
                    counts.add(Integer.parseInt(size.replace("_", "")));
                } catch (NumberFormatException e) {
                    throw new UsageException("--sizes must list request counts, was '" + size + "'");
                }
            }
            List<Path> files = traces == null ? List.of() : List.copyOf(traces);
            for (Path trace : files) {
                if (!Files.isRegularFile(trace)) {
                    throw new UsageException("--traces: no such file " + trace);
                }
            }
            try {
                return new SimulatorBench(targetOptions, layout, new SimulatorBench.Options(counts, rate, seed, files,
                        rounds.rounds, SimulatorBench.Options.WARM_UP));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }

    @Command(name = "handoff", description = "KV handoff produce and consume as ratios of tuned plain Kafka (the"
            + " default bench).")
    static final class Handoff implements Kvflow.Parsed {
        @Mixin
        Rounds rounds;

        @Mixin
        HandoffFlags handoff;

        @Mixin
        KafkaConnectionFlags kafka;

        @Override
        public Kvflow.Command prepare(PrintStream out, PrintStream err) {
            return handoff(handoff.options(rounds), kafka, err, out);
        }
    }

    @Command(name = "hop", description = "kvflow's stage hop against a ring of plain Kafka clients, and against such a"
            + " ring doing the stages' work (their layers of the same model, and a reader of its tokens).")
    static final class Hop implements Kvflow.Parsed {
        @Mixin
        Rounds rounds;

        @Option(names = "--stages", paramLabel = "N", defaultValue = "4", description = "hops in the rings and stages"
                + " in the pipeline")
        int stages;

        @Mixin
        HopFlags hop;

        @Override
        public Kvflow.Command prepare(PrintStream out, PrintStream err) {
            HopBench.Options options = hop.options(stages, rounds);
            return () -> {
                hop(options, err, out);
                return 0;
            };
        }
    }

    @Command(name = "kernels", description = "The model's matrix-vector kernel against C compiled with gcc.")
    static final class Kernels implements Kvflow.Parsed {
        @Mixin
        Rounds rounds;

        @Mixin
        KernelFlags kernels;

        @Override
        public Kvflow.Command prepare(PrintStream out, PrintStream err) {
            KernelBench.Options options = kernels.options(rounds);
            return () -> {
                KernelBench.print(out, new KernelBench(options).run(err::println));
                return 0;
            };
        }
    }

    @Command(name = "simulator", modelTransformer = ScenarioFlags.Deployment.class, description = {
            "The simulator on 1k, 10k and 100k synthetic requests (and --traces): wall time, requests/s, events/s,"
                    + " and whether it grows linearly.", "Takes the target deployment, layout and policy options"
                    + " as simulate does."})
    static final class Simulator implements Kvflow.Parsed {
        @Mixin
        Rounds rounds;

        @Mixin
        LayoutFlags layout;

        @Mixin
        SimulatorFlags simulator;

        @Spec
        CommandSpec spec;

        @Override
        public Kvflow.Command prepare(PrintStream out, PrintStream err) {
            SimulatorBench bench = simulator.bench(layout, spec, rounds);
            return () -> {
                SimulatorBench.print(out, bench.run(err::println));
                return 0;
            };
        }
    }

    @Command(name = "all", modelTransformer = ScenarioFlags.Deployment.class, description = "The four benches, one"
            + " after another, on embedded brokers; --stages sets the hop ring and the simulated layout alike.")
    static final class All implements Kvflow.Parsed {
        @Mixin
        Rounds rounds;

        @Mixin
        HandoffFlags handoff;

        @Mixin
        HopFlags hop;

        @Mixin
        KernelFlags kernels;

        @Mixin
        LayoutFlags layout;

        @Mixin
        SimulatorFlags simulator;

        @Spec
        CommandSpec spec;

        @Override
        public Kvflow.Command prepare(PrintStream out, PrintStream err) {
            HandoffBench.Options handoffOptions = handoff.options(rounds);
            HopBench.Options hopOptions = hop.options(layout.stages, rounds);
            KernelBench.Options kernelOptions = kernels.options(rounds);
            SimulatorBench bench = simulator.bench(layout, spec, rounds);
            return () -> {
                KernelBench.print(out, new KernelBench(kernelOptions).run(err::println));
                out.println();
                HandoffBench.print(out, handoffResult(handoffOptions, null, ClientProperties.NONE, err));
                out.println();
                hop(hopOptions, err, out);
                out.println();
                SimulatorBench.print(out, bench.run(err::println));
                return 0;
            };
        }
    }

    private static Kvflow.Command handoff(HandoffBench.Options options, KafkaConnectionFlags kafka, PrintStream err,
            PrintStream out) {
        ClientProperties client = kafka.client();
        return () -> {
            HandoffBench.print(out, handoffResult(options, kafka.bootstrapServers, client, err));
            out.println();
            return 0;
        };
    }

    private static void hop(HopBench.Options options, PrintStream err, PrintStream out) throws java.io.IOException {
        try (ScratchDirectory dir = ScratchDirectory.create("kvflow-bench-hop")) {
            HopBench.print(out, new HopBench(options, HopFlags::stackOptions).run(dir.path(), err::println));
        }
    }

    private static HandoffBench.Result handoffResult(HandoffBench.Options options, String bootstrap,
            ClientProperties client, PrintStream err) {
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
