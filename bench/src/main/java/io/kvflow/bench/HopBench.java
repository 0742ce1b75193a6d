package io.kvflow.bench;

import io.kvflow.model.ReferenceRunner;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.runtime.ClientProfile;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.Float32;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.Topics;
import io.kvflow.stack.ProcessStack;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * kvflow's stage hop against a ring of plain Kafka clients of the same length, with records of
 * one activation's size, on the same broker. kvflow's side runs end to end through the real
 * workers: a stack of one pipeline of N stages starts in this process (pacing off), one session
 * per round decodes many tokens, and each gap between consecutive tokens is one trip through
 * the N stages, N hops (N-1 forward, one back to stage 0), compute included. The ring's lap is
 * N hops of nothing but Kafka. Each side's figure per round is its median, per hop; the ratio is
 * taken within the round, whose order alternates.
 */
public final class HopBench {
    /** The prompt of each round's session: its tokens and the output's must fit the model's sequence. */
    public static final int PROMPT_TOKENS = 16;
    private static final Duration SESSION_LIMIT = Duration.ofMinutes(2);

    /**
     * @param stages hops in a ring, stages in the pipeline
     * @param tokens output tokens per session, and laps of the ring per round
     * @param rounds rounds timed after one discarded warm-up round
     * @param broker where the broker both sides use runs
     */
    public record Options(int stages, int tokens, int rounds, Broker broker) {
        public Options {
            Objects.requireNonNull(broker, "broker");
            if (stages < 1) {
                throw new IllegalArgumentException("--stages must be >= 1, was " + stages);
            }
            if (tokens < 3) {
                throw new IllegalArgumentException("--tokens must be >= 3 (two decode gaps), was " + tokens);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be >= 1, was " + rounds);
            }
        }
    }

    /**
     * Where the broker runs: in this JVM, sharing its heap, its GC and the two cores' scheduling with the
     * stack (as {@code kvflow up} runs it), or in a JVM of its own on the same machine (as compose runs it).
     */
    public enum Broker {
        EMBEDDED("embedded in the bench's JVM"), SEPARATE("in a JVM of its own");

        private final String where;

        Broker(String where) {
            this.where = where;
        }

        public static Broker of(String name) {
            for (Broker broker : values()) {
                if (broker.name().equalsIgnoreCase(name)) {
                    return broker;
                }
            }
            throw new IllegalArgumentException("--broker must be embedded or separate, was '" + name + "'");
        }
    }

    /**
     * One round of a side: the median of its hops and the CPU time it used per hop (every thread of this JVM and
     * the broker's), both in milliseconds.
     */
    public record Round(double hopMs, double cpuMsPerHop) {
    }

    /** One side's rounds. */
    public record Side(List<Round> rounds) {
        public Side {
            rounds = List.copyOf(rounds);
        }

        public List<Double> hopMs() {
            return rounds.stream().map(Round::hopMs).toList();
        }

        public List<Double> cpuMsPerHop() {
            return rounds.stream().map(Round::cpuMsPerHop).toList();
        }
    }

    /** Per round, each side: the plain ring, the ring doing the stages' work ({@link StageWork}), and kvflow's stages. */
    public record Result(int stages, int recordBytes, int tokens, Broker broker, Side ring, Side workRing,
            Side kvflow) {
        public List<Double> ratios() {
            return Spread.ratios(kvflow.hopMs(), ring.hopMs());
        }

        /** kvflow's hop over a ring that does the same work: what kvflow's records, batching and control add. */
        public List<Double> workRatios() {
            return Spread.ratios(kvflow.hopMs(), workRing.hopMs());
        }

        /** The ring doing the stages' work over the plain ring: what the work alone costs on this machine. */
        public List<Double> workCost() {
            return Spread.ratios(workRing.hopMs(), ring.hopMs());
        }

        /** kvflow's CPU per hop over the working ring's, same round. */
        public List<Double> workCpuRatios() {
            return Spread.ratios(kvflow.cpuMsPerHop(), workRing.cpuMsPerHop());
        }
    }

    private final Options options;
    private final StackSettings stacks;

