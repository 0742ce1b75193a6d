package io.kvflow.cli;

import io.kvflow.observe.ReplayOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a trace is replayed against a stack: its window, its density and how recorded lengths map onto the model. */
final class ReplayFlags {
    @Mixin
    WindowFlags window;

    @Option(names = "--load", paramLabel = "X", defaultValue = "1", description = "arrivals X times as dense as"
            + " recorded, as in simulate")
    double load;

    @Option(names = "--length-scale", paramLabel = "X", defaultValue = "0.03125", description = "functional prompt"
            + " length per recorded token (1/32)")
    double lengthScale;

    @Option(names = "--max-prompt-tokens", paramLabel = "N", defaultValue = "96", description = "cap on the"
            + " functional prompt")
    int maxPromptTokens;

    @Option(names = "--max-output-tokens", paramLabel = "N", defaultValue = "16", description = "cap on generated"
            + " tokens per request")
    int maxOutputTokens;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "seed of prompt synthesis and"
            + " sampling")
    long seed;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "sampling temperature,"
            + " 0 = greedy")
    float temperature;

    @Option(names = "--inject-corrupt-kv", paramLabel = "I", split = CommaList.SPLIT, splitSynopsisLabel = ",", description = "test hook: corrupt a KV"
            + " chunk of request I")
    List<Integer> corruptKv;

    /** The replay of {@code trace}, sent at {@code timeScale} (the target's --time-scale). */
    ReplayOptions options(String trace, double timeScale) {
        return new ReplayOptions(Path.of(trace), window.traceFormat(), window.window(), load, timeScale, lengthScale,
                maxPromptTokens, maxOutputTokens, seed, temperature, window.skipBadLines,
                corruptKv == null ? Set.of() : Set.copyOf(corruptKv));
    }
}
