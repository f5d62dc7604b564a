package dev.clawless.core.inbox;

import java.util.Optional;

/**
 * How a tenant's inbox behaves ({@code GET|PATCH /v1/inbox/settings}).
 *
 * @param businessHours  when people answer; empty: always
 * @param handoffMessage told to the contact when the conversation goes to a person during business hours
 * @param awayMessage    told outside business hours; {@code {next}} becomes the next opening time
 * @param csatEnabled    ask the contact for a 1–5 rating when a conversation is resolved
 * @param csatQuestion   the rating question
 */
public record InboxSettings(Optional<BusinessHours> businessHours, String handoffMessage, String awayMessage,
                            boolean csatEnabled, String csatQuestion) {

    public static final InboxSettings DEFAULT = new InboxSettings(Optional.empty(),
            "I've asked a colleague to take over; someone will reply here shortly.",
            "Our team is away right now; a colleague will reply here when we're back ({next}).", false,
            "How would you rate the help you got? Reply with a number from 1 (poor) to 5 (excellent).");
}
