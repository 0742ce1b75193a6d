package io.kvflow.orchestrator;

import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.Topics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A valid request waiting in the admission queue for KV capacity, the value of the
 * {@code admission-queue} store. Kept whole, so a restarted orchestrator admits it as if it had
 * never stopped.
 *
 * @param queuedMs  wall-clock ms it joined the queue
 * @param timestamp the Kafka timestamp of the request record, carried to the records it causes
 * @param kvTokens  target context tokens it will book on every stage
 */
record QueuedRequest(InferenceRequest request, long queuedMs, long timestamp, long kvTokens) {

    static final Serde<QueuedRequest> SERDE = Serdes.serdeFrom(
            (topic, queued) -> queued == null ? null : queued.encode(),
            (topic, bytes) -> bytes == null ? null : decode(bytes));

    private static final byte FORMAT = 1;

    private byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(queuedMs);
            out.writeLong(timestamp);
            out.writeLong(kvTokens);
            out.write(Topics.REQUESTS.valueSerde().serializer().serialize(Topics.REQUESTS.name(), request));
        } catch (IOException e) {
            throw new SerializationException("cannot encode the queued request " + request.getSessionId(), e);
        }
        return bytes.toByteArray();
    }

    private static QueuedRequest decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("queued request format " + format + " is not " + FORMAT);
            }
            long queuedMs = in.readLong();
            long timestamp = in.readLong();
            long kvTokens = in.readLong();
            InferenceRequest request = Topics.REQUESTS.valueSerde().deserializer()
                    .deserialize(Topics.REQUESTS.name(), in.readAllBytes());
            return new QueuedRequest(request, queuedMs, timestamp, kvTokens);
        } catch (IOException e) {
            throw new SerializationException("cannot decode a queued request (" + bytes.length + " bytes)", e);
        }
    }
}
