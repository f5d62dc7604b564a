package dev.clawless.core.assistant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.conversation.MessageRole;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobHandler;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.knowledge.KnowledgeHit;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tool.Approval;
import dev.clawless.core.tool.Approvals;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.tool.ToolRegistry;
import dev.clawless.core.tool.ToolRunner;
import dev.clawless.core.tool.TurnToolContext;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.core.workspace.WorkspaceCommands;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;

/**
 * Runs {@code assistant_turn} jobs (answer an inbound message) and {@code assistant_resume} jobs (continue a turn an
 * operator approved or denied a tool call of). A turn asks the tenant's model, runs the tools it calls and gives the
 * results back, until the model answers; a call that needs approval pauses the turn with its whole state saved.
 *
 * <p>Exactly one reply per message, however often a job runs: a re-run finds the stored reply and stops, racing runs
 * are settled by the reply's unique key, and an approved call's result is stored before the turn continues, so a
 * re-run resumption does not call the tool again. A conversation a human holds, or a message deleted meanwhile,
 * gets no reply.
 */
public final class TurnHandler implements JobHandler {

    /** Most messages of history considered for the context, the answered one included. */
    static final int HISTORY = 50;
    /** The job kind that folds older messages into the conversation's summary. */
    public static final String SUMMARY_JOB = "conversation_summary";
    /** Model rounds (answer or tool calls) in one stretch of a turn (between pauses) before it gives up. */
    static final int MAX_ROUNDS = 6;
    /** Model rounds in one turn however often it paused (a workspace job may take many commands). */
    static final int MAX_TOTAL_ROUNDS = 40;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(TurnHandler.class.getName());
    private static final java.time.Duration QUOTA_LOG_EVERY = java.time.Duration.ofHours(1);
    /** When each tenant's skipped turns were last logged at INFO (System.nanoTime). */
    private final java.util.Map<String, Long> quotaLogged = new java.util.concurrent.ConcurrentHashMap<>();

    private final ConversationManagement conversations;
    private final TenantManagement tenants;
    private final AssistantRuntime runtime;
    private final TurnStreams streams;
    private final UsageMeter usage;
    private final ToolRegistry tools;
    private final ToolRunner runner;
    private final Approvals approvals;
    private final NetworkGuard guard;
    private final KnowledgeManagement knowledge;
    private final JobQueue jobs;
    private final TurnSettings settings;
    private volatile java.util.function.BiConsumer<String, Conversation> turnStarted = (tenant, conversation) -> { };

    public TurnHandler(ConversationManagement conversations, TenantManagement tenants, AssistantRuntime runtime,
                       TurnStreams streams, UsageMeter usage, ToolRegistry tools, ToolRunner runner,
                       Approvals approvals, NetworkGuard guard, KnowledgeManagement knowledge, JobQueue jobs,
                       TurnSettings settings) {
        this.knowledge = knowledge;
        this.jobs = jobs;
        this.settings = settings;
        this.conversations = conversations;
        this.tenants = tenants;
        this.runtime = runtime;
        this.streams = streams;
        this.usage = usage;
        this.tools = tools;
        this.runner = runner;
        this.approvals = approvals;
        this.guard = guard;
    }

    /** Where hand-offs go (the inbox); set once while wiring. */
    public void peopleDesk(PeopleDesk desk) {
        this.desk = desk;
    }

    /** What fills the tenant's lead form during turns (the sales module); set once while wiring. */
    public void leadCapture(LeadCapture capture) {
        this.leads = capture;
    }

    private volatile LeadCapture leads = LeadCapture.NONE;

    /** What the model is told about the conversation's channel (its reply window); set once while wiring. */
    public void channelContext(ChannelContext context) {
        this.channelContext = context;
    }

    private volatile ChannelContext channelContext = ChannelContext.NONE;

    private volatile PeopleDesk desk;
    private volatile WorkspaceCommands commands;

