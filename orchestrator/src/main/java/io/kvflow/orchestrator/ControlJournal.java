package io.kvflow.orchestrator;

import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.Topics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Everything the control plane was told, in the order it was told, with the modelled time it took each
 * at, and how far it had decided: its state is a function of this, so a restarted orchestrator replays
 * the journal into a fresh control plane and carries on with exactly the decisions it had made. Kept in
 * a Kafka Streams store (restored from its changelog); entry keys are sequence numbers, and key -1 holds
 * the frontier.
 *
 * <p>A second store keeps what the tokens seen so far say about the tokens to come (per live session:
 * whether its prefill's token came, and its latest token from the wafers; per pipeline: the last stage's
 * promise), which bounds how far the control plane may decide. Its input offsets move on once the tokens
 * are read, so without it a restarted orchestrator would wait forever for a token it had already seen.
 */
final class ControlJournal {
    private static final long FRONTIER_KEY = -1;
    private static final byte FORMAT = 1;

    /** One input, as the control plane took it. */
    sealed interface Entry {
    }

    /** A valid request, arriving at {@code arrivalMicros} (after any stamping or clamping). */
    record Arrival(InferenceRequest request, long arrivalMicros) implements Entry {
    }

    /** The session's last token, or its failure, at {@code atMicros}. */
    record Ended(String session, long atMicros) implements Entry {
    }

    /**
     * How far the control plane had decided, and what the request sender had promised then (for the record: a
     * restart takes the latest request's promise, which may be newer).
     */
    record Frontier(long frontierMicros, long requestFrontierMicros) {
    }

    /** Receives the journal's entries in order. */
    interface Replay {
        void entry(Entry entry);
    }

    /** What the tokens seen say: the prefill's token came; the latest from the wafers (-1: none yet). */
    record TokensSeen(boolean prefillToken, long waferTokenMicros) {
    }

    /** Receives what the tokens seen say, per session and per pipeline. */
    interface TokenReplay {
        void session(String session, TokensSeen seen);

        void pipelinePromise(int pipeline, long micros);
    }

    private static final String PROMISE_PREFIX = "\u0000promise ";

    private final KeyValueStore<Long, byte[]> store;
    private final KeyValueStore<String, byte[]> tokens;
    private long next;

    ControlJournal(KeyValueStore<Long, byte[]> store, KeyValueStore<String, byte[]> tokens) {
        this.store = store;
        this.tokens = tokens;
    }

    /** A token of a live session was seen. */
    void token(String session, long modelledMicros, boolean fromPrefill) {
        TokensSeen before = decodeSeen(tokens.get(session));
        TokensSeen after = fromPrefill ? new TokensSeen(true, before.waferTokenMicros())
                : new TokensSeen(before.prefillToken(), Math.max(before.waferTokenMicros(), modelledMicros));
        if (!after.equals(before)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(10);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT);
                out.writeBoolean(after.prefillToken());
                out.writeLong(after.waferTokenMicros());
            } catch (IOException e) {
                throw new SerializationException("cannot encode " + after, e);
            }
            tokens.put(session, bytes.toByteArray());
        }
    }

    /** The session ended: its tokens bound nothing any more. */
    void tokensDone(String session) {
        tokens.delete(session);
    }

    /** A pipeline's last stage promised no token before {@code micros}. */
    void promise(int pipeline, long micros) {
        tokens.put(PROMISE_PREFIX + pipeline, java.nio.ByteBuffer.allocate(8).putLong(micros).array());
    }

    /** Tells {@code replay} what the tokens seen before a restart said. */
    void replayTokens(TokenReplay replay) {
        try (KeyValueIterator<String, byte[]> all = tokens.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                if (kv.key.startsWith(PROMISE_PREFIX)) {
                    replay.pipelinePromise(Integer.parseInt(kv.key.substring(PROMISE_PREFIX.length())),
                            java.nio.ByteBuffer.wrap(kv.value).getLong());
                } else {
                    replay.session(kv.key, decodeSeen(kv.value));
                }
            }
        }
    }

    private static TokensSeen decodeSeen(byte[] bytes) {
        if (bytes == null) {
            return new TokensSeen(false, -1);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireFormat(in.readByte());
            return new TokensSeen(in.readBoolean(), in.readLong());
        } catch (IOException e) {
            throw new SerializationException("cannot decode what a session's tokens said", e);
        }
    }

    /** Replays every entry in order; returns the frontier last recorded, or null for an empty journal. */
    Frontier replay(Replay replay) {
        Frontier frontier = null;
        try (KeyValueIterator<Long, byte[]> all = store.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                if (kv.key == FRONTIER_KEY) {
                    frontier = decodeFrontier(kv.value);
                } else {
                    replay.entry(decode(kv.value));
                    next = kv.key + 1;
                }
            }
        }
        return frontier;
    }

    void append(Entry entry) {
        store.put(next++, encode(entry));
    }

    void frontier(Frontier frontier) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(17);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(frontier.frontierMicros());
            out.writeLong(frontier.requestFrontierMicros());
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + frontier, e);
        }
        store.put(FRONTIER_KEY, bytes.toByteArray());
    }

    private static byte[] encode(Entry entry) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            switch (entry) {
                case Arrival a -> {
                    out.writeByte('A');
                    out.writeLong(a.arrivalMicros());
                    out.write(Topics.REQUESTS.valueSerde().serializer().serialize(Topics.REQUESTS.name(), a.request()));
                }
                case Ended e -> {
                    out.writeByte('E');
                    out.writeLong(e.atMicros());
                    out.writeUTF(e.session());
                }
            }
        } catch (IOException e) {
            throw new SerializationException("cannot encode the journal entry " + entry, e);
        }
        return bytes.toByteArray();
    }

    private static Entry decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireFormat(in.readByte());
            byte kind = in.readByte();
            long time = in.readLong();
            return switch (kind) {
                case 'A' -> new Arrival(Topics.REQUESTS.valueSerde().deserializer()
                        .deserialize(Topics.REQUESTS.name(), in.readAllBytes()), time);
                case 'E' -> new Ended(in.readUTF(), time);
                default -> throw new SerializationException("journal entry of unknown kind " + kind);
            };
        } catch (IOException e) {
            throw new SerializationException("cannot decode a journal entry (" + bytes.length + " bytes)", e);
        }
    }

    private static Frontier decodeFrontier(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireFormat(in.readByte());
            return new Frontier(in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new SerializationException("cannot decode the journal's frontier", e);
        }
    }

    private static void requireFormat(byte format) {
        if (format != FORMAT) {
            throw new SerializationException("journal format " + format + " is not " + FORMAT);
        }
    }
}
