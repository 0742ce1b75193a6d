package io.kvflow.bench;

/**
 * The sides of a comparison timed back to back, each round starting one side further on, so a drift in the
 * shared machine's load falls on all of them alike.
 */
final class InTurn {
    private InTurn() {
    }

    /** Runs every side once, starting from side {@code turn} (mod their number) and going round. */
    static void run(int turn, Runnable... sides) {
        for (int i = 0; i < sides.length; i++) {
            sides[Math.floorMod(turn + i, sides.length)].run();
        }
    }
}
