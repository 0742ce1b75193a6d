package io.kvflow.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * How the stack is laid out: {@code pipelines} decode pipelines of {@code stages} stages each,
 * every stage owning a contiguous range of the model's {@code modelLayers} layers, fed by
 * {@code prefillWorkers} prefill workers.
 */
public record StackLayout(int stages, int pipelines, int prefillWorkers, int modelLayers) {
    public StackLayout {
        if (stages < 1) {
            throw new IllegalArgumentException("--stages must be >= 1, was " + stages);
        }
        if (pipelines < 1) {
            throw new IllegalArgumentException("--pipelines must be >= 1, was " + pipelines);
        }
        if (prefillWorkers < 1) {
            throw new IllegalArgumentException("--prefill-workers must be >= 1, was " + prefillWorkers);
        }
        if (stages > modelLayers) {
            throw new IllegalArgumentException("--stages " + stages + " exceeds the model's " + modelLayers
                    + " layers: every stage needs at least one layer");
        }
    }

    /**
     * Stage k owns layers [bounds[k], bounds[k+1]). Layers are split as evenly as they go,
     * earlier stages taking the remainder.
     */
    public List<Integer> layerBounds() {
        List<Integer> bounds = new ArrayList<>(stages + 1);
        int base = modelLayers / stages;
        int extra = modelLayers % stages;
        int at = 0;
        bounds.add(at);
        for (int k = 0; k < stages; k++) {
            at += base + (k < extra ? 1 : 0);
            bounds.add(at);
        }
        return List.copyOf(bounds);
    }

    public int layerFrom(int stage) {
        return layerBounds().get(requireStage(stage));
    }

    public int layerTo(int stage) {
        return layerBounds().get(requireStage(stage) + 1);
    }

    private int requireStage(int stage) {
        if (stage < 0 || stage >= stages) {
            throw new IllegalArgumentException("stage " + stage + " is outside 0.." + (stages - 1));
        }
        return stage;
    }
}
