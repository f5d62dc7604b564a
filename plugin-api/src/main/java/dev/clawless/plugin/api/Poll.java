package dev.clawless.plugin.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one poll of a pulling channel (Telegram long polling, IMAP) fetched. The hub stores every event, then calls
 * {@link ChannelExtension#acknowledge} with this poll (so the platform may mark or move what it handed out), then
 * saves {@code nextCursor} for the next poll. A crash in between repeats the poll; stored events are deduplicated.
 *
 * @param events     what arrived, in order
 * @param nextCursor where the next poll starts; empty to keep the current cursor
 * @param receipts   platform handles to acknowledge once the events are stored (e.g. IMAP UIDs)
 */
public record Poll(List<InboundEvent> events, Optional<String> nextCursor, List<String> receipts) {

    public Poll {
        events = List.copyOf(events);
        Objects.requireNonNull(nextCursor, "nextCursor");
        receipts = List.copyOf(receipts);
    }

    /** Nothing new. */
    public static Poll empty() {
        return new Poll(List.of(), Optional.empty(), List.of());
    }
}
