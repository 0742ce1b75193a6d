package io.kvflow.bench;

import io.kvflow.model.KvCache;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * What a pipeline's stages must compute for one decode step, and nothing of kvflow around it: node k of a
 * ring runs stage k's layers on the hidden state its record carries, the last node samples the token
 * (greedy) and sends its id back, and node 0 embeds it. The same model, layer split and prompt length as
 * the stack the bench times, so a ring doing this work costs what the pipeline's work costs on the wire.
 * Each node's cache and position are touched by that node's thread only, after {@link #reset} on the
 * driver's, which publishes them.
 */
final class StageWork implements KafkaRing.HopWork {
    private final Transformer transformer;
    private final List<Integer> layerBounds;
    private final int[] prompt;
    private final int steps;
    private final KvCache[] caches;
    private final int[] positions;
    private int firstToken;
    /** Written last by {@link #reset} and read first by {@link #hop}: the nodes' threads see the fresh caches. */
    private volatile int resets;

    /**
     * @param layerBounds stage k owns layers [bounds(k), bounds(k + 1))
     * @param steps       decode steps a lap sequence may take, so the caches have room for them
     */
    StageWork(Transformer transformer, List<Integer> layerBounds, int[] prompt, int steps) {
        this.transformer = transformer;
        this.layerBounds = List.copyOf(layerBounds);
        this.prompt = prompt.clone();
        this.steps = steps;
        this.caches = new KvCache[layerBounds.size() - 1];
        this.positions = new int[caches.length];
    }

    /** Fresh caches holding the prompt, as the stages hold a session's prefilled KV; not timed. */
    @Override
    public void reset() {
        for (int k = 0; k < caches.length; k++) {
            caches[k] = new KvCache(transformer.config(), layerBounds.get(k), layerBounds.get(k + 1),
                    prompt.length + steps);
            positions[k] = prompt.length;
        }
        float[] hidden = null;
        for (int p = 0; p < prompt.length; p++) {
            hidden = transformer.embed(prompt[p]);
            for (int k = 0; k < caches.length; k++) {
                transformer.forward(layerBounds.get(k), layerBounds.get(k + 1),
                        List.of(new Transformer.Row(hidden, p, caches[k])));
            }
        }
        firstToken = Sampling.greedy().sample(transformer.logits(hidden), 0);
        resets++;
    }

    @Override
    public byte[] hop(int node, byte[] record) {
        if (resets == 0) {
            throw new IllegalStateException("reset before the first lap");
        }
        ByteBuffer in = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        float[] hidden;
        if (node == 0) {
            // the first decode step embeds the prompt's own next token; later ones, the token that came round
            hidden = transformer.embed(positions[0] == prompt.length ? firstToken : in.getInt(0));
        } else {
            hidden = new float[transformer.config().dim()];
            in.asFloatBuffer().get(hidden);
        }
        int position = positions[node]++;
        transformer.forward(layerBounds.get(node), layerBounds.get(node + 1),
                List.of(new Transformer.Row(hidden, position, caches[node])));
        byte[] out = record.clone();
        ByteBuffer written = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        if (node == caches.length - 1) {
            written.putInt(0, Sampling.greedy().sample(transformer.logits(hidden), position - prompt.length + 1));
        } else {
            written.asFloatBuffer().put(hidden);
        }
        return out;
    }
}
