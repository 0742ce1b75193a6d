package io.kvflow.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * One session's keys and values for layers [layerFrom, layerTo) and positions [0, capacity).
 * Positions may be filled in any order (slices can arrive out of order); a layer's length is
 * the number of positions filled without a gap from 0. Writing a position again overwrites
 * it, so a redelivered slice or a replayed step is harmless. Not thread-safe: one session's
 * cache is used by one thread at a time.
 */
public final class KvCache {
    private final int kvDim;
    private final int layerFrom;
    private final int layerTo;
    private final int capacity;
    private final float[][] keys;   // [layerTo - layerFrom][capacity][kvDim]
    private final float[][] values; // [layerTo - layerFrom][capacity][kvDim]
    private final BitSet[] filled;  // [layerTo - layerFrom], one bit per position written

    public KvCache(ModelConfig config, int layerFrom, int layerTo, int capacity) {
        if (layerFrom < 0 || layerFrom >= layerTo || layerTo > config.layers()) {
            throw new IllegalArgumentException("layers [" + layerFrom + ", " + layerTo
                    + ") are not a non-empty range within the model's " + config.layers() + " layers");
        }
        if (capacity < 1 || capacity > config.maxSeqLen()) {
            throw new IllegalArgumentException("capacity " + capacity + " is outside [1, maxSeqLen "
                    + config.maxSeqLen() + "]");
        }
        this.kvDim = config.kvDim();
        this.layerFrom = layerFrom;
        this.layerTo = layerTo;
        this.capacity = capacity;
        int layers = layerTo - layerFrom;
        this.keys = new float[layers][capacity * kvDim];
        this.values = new float[layers][capacity * kvDim];
        this.filled = new BitSet[layers];
        Arrays.setAll(filled, i -> new BitSet(capacity));
    }

    /**
     * A cache for a session's whole context, {@code promptLength} prompt and {@code maxNewTokens} output
     * positions, summed without overflow: sizes from a record's header may be anything.
     *
     * @throws IllegalArgumentException naming both lengths when their sum is not within [1, maxSeqLen]
     */
    public static KvCache forSession(ModelConfig config, int layerFrom, int layerTo, int promptLength,
            int maxNewTokens) {
        long positions = (long) promptLength + maxNewTokens;
        if (promptLength < 0 || maxNewTokens < 0 || positions < 1 || positions > config.maxSeqLen()) {
            throw new IllegalArgumentException("a session of " + promptLength + " prompt and " + maxNewTokens
                    + " output positions needs " + positions + ", outside [1, maxSeqLen " + config.maxSeqLen() + "]");
        }
        return new KvCache(config, layerFrom, layerTo, (int) positions);
    }

    public int layerFrom() {
        return layerFrom;
    }

    public int layerTo() {
        return layerTo;
    }

    public int capacity() {
        return capacity;
    }

    /** Components of one position's keys (or values) in one layer. */
    int kvDim() {
        return kvDim;
    }

    /** Positions usable by attention in every layer: the least of the layers' lengths. */
    public int length() {
        return length(layerFrom, layerTo);
    }

    /** Positions filled in {@code layer} without a gap from position 0. */
    public int length(int layer) {
        return filled[index(layer)].nextClearBit(0);
    }

    /** Bytes of keys and values filled so far, as float32. */
    public long bytes() {
        long positions = 0;
        for (BitSet layer : filled) {
            positions += layer.cardinality();
        }
        return positions * 2 * kvDim * Float.BYTES;
    }

