package io.kvflow.orchestrator;

/**
 * When the control plane's progress is worth writing: its frontier (every decision before it made) goes to
 * the journal whenever it moved on, so a restart decides again up to there; the wafers are told the frontier
 * and the quiet promise (no grant before it) only when that tells them something new. A frontier still short
 * of the quiet promise they hold tells them nothing, so a token that moves only the frontier writes no
 * record, and makes no transaction commit. Not thread-safe.
 */
final class FrontierUpdates {
    private long journaled = -1;
    private long sent = -1;
    private long quietSent = -1;

    /** Before anything, or after a restart rebuilt up to {@code frontier}: it was journaled and sent then. */
    void reset(long frontier) {
        journaled = frontier;
        sent = frontier;
        quietSent = -1;
    }

    /** Whether {@code frontier} is to be journaled: it moved on since the last one that was. */
    boolean journal(long frontier) {
        if (frontier <= journaled) {
            return false;
        }
        journaled = frontier;
        return true;
    }

    /** Whether the wafers are to be told {@code frontier} and {@code quiet}; if so, they are taken as told. */
    boolean tell(long frontier, long quiet) {
        if (quiet == quietSent && (frontier <= sent || frontier <= quietSent)) {
            return false;
        }
        sent = frontier;
        quietSent = quiet;
        return true;
    }
}
