package dev.clawless.server.cluster;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The node's connection to Redis (jedis over a small pool) and whether Redis answers. While it does not, commands are
 * not even tried ({@link #call} answers empty at once, so requests pay no timeout) and a probe asks every
 * {@link #PROBE} until it answers again. An outage is logged once when it starts (SEVERE) and once when it ends.
 * Thread-safe.
 */
public final class Redis implements AutoCloseable {

    /** How often a Redis that stopped answering is asked again. */
    public static final Duration PROBE = Duration.ofMillis(500);
    private static final Logger LOG = Logger.getLogger(Redis.class.getName());

    private final RedisSettings settings;
    private final HostAndPort address;
    private final JedisClientConfig client;
    private final JedisPool pool;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread probe;

    public Redis(RedisSettings settings) {
        this.settings = settings;
        GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(settings.poolSize());
        config.setMaxIdle(settings.poolSize());
        config.setMinIdle(0);
        // a borrower waits at most the command timeout for a free connection
        config.setMaxWait(settings.timeout());
        config.setJmxEnabled(false);
        this.address = JedisURIHelper.getHostAndPort(settings.url());
        // user, password, database and TLS from the URL; RESP2, which every Redis since 2.x speaks (no probing)
        this.client = DefaultJedisClientConfig.builder(settings.url()).resp2()
                .timeoutMillis((int) settings.timeout().toMillis()).clientName("clawless").build();
        this.pool = new JedisPool(config, address, client);
        // the hub starts anyway: per-node limits until Redis answers
        ping().ifPresent(this::down);
        this.probe = Thread.ofVirtual().name("clawless-redis-probe").start(this::probeLoop);
    }

    /** Whether Redis answered the last command (or the last probe, while it was away). */
    public boolean up() {
        return up.get();
    }

    /** Where Redis is, without credentials. */
    public String address() {
        return settings.address();
    }

    /**
     * Runs a command on a pooled connection; empty when Redis is away (not tried) or the command failed. A failed
     * connection marks Redis away until the probe reaches it again.
     */
    public <T> Optional<T> call(Function<Jedis, T> command) {
        if (!up.get()) {
            return Optional.empty();
        }
        try (Jedis jedis = pool.getResource()) {
            return Optional.ofNullable(command.apply(jedis));
        } catch (JedisConnectionException e) {
            down(e);
            return Optional.empty();
        } catch (JedisException e) {
            LOG.log(Level.WARNING, "a Redis command failed: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** A connection of its own, outside the pool, for a subscription (the caller closes it). */
    public Jedis dedicated() {
        return new Jedis(address, client);
    }

    /** Notes that Redis does not answer; logged once per outage. */
    public void down(Exception cause) {
        if (up.compareAndSet(true, false)) {
            pool.clear(); // idle connections to the server that went away
            LOG.severe(() -> "Redis at " + address() + " is unavailable (" + reason(cause) + "): serving with"
                    + " per-node rate limits and without cross-node messages until it answers again");
        }
    }

    /** The exception's message and, when another, its root cause's (the pool's wraps the socket's). */
    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
    }

    /** Notes that Redis answers again; logged once per outage. */
    public void back() {
        if (!up.get()) {
            pool.clear(); // connections made before the outage are dead; new ones are made on demand
        }
        if (up.compareAndSet(false, true)) {
            LOG.info(() -> "Redis at " + address() + " is back: rate limits are shared across nodes again");
        }
    }

    /** Why Redis did not answer a PING, if it did not. */
    private Optional<JedisException> ping() {
        try (Jedis jedis = pool.getResource()) {
            jedis.ping();
            return Optional.empty();
        } catch (JedisException e) {
            return Optional.of(e);
        }
    }

    private void probeLoop() {
        while (running.get()) {
            try {
                Thread.sleep(PROBE);
            } catch (InterruptedException e) {
                return;
            }
            if (!up.get() && ping().isEmpty()) {
                back();
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        probe.interrupt();
        pool.close();
    }
}
