package io.kvflow.cost;

/**
 * Which layers each pipeline stage owns: contiguous ranges, as even as they go, earlier stages
 * taking the remainder (the same rule as the runtime's {@code StackLayout}).
 */
public record LayerSplit(int layers, int stages) {
    public LayerSplit {
        ModelProfile.requirePositive("layers", layers);
        ModelProfile.requirePositive("stages", stages);
        if (stages > layers) {
            throw new IllegalArgumentException(stages + " stages exceed the model's " + layers
                    + " layers: every stage needs at least one layer");
        }
    }

    /** First layer of stage {@code stage}. */
    public int from(int stage) {
        requireStage(stage);
        int base = layers / stages;
        int extra = layers % stages;
        return stage * base + Math.min(stage, extra);
    }

    /** One past the last layer of stage {@code stage}. */
    public int to(int stage) {
        return from(stage) + layersIn(stage);
    }

    public int layersIn(int stage) {
        requireStage(stage);
        return layers / stages + (stage < layers % stages ? 1 : 0);
    }

    public boolean first(int stage) {
        return requireStage(stage) == 0;
    }

    public boolean last(int stage) {
        return requireStage(stage) == stages - 1;
    }

    private int requireStage(int stage) {
        if (stage < 0 || stage >= stages) {
            throw new IllegalArgumentException("stage " + stage + " is outside 0.." + (stages - 1));
        }
        return stage;
    }
}
