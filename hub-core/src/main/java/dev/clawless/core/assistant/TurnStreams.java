package dev.clawless.core.assistant;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.clawless.core.conversation.Message;

/**
 * In-process fan-out of what assistant turns produce, per conversation: text deltas while a turn runs, then its
 * stored reply or its failure. Subscribers on this node see turns run on this node, and the text deltas of turns run
 * on other nodes when a {@link Relay} carries them (Redis); a waiter that may be served by another node also reads
 * the stored reply. Thread-safe; listeners are called on the turn's (or the relay's) thread and must not block.
 */
public final class TurnStreams {

    /** What a subscriber hears about the turns of one conversation; each event names the message answered. */
    public interface Listener {
        void delta(String messageId, String text);

        void completed(String messageId, Message reply);

        void failed(String messageId, String error);

        /** The turn waits for an operator to approve a tool call. */
        default void paused(String messageId, String approvalId) {
        }

        /** A line of output of a workspace command the turn runs (on this node; not replayed). */
        default void workspaceOutput(String commandId, String line) {
        }
    }

    /** Carries this node's text deltas to the other nodes; must not block. */
    @FunctionalInterface
    public interface Relay {
        void delta(String conversationId, String messageId, String text);
    }

    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private volatile Relay relay = (conversationId, messageId, text) -> { };

    /** Sends every text delta of this node's turns to the other nodes too. */
    public void relay(Relay relay) {
        this.relay = relay;
    }

    /** A text delta of a turn another node runs, for this node's subscribers (not relayed again). */
    public void remoteDelta(String conversationId, String messageId, String text) {
        each(conversationId).forEach(l -> l.delta(messageId, text));
    }

    /** Listens to a conversation's turns until the returned handle is closed. */
    public AutoCloseable subscribe(String conversationId, Listener listener) {
        listeners.computeIfAbsent(conversationId, k -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> listeners.computeIfPresent(conversationId, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    void delta(String conversationId, String messageId, String text) {
        each(conversationId).forEach(l -> l.delta(messageId, text));
        relay.delta(conversationId, messageId, text);
    }

    void completed(String conversationId, String messageId, Message reply) {
        each(conversationId).forEach(l -> l.completed(messageId, reply));
    }

    void failed(String conversationId, String messageId, String error) {
        each(conversationId).forEach(l -> l.failed(messageId, error));
    }

    void paused(String conversationId, String messageId, String approvalId) {
        each(conversationId).forEach(l -> l.paused(messageId, approvalId));
    }

    /** A line a workspace command of the conversation printed, for its subscribers on this node. */
    public void workspaceOutput(String conversationId, String commandId, String line) {
        each(conversationId).forEach(l -> l.workspaceOutput(commandId, line));
    }

    private List<Listener> each(String conversationId) {
        return listeners.getOrDefault(conversationId, List.of());
    }
}
