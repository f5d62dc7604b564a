package dev.clawless.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.TurnStreams;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.ConversationEvent;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.EventPump;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.tenant.Scope;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.RequestState;

/**
 * A conversation as server-sent events: first every stored event after {@code Last-Event-ID} (header, or
 * {@code last_event_id} query parameter), then new ones as they are committed, each with its id; assistant text
 * deltas of turns run on this node come as {@code delta} events without an id (they are not replayed). A comment line
 * every 15 s keeps proxies from closing the stream; after 30 minutes, or when the caller's credential ends (an
 * expiring key, session or widget session) if that is sooner, the hub ends it and the client resumes with its last
 * id. The caller's
 * access is judged again when the node's {@link EventPump} reads a change of access that names one of the stream's
 * ids (its key or person, session, tenant, widget connection): a revoked key's, an ended session's or a removed
 * member's stream ends then, within a pump tick or two, whichever node made the change (reconnecting gets the 401,
 * 403 or 404 any request would). Nothing is asked periodically. What each stored event becomes is the caller's
 * choice (the widget sees fewer, simpler events).
 */
final class EventStream {

    static final Duration MAX_STREAM = Duration.ofMinutes(30);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final byte[] KEEP_ALIVE_LINE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    /** Live text deltas one stream may have waiting; more are dropped (the stored message still comes). */
    private static final int MAX_DELTAS = 1024;

    private EventStream() {
    }

    /**
     * What a route makes of stored events, as the bytes a stream writes (id line included). A route's streams all
     * write the same bytes for the same event, so the bytes of the last events are kept and built once, not once per
     * stream (a message on a conversation 10,000 streams follow is rendered once). An event id names one event in one
     * database only, so each hub's routes have their own. Thread-safe.
     */
    static final class Frames {

        private static final int SLOTS = 64;
        private final Function<ConversationEvent, Optional<String>> render;
        private final AtomicReferenceArray<Built> built = new AtomicReferenceArray<>(SLOTS);

        /**
         * @param render a stored event as the {@code event:}/{@code data:} lines to send (the id line is added), or
         *               empty to skip it; the same for every stream of the route
         */
        Frames(Function<ConversationEvent, Optional<String>> render) {
            this.render = render;
        }

        private record Built(long id, Optional<byte[]> bytes) {
        }

        /** The event's frame, or empty when the route skips it. */
        Optional<byte[]> of(ConversationEvent e) {
            int slot = (int) Math.floorMod(e.id(), (long) SLOTS);
            Built b = built.get(slot);
            if (b == null || b.id() != e.id()) {
                b = new Built(e.id(), render.apply(e).map(f -> ("id: " + e.id() + "\n" + f + "\n\n")
                        .getBytes(StandardCharsets.UTF_8)));
                built.set(slot, b);
            }
            return b.bytes();
        }
    }

    /**
     * What a stream's right to go on rests on.
     *
     * @param watched the ids whose change of access makes the stream judge again (see {@code AccessChanges})
     * @param ends    when the credential ends at the latest: the stream ends then and the client reconnects
     * @param allowed whether the caller may still read, judged now (asked after a change names a watched id)
     * @param judgedAt when (System.nanoTime) the caller was judged before the stream began
     */
    record Access(Set<String> watched, Optional<Instant> ends, BooleanSupplier allowed, long judgedAt) {

        /** The request's own credential, which must still hold {@code scope}. */
        static Access of(ServerRequest req, Scope scope) {
            RequestState state = RequestState.of(req);
            return new Access(state.credentialIds(), state.credentialEnds(), () -> state.stillAllowed(scope),
                    state.startNanos());
        }
    }

    /** The event id to resume after, from {@code Last-Event-ID} or {@code last_event_id}; 0 for all. */
    static long after(ServerRequest req) {
        return req.headers().first(HeaderNames.create("Last-Event-ID"))
                .or(() -> Inputs.query(req, "last_event_id"))
                .map(EventStream::eventId)
                .orElse(0L);
    }

