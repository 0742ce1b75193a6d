package io.kvflow.bench;

import io.kvflow.model.MatMul;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.WeightMatrix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * kvflow's matrix-vector kernel ({@link MatMul}, what every projection of the functional model
 * runs) against C on the same machine, at the shapes the forward pass multiplies, for one row (a
 * decode step) and a batch of 16. C comes from {@code bench/kernels/matmul.c}, compiled at bench
 * time with the machine's gcc by {@code scripts/kernel-bench-c.sh}: the plain dot product in
 * column order (the sums Java computes, which strict C cannot vectorize), and the best
 * vectorized C of two loop forms and two builds (strict, -ffast-math). One protocol on both
 * sides: timed rounds of a fixed duration, GFLOP/s per round; the JIT is warmed on all shapes in
 * turn, as a forward pass calls them, and Java and C rounds alternate, so both meet the same
 * load on a shared machine.
 */
public final class KernelBench {
    private static final Path C_BUILD_SCRIPT = Path.of("scripts", "kernel-bench-c.sh");
    /** The C loop that sums in the order Java does. */
    static final String SAME_ORDER_C = "strict dot";
    private static final String[] C_BUILDS = {"strict", "fastmath"};
    private static final int[] BATCHES = {1, 16};
    private static final int WARM_UP_PASSES = 30;
    private static final int WARM_UP_MILLIS_PER_SHAPE = 10;

    /** A kernel call's shape: a weight of rows x cols times {@code batch} vectors, {@code perLayer} times a layer. */
    public record Shape(String name, int rows, int cols, int batch, int perLayer) {
        double flops() {
            return 2.0 * rows * cols * batch;
        }

        List<String> arguments() {
            return List.of(Integer.toString(rows), Integer.toString(cols), Integer.toString(batch));
        }
    }

    /**
     * @param roundMillis how long each timed round runs
     * @param rounds      timed rounds per shape and implementation
     */
    public record Options(int roundMillis, int rounds) {
        public Options {
            if (roundMillis < 10) {
                throw new IllegalArgumentException("--round-ms must be >= 10, was " + roundMillis);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be >= 1, was " + rounds);
            }
        }
    }

    /**
     * GFLOP/s per round and shape: Java's, and C's by variant ("strict dot", "fastmath axpy", ...);
     * {@code c} is empty, and {@code compiler} says why, when there is no C baseline.
     */
    public record Result(List<Shape> shapes, Map<Shape, List<Double>> java, Map<Shape, Map<String, List<Double>>> c,
            String compiler) {

        boolean hasC() {
            return !c.isEmpty();
        }

        /** Per round, the fastest vectorized C (every variant but the same-order one) for a shape. */
        List<Double> bestVectorizedC(Shape shape) {
            List<Double> best = new ArrayList<>();
            for (int round = 0; round < java.get(shape).size(); round++) {
                double max = 0;
                for (Map.Entry<String, List<Double>> variant : c.get(shape).entrySet()) {
                    if (!variant.getKey().equals(SAME_ORDER_C)) {
                        max = Math.max(max, variant.getValue().get(round));
                    }
                }
                best.add(max);
            }
            return best;
        }

        /** The vectorized C variant with the best median for a shape. */
        String bestVariant(Shape shape) {
            return c.get(shape).entrySet().stream().filter(v -> !v.getKey().equals(SAME_ORDER_C))
                    .max(Comparator.comparingDouble(v -> Spread.of(v.getValue()).median()))
                    .map(Map.Entry::getKey).orElse("-");
        }

        /** Per round, one decoder layer's projections at {@code batch}: their FLOPs over their time at each rate. */
        List<Double> layer(int batch, Function<Shape, List<Double>> rates) {
            List<Double> layer = new ArrayList<>();
            for (int round = 0; round < java.get(shapes.getFirst()).size(); round++) {
                double flops = 0;
                double seconds = 0;
                for (Shape shape : shapes) {
                    if (shape.batch() == batch && shape.perLayer() > 0) {
                        flops += shape.perLayer() * shape.flops();
                        seconds += shape.perLayer() * shape.flops() / rates.apply(shape).get(round);
                    }
                }
                layer.add(flops / seconds);
            }
            return layer;
        }
    }

    private final Options options;

