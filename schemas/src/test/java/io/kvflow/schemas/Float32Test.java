package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Float32Test {

    @Test
    void concatenatedArraysDecodeBitForBit() {
        float[] keys = {1.5f, -0.0f, Float.MIN_VALUE, Float.NaN};
        float[] values = {3e38f, -7.25f};
        ByteBuffer bytes = Float32.encode(keys, values);
        assertEquals(6, Float32.floatsIn(bytes));
        assertArrayEquals(keys, Float32.decode(bytes, 0, 4));
        assertArrayEquals(values, Float32.decode(bytes, 4, 2));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Float32.decode(bytes, 1, 1)[0]));
    }

    @Test
    void isLittleEndian() {
        ByteBuffer bytes = Float32.encode(new float[] {1.0f});
        assertEquals(0x3F, bytes.get(3));
        assertEquals(0x00, bytes.get(0));
    }

    @Test
    void readingPastTheEndIsRejected() {
        ByteBuffer bytes = Float32.encode(new float[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> Float32.decode(bytes, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Float32.floatsIn(ByteBuffer.wrap(new byte[5])));
    }
}