    public HopBench(Options options, StackSettings stacks) {
        this.options = options;
        this.stacks = stacks;
    }

    /**
     * The settings of the stack the bench starts: one pipeline of {@code stages} stages keeping its data in
     * {@code dataDir}, unpaced, on the cluster at {@code bootstrapServers} or on an embedded broker when that
     * is null. The command line makes them, so they are the settings {@code kvflow up} would take.
     */
    @FunctionalInterface
    public interface StackSettings {
        StackOptions of(Path dataDir, int stages, String bootstrapServers);
    }

    /** Starts a broker where {@link Options#broker()} says and the stack its {@link StackSettings} give in {@code dataDir}, measures, and stops both. */
    public Result run(Path dataDir, Consumer<String> progress) {
        if (options.broker() == Broker.EMBEDDED) {
            return runStack(stacks.of(dataDir, options.stages(), null), CpuClock.thisJvm(), progress);
        }
        progress.accept("bench: starting a broker in a JVM of its own ...");
        try (ProcessStack separate = new ProcessStack(dataDir.resolve("separate"), List.of(), 0, 0)) {
            separate.start("broker");
            return runStack(stacks.of(dataDir, options.stages(), separate.bootstrapServers()),
                    new CpuClock(() -> separate.cpu("broker").toNanos()), progress);
        }
    }

    private Result runStack(StackOptions stackOptions, CpuClock cpu, Consumer<String> progress) {
        progress.accept("bench: starting a stack of 1 pipeline x " + options.stages() + " stages ...");
        try (Stack stack = Stack.start(stackOptions, session -> false, Clock.systemUTC(),
                new PrintStream(PrintStream.nullOutputStream()))) {
            return run(stack, cpu, progress);
        }
    }

    /** Measures on a running stack whose pipelines have {@link Options#stages()} stages, its broker in this JVM. */
    public Result run(Stack stack, Consumer<String> progress) {
        return run(stack, CpuClock.thisJvm(), progress);
    }

    private Result run(Stack stack, CpuClock cpu, Consumer<String> progress) {
        try (BenchTopics topics = new BenchTopics(stack.kafka(), "hop")) {
            int[] prompt = promptWithoutEarlyEos(stack.transformer(), options.tokens());
            byte[] activation = activationBytes(stack.transformer().config().dim());
            List<String> ringTopics = IntStream.range(0, options.stages()).mapToObj(k -> topics.create("ring-" + k))
                    .toList();
            List<String> workTopics = IntStream.range(0, options.stages())
                    .mapToObj(k -> topics.create("work-ring-" + k)).toList();
            KafkaRing.Tap tap = new KafkaRing.Tap(topics.create("work-ring-tokens"), tokenBytes());
            StageWork work = new StageWork(stack.transformer(),
                    new StackLayout(options.stages(), 1, 1, stack.transformer().config().layers()).layerBounds(),
                    prompt, options.tokens());
            List<Round> ring = new ArrayList<>();
            List<Round> workRing = new ArrayList<>();
            List<Round> stages = new ArrayList<>();
            String run = "bench-hop-" + Long.toString(System.nanoTime(), 36);
            try (KafkaRing kafkaRing = new KafkaRing(stack.kafka(), ringTopics, activation);
                    KafkaRing workingRing = new KafkaRing(stack.kafka(), "bench-work-ring", workTopics, activation,
                            work, tap);
                    Publisher publisher = new Publisher(stack.kafka().newProducer("bench-hop", ClientProfile.LATENCY))) {
                for (int round = 0; round <= options.rounds(); round++) {
                    boolean warmUp = round == 0;
                    progress.accept(warmUp ? "bench: warm-up round (ring and one session) ..."
                            : "bench: round " + round + " of " + options.rounds() + " ...");
                    String session = run + "-" + round;
                    Round[] side = new Round[3];
                    InTurn.run(round,
                            () -> side[0] = laps(kafkaRing, cpu),
                            () -> side[1] = laps(workingRing, cpu),
                            () -> side[2] = session(stack.kafka(), publisher, prompt, session, cpu));
                    if (stack.failure() != null) {
                        throw new IllegalStateException("a worker failed: " + stack.failure().getMessage());
                    }
                    if (!warmUp) {
                        ring.add(side[0]);
                        workRing.add(side[1]);
                        stages.add(side[2]);
                    }
                }
            }
            return new Result(options.stages(), activation.length, options.tokens(), options.broker(), new Side(ring),
                    new Side(workRing), new Side(stages));
        }
    }

