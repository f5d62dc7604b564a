package dev.clawless.core.tool;

import java.time.Instant;
import java.util.Optional;

/**
 * A tool call waiting for, or decided by, an operator.
 *
 * @param id             {@code apr_…}
 * @param tenantId       owner
 * @param conversationId the conversation whose turn is paused
 * @param messageId      the inbound message the turn answers
 * @param tool           the tool's name
 * @param callId         the model's id for the call
 * @param arguments      the call's arguments (secrets redacted), as JSON text
 * @param status         {@code pending}, {@code approved} or {@code denied}
 * @param reason         the operator's reason, if given
 * @param decidedBy      who decided
 * @param decidedAt      when
 * @param createdAt      when the turn paused
 */
public record Approval(String id, String tenantId, String conversationId, String messageId, String tool,
                       String callId, String arguments, String status, Optional<String> reason,
                       Optional<String> decidedBy, Optional<Instant> decidedAt, Instant createdAt) {
}
