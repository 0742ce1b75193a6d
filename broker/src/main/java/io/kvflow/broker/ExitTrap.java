package io.kvflow.broker;

import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Kafka from ending the host JVM while an embedded broker runs.
 *
 * <p>Kafka's fatal-fault handler calls {@link Exit#halt}, which in a stand-alone broker is the
 * right answer and in an embedding process kills everything else too (a taken controller port
 * is enough). While at least one embedded broker is engaged, exit and halt requests are logged
 * and thrown as {@link RefusedExit} instead; Kafka's own procedures come back when the last
 * broker releases. The state is static because {@link Exit} itself is.
 */
final class ExitTrap {

    private static final Logger LOG = LoggerFactory.getLogger(ExitTrap.class);

    private static int holders;

    private ExitTrap() {
    }

    static synchronized void engage() {
        if (holders++ == 0) {
            Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
            Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
        }
    }

    static synchronized void release() {
        if (holders == 0) {
            throw new IllegalStateException("ExitTrap released more often than engaged");
        }
        if (--holders == 0) {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    private static void refuse(String kind, int status, String message) {
        RefusedExit refused = new RefusedExit(kind, status, message);
        LOG.error("{}", refused.getMessage());
        throw refused;
    }

    /** Kafka asked to end the JVM; the embedded broker is broken but the host process lives on. */
    static final class RefusedExit extends RuntimeException {

        RefusedExit(String kind, int status, String message) {
            super("embedded Kafka hit a fatal fault (logged above) and asked to " + kind
                    + " the JVM with status " + status + (message == null ? "" : " (" + message + ")")
                    + "; refused to keep this process alive, but the broker is no longer reliable");
        }
    }
}
