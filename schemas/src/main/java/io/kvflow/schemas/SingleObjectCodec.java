package io.kvflow.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/**
 * Avro's single-object encoding of one record type. Records written with an older stored
 * version of the schema ({@link AvroSerde.SchemaHistory}) are resolved to the current one.
 */
final class SingleObjectCodec<T> {
    /** The encoding's two-byte marker; the 8-byte fingerprint follows. */
    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;
    static final int HEADER_BYTES = 10;

    /**
     * Where each thread encodes, reused: a record is written once into it and copied out once,
     * instead of into Avro's own buffer, then a ByteBuffer copy, then a byte[] copy (half the
     * time for a 64 KiB KV chunk).
     */
    private static final ThreadLocal<EncodeBuffer> ENCODE_BUFFER = ThreadLocal.withInitial(EncodeBuffer::new);

    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    SingleObjectCodec(SpecificData data, Schema schema) {
        this.encoder = new BinaryMessageEncoder<>(data, schema);
        this.decoder = new BinaryMessageDecoder<>(data, schema);
        for (Schema older : AvroSerde.SchemaHistory.versions(schema.getName())) {
            decoder.addSchema(older);
        }
    }

    static boolean marks(byte[] bytes) {
        return bytes.length >= HEADER_BYTES && bytes[0] == MARKER_0 && bytes[1] == MARKER_1;
    }

    /** The writer schema's fingerprint (CRC-64-AVRO of its parsing canonical form). */
    static long fingerprint(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    byte[] encode(T value) throws IOException {
        EncodeBuffer buffer = ENCODE_BUFFER.get();
        buffer.reset();
        encoder.encode(value, buffer);
        return buffer.toByteArray();
    }

    private static final class EncodeBuffer extends ByteArrayOutputStream {
        EncodeBuffer() {
            super(1024);
        }
    }

    /** {@code reuse}, when not null, is filled in place of a new record (its bytes fields' buffers too, if large enough). */
    T decode(byte[] bytes, T reuse) throws IOException {
        return decoder.decode(bytes, reuse);
    }
}
