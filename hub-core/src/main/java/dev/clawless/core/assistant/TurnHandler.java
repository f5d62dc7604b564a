package dev.clawless.core.assistant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.conversation.MessageRole;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobHandler;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.usage.UsageMeter;

/**
 * Runs {@code assistant_turn} jobs: answers one inbound message with the tenant's assistant and stores the reply.
 * Exactly one reply per message, however often the job runs: a re-run (after a crash or a lost lease) finds the
 * stored reply and stops, and two runs racing are settled by the reply's unique key. A conversation a human has
 * taken over, or a message deleted meanwhile, gets no reply.
 */
public final class TurnHandler implements JobHandler {

    /** Messages of history given to the provider, the answered one included. */
    static final int HISTORY = 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TurnHandler.class.getName());

    private final ConversationManagement conversations;
    private final TenantManagement tenants;
    private final AssistantRuntime runtime;
    private final TurnStreams streams;
    private final UsageMeter usage;

    public TurnHandler(ConversationManagement conversations, TenantManagement tenants, AssistantRuntime runtime,
                       TurnStreams streams, UsageMeter usage) {
        this.conversations = conversations;
        this.tenants = tenants;
        this.runtime = runtime;
        this.streams = streams;
        this.usage = usage;
    }

    @Override
    public void handle(Job job) throws Exception {
        JsonNode payload = JSON.readTree(job.payload());
        String tenantId = payload.path("tenant_id").asText();
        String conversationId = payload.path("conversation_id").asText();
        String messageId = payload.path("message_id").asText();
        Message inbound;
        Conversation conversation;
        Tenant tenant;
        try {
            inbound = conversations.message(tenantId, messageId);
            conversation = conversations.get(tenantId, conversationId);
            tenant = tenants.get(tenantId);
        } catch (ClawlessException.NotFound gone) {
            return;
        }
        Optional<Message> earlier = conversations.replyTo(tenantId, messageId);
        if (earlier.isPresent()) {
            streams.completed(conversationId, messageId, earlier.get());
            return;
        }
        if (conversation.status() != ConversationStatus.BOT) {
            return;
        }
        try {
            usage.checkQuota(tenantId, tenants.effectiveQuotas(tenant));
        } catch (ClawlessException.TooManyRequests overQuota) {
            // no model call and no reply; the job is done (retrying cannot help before the period ends)
            LOG.warning(() -> "turn for " + messageId + " skipped: " + overQuota.detail());
            streams.failed(conversationId, messageId, overQuota.detail());
            return;
        }
        try {
            AssistantRuntime.Target target = runtime.resolve(tenant, "");
            AssistantRequest request = new AssistantRequest(tenantId, target.model(), context(tenant, inbound));
            Completion c = runtime.complete(target, request, delta -> streams.delta(conversationId, messageId, delta));
            usage.record(tenantId, c.provider(), c.model(), c.tokensIn(), c.tokensOut());
            Message reply = conversations.recordReply(tenantId, inbound, c.text(), Map.of(
                    "provider", c.provider(), "model", c.model(), "finish_reason", c.finishReason(),
                    "tokens_in", Integer.toString(c.tokensIn()), "tokens_out", Integer.toString(c.tokensOut())));
            streams.completed(conversationId, messageId, reply);
        } catch (RuntimeException e) {
            streams.failed(conversationId, messageId, e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage());
            throw e;
        }
    }

    /**
     * The tenant's system prompt and the prompt of the mode in force (the one the message's intent selected, else the
     * tenant's default mode), then the recent history up to the message answered.
     */
    private List<ChatMessage> context(Tenant tenant, Message inbound) {
        List<ChatMessage> out = new ArrayList<>();
        String mode = inbound.metadata().getOrDefault("mode", tenant.settings().mode());
        String system = (tenant.settings().systemPrompt() + "\n\n"
                + tenant.settings().modePrompts().getOrDefault(mode, "")).strip();
        if (!system.isEmpty()) {
            out.add(new ChatMessage(ChatMessage.Role.SYSTEM, system));
        }
        for (Message m : conversations.history(tenant.id(), inbound, HISTORY)) {
            ChatMessage.Role role = m.role() == MessageRole.USER ? ChatMessage.Role.USER
                    : m.role() == MessageRole.SYSTEM ? ChatMessage.Role.SYSTEM : ChatMessage.Role.ASSISTANT;
            out.add(new ChatMessage(role, m.text()));
        }
        return out;
    }
}
