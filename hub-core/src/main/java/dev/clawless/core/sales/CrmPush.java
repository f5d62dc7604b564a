package dev.clawless.core.sales;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbExecute;

import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.conversation.MessageRole;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobHandler;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.jobs.RetryLater;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.tool.ToolRegistry;
import dev.clawless.core.tool.ToolRunner;
import dev.clawless.core.tool.TurnToolContext;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;

/**
 * The {@code crm_push} job: hands a lead to the lead form's CRM tool (a tool of an installed CRM plugin, which alone
 * holds the CRM's credentials) and links the records it names to the contact. A result the tool marks
 * {@code "retryable": true} (the CRM answered 429 or 5xx, or did not answer) is tried again after its
 * {@code retry_after_seconds} or with exponential backoff, the lead showing {@code retrying} and the reason; the last
 * attempt, or a refusal, leaves it {@code failed} with the reason (docs/crm.md).
 */
public final class CrmPush implements JobHandler {

    public static final String JOB = "crm_push";
    static final int ATTEMPTS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Leads leads;
    private final LeadForms forms;
    private final ConversationManagement conversations;
    private final ToolRegistry tools;
    private final ToolRunner runner;
    private final NetworkGuard guard;
    private final Duration backoff;
    private final java.time.Clock clock;

    public CrmPush(Leads leads, LeadForms forms, ConversationManagement conversations, ToolRegistry tools,
                   ToolRunner runner, NetworkGuard guard, Duration backoff, java.time.Clock clock) {
        this.leads = leads;
        this.forms = forms;
        this.clock = clock;
        this.conversations = conversations;
        this.tools = tools;
        this.runner = runner;
        this.guard = guard;
        this.backoff = backoff;
    }

    static void enqueue(JobQueue jobs, DbExecute tx, String tenantId, String leadId, String why) {
        jobs.enqueue(tx, NewJob.of(JOB, JSON.createObjectNode().put("tenant_id", tenantId).put("lead_id", leadId)
                        .toString()).withTenant(tenantId).inQueue(JOB + ":" + leadId)
                .once(JOB + ":" + leadId + ":" + why).attempts(ATTEMPTS));
    }

    @Override
    public void handle(Job job) throws Exception {
        JsonNode payload = JSON.readTree(job.payload());
        String tenantId = payload.path("tenant_id").asText();
        String leadId = payload.path("lead_id").asText();
        try {
            push(job, tenantId, leadId);
        } catch (RetryLater later) {
            throw later;
        } catch (RuntimeException e) {
            // anything else (the database, the tool log): on the last attempt the lead says so instead of
            // staying queued for ever
            if (job.attempts() >= job.maxAttempts()) {
                leads.pushed(tenantId, leadId, "failed", job.attempts(), Optional.of("the push failed: "
                        + e.getClass().getSimpleName()), List.of());
            }
            throw e;
        }
    }