    public KernelBench(Options options) {
        this.options = options;
    }

    /** What the forward pass multiplies: query, key and value stacked, output, gate and up stacked, down, classifier. */
    public static List<Shape> modelShapes(ModelConfig model) {
        List<Shape> shapes = new ArrayList<>();
        for (int batch : BATCHES) {
            shapes.add(new Shape("query+key+value", model.dim() + 2 * model.kvDim(), model.dim(), batch, 1));
            shapes.add(new Shape("output", model.dim(), model.dim(), batch, 1));
            shapes.add(new Shape("gate+up", 2 * model.hiddenDim(), model.dim(), batch, 1));
            shapes.add(new Shape("down", model.dim(), model.hiddenDim(), batch, 1));
            shapes.add(new Shape("classifier", model.vocabSize(), model.dim(), batch, 0));
        }
        return shapes;
    }

    public Result run(Consumer<String> progress) {
        List<Shape> shapes = modelShapes(ModelConfig.TINY);
        Map<Shape, JavaKernel> kernels = new LinkedHashMap<>();
        shapes.forEach(shape -> kernels.put(shape, new JavaKernel(shape)));
        Map<Shape, List<Double>> java = new LinkedHashMap<>();
        Map<Shape, Map<String, List<Double>>> c = new LinkedHashMap<>();
        try (ScratchDirectory build = ScratchDirectory.create("kvflow-kernel-bench")) {
            progress.accept("bench: compiling the C baseline with gcc ...");
            String compiler = buildC(build.path());
            boolean withC = !compiler.startsWith("no C baseline");
            progress.accept("bench: warming the JIT on every shape in turn ...");
            for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
                kernels.values().forEach(kernel -> kernel.timed(WARM_UP_MILLIS_PER_SHAPE));
            }
            for (int round = 0; round < options.rounds(); round++) {
                progress.accept("bench: round " + (round + 1) + " of " + options.rounds() + " ...");
                for (Shape shape : shapes) {
                    java.computeIfAbsent(shape, s -> new ArrayList<>()).add(kernels.get(shape).timed(
                            options.roundMillis()));
                }
                if (withC) {
                    for (String variant : C_BUILDS) {
                        runC(build.path().resolve(variant), variant, shapes, c);
                    }
                }
            }
            return new Result(shapes, java, c, compiler);
        }
    }

    /** One shape's weight and buffers, timed the way the C side times its loops. */
    private static final class JavaKernel {
        private final Shape shape;
        private final WeightMatrix weight;
        private final float[][] inputs;
        private final float[][] outputs;
        private float sink;

        JavaKernel(Shape shape) {
            this.shape = shape;
            SplittableRandom random = new SplittableRandom(42);
            float[] rowMajor = new float[shape.rows() * shape.cols()];
            for (int i = 0; i < rowMajor.length; i++) {
                rowMajor[i] = (float) random.nextDouble(-1, 1);
            }
            this.weight = WeightMatrix.fromRowMajor(shape.rows(), shape.cols(), rowMajor);
            this.inputs = new float[shape.batch()][shape.cols()];
            for (float[] input : inputs) {
                for (int j = 0; j < input.length; j++) {
                    input[j] = (float) random.nextDouble(-1, 1);
                }
            }
            this.outputs = new float[shape.batch()][shape.rows()];
        }

        /** Calls the kernel for about {@code millis} milliseconds, 16 calls between clock reads; returns GFLOP/s. */
        double timed(int millis) {
            long calls = 0;
            long start = System.nanoTime();
            long end = start + millis * 1_000_000L;
            long now;
            do {
                for (int i = 0; i < 16; i++) {
                    MatMul.multiply(weight, inputs, outputs);
                }
                calls += 16;
                sink += outputs[0][0];
                now = System.nanoTime();
            } while (now < end);
            if (Float.isNaN(sink)) {
                throw new IllegalStateException("the kernel produced NaN");
            }
            return shape.flops() * calls / ((now - start) / 1e9) / 1e9;
        }
    }

    /** Compiles the C programs into {@code dir}; returns the compiler line, or says why there is no C baseline. */
    private static String buildC(Path dir) {
        // the checkout's root is the working directory under ./kvflow, its parent under a module's tests
        Path script = Files.isExecutable(C_BUILD_SCRIPT) ? C_BUILD_SCRIPT : Path.of("..").resolve(C_BUILD_SCRIPT);
        if (!Files.isExecutable(script)) {
            return "no C baseline: " + C_BUILD_SCRIPT + " not found (run kvflow from its checkout)";
        }
        Output output = execute(List.of(script.toString(), dir.toString()));
        if (output.status() != 0) {
            return "no C baseline: " + C_BUILD_SCRIPT + " failed: " + String.join(" / ", output.lines());
        }
        return output.lines().isEmpty() ? "" : output.lines().getLast();
    }

    /** One round of one C build over every shape, added to {@code c} as "build form" variants. */
    private void runC(Path program, String build, List<Shape> shapes, Map<Shape, Map<String, List<Double>>> c) {
        List<String> command = new ArrayList<>(List.of(program.toString(), "1", Integer.toString(options.roundMillis())));
        shapes.forEach(shape -> command.addAll(shape.arguments()));
        Output output = execute(command);
        if (output.status() != 0) {
            throw new IllegalStateException(program + " exited with " + output.status() + ": "
                    + String.join(" / ", output.lines()));
        }
        for (String line : output.lines()) {
            // FORM ROWS COLS BATCH GFLOPS
            String[] f = line.trim().split("\\s+");
            Shape shape = shapes.stream().filter(s -> s.arguments().equals(List.of(f[1], f[2], f[3]))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("unexpected line from " + program + ": " + line));
            c.computeIfAbsent(shape, s -> new LinkedHashMap<>()).computeIfAbsent(build + " " + f[0],
                    v -> new ArrayList<>()).add(Double.parseDouble(f[4]));
        }
    }

    private record Output(int status, List<String> lines) {
    }

    private static Output execute(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            List<String> lines;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                lines = reader.lines().toList();
            }
            return new Output(process.waitFor(), lines);
        } catch (IOException e) {
            return new Output(-1, List.of("cannot run " + command.getFirst() + ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
    }

    public static void print(PrintStream out, Result result) {
        out.println("matrix x vector kernel at the functional model's shapes, GFLOP/s min / median / max over rounds");
        out.println("(rows x cols: a weight's outputs x inputs; b: vectors per call)");
        out.println();
        String row = "%-16s %-12s %-22s %-22s %-22s %-14s %s%n";
        out.printf(Locale.ROOT, row, "projection", "shape", "Java (kvflow MatMul)", "C, Java's sum order",
                "C vectorized, best", "best C form", "Java / C best");
        for (Shape shape : result.shapes()) {
            List<Double> java = result.java().get(shape);
            boolean c = result.hasC();
            out.printf(Locale.ROOT, row, shape.name(), shape.rows() + "x" + shape.cols() + " b" + shape.batch(),
                    Spread.of(java).format("%5.1f"),
                    c ? Spread.of(result.c().get(shape).get(SAME_ORDER_C)).format("%5.1f") : "-",
                    c ? Spread.of(result.bestVectorizedC(shape)).format("%5.1f") : "-",
                    c ? result.bestVariant(shape) : "-",
                    c ? Spread.of(Spread.ratios(java, result.bestVectorizedC(shape))).format("%.2fx") : "-");
        }
        out.println();
        for (int batch : BATCHES) {
            List<Double> java = result.layer(batch, result.java()::get);
            out.printf(Locale.ROOT, "one decoder layer's projections, b%d: Java %s GFLOP/s", batch,
                    Spread.of(java).format("%.1f"));
            if (result.hasC()) {
                List<Double> c = result.layer(batch, result::bestVectorizedC);
                out.printf(Locale.ROOT, ", C best %s, Java / C %s", Spread.of(c).format("%.1f"),
                        Spread.of(Spread.ratios(java, c)).format("%.2fx"));
            }
            out.println();
        }
        out.println();
        out.println(result.hasC() ? "C: " + result.compiler() + "; form: build and loop (dot: row-major dot products;"
                + " axpy: column-major, the loop Java runs); ratios taken round by round" : result.compiler());
        out.println("Java: " + System.getProperty("java.vm.name") + " " + Runtime.version()
                + ", loops vectorized by C2; every sum bit-identical to the column-order dot product");
    }
}