    /**
     * Streams until the client leaves or {@link #MAX_STREAM} passes: the stored events after {@code Last-Event-ID}
     * from the database, then new ones as the node's {@link EventPump} hands them over (no query of its own while
     * idle: the thread parks until the pump, a delta, a change of access or the keep-alive wakes it).
     *
     * @param frames what the route sends for each stored event
     * @param access whether the caller may still read the conversation, and when to ask
     * @param workspaceOutput whether the lines workspace commands print come too, live, as {@code workspace.output}
     *                        events (for operators; never for the contact)
     */
    static void stream(ServerRequest req, ServerResponse res, ConversationManagement conversations,
                       TurnStreams turns, EventPump pump, String tenantId, String conversationId,
                       Frames frames, Access access, boolean workspaceOutput) {
        long after = after(req);
        begin(res);
        BlockingQueue<String> deltas = new LinkedBlockingQueue<>(MAX_DELTAS); // no array up front
        try (EventPump.Subscription events = pump.subscribe(tenantId, conversationId)) {
            TurnStreams.Listener listener = new TurnStreams.Listener() {
                @Override
                public void delta(String messageId, String text) {
                    // live text is not replayed: a reader this far behind gets the stored message instead
                    deltas.offer("event: delta\ndata: " + Json.object().put("message_id", messageId)
                            .put("text", text) + "\n\n");
                    events.signal();
                }

                @Override
                public void workspaceOutput(String commandId, String line) {
                    if (!workspaceOutput) {
                        return; // operators' only: never a contact's (the widget's) stream
                    }
                    // live too: the command's stored record keeps the tail of its output
                    deltas.offer("event: workspace.output\ndata: " + Json.object().put("conversation_id",
                            conversationId).put("command_id", commandId).put("line", line) + "\n\n");
                    events.signal();
                }

                @Override
                public void completed(String messageId, Message reply) {
                }

                @Override
                public void failed(String messageId, String error) {
                }
            };
            Feed feed = (from, out) -> {
                long last = from;
                while (true) {
                    var batch = conversations.events(tenantId, conversationId, last, 100);
                    for (ConversationEvent e : batch) {
                        Optional<byte[]> frame = frames.of(e);
                        if (frame.isPresent()) {
                            write(out, frame.get());
                        }
                        last = e.id();
                    }
                    if (batch.size() < 100) {
                        return last;
                    }
                }
            };
            try (AutoCloseable subscription = turns.subscribe(conversationId, listener);
                 OutputStream out = res.outputStream()) {
                write(out, ": connected\n\n");
                pumped(out, events, after, feed, frames, deltas, access, () -> { });
            }
        } catch (UncheckedIOException | IOException disconnected) {
            // the client went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads stored events after an id from the database and writes them; answers the last id read. */
    @FunctionalInterface
    interface Feed {
        long replay(long after, OutputStream out);
    }

    /**
     * The loop of a live stream: replays from the database after {@code after}, then writes what the pump hands
     * over, the deltas, a keep-alive every 15 s (running {@code onKeepAlive} after it), and ends when a change of
     * access named one of the stream's ids and {@code access} says no, when the credential ends, or when
     * {@link #MAX_STREAM} passes. When the subscription overflowed (this reader fell behind) the stream reads from
     * the database after its last id again and goes on.
     */
    static void pumped(OutputStream out, EventPump.Subscription events, long after, Feed feed,
                       Frames frames, BlockingQueue<String> deltas, Access access, Runnable onKeepAlive)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = start + access.ends().map(e -> Math.min(MAX_STREAM.toNanos(),
                Math.max(0, Duration.between(Instant.now(), e).toNanos()))).orElse(MAX_STREAM.toNanos());
        long nextKeepAlive = start + KEEP_ALIVE.toNanos();
        events.watchAccess(access.watched(), access.judgedAt());
        after = feed.replay(after, out);
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0) {
                return;
            }
            if (events.accessChanged() && !access.allowed().getAsBoolean()) {
                return;
            }
            if (events.overflowed()) {
                after = feed.replay(after, out);
            }
            // deltas first: a turn's deltas are handed over before its reply commits, so any waiting now are older
            // than the events waiting now (after them, a reply's last deltas would bring back its draft)
            if (deltas != null) {
                String delta = deltas.poll();
                while (delta != null) {
                    write(out, delta);
                    delta = deltas.poll();
                }
            }
            for (ConversationEvent e : events.drain()) {
                if (e.id() <= after) {
                    continue; // already sent by a replay
                }
                Optional<byte[]> frame = frames.of(e);
                if (frame.isPresent()) {
                    write(out, frame.get());
                }
                after = e.id();
            }
            now = System.nanoTime();
            if (now - nextKeepAlive >= 0) {
                write(out, KEEP_ALIVE_LINE);
                nextKeepAlive = now + KEEP_ALIVE.toNanos();
                onKeepAlive.run();
            }
            long wake = end - nextKeepAlive < 0 ? end : nextKeepAlive;
            events.await(Duration.ofNanos(wake - System.nanoTime()));
        }
    }

    private static long eventId(String value) {
        try {
            long id = Long.parseLong(value.strip());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw ClawlessException.Validation.of("Last-Event-ID", "must be an event id this stream sent");
        }
    }

    /** Starts an event-stream answer: status, type, no caching, no proxy buffering. */
    static void begin(ServerResponse res) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");
    }

    static void write(OutputStream out, String text) {
        write(out, text.getBytes(StandardCharsets.UTF_8));
    }

    static void write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