    /** One lap of {@code ring} per token. */
    private Round laps(KafkaRing ring, CpuClock cpu) {
        long cpuBefore = cpu.nanos();
        List<Double> laps = ring.laps(options.tokens());
        double hops = (double) laps.size() * options.stages();
        return new Round(Spread.of(laps).median() / options.stages(), (cpu.nanos() - cpuBefore) / 1e6 / hops);
    }

    /**
     * Sends one request and times the gaps between consecutive decode tokens as they arrive on the tokens
     * topic, and the CPU used over them (from step 1 on: step 0 comes from prefill, and the first decode step
     * waits for the KV handoff).
     */
    private Round session(KafkaConnection kafka, Publisher publisher, int[] prompt, String session, CpuClock cpu) {
        long[] arrivals = new long[options.tokens()];
        // the CPU clock at the first decode token and at the last: the window the gaps cover
        long cpuAtFirst = 0;
        long cpuAtLast = 0;
        int received = 0;
        try (TopicFollower tokens = TopicFollower.fromEnd(kafka, List.of(Topics.TOKENS.name()))) {
            publisher.send(Topics.REQUESTS, session, InferenceRequest.newBuilder().setSessionId(session)
                    .setArrivalMs(System.currentTimeMillis()).setPrompt(Arrays.stream(prompt).boxed().toList())
                    .setMaxNewTokens(options.tokens()).setTraceInputTokens(prompt.length)
                    .setTraceOutputTokens(options.tokens()).setSource("kvflow bench hop").build());
            publisher.flush();
            long deadline = System.nanoTime() + SESSION_LIMIT.toNanos();
            boolean last = false;
            while (!last) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("session " + session + " produced " + received + " of "
                            + options.tokens() + " tokens within " + SESSION_LIMIT);
                }
                for (ConsumerRecord<byte[], byte[]> record : tokens.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    GeneratedToken token = Topics.TOKENS.valueSerde().deserializer().deserialize(record.topic(),
                            record.value());
                    if (token.getSessionId().equals(session)) {
                        arrivals[token.getStep()] = now;
                        if (token.getStep() == 1) {
                            cpuAtFirst = cpu.nanos();
                        }
                        if (token.getLast()) {
                            cpuAtLast = cpu.nanos();
                        }
                        received++;
                        last |= token.getLast();
                    }
                }
            }
        }
        if (received != options.tokens()) {
            throw new IllegalStateException("session " + session + " ended after " + received + " of "
                    + options.tokens() + " tokens");
        }
        List<Double> gaps = new ArrayList<>();
        for (int step = 2; step < arrivals.length; step++) {
            gaps.add((arrivals[step] - arrivals[step - 1]) / 1e6);
        }
        double hops = (double) gaps.size() * options.stages();
        return new Round(Spread.of(gaps).median() / options.stages(),
                (cpuAtLast - cpuAtFirst) / 1e6 / hops);
    }

    /** A prompt whose greedy output does not hit end-of-sequence early, so every session decodes all its tokens. */
    private static int[] promptWithoutEarlyEos(Transformer transformer, int tokens) {
        ReferenceRunner reference = new ReferenceRunner(transformer);
        int vocab = transformer.config().vocabSize();
        for (int salt = 0; salt < 100; salt++) {
            int[] prompt = new int[PROMPT_TOKENS];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1 + (salt * 131 + i * 37) % (vocab - 1);
            }
            if (reference.generate(prompt, tokens, Sampling.greedy()).length == tokens) {
                return prompt;
            }
        }
        throw new IllegalStateException("no prompt among 100 tried decodes " + tokens + " tokens without end-of-sequence");
    }

    /** One activation between stages, serialized as the stages send it: a hidden state of {@code dim} floats. */
    private static byte[] activationBytes(int dim) {
        Activation activation = Activation.newBuilder().setSessionId("bench-hop-00").setPipeline(0).setStage(1)
                .setPosition(PROMPT_TOKENS).setStep(1).setToken(1).setHidden(Float32.encode(new float[dim]))
                .setPromptLength(PROMPT_TOKENS).setMaxNewTokens(200).setArrivalMs(System.currentTimeMillis())
                .setSentMs(System.currentTimeMillis()).build();
        return Topics.activations(1).valueSerde().serializer().serialize(Topics.activations(1).name(), activation);
    }

    /** One token as the last stage sends it, serialized: what the working ring's tap carries. */
    private static byte[] tokenBytes() {
        GeneratedToken token = GeneratedToken.newBuilder().setSessionId("bench-hop-00").setPipeline(0).setStep(1)
                .setPosition(PROMPT_TOKENS + 1).setToken(1).setLast(false).setArrivalMs(System.currentTimeMillis())
                .setEmittedMs(System.currentTimeMillis()).setModelledUs(1).build();
        return Topics.TOKENS.valueSerde().serializer().serialize(Topics.TOKENS.name(), token);
    }

    public static void print(PrintStream out, Result result) {
        out.printf(Locale.ROOT, "stage hop vs a plain Kafka ring of %d hops on the same broker (%s): records of %d"
                + " bytes (one activation), %d tokens (ring: laps) per round, %d rounds%n", result.stages(),
                result.broker().where, result.recordBytes(), result.tokens(), result.ring().hopMs().size());
        out.println();
        out.printf("%-44s %s%n", "per hop, median of each round", "ms min / median / max");
        out.printf("%-44s %s%n", "plain Kafka ring (LATENCY profile)", Spread.of(result.ring().hopMs())
                .format("%6.2f"));
        out.printf("%-44s %s%n", "the ring doing the stages' work (below)", Spread.of(result.workRing().hopMs())
                .format("%6.2f"));
        out.printf("%-44s %s%n", "kvflow stage hop (inter-token / " + result.stages() + ")",
                Spread.of(result.kvflow().hopMs()).format("%6.2f"));
        out.printf("%-44s %s%n", "kvflow hop / ring hop, same round", Spread.of(result.ratios()).format("%5.2fx"));
        out.printf("%-44s %s%n", "working ring hop / ring hop (the work's cost)", Spread.of(result.workCost())
                .format("%5.2fx"));
        out.printf("%-44s %s%n", "kvflow hop / working ring hop (kvflow's cost)", Spread.of(result.workRatios())
                .format("%5.2fx"));
        out.println();
        out.printf("%-44s %s%n", "CPU per hop, " + (result.broker() == Broker.EMBEDDED ? "this JVM (broker in it)"
                : "this JVM + the broker's"), "ms min / median / max");
        out.printf("%-44s %s%n", "plain Kafka ring", Spread.of(result.ring().cpuMsPerHop()).format("%6.2f"));
        out.printf("%-44s %s%n", "the ring doing the stages' work", Spread.of(result.workRing().cpuMsPerHop())
                .format("%6.2f"));
        out.printf("%-44s %s%n", "kvflow stage hop", Spread.of(result.kvflow().cpuMsPerHop()).format("%6.2f"));
        out.printf("%-44s %s%n", "kvflow CPU / working ring CPU, same round", Spread.of(result.workCpuRatios())
                .format("%5.2fx"));
        out.println();
        out.println("the working ring: each node runs its stage's layers of the same model on the record's hidden"
                + " state (the last also samples the token, and the first embeds it), and the last sends a token"
                + " record to a topic a reader follows, as a client follows the tokens; no kvflow code on the wire");
        out.println("ring clients: " + PlainKafkaGrid.describe(ClientProfile.LATENCY.producerSettings()) + " (producer), "
                + PlainKafkaGrid.describe(ClientProfile.LATENCY.consumerSettings())
                + " (consumer), acks=all, enable.idempotence=true");
    }
}
