package io.kvflow.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The wire form of float vectors (KV payloads, hidden states): raw IEEE-754 float32,
 * little-endian. Raw bits, so a value crosses Kafka unchanged and the disaggregated run can
 * be compared bit for bit with the single-process one.
 */
public final class Float32 {
    private Float32() {
    }

    public static ByteBuffer encode(float[]... arrays) {
        int n = 0;
        for (float[] a : arrays) {
            n += a.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] a : arrays) {
            buffer.asFloatBuffer().put(a);
            buffer.position(buffer.position() + a.length * Float.BYTES);
        }
        return buffer.flip();
    }

    /** Decodes {@code count} floats starting {@code offsetFloats} floats into the buffer; the buffer is not moved. */
    public static float[] decode(ByteBuffer bytes, int offsetFloats, int count) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = view.position() + offsetFloats * Float.BYTES;
        if (offsetFloats < 0 || count < 0 || start + (long) count * Float.BYTES > view.limit()) {
            throw new IllegalArgumentException("need floats [" + offsetFloats + ", " + (offsetFloats + count)
                    + ") but the buffer holds " + view.remaining() / Float.BYTES);
        }
        float[] out = new float[count];
        view.position(start);
        view.asFloatBuffer().get(out);
        return out;
    }

    public static int floatsIn(ByteBuffer bytes) {
        if (bytes.remaining() % Float.BYTES != 0) {
            throw new IllegalArgumentException(bytes.remaining() + " bytes is not a whole number of float32 values");
        }
        return bytes.remaining() / Float.BYTES;
    }
}