    /** Where {@code workspace_shell} calls run, as jobs of their own; set once while wiring (none: run inline). */
    public void workspaceCommands(WorkspaceCommands commands) {
        this.commands = commands;
    }

    /** Called as a turn starts working (a channel shows a typing indicator); set once while wiring. */
    public void onTurnStarted(java.util.function.BiConsumer<String, Conversation> listener) {
        this.turnStarted = listener;
    }

    /** A turn in progress: whom it answers and the messages so far. */
    private record Turn(Tenant tenant, Conversation conversation, Message inbound, List<ChatMessage> messages,
                        java.util.concurrent.atomic.AtomicInteger rounds,
                        java.util.concurrent.atomic.AtomicReference<String> followUp) {
    }

    @Override
    public void handle(Job job) throws Exception {
        JsonNode payload = JSON.readTree(job.payload());
        if (job.kind().equals(SUMMARY_JOB)) {
            summarize(payload.path("tenant_id").asText(), payload.path("conversation_id").asText());
            return;
        }
        if (job.kind().equals(Approvals.RESUME_JOB)) {
            resume(payload.path("tenant_id").asText(), payload.path("approval_id").asText());
            return;
        }
        if (job.kind().equals(WorkspaceCommands.RESUME_JOB)) {
            resumeAfterCommand(payload.path("tenant_id").asText(), payload.path("command_id").asText());
            return;
        }
        Optional<Turn> turn = load(payload.path("tenant_id").asText(), payload.path("conversation_id").asText(),
                payload.path("message_id").asText());
        if (turn.isEmpty()) {
            return;
        }
        Turn t = turn.get();
        if (answeredPeople(t)) {
            return;
        }
        try {
            usage.checkQuota(t.tenant().id(), tenants.effectiveQuotas(t.tenant()));
        } catch (ClawlessException.TooManyRequests overQuota) {
            // no model call and no reply; the job is done (retrying cannot help before the period ends)
            // expected while a tenant is over its quota, for every message it gets: one line per tenant per hour
            // at INFO, the rest at FINE (a warning each flooded the log)
            long now = System.nanoTime();
            Long last = quotaLogged.get(t.tenant().id());
            boolean first = (last == null || now - last > QUOTA_LOG_EVERY.toNanos())
                    && (last == null ? quotaLogged.putIfAbsent(t.tenant().id(), now) == null
                    : quotaLogged.replace(t.tenant().id(), last, now));
            LOG.log(first ? java.util.logging.Level.INFO : java.util.logging.Level.FINE, () -> "turns of tenant "
                    + t.tenant().id() + " skipped (turn for " + t.inbound().id() + "): " + overQuota.detail()
                    + (first ? "; further skips are logged at FINE for an hour" : ""));
            streams.failed(t.conversation().id(), t.inbound().id(), overQuota.detail());
            return;
        }
        turnStarted.accept(t.tenant().id(), t.conversation());
        AssistantRuntime.Target target = target(t);
        LeadCapture.Step lead = leads.capture(t.tenant(), t.conversation(), t.inbound(), target);
        if (lead.answer().isPresent()) {
            reply(t, lead.answer().get(), Map.of("finish_reason", "lead_form"));
            return;
        }
        t.followUp().set(lead.followUp());
        t.messages().addAll(context(t, target));
        if (!lead.systemNote().isEmpty()) {
            t.messages().add(t.messages().isEmpty() || t.messages().get(0).role() != ChatMessage.Role.SYSTEM ? 0 : 1,
                    new ChatMessage(ChatMessage.Role.SYSTEM, lead.systemNote()));
        }
        continueTurn(t, List.of(), target);
    }