    private void push(Job job, String tenantId, String leadId) {
        Optional<Lead> found = leads.find(tenantId, leadId);
        if (found.isEmpty() || found.get().pushStatus().equals("pushed")) {
            return;
        }
        Lead lead = found.get();
        LeadForm form = forms.form(tenantId);
        if (form.crm().isEmpty()) {
            leads.pushed(tenantId, leadId, "failed", job.attempts(), Optional.of("the lead form names no CRM tool"),
                    List.of());
            return;
        }
        String toolName = form.crm().get().tool();
        Optional<ToolExtension> tool = tools.builtInNames().contains(toolName) ? Optional.empty()
                : tools.find(tenantId, toolName);
        if (tool.isEmpty()) {
            leads.pushed(tenantId, leadId, "failed", job.attempts(), Optional.of("no installed plugin offers the tool "
                    + toolName), List.of());
            return;
        }
        ToolCall call = new ToolCall("push_" + leadId + "_" + job.attempts(), toolName, arguments(lead, form).toString());
        ToolResult result = runner.run(tool.get(), call, new TurnToolContext(tenantId,
                Optional.of(lead.conversationId()), guard));
        JsonNode content = parse(result.content());
        if (!result.error()) {
            leads.pushed(tenantId, leadId, "pushed", job.attempts(), Optional.empty(), records(content,
                    clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS)));
            return;
        }
        String reason = content.isObject() && content.hasNonNull("message") ? content.get("message").asText()
                : result.content();
        reason = reason.length() > 500 ? reason.substring(0, 500) + "…" : reason;
        // a timeout may be a slow CRM: worth another try, like the CRM's own 429 and 5xx
        boolean retryable = content.path("retryable").asBoolean(false)
                || result.content().startsWith("the tool " + toolName + " did not finish within");
        if (!retryable || job.attempts() >= job.maxAttempts()) {
            leads.pushed(tenantId, leadId, "failed", job.attempts(), Optional.of(reason), List.of());
            return;
        }
        long after = content.path("retry_after_seconds").asLong(0);
        Duration delay = after > 0 ? Duration.ofSeconds(Math.min(after, 3600))
                : backoff.multipliedBy(1L << Math.min(job.attempts() - 1, 10));
        leads.pushed(tenantId, leadId, "retrying", job.attempts(), Optional.of(reason + " (attempt " + job.attempts()
                + " of " + job.maxAttempts() + "; next in " + delay.toSeconds() + " s)"), List.of());
        throw new RetryLater(reason, delay);
    }

    /** What the CRM tool gets: the lead, and the conversation it came from (summary and recent messages). */
    private ObjectNode arguments(Lead lead, LeadForm form) {
        ObjectNode args = JSON.createObjectNode().put("lead_id", lead.id()).put("score", lead.score())
                .put("qualified", lead.qualified()).put("conversation_id", lead.conversationId());
        ObjectNode fields = args.putObject("fields");
        lead.answers().forEach(fields::put);
        ObjectNode labels = args.putObject("labels");
        form.fields().forEach(f -> labels.put(f.name(), f.label()));
        // what each field holds, so a CRM plugin finds the e-mail address whatever the field is called
        ObjectNode types = args.putObject("types");
        form.fields().forEach(f -> types.put(f.name(), f.type().wire()));
        var intents = args.putArray("intents");
        lead.intents().forEach(intents::add);
        try {
            Conversation c = conversations.get(lead.tenantId(), lead.conversationId());
            args.put("channel", c.channelType());
            c.summary().ifPresent(s -> args.put("summary", s));
            StringBuilder transcript = new StringBuilder();
            List<Message> recent = conversations.messages(lead.tenantId(), lead.conversationId(),
                    dev.clawless.core.common.PageRequest.first(50)).data();
            for (Message m : recent) {
                if (m.role() == MessageRole.USER || m.role() == MessageRole.ASSISTANT
                        || m.role() == MessageRole.OPERATOR) {
                    transcript.append(m.role() == MessageRole.USER ? "Customer" : "Us").append(": ")
                            .append(m.text().length() > 1000 ? m.text().substring(0, 1000) + "…" : m.text())
                            .append('\n');
                }
            }
            args.put("transcript", transcript.toString());
        } catch (dev.clawless.core.common.ClawlessException.NotFound gone) {
            args.put("transcript", "");
        }
        return args;
    }

    /** The records a push result names ({@code crm_records: [{crm, object_type, id, url}]}). */
    static List<Lead.CrmRecord> records(JsonNode content, Instant now) {
        List<Lead.CrmRecord> out = new ArrayList<>();
        for (JsonNode r : content.path("crm_records")) {
            String crm = r.path("crm").asText("");
            String type = r.path("object_type").asText("");
            String id = r.path("id").asText("");
            if (crm.matches("[a-z0-9_-]{1,40}") && type.matches("[a-z0-9_-]{1,40}") && !id.isBlank() && id.length() <= 100) {
                String url = r.path("url").asText("");
                out.add(new Lead.CrmRecord(crm, type, id, url.startsWith("https://") && url.length() <= 2000
                        ? Optional.of(url) : Optional.empty(), now));
            }
        }
        return out;
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return n == null ? JSON.createObjectNode() : n;
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }
}
