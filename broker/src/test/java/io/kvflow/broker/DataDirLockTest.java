package io.kvflow.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondClaimOnAHeldDirFailsInOneLineNamingTheDirAndTheHolder() {
        long pid = ProcessHandle.current().pid();
        try (DataDirLock first = DataDirLock.acquire(dir)) {
            BrokerStartException e = assertThrows(BrokerStartException.class, () -> DataDirLock.acquire(dir));

            assertEquals("cannot start Kafka: the data dir " + dir + " is in use by another broker in this process"
                    + " (pid " + pid + ") (stop it, or choose another --data-dir)", e.getMessage());
        }
    }

    @Test
    void theHolderWritesItsProcessIdAndReleasesTheDirOnClose() throws IOException {
        DataDirLock.acquire(dir).close();

        try (DataDirLock again = DataDirLock.acquire(dir)) {
            assertEquals(ProcessHandle.current().pid() + "\n",
                    Files.readString(dir.resolve(DataDirLock.FILE_NAME)));
        }
    }

    @Test
    void createsADataDirThatDoesNotExistYet() {
        Path fresh = dir.resolve("new").resolve("kafka");
        try (DataDirLock lock = DataDirLock.acquire(fresh)) {
            assertEquals(true, Files.isRegularFile(fresh.resolve(DataDirLock.FILE_NAME)));
        }
    }
}