    /**
     * Handles a message meant for people rather than the assistant: an answer to their rating question, or the
     * contact accepting the assistant's offer of a person ("yes", "sí", "a human please"). True when it was one.
     */
    private boolean answeredPeople(Turn t) {
        PeopleDesk people = desk;
        if (people == null) {
            return false;
        }
        Optional<String> thanks = people.answerToPeople(t.tenant().id(), t.conversation(), t.inbound());
        if (thanks.isPresent()) {
            reply(t, thanks.get(), Map.of("finish_reason", "csat"));
            return true;
        }
        if (offeredPerson(t) && HandoffPhrases.accepts(t.inbound().text())) {
            String text = people.handOff(t.tenant().id(), t.conversation().id(), "the contact accepted a person");
            reply(t, text, Map.of("finish_reason", "handed_off"));
            return true;
        }
        return false;
    }

    /** True when the assistant's last word before this message offered the contact a person. */
    private boolean offeredPerson(Turn t) {
        List<Message> recent = conversations.history(t.tenant().id(), t.inbound(), 6);
        for (int i = recent.size() - 2; i >= 0; i--) {
            Message m = recent.get(i);
            if (m.role() == dev.clawless.core.conversation.MessageRole.ASSISTANT) {
                String finish = m.metadata().getOrDefault("finish_reason", "");
                return finish.equals("handoff") || finish.equals("tool_rounds_exhausted");
            }
            if (m.role() == dev.clawless.core.conversation.MessageRole.OPERATOR) {
                return false;
            }
        }
        return false;
    }

    /** The turn's parties, or empty when it must not run (gone, already answered, held by a human). */
    private Optional<Turn> load(String tenantId, String conversationId, String messageId) {
        Message inbound;
        Conversation conversation;
        Tenant tenant;
        try {
            inbound = conversations.message(tenantId, messageId);
            conversation = conversations.get(tenantId, conversationId);
            tenant = tenants.get(tenantId);
        } catch (ClawlessException.NotFound gone) {
            return Optional.empty();
        }
        Optional<Message> earlier = conversations.replyTo(tenantId, messageId);
        if (earlier.isPresent()) {
            streams.completed(conversationId, messageId, earlier.get());
            return Optional.empty();
        }
        if (conversation.status() != ConversationStatus.BOT) {
            return Optional.empty();
        }
        return Optional.of(new Turn(tenant, conversation, inbound, new ArrayList<>(),
                new java.util.concurrent.atomic.AtomicInteger(), new java.util.concurrent.atomic.AtomicReference<>("")));
    }

    private void resume(String tenantId, String approvalId) throws Exception {
        Approval approval;
        try {
            approval = approvals.get(tenantId, approvalId);
        } catch (ClawlessException.NotFound gone) {
            return;
        }
        if (approval.status().equals("pending")) {
            return;
        }
        Optional<Turn> turn = load(tenantId, approval.conversationId(), approval.messageId());
        if (turn.isEmpty()) {
            return;
        }
        Turn t = turn.get();
        Paused paused = restore(t, approvals.state(tenantId, approvalId));
        ToolCall pending = paused.pending();
        List<ToolCall> remaining = paused.remaining();
        if (approval.status().equals("approved") && runsAsJob(tenantId, pending)) {
            runAsJob(t, pending, remaining); // once per call: a re-run finds the command already started
            return;
        }
        String result = approvals.result(tenantId, approvalId).orElseGet(() -> {
            String r;
            if (approval.status().equals("approved")) {
                r = tools.find(tenantId, pending.name()).map(tool -> {
                    ToolResult done = runner.run(tool, pending, context(t));
                    if (!done.error() && done.content().contains("\"crm_records\"")
                            && !tools.builtInNames().contains(pending.name())) {
                        leads.toolResult(tenantId, t.conversation(), done.content());
                    }
                    return done.content();
                }).orElse("error: the tool is no longer available");
            } else {
                r = "The operator denied this action" + approval.reason().map(x -> " (" + x + ")").orElse("")
                        + ". Do not retry it; tell the customer.";
                runner.logSkipped(context(t), pending, "denied");
            }
            approvals.recordResult(tenantId, approvalId, r);
            return approvals.result(tenantId, approvalId).orElse(r);
        });
        t.messages().add(ChatMessage.toolResult(pending, result));
        continueTurn(t, remaining, target(t));
    }

