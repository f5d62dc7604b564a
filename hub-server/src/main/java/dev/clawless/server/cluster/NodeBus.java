package dev.clawless.server.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;

import dev.clawless.core.security.Secrets;

/**
 * What one node tells the others, over one Redis pub/sub channel: the live text deltas of the turns it runs, that it
 * wrote conversation events (their pumps read at once instead of at their next tick), and that a channel connection
 * or a plugin installation changed (their caches forget it). Each message names the node that sent it, which ignores
 * its own.
 *
 * <p>Sending never blocks the caller: messages go into a bounded queue that one virtual thread publishes (several per
 * round trip); while Redis is away, or when the queue is full, they are dropped — what they carry is also in the
 * database (the stored reply follows its deltas; caches expire; plugin sync re-reads). Receiving is one platform
 * thread holding the subscription, re-subscribing after an outage; it hands deltas and nudges over at once and runs
 * invalidations on virtual threads. Thread-safe.
 */
public final class NodeBus implements AutoCloseable {

    /** The pub/sub channel of one hub's nodes. */
    public static final String CHANNEL = "clawless:nodes";
    private static final int QUEUE = 10_000;
    private static final int BATCH = 256;
    private static final Duration RETRY = Duration.ofMillis(250);
    /**
     * Least time between two new-event nudges from this node: a busy node commits events hundreds of times a second,
     * and each nudge costs every other node's pump a query.
     */
    static final Duration EVENTS_GAP = Duration.ofMillis(10);
    /** Stands for the nudge in the queue; the message itself is made when it is sent. */
    private static final String EVENTS = "events";
    private static final Logger LOG = Logger.getLogger(NodeBus.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What this node does with the others' messages; called on the subscription's thread, must not block. */
    public interface Receiver {
        /** A text delta of a turn another node runs. */
        void delta(String conversationId, String messageId, String text);

        /** Another node committed conversation events. */
        void eventsWritten();

        /** Another node changed (or deleted) a channel connection. */
        void connectionChanged(String connectionId);

        /** Another node changed (or removed) a plugin installation. */
        void installationChanged(String installationId);
    }

    private final Redis redis;
    private final Receiver receiver;
    private final String node = Secrets.randomBase62(16);
    private final BlockingQueue<String> outgoing = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean eventsQueued = new AtomicBoolean();
    private long eventsSentAt = System.nanoTime() - EVENTS_GAP.toNanos();
    private final Thread sender;
    private final Thread listener;
    private volatile Jedis subscribed;
    private volatile JedisPubSub subscription;

    public NodeBus(Redis redis, Receiver receiver) {
        this.redis = redis;
        this.receiver = receiver;
        this.sender = Thread.ofVirtual().name("clawless-bus-send").start(this::sendLoop);
        Thread t = new Thread(this::listenLoop, "clawless-bus-listen");
        t.setDaemon(true);
        this.listener = t;
        t.start();
    }

    /** Tells the others a text delta of a turn this node runs. */
    public void delta(String conversationId, String messageId, String text) {
        send(message("delta").put("c", conversationId).put("m", messageId).put("x", text));
    }

    /**
     * Tells the others that this node committed conversation events: one message however many commits come before it
     * is sent, and at most one every {@link #EVENTS_GAP}.
     */
    public void eventsWritten() {
        if (eventsQueued.compareAndSet(false, true) && !queue(EVENTS)) {
            eventsQueued.set(false);
        }
    }

    /** Tells the others that this node changed a channel connection. */
    public void connectionChanged(String connectionId) {
        send(message("connection").put("id", connectionId));
    }

    /** Tells the others that this node changed a plugin installation. */
    public void installationChanged(String installationId) {
        send(message("installation").put("id", installationId));
    }

    /** Whether this node's subscription is open (Redis answers and the others' messages reach it). */
    public boolean listening() {
        JedisPubSub s = subscription;
        return s != null && s.isSubscribed();
    }

    /** Messages from other nodes received since start. */
    public long received() {
        return received.get();
    }

    /** Messages not sent because Redis was away or the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    private ObjectNode message(String type) {
        return JSON.createObjectNode().put("n", node).put("t", type);
    }

    private void send(ObjectNode message) {
        queue(message.toString());
    }

    private boolean queue(String message) {
        if (!redis.up() || !outgoing.offer(message)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    private void sendLoop() {
        List<String> batch = new ArrayList<>(BATCH);
        while (running.get()) {
            try {
                String first = outgoing.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                outgoing.drainTo(batch, BATCH - 1);
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.get(i) == EVENTS) {
                        long wait = eventsSentAt + EVENTS_GAP.toNanos() - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(Duration.ofNanos(wait));
                        }
                        // commits from now on queue another nudge; those before it are covered by this one
                        eventsQueued.set(false);
                        eventsSentAt = System.nanoTime();
                        batch.set(i, message("events").toString());
                    }
                }
                int n = batch.size();
                if (redis.call(jedis -> publish(jedis, batch)).isEmpty()) {
                    dropped.addAndGet(n);
                }
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Boolean publish(Jedis jedis, List<String> batch) {
        if (batch.size() == 1) {
            jedis.publish(CHANNEL, batch.get(0));
            return true;
        }
        try (Pipeline p = jedis.pipelined()) {
            for (String m : batch) {
                p.publish(CHANNEL, m);
            }
            p.sync();
        }
        return true;
    }

    private void listenLoop() {
        while (running.get()) {
            JedisPubSub pubSub = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int count) {
                    redis.back();
                }

                @Override
                public void onMessage(String channel, String text) {
                    receive(text);
                }
            };
            try (Jedis jedis = redis.dedicated()) {
                subscribed = jedis;
                subscription = pubSub;
                jedis.subscribe(pubSub, CHANNEL); // returns when unsubscribed; throws when the connection fails
            } catch (JedisException e) {
                if (running.get()) {
                    redis.down(e);
                }
            } finally {
                subscribed = null;
            }
            try {
                Thread.sleep(RETRY);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void receive(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "an unreadable message on " + CHANNEL + " was ignored");
            return;
        }
        if (node.equals(m.path("n").asText())) {
            return;
        }
        received.incrementAndGet();
        try {
            switch (m.path("t").asText()) {
                case "delta" -> receiver.delta(m.path("c").asText(), m.path("m").asText(), m.path("x").asText());
                case "events" -> receiver.eventsWritten();
                case "connection" -> {
                    String id = m.path("id").asText();
                    Thread.ofVirtual().name("clawless-bus-connection").start(() -> receiver.connectionChanged(id));
                }
                case "installation" -> {
                    String id = m.path("id").asText();
                    Thread.ofVirtual().name("clawless-bus-installation")
                            .start(() -> receiver.installationChanged(id));
                }
                default -> {
                    // a newer node's message: nothing to do here
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handling a message from another node failed", e);
        }
    }

    @Override
    public void close() {
        running.set(false);
        sender.interrupt();
        JedisPubSub s = subscription;
        if (s != null && s.isSubscribed()) {
            try {
                s.unsubscribe();
            } catch (JedisException e) {
                // the connection is already gone
            }
        }
        Jedis j = subscribed;
        if (j != null) {
            j.close();
        }
        listener.interrupt();
        try {
            listener.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
