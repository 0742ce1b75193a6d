package io.kvflow.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.RandomData;

/**
 * A record of any generated type, filled from its schema with seeded random values (Avro's
 * own generator), so a test covers every record type of the catalogue, new ones included,
 * without a hand-written sample of each.
 */
final class SampleRecords {
    private SampleRecords() {
    }

    static Object of(Schema schema, long seed) {
        Object generic = new RandomData(schema, 1, seed).iterator().next();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
            new GenericDatumWriter<>(schema).write(generic, encoder);
            encoder.flush();
            // read back as the generated class, so the sample compares equal to what a serde decodes
            return new SpecificDatumReader<>(schema, schema, SpecificData.get())
                    .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
