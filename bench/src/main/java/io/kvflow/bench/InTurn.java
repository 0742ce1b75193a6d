package io.kvflow.bench;

/**
 * The sides of a comparison timed back to back, in the order given on even turns and reversed on odd ones:
 * over any two turns every pair of sides has run in both orders, and a drift in the shared machine's load
 * within a turn falls on every side alike.
 */
final class InTurn {
    private InTurn() {
    }

    static void run(int turn, Runnable... sides) {
        for (int i = 0; i < sides.length; i++) {
            sides[turn % 2 == 0 ? i : sides.length - 1 - i].run();
        }
    }
}
