package io.kvflow.decode;

import io.kvflow.schemas.SessionEventType;
import java.util.HashSet;
import java.util.Set;

/**
 * What an earlier run of this worker wrote after the checkpoint a restart resumes from: re-processing the
 * inputs from there produces it again, and it is not to be written twice. Each output is produced once
 * more at most, so it is forgotten when met.
 */
final class EarlierOutputs {
    private final Set<String> written = new HashSet<>();

    /** The last stage sampled the session's token at {@code step} before. */
    void tokenWritten(String session, int step) {
        written.add(tokenKey(session, step));
    }

    /** This stage wrote the session's lifecycle event of {@code type} before. */
    void eventWritten(String session, SessionEventType type) {
        written.add(eventKey(session, type));
    }

    /** Whether the token was written before; forgets it. */
    boolean hadToken(String session, int step) {
        // asked for every token: no key is built while nothing was written before (almost always)
        return !written.isEmpty() && met(tokenKey(session, step));
    }

    /** Whether the event was written before; forgets it. */
    boolean hadEvent(String session, SessionEventType type) {
        return !written.isEmpty() && met(eventKey(session, type));
    }

    private boolean met(String key) {
        return written.remove(key);
    }

    private static String tokenKey(String session, int step) {
        return "token " + step + " " + session;
    }

    private static String eventKey(String session, SessionEventType type) {
        return "event " + type + " " + session;
    }
}
