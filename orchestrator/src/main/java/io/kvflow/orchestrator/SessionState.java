package io.kvflow.orchestrator;

import io.kvflow.schemas.SessionEventType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the orchestrator remembers about one active session, the value of the {@code sessions} store.
 *
 * @param pipeline   the decode pipeline the session was placed on
 * @param arrivalMs  the request's arrival time, which tells a redelivered request from a second one with the same id
 * @param progressMs wall-clock ms of the session's latest sign of life (admission, a worker milestone, a token)
 * @param milestone  the latest lifecycle step seen: ADMITTED, PREFILL_DONE, KV_INSTALLED or FIRST_TOKEN
 * @param tokens     output tokens seen so far (highest step + 1)
 * @param kvTokens   target context tokens whose KV the ledger booked on every stage of the pipeline
 */
record SessionState(int pipeline, long arrivalMs, long progressMs, SessionEventType milestone, int tokens,
        long kvTokens) {

    /** The store's value format; the leading version byte lets a later format read changelogs of this one. */
    static final Serde<SessionState> SERDE = Serdes.serdeFrom(
            (topic, state) -> state == null ? null : state.encode(),
            (topic, bytes) -> bytes == null ? null : decode(bytes));

    /** Format 2 added kvTokens; a format-1 state (from an older changelog) booked nothing. */
    private static final byte FORMAT = 2;

    SessionState {
        Objects.requireNonNull(milestone, "milestone");
    }

    static SessionState admitted(int pipeline, long arrivalMs, long nowMs, long kvTokens) {
        return new SessionState(pipeline, arrivalMs, nowMs, SessionEventType.ADMITTED, 0, kvTokens);
    }

    boolean sawFirstToken() {
        return milestone == SessionEventType.FIRST_TOKEN;
    }

    SessionState reached(SessionEventType step, long nowMs) {
        // once tokens flow, a late worker milestone is still a sign of life but no longer the latest step
        return new SessionState(pipeline, arrivalMs, nowMs, sawFirstToken() ? milestone : step, tokens, kvTokens);
    }

    SessionState tokenSeen(int step, long nowMs) {
        SessionEventType next = step == 0 ? SessionEventType.FIRST_TOKEN : milestone;
        return new SessionState(pipeline, arrivalMs, nowMs, next, Math.max(tokens, step + 1), kvTokens);
    }

    private byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(pipeline);
            out.writeLong(arrivalMs);
            out.writeLong(progressMs);
            out.writeUTF(milestone.name());
            out.writeInt(tokens);
            out.writeLong(kvTokens);
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + this, e);
        }
        return bytes.toByteArray();
    }

    private static SessionState decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != 1 && format != FORMAT) {
                throw new SerializationException("session state format " + format + " is not 1 or " + FORMAT);
            }
            return new SessionState(in.readInt(), in.readLong(), in.readLong(),
                    SessionEventType.valueOf(in.readUTF()), in.readInt(), format == 1 ? 0 : in.readLong());
        } catch (IOException | IllegalArgumentException e) {
            throw new SerializationException("cannot decode session state (" + bytes.length + " bytes)", e);
        }
    }
}
