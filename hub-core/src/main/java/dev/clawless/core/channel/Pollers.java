package dev.clawless.core.channel;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.clawless.core.channel.internal.ChannelStore;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.Poll;

/**
 * Pulls events for the connections whose channel polls (Telegram in polling mode, IMAP mailboxes): one virtual thread
 * per connection. A connection is polled by one node at a time (a lease in its row); each poll's events are stored,
 * then acknowledged to the platform, then its cursor saved — so a crash repeats a poll and the dedupe absorbs it.
 * Failures are kept on the connection ({@code poll_error}) and retried with backoff.
 */
public final class Pollers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Pollers.class.getName());
    private static final Duration RESCAN = Duration.ofSeconds(30);

    private final ChannelManagement channels;
    private final String owner;
    private final Clock clock;
    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private boolean changed;
    private volatile boolean stopped;
    private Thread scanner;

    public Pollers(ChannelManagement channels, String owner, Clock clock) {
        this.channels = channels;
        this.owner = owner;
        this.clock = clock;
    }

    public synchronized void start() {
        channels.onChange(this::rescan);
        scanner = Thread.ofVirtual().name("channel-pollers").start(this::scanLoop);
    }

    /** Re-reads the connections now (after a change). */
    public void rescan() {
        synchronized (signal) {
            changed = true;
            signal.notifyAll();
        }
    }

    private void scanLoop() {
        while (!stopped) {
            try {
                scan();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not read channel connections to poll", e);
            }
            synchronized (signal) {
                try {
                    // a change announced while the last scan ran is not lost: scan again at once
                    if (!changed) {
                        signal.wait(RESCAN.toMillis());
                    }
                    changed = false;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void scan() {
        // every type: a channel plugin's connections poll too (Discord's gateway), through the tenant's installation
        List<ChannelStore.Row> rows = channels.store().enabled(channels.database().execute());
        Map<String, ChannelStore.Row> wanted = new ConcurrentHashMap<>();
        for (ChannelStore.Row row : rows) {
            try {
                ChannelExtension channel = channels.registry().find(row.tenantId(), row.type()).orElse(null);
                if (channel != null && channel.polls(channels.connection(row))) {
                    // the channel's instance is part of the key: a plugin installed again (a new class loader)
                    // gets a new poller, and the old one stops
                    wanted.put(row.id() + "@" + row.updatedAt() + "#" + System.identityHashCode(channel), row);
                }
            } catch (RuntimeException e) {
                // one connection (a plugin's channel that fails) does not keep the others from being polled
                LOG.log(Level.WARNING, "cannot tell whether " + row.id() + " (" + row.type() + ") polls: " + e);
            }
        }
        running.forEach((key, thread) -> {
            if (!wanted.containsKey(key)) {
                thread.interrupt();
                running.remove(key);
            }
        });
        wanted.forEach((key, row) -> {
            if (!running.containsKey(key)) {
                // registered before it starts: the loop runs only while the map names it
                Thread poller = Thread.ofVirtual().name("poll-" + row.id()).unstarted(() -> pollLoop(key, row));
                running.put(key, poller);
                poller.start();
            }
        });
    }

    private void pollLoop(String key, ChannelStore.Row row) {
        // each poller holds the lease under its own token, so a replaced poller's release cannot free its successor's
        String owner = this.owner + "#" + java.util.UUID.randomUUID().toString().substring(0, 8);
        ChannelExtension channel = channels.channel(row);
        ChannelConnection connection = channels.connection(row);
        Duration wait = channels.settings().pollWait();
        Duration lease = wait.multipliedBy(2).plusSeconds(30);
        int failures = 0;
        try {
            while (!stopped && running.get(key) == Thread.currentThread()) {
                Instant now = clock.instant();
                if (!channels.store().lease(channels.database().execute(), row.id(), owner, now.plus(lease), now)) {
                    Thread.sleep(wait.toMillis()); // another node polls it
                    continue;
                }
                try {
                    Optional<String> cursor = channels.store().find(channels.database().execute(), row.id())
                            .flatMap(ChannelStore.Row::pollCursor);
                    Poll poll = channel.poll(connection, cursor, wait);
                    channels.store(row, poll.events(), true);
                    channel.acknowledge(connection, poll);
                    poll.nextCursor().ifPresentOrElse(
                            next -> channels.store().saveCursor(channels.database().execute(), row.id(), next),
                            () -> {
                                if (row.pollError().isPresent()) {
                                    channels.store().saveCursor(channels.database().execute(), row.id(),
                                            cursor.orElse(null));
                                }
                            });
                    failures = 0;
                } catch (RuntimeException e) {
                    if (Thread.currentThread().isInterrupted() || stopped) {
                        return;
                    }
                    failures++;
                    String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.log(Level.WARNING, "polling " + row.id() + " (" + row.type() + ") failed: " + reason);
                    channels.store().pollError(channels.database().execute(), row.id(),
                            reason.length() > 1000 ? reason.substring(0, 1000) : reason);
                    long max = channels.settings().pollBackoffMax().toMillis();
                    long pause = Math.min(max, 1000L << Math.min(failures, 20));
                    Thread.sleep(pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                channels.store().release(channels.database().execute(), row.id(), owner);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not release the poll lease of " + row.id(), e);
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** Interrupts every poll and waits for them together, at most {@code within}. */
    public void close(Duration within) {
        interrupt();
        await(within);
    }

    /** Stops polling: no poll starts again, and every running one is interrupted (not waited for). */
    public void interrupt() {
        stopped = true;
        if (scanner != null) {
            scanner.interrupt();
        }
        running.values().forEach(Thread::interrupt);
    }

    /** Waits, at most {@code within}, for interrupted polls to finish what they were storing. */
    public void await(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        for (Thread t : running.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        running.clear();
    }
}