    /** Continues a turn a workspace command paused, with the command's outcome as the call's result. */
    private void resumeAfterCommand(String tenantId, String commandId) throws Exception {
        WorkspaceCommands.Command command;
        try {
            command = commands.get(tenantId, commandId);
        } catch (ClawlessException.NotFound gone) {
            return;
        }
        Optional<Turn> turn = load(tenantId, command.conversationId(), command.messageId());
        if (turn.isEmpty() || !command.done()) {
            return;
        }
        Turn t = turn.get();
        Paused paused = restore(t, commands.state(tenantId, commandId));
        t.messages().add(ChatMessage.toolResult(paused.pending(), command.result()));
        continueTurn(t, paused.remaining(), target(t));
    }

    /** The call a turn paused on and the calls after it. */
    private record Paused(ToolCall pending, List<ToolCall> remaining) {
    }

    /** Puts a paused turn's saved messages and round count back into {@code t}; answers what it paused on. */
    private static Paused restore(Turn t, String stateJson) throws java.io.IOException {
        JsonNode state = JSON.readTree(stateJson);
        t.messages().addAll(messagesFrom(state.path("messages")));
        t.rounds().set(state.path("rounds").asInt(0));
        List<ToolCall> remaining = new ArrayList<>();
        state.path("remaining").forEach(c -> remaining.add(callFrom(c)));
        return new Paused(callFrom(state.path("pending")), remaining);
    }

    private boolean runsAsJob(String tenantId, ToolCall call) {
        return commands != null && WorkspaceCommands.runsAsJob(call.name())
                && tools.find(tenantId, call.name()).isPresent();
    }

    /** Pauses the turn on a workspace command, which runs as a job of its own and then continues the turn. */
    private void runAsJob(Turn t, ToolCall call, List<ToolCall> remaining) {
        // keyed by where the turn is — its round and the tool results it has — not by the model's call id: a turn
        // run again after a crash asks the model again and gets new ids, and must find this command, not start one
        long results = t.messages().stream().filter(m -> m.role() == ChatMessage.Role.TOOL).count();
        commands.start(t.tenant().id(), t.conversation().id(), t.inbound().id(), "r" + t.rounds().get() + "t" + results,
                call.argumentsJson(), state(t, call, remaining).toString());
        runner.logSkipped(context(t), call, "running_as_job");
    }

    /** The provider and model for the turn: routing rules on the message's traits, else the tenant's assistant. */
    private AssistantRuntime.Target target(Turn t) {
        return runtime.resolve(t.tenant(), "", new RoutingRules.Traits(t.inbound().text(),
                !t.inbound().attachments().isEmpty(), t.tenant().plan()));
    }

    /** Runs {@code pending} calls, then model rounds until an answer, a pause, or the round limit. */
    private void continueTurn(Turn t, List<ToolCall> pending, AssistantRuntime.Target target) {
        String conversationId = t.conversation().id();
        String messageId = t.inbound().id();
        try {
            if (!runCalls(t, pending)) {
                return;
            }
            for (int round = 0; round < MAX_ROUNDS && t.rounds().incrementAndGet() <= MAX_TOTAL_ROUNDS; round++) {
                Completion c = runtime.complete(target, new AssistantRequest(t.tenant().id(), target.model(),
                        t.messages(), tools.specs(t.tenant().id())).withThinking(
                                t.tenant().settings().assistant().thinkingBudgetTokens()),
                        d -> streams.delta(conversationId, messageId, d));
                usage.record(t.tenant().id(), c.provider(), c.model(), c.tokensIn(), c.tokensOut());
                if (c.toolCalls().isEmpty()) {
                    Map<String, String> metadata = new java.util.LinkedHashMap<>(Map.of("provider", c.provider(),
                            "model", c.model(), "finish_reason", c.finishReason(), "tokens_in",
                            Integer.toString(c.tokensIn()), "tokens_out", Integer.toString(c.tokensOut())));
                    if (!c.thinking().isEmpty()) {
                        // the model's extended thinking: for operators (the message's metadata), never the channel
                        metadata.put(dev.clawless.core.conversation.Message.THINKING, c.thinking());
                    }
                    reply(t, c.text(), metadata);
                    return;
                }
                t.messages().add(ChatMessage.toolCalls(c.text(), c.toolCalls()));
                if (!runCalls(t, c.toolCalls())) {
                    return;
                }
            }
            reply(t, "I'm sorry, I couldn't complete that. Would you like me to connect you with a person?",
                    Map.of("finish_reason", "tool_rounds_exhausted"));
        } catch (RuntimeException e) {
            streams.failed(conversationId, messageId, e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage());
            throw e;
        }
    }

