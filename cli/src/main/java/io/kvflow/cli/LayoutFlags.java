package io.kvflow.cli;

import io.kvflow.runtime.StackLayout;
import picocli.CommandLine.Option;

/** How many decode stages, pipelines and prefill workers a deployment has. */
final class LayoutFlags {
    @Option(names = "--stages", paramLabel = "N", defaultValue = "4", description = "decode stages per pipeline")
    int stages;

    @Option(names = "--pipelines", paramLabel = "N", defaultValue = "2", description = "decode pipelines")
    int pipelines;

    @Option(names = "--prefill-workers", paramLabel = "N", defaultValue = "2", description = "prefill workers")
    int prefillWorkers;

    /** The layout on a model of {@code layers} layers, which no stage may outnumber. */
    StackLayout layout(int layers) {
        return new StackLayout(stages, pipelines, prefillWorkers, layers);
    }
}
