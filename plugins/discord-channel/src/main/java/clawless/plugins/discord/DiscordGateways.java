package clawless.plugins.discord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.message.MessageUpdateEvent;
import net.dv8tion.jda.api.exceptions.InvalidTokenException;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import net.dv8tion.jda.api.utils.cache.CacheFlag;

import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;

/**
 * The gateway sessions this node holds: one JDA session per connection whose poller runs here (the hub's pollers
 * hold a lease per connection, so one node in a cluster polls it). A poll starts the session when there is none,
 * then hands over what the session received. A session whose connection is no longer polled here (the lease moved
 * to another node, the connection was deleted) is closed after {@link #IDLE}.
 *
 * <p>What arrived and was not yet stored lives only in memory: a poll hands it over again until the hub acknowledges
 * it (stored), but a crash loses it, and Discord's gateway does not send it again (it replays only to a session
 * resumed soon after a dropped connection, which JDA does).
 */
final class DiscordGateways {

    static final Duration IDLE = Duration.ofSeconds(120);
    static final int MAX_WAITING = 10_000;
    private static final System.Logger LOG = System.getLogger(DiscordGateways.class.getName());

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private volatile Thread reaper;

    /** One bot's gateway session on this node, and what it received. */
    private static final class Session {
        final DiscordConfig config;
        final JDA jda;
        final BlockingQueue<InboundMessage> received = new LinkedBlockingQueue<>(MAX_WAITING);
        /** Handed to a poll, not yet acknowledged (stored): handed again by the next poll if storing failed. */
        final List<InboundEvent> unacknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile long lastPoll = System.nanoTime();

        Session(DiscordConfig config, JDA jda) {
            this.config = config;
            this.jda = jda;
        }

        boolean alive() {
            JDA.Status s = jda.getStatus();
            return s != JDA.Status.SHUTDOWN && s != JDA.Status.SHUTTING_DOWN && s != JDA.Status.FAILED_TO_LOGIN;
        }
    }

    /** What the connection's session received, waiting up to {@code maxWait} for the first of it. */
    List<InboundEvent> poll(String connectionId, DiscordConfig config, Duration maxWait) {
        Session session = sessions.compute(connectionId, (id, old) -> {
            if (old != null && old.config.equals(config) && old.alive()) {
                return old;
            }
            if (old != null) {
                old.jda.shutdownNow();
            }
            return start(id, config);
        });
        session.lastPoll = System.nanoTime();
        startReaper();
        if (!session.unacknowledged.isEmpty()) {
            return List.copyOf(session.unacknowledged);
        }
        List<InboundEvent> out = new ArrayList<>();
        try {
            InboundMessage first = session.received.poll(maxWait.toMillis(), TimeUnit.MILLISECONDS);
            if (first != null) {
                out.add(first);
                List<InboundMessage> more = new ArrayList<>();
                session.received.drainTo(more, 499);
                out.addAll(more);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.lastPoll = System.nanoTime();
        session.unacknowledged.addAll(out);
        return out;
    }

    /** The hub stored what a poll handed over: it is not handed again. */
    void acknowledge(String connectionId, List<InboundEvent> events) {
        Session s = sessions.get(connectionId);
        if (s != null) {
            s.unacknowledged.removeAll(events);
        }
    }

    void close(String connectionId) {
        Session s = sessions.remove(connectionId);
        if (s != null) {
            s.jda.shutdownNow();
        }
    }

    void closeAll() {
        sessions.keySet().forEach(this::close);
        Thread r = reaper;
        if (r != null) {
            r.interrupt();
        }
    }

    private Session start(String connectionId, DiscordConfig config) {
        String url = DiscordOutbound.call(config, "GET", "gateway/bot", Optional.empty()).path("url").asText("");
        if (url.isEmpty() || !config.gatewayAllowed(url)) {
            throw new ChannelException.SendFailed("Discord named a gateway this connection may not use: " + url, 0,
                    false, Optional.empty(), Optional.empty(), null);
        }
        Session[] self = new Session[1];
        ListenerAdapter listener = new ListenerAdapter() {
            @Override
            public void onMessageReceived(MessageReceivedEvent event) {
                offer(self[0], DiscordInbound.map(event.getMessage(), event.getJDA().getSelfUser(),
                        config.everything(), connectionId, false));
            }

            @Override
            public void onMessageUpdate(MessageUpdateEvent event) {
                offer(self[0], DiscordInbound.map(event.getMessage(), event.getJDA().getSelfUser(),
                        config.everything(), connectionId, true));
            }
        };
        JDA jda;
        try {
            jda = JDABuilder.createLight(config.token(), EnumSet.of(GatewayIntent.DIRECT_MESSAGES,
                            GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT))
                    .disableCache(EnumSet.allOf(CacheFlag.class))
                    .setRestConfig(new RestConfig().setBaseUrl(config.apiBase()))
                    .setSessionController(new ConcurrentSessionController() {
                        @Override
                        public String getGateway() {
                            return url;
                        }
                    })
                    .setCompression(Compression.NONE)
                    .setEnableShutdownHook(false)
                    .addEventListeners(listener)
                    .build();
        } catch (InvalidTokenException e) {
            throw new ChannelException.SendFailed("Discord refused the bot token", 401, false, Optional.empty(),
                    Optional.empty(), e);
        } catch (RuntimeException e) {
            throw new ChannelException.SendFailed("Discord's gateway could not be opened: " + e.getMessage(), 0, true,
                    Optional.empty(), Optional.empty(), e);
        }
        Session s = new Session(config, jda);
        self[0] = s;
        LOG.log(System.Logger.Level.INFO, "Discord gateway session opened for connection " + connectionId);
        return s;
    }

    private static void offer(Session s, Optional<InboundMessage> message) {
        if (s == null || message.isEmpty()) {
            return;
        }
        if (!s.received.offer(message.get())) {
            LOG.log(System.Logger.Level.WARNING, "Discord messages waiting for a poll are over " + MAX_WAITING
                    + "; dropped " + message.get().externalMessageId());
        }
    }

    /** Closes sessions no poll asked for within {@link #IDLE}; ends when none is left. */
    private synchronized void startReaper() {
        if (reaper != null && reaper.isAlive()) {
            return;
        }
        reaper = Thread.ofPlatform().daemon().name("discord-gateway-reaper").start(() -> {
            while (!sessions.isEmpty()) {
                try {
                    Thread.sleep(Math.min(30_000, IDLE.toMillis() / 2));
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                sessions.forEach((id, s) -> {
                    if (now - s.lastPoll > IDLE.toNanos() && sessions.remove(id, s)) {
                        s.jda.shutdownNow();
                        LOG.log(System.Logger.Level.INFO, "Discord gateway session of " + id + " closed: not polled"
                                + " on this node for " + IDLE.toSeconds() + " s");
                    }
                });
            }
        });
    }
}