    /** Runs calls in order; false when one needs approval and the turn paused. */
    private boolean runCalls(Turn t, List<ToolCall> calls) {
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            Optional<ToolExtension> tool = tools.find(t.tenant().id(), call.name());
            if (tool.isEmpty()) {
                t.messages().add(ChatMessage.toolResult(call, "error: there is no tool named " + call.name()));
                continue;
            }
            if (ToolRegistry.needsApproval(tool.get(), call, t.tenant().settings().approvalPolicy())) {
                pause(t, call, calls.subList(i + 1, calls.size()));
                return false;
            }
            if (runsAsJob(t.tenant().id(), call)) {
                runAsJob(t, call, calls.subList(i + 1, calls.size()));
                return false;
            }
            ToolResult result = runner.run(tool.get(), call, context(t));
            t.messages().add(ChatMessage.toolResult(call, result.error() ? "error: " + result.content()
                    : result.content()));
            if (!result.error() && result.content().contains("\"crm_records\"")
                    && !tools.builtInNames().contains(call.name())) {
                leads.toolResult(t.tenant().id(), t.conversation(), result.content());
            }
            if (call.name().equals("handoff_to_human")) {
                PeopleDesk people = desk;
                reply(t, people == null ? "I've asked a colleague to take over; someone will reply here shortly."
                        : people.contactMessage(t.tenant().id()), Map.of("finish_reason", "handed_off"));
                return false;
            }
        }
        return true;
    }

    /** Everything needed to continue the turn once {@code call} has a result. */
    private static ObjectNode state(Turn t, ToolCall call, List<ToolCall> remaining) {
        ObjectNode state = JSON.createObjectNode();
        state.set("messages", messagesJson(t.messages()));
        state.set("pending", callJson(call));
        ArrayNode rest = state.putArray("remaining");
        remaining.forEach(c -> rest.add(callJson(c)));
        state.put("rounds", t.rounds().get());
        return state;
    }

    private void pause(Turn t, ToolCall call, List<ToolCall> remaining) {
        Approval approval = approvals.request(t.tenant().id(), t.conversation().id(), t.inbound().id(), call,
                state(t, call, remaining).toString());
        runner.logSkipped(context(t), call, "pending_approval");
        conversations.publish(t.tenant().id(), t.conversation().id(), "approval.requested", JSON.createObjectNode()
                .put("approval_id", approval.id()).put("message_id", t.inbound().id()).put("tool", call.name())
                .put("arguments", approval.arguments()).toString());
        streams.paused(t.conversation().id(), t.inbound().id(), approval.id());
    }

    private void reply(Turn t, String text, Map<String, String> metadata) {
        String followUp = t.followUp().get();
        String finish = metadata.getOrDefault("finish_reason", "");
        // not after a hand-off, nor after the offer of a person: one question at a time
        if (!followUp.isEmpty() && !finish.equals("handed_off") && !finish.equals("handoff")) {
            // the lead form's next question, after the retrieval assistant's answer
            text = text.isBlank() ? followUp : text.strip() + "\n\n" + followUp;
        }
        Message reply = conversations.recordReply(t.tenant().id(), t.inbound(), text, metadata);
        streams.completed(t.conversation().id(), t.inbound().id(), reply);
        Conversation c = t.conversation();
        if (conversations.countAfter(t.tenant().id(), c.id(), c.messageCursor().orElse(0L)) > settings.summarizeAfter()) {
            jobs.enqueue(NewJob.of(SUMMARY_JOB, JSON.createObjectNode().put("tenant_id", t.tenant().id())
                            .put("conversation_id", c.id()).toString())
                    .withTenant(t.tenant().id()).inQueue(SUMMARY_JOB + ":" + c.id())
                    .once(SUMMARY_JOB + ":" + c.id() + ":" + c.summaryVersion()));
        }
    }

    /**
     * Folds the messages between the summary's cursor and the most recent {@code keepRecent} into the summary: with
     * an LLM assistant by asking it, else (or if that fails) extractively. Stored only if no other run replaced the
     * same version, so re-runs are harmless.
     */
    private void summarize(String tenantId, String conversationId) {
        Conversation c;
        Tenant tenant;
        try {
            c = conversations.get(tenantId, conversationId);
            tenant = tenants.get(tenantId);
        } catch (ClawlessException.NotFound gone) {
            return;
        }
        List<Message> after = conversations.messagesAfter(tenantId, conversationId, c.messageCursor().orElse(0L), 500);
        if (after.size() <= settings.keepRecent()) {
            return;
        }
        List<Message> fold = after.subList(0, after.size() - settings.keepRecent());
        StringBuilder transcript = new StringBuilder();
        c.summary().ifPresent(s -> transcript.append("Earlier summary: ").append(s).append('\n'));
        for (Message m : fold) {
            String text = m.text().length() > 500 ? m.text().substring(0, 500) + "…" : m.text();
            transcript.append(m.role().wire()).append(": ").append(text.replace('\n', ' ')).append('\n');
        }
        String summary = extractive(transcript.toString());
        AssistantRuntime.Target target = runtime.resolve(tenant, "");
        if (!target.provider().name().equals(RetrievalProvider.NAME)) {
            try {
                Completion done = runtime.complete(target, new AssistantRequest(tenantId, target.model(), List.of(
                        new ChatMessage(ChatMessage.Role.SYSTEM, "Summarize this customer conversation in at most 120"
                                + " words: who the customer is, what they want, what was promised or decided."),
                        new ChatMessage(ChatMessage.Role.USER, transcript.toString()))), d -> { });
                usage.record(tenantId, done.provider(), done.model(), done.tokensIn(), done.tokensOut());
                if (!done.text().isBlank()) {
                    summary = done.text().strip();
                }
            } catch (RuntimeException e) {
                LOG.warning(() -> "summary of " + conversationId + " falls back to extractive: " + e.getMessage());
            }
        }
        conversations.storeSummary(tenantId, conversationId, c.summaryVersion(), summary,
                fold.get(fold.size() - 1).seq());
    }

    /** The transcript's most recent 2,000 characters. */
    static String extractive(String transcript) {
        String t = transcript.strip();
        return t.length() <= 2000 ? t : "…" + t.substring(t.length() - 2000);
    }

    private TurnToolContext context(Turn t) {
        return new TurnToolContext(t.tenant().id(), Optional.of(t.conversation().id()), guard);
    }

    /**
     * What the model is given, within {@link TurnSettings#contextTokens()}: the tenant's system prompt and the prompt
     * of the mode in force (the one the message's intent selected, else the tenant's default mode); for LLM
     * providers the knowledge most relevant to the message; the conversation's summary; then as many recent messages
     * after the summary's cursor as fit, newest kept first, the answered message always.
     */
    private List<ChatMessage> context(Turn t, AssistantRuntime.Target target) {
        Tenant tenant = t.tenant();
        Message inbound = t.inbound();
        String mode = inbound.metadata().getOrDefault("mode", tenant.settings().mode());
        StringBuilder system = new StringBuilder((tenant.settings().systemPrompt() + "\n\n"
                + tenant.settings().modePrompts().getOrDefault(mode, "")).strip());
        if (!target.provider().name().equals(RetrievalProvider.NAME) && !inbound.text().isBlank()) {
            String query = inbound.text().length() > 2000 ? inbound.text().substring(0, 2000) : inbound.text();
            List<KnowledgeHit> hits = knowledge.search(tenant.id(), query, 3).stream()
                    .filter(h -> h.score() >= KnowledgeManagement.CONTEXT_MIN_RELEVANCE).toList();
            if (!hits.isEmpty()) {
                system.append(system.isEmpty() ? "" : "\n\n").append("Relevant knowledge:");
                hits.forEach(h -> system.append("\n- ").append(h.answer().map(a -> h.text() + " → " + a)
                        .orElse(h.text())));
            }
        }
        if (!target.provider().name().equals(RetrievalProvider.NAME)) {
            String channel = channelContext.note(tenant.id(), t.conversation());
            if (!channel.isEmpty()) {
                system.append(system.isEmpty() ? "" : "\n\n").append(channel);
            }
        }
        t.conversation().summary().ifPresent(s -> system.append(system.isEmpty() ? "" : "\n\n")
                .append("Summary of the earlier conversation: ").append(s));
        int used = Tokens.estimate(system.toString());
        long cursor = t.conversation().messageCursor().orElse(0L);
        List<Message> history = conversations.history(tenant.id(), inbound, HISTORY).stream()
                .filter(m -> m.seq() > cursor || m.id().equals(inbound.id()))
                .filter(m -> m.role() != MessageRole.TOOL).toList();
        List<ChatMessage> recent = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) {
            Message m = history.get(i);
            int cost = 4 + Tokens.estimate(m.text());
            if (!m.id().equals(inbound.id()) && used + cost > settings.contextTokens()) {
                break;
            }
            used += cost;
            ChatMessage.Role role = m.role() == MessageRole.USER ? ChatMessage.Role.USER
                    : m.role() == MessageRole.SYSTEM ? ChatMessage.Role.SYSTEM : ChatMessage.Role.ASSISTANT;
            recent.add(0, new ChatMessage(role, m.text()));
        }
        List<ChatMessage> out = new ArrayList<>();
        if (!system.isEmpty()) {
            out.add(new ChatMessage(ChatMessage.Role.SYSTEM, system.toString()));
        }
        out.addAll(recent);
        return out;
    }

    private static ArrayNode messagesJson(List<ChatMessage> messages) {
        ArrayNode array = JSON.createArrayNode();
        for (ChatMessage m : messages) {
            ObjectNode n = array.addObject().put("role", m.role().name()).put("content", m.content());
            ArrayNode calls = n.putArray("tool_calls");
            m.toolCalls().forEach(c -> calls.add(callJson(c)));
            m.toolCallId().ifPresent(id -> n.put("tool_call_id", id));
            m.toolName().ifPresent(name -> n.put("tool_name", name));
        }
        return array;
    }

    private static List<ChatMessage> messagesFrom(JsonNode array) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode n : array) {
            List<ToolCall> calls = new ArrayList<>();
            n.path("tool_calls").forEach(c -> calls.add(callFrom(c)));
            out.add(new ChatMessage(ChatMessage.Role.valueOf(n.path("role").asText()), n.path("content").asText(),
                    calls, n.hasNonNull("tool_call_id") ? Optional.of(n.get("tool_call_id").asText()) : Optional.empty(),
                    n.hasNonNull("tool_name") ? Optional.of(n.get("tool_name").asText()) : Optional.empty()));
        }
        return out;
    }

    private static ObjectNode callJson(ToolCall c) {
        return JSON.createObjectNode().put("id", c.id()).put("name", c.name()).put("arguments", c.argumentsJson());
    }

    private static ToolCall callFrom(JsonNode n) {
        return new ToolCall(n.path("id").asText(), n.path("name").asText(), n.path("arguments").asText("{}"));
    }
}
