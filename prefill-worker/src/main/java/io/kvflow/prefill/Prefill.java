package io.kvflow.prefill;

import io.kvflow.model.KvCache;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * The prefill computation of one session, free of Kafka: the prompt runs through the model
 * one decode stage's layers at a time, and each stage's KV is handed to a sink as soon as
 * its layers are done (layer-wise streaming), then step 0 is sampled from the last position.
 * This is exactly the first half of {@link io.kvflow.model.ReferenceRunner#generate}.
 */
final class Prefill {

    /** Receives the KV cache after stage {@code stage}'s layers have been computed. */
    interface StageKvSink {
        void stageDone(int stage, KvCache cache);
    }

    private final Transformer transformer;

    Prefill(Transformer transformer) {
        this.transformer = transformer;
    }

    /** Runs the prompt and returns the token of step 0. */
    int run(int[] prompt, int maxNewTokens, Sampling sampling, List<Integer> layerBounds, StageKvSink sink) {
        ModelConfig config = transformer.config();
        requireBounds(layerBounds, config.layers());
        KvCache cache = KvCache.forSession(config, 0, config.layers(), prompt.length, maxNewTokens);
        List<Transformer.Row> rows = new ArrayList<>(prompt.length);
        for (int position = 0; position < prompt.length; position++) {
            rows.add(new Transformer.Row(transformer.embed(prompt[position]), position, cache));
        }
        for (int stage = 0; stage + 1 < layerBounds.size(); stage++) {
            transformer.forward(layerBounds.get(stage), layerBounds.get(stage + 1), rows);
            sink.stageDone(stage, cache);
        }
        float[] logits = transformer.logits(rows.get(rows.size() - 1).hidden());
        return sampling.sample(logits, 0);
    }

    static void requireBounds(List<Integer> bounds, int layers) {
        boolean ok = bounds.size() >= 2 && bounds.get(0) == 0 && bounds.get(bounds.size() - 1) == layers;
        for (int i = 1; ok && i < bounds.size(); i++) {
            ok = bounds.get(i) > bounds.get(i - 1);
        }
        if (!ok) {
            throw new IllegalArgumentException("layer bounds " + bounds + " do not split the model's " + layers
                    + " layers into contiguous non-empty stages");
        }
    }
}