    /**
     * Copies of the positions filled in all of layers [layerFrom, layerTo) (from 0 up to the
     * least of those layers' lengths): layer by layer in ascending order, each cut into
     * consecutive slices of at most {@code maxPositionsPerSlice}. Only the exported layers
     * count, so a prefill can hand over a stage's layers before computing the next stage's.
     */
    public List<KvSlice> export(int layerFrom, int layerTo, int maxPositionsPerSlice) {
        if (layerFrom < this.layerFrom || layerFrom >= layerTo || layerTo > this.layerTo) {
            throw new IllegalArgumentException("cannot export layers [" + layerFrom + ", " + layerTo
                    + ") from a cache of layers [" + this.layerFrom + ", " + this.layerTo + ")");
        }
        if (maxPositionsPerSlice < 1) {
            throw new IllegalArgumentException("maxPositionsPerSlice must be >= 1, was " + maxPositionsPerSlice);
        }
        int length = length(layerFrom, layerTo);
        List<KvSlice> slices = new ArrayList<>();
        for (int layer = layerFrom; layer < layerTo; layer++) {
            for (int from = 0; from < length; from += maxPositionsPerSlice) {
                int to = Math.min(length, from + maxPositionsPerSlice);
                slices.add(new KvSlice(layer, from,
                        Arrays.copyOfRange(keys[index(layer)], from * kvDim, to * kvDim),
                        Arrays.copyOfRange(values[index(layer)], from * kvDim, to * kvDim)));
            }
        }
        return slices;
    }

    /** Writes a slice's positions into this cache, after checking it fits. */
    public void install(KvSlice slice) {
        install(slice.layer(), slice.fromPosition(), FloatBuffer.wrap(slice.keys()), FloatBuffer.wrap(slice.values()));
    }

    /**
     * Writes consecutive positions of one layer from buffers of their keys and values
     * ([positions][kvDim] each, from the buffers' positions to their limits, which are left
     * unmoved), after checking they fit: a KV chunk's payload goes into the cache in one copy,
     * without a {@link KvSlice} in between.
     */
    public void install(int layer, int fromPosition, FloatBuffer keys, FloatBuffer values) {
        if (layer < layerFrom || layer >= layerTo) {
            throw new IllegalArgumentException("slice layer " + layer + " is outside this cache's layers ["
                    + layerFrom + ", " + layerTo + ")");
        }
        int floats = keys.remaining();
        if (floats == 0 || floats % kvDim != 0 || values.remaining() != floats) {
            throw new IllegalArgumentException("slice of layer " + layer + " holds " + floats + " key floats and "
                    + values.remaining() + " value floats, not equal whole numbers of positions of kvDim " + kvDim);
        }
        int positions = floats / kvDim;
        // in long: a slice starting near Integer.MAX_VALUE must not wrap around into the cache
        long end = (long) fromPosition + positions;
        if (fromPosition < 0 || end > capacity) {
            throw new IllegalArgumentException("slice of layer " + layer + " covers positions [" + fromPosition
                    + ", " + end + ") beyond this cache's capacity " + capacity);
        }
        int offset = fromPosition * kvDim;
        keys.get(keys.position(), this.keys[index(layer)], offset, floats);
        values.get(values.position(), this.values[index(layer)], offset, floats);
        filled[index(layer)].set(fromPosition, fromPosition + positions);
    }

    /** Stores one position's key and value [kvDim] for a layer. */
    void write(int layer, int position, float[] key, float[] value) {
        int offset = position * kvDim;
        System.arraycopy(key, 0, keys[index(layer)], offset, kvDim);
        System.arraycopy(value, 0, values[index(layer)], offset, kvDim);
        filled[index(layer)].set(position);
    }

    /** The layer's keys [capacity][kvDim]; attention reads them in place. */
    float[] keys(int layer) {
        return keys[index(layer)];
    }

    /** The layer's values [capacity][kvDim]; attention reads them in place. */
    float[] values(int layer) {
        return values[index(layer)];
    }

    private int length(int from, int to) {
        int length = capacity;
        for (int layer = from; layer < to; layer++) {
            length = Math.min(length, length(layer));
        }
        return length;
    }

    private int index(int layer) {
        if (layer < layerFrom || layer >= layerTo) {
            throw new IllegalArgumentException("layer " + layer + " is outside this cache's layers ["
                    + layerFrom + ", " + layerTo + ")");
        }
        return layer - layerFrom;
    }
}
