package dev.clawless.core.channel.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Connections as the webhook path uses them (the row and what is made of it, such as its unsealed secrets), per
 * node: evicted on every change this node makes; a change made on another node shows within the time to live.
 * Thread-safe.
 *
 * @param <C> what the hub makes of a row (the channel's connection with its secrets)
 */
public final class ConnectionCache<C> {

    /**
     * A cached connection.
     *
     * @param row        the row as read
     * @param connection what was made of it
     * @param loadedAt   when it was read ({@link System#nanoTime()})
     */
    public record Entry<C>(ChannelStore.Row row, C connection, long loadedAt) {
    }

    private final Map<String, Entry<C>> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final Duration ttl;

    public ConnectionCache(Duration ttl) {
        this.ttl = ttl;
    }

    /** Forgets the connection {@code id}; called after every write of its row on this node. */
    public void evict(String id) {
        generation.incrementAndGet();
        entries.remove(id);
    }

    /**
     * The connection {@code id}: from the cache while younger than the time to live, else (or when {@code fresh})
     * read with {@code read}, made with {@code make} and cached. Unknown ids are not cached.
     */
    public Optional<Entry<C>> get(String id, boolean fresh, Function<String, Optional<ChannelStore.Row>> read,
                                  Function<ChannelStore.Row, C> make) {
        long now = System.nanoTime();
        Entry<C> hit = fresh ? null : entries.get(id);
        if (hit != null && now - hit.loadedAt() < ttl.toNanos()) {
            return Optional.of(hit);
        }
        long before = generation.get();
        Optional<ChannelStore.Row> row = read.apply(id);
        if (row.isEmpty()) {
            entries.remove(id);
            return Optional.empty();
        }
        Entry<C> loaded = new Entry<>(row.get(), make.apply(row.get()), now);
        entries.put(id, loaded);
        if (generation.get() != before) {
            // a change on this node raced the read: what was read may be older than it, so it is not kept
            entries.remove(id, loaded);
        }
        return Optional.of(loaded);
    }
}
