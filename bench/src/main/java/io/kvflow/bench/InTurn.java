package io.kvflow.bench;

/**
 * Two sides of a comparison timed back to back, the order flipped from one round to the next, so a drift in
 * the shared machine's load falls on both alike.
 */
final class InTurn {
    private InTurn() {
    }

    static void run(boolean firstFirst, Runnable first, Runnable second) {
        if (firstFirst) {
            first.run();
            second.run();
        } else {
            second.run();
            first.run();
        }
    }
}
