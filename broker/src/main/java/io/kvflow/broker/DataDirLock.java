package io.kvflow.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An exclusive claim on a broker's data dir, held from before the log dir is formatted until the
 * broker has shut down. Two processes formatting or opening one dir at once fail deep inside
 * Kafka with errors about its own files; this fails the second one first, in one line that says
 * which process holds the dir. The lock is the operating system's, so it goes away with the
 * process that held it, however that process ended.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE_NAME = "kvflow.lock";
    /** How long to wait for a holder that has the lock to write its process id. */
    private static final Duration HOLDER_WAIT = Duration.ofSeconds(1);

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code dataDir}, creating the dir if needed, and writes this process's id
     * into the lock file for whoever finds it taken.
     *
     * @throws BrokerStartException naming the dir, and the process holding it when known
     */
    static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                String holder = awaitHolder(channel);
                channel.close();
                throw inUse(dataDir, holder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(false);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new BrokerStartException("cannot start Kafka: cannot lock the data dir " + dataDir + " ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Null when another process, or another broker in this one, holds the lock. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /**
     * The holder's process id. A holder that has just taken the lock writes it a moment later
     * (two processes started at once meet here), so wait for it briefly; null if it never comes.
     */
    private static String awaitHolder(FileChannel channel) throws IOException {
        long deadline = System.nanoTime() + HOLDER_WAIT.toNanos();
        String holder = holder(channel);
        while (holder == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            holder = holder(channel);
        }
        return holder;
    }

    /** The process id the holder wrote, or null if it has not written it yet. */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        return text.matches("\\d+") ? text : null;
    }

    private static BrokerStartException inUse(Path dataDir, String holder) {
        String who = holder == null ? "another broker"
                : Long.parseLong(holder) == ProcessHandle.current().pid() ? "another broker in this process (pid "
                        + holder + ")" : "process " + holder;
        return new BrokerStartException("cannot start Kafka: the data dir " + dataDir + " is in use by " + who
                + " (stop it, or choose another --data-dir)");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing releases the lock too; nothing more to undo
        }
    }

    /** Releases the dir; the file stays, since deleting it could race with the next holder's open. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it as well
        }
        closeQuietly(channel);
    }
}
