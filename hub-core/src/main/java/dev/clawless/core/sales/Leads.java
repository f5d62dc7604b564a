package dev.clawless.core.sales;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.sales.internal.LeadStore;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;

/**
 * The leads the sales mode made ({@link LeadCaptureFlow} fills them during turns): reading them, asking for a push to
 * the CRM, recording what a push did ({@link CrmPush}) with the CRM records it linked to the contact, and the funnel.
 * Thread-safe.
 */
public final class Leads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final LeadStore store = new LeadStore();
    private final ConversationManagement conversations;
    private final LeadForms forms;
    private final JobQueue jobs;
    private final AuditLog audit;
    private final Clock clock;

    public Leads(Database database, ConversationManagement conversations, LeadForms forms, JobQueue jobs,
                 AuditLog audit, Clock clock) {
        this.database = database;
        this.conversations = conversations;
        this.forms = forms;
        this.jobs = jobs;
        this.audit = audit;
        this.clock = clock;
    }

    /** A lead with its contact's CRM records. */
    public Lead get(String tenantId, String leadId) {
        return withRecords(store.get(database.execute(), tenantId, leadId)
                .orElseThrow(() -> new ClawlessException.NotFound("no lead " + leadId)));
    }

    /** The conversation's lead, if it has one (the lead of the conversation it was transferred from counts). */
    public Optional<Lead> ofConversation(String tenantId, String conversationId) {
        conversations.get(tenantId, conversationId);
        return store.byConversation(database.execute(), tenantId, conversationId).map(this::withRecords);
    }

    /** The tenant's newest leads, at most {@code limit} (1-200). */
    public List<Lead> list(String tenantId, boolean qualifiedOnly, int limit) {
        return store.list(database.execute(), tenantId, qualifiedOnly, Math.max(1, Math.min(limit, 200)));
    }

    /** The contact's records in CRMs. */
    public List<Lead.CrmRecord> crmRecords(String tenantId, String contactId) {
        return store.links(database.execute(), tenantId, contactId);
    }

    /** Conversations → leads → qualified → transferred (and pushed) for what was made in {@code [from, to)}. */
    public Funnel funnel(String tenantId, Instant from, Instant to) {
        return store.funnel(database.execute(), tenantId, from, to);
    }

    /**
     * Queues the lead's push to the form's CRM tool (again, after it failed; or by hand for a lead that did not
     * qualify). Audited ({@code lead.push_requested}).
     *
     * @throws ClawlessException.Conflict when the form names no CRM tool, or a push is queued or retrying
     */
    public Lead push(Actor actor, String tenantId, String leadId) {
        Instant now = now();
        database.inTransaction(tx -> {
            Lead lead = store.lock(tx, tenantId, leadId).orElseThrow(() -> new ClawlessException.NotFound(
                    "no lead " + leadId));
            if (forms.form(tenantId).crm().isEmpty()) {
                throw new ClawlessException.Conflict("the lead form names no CRM tool (lead form: crm.tool)");
            }
            if (!store.queuePush(tx, tenantId, leadId, now)) {
                throw new ClawlessException.Conflict("the lead is already being pushed (" + lead.pushStatus() + ")");
            }
            CrmPush.enqueue(jobs, tx, tenantId, leadId, "manual:" + now.toEpochMilli());
            audit.record(tx, actor, Optional.of(tenantId), "lead.push_requested", Optional.of(leadId), Map.of());
            conversations.publish(tx, tenantId, lead.conversationId(), "lead.updated",
                    event(lead.withPush("queued", 0, Optional.empty(), lead.pushedAt(), now)).toString());
            return null;
        });
        return get(tenantId, leadId);
    }

    /** The lead, for the push job (no records). */
    Optional<Lead> find(String tenantId, String leadId) {
        return store.get(database.execute(), tenantId, leadId);
    }

    /**
     * Records a push attempt's outcome — ignored when a later attempt recorded one already, or the lead is pushed —
     * links its CRM records to the contact, and publishes it ({@code lead.pushed}, {@code lead.push_failed}).
     */
    void pushed(String tenantId, String leadId, String status, int attempt, Optional<String> error,
                List<Lead.CrmRecord> records) {
        Instant now = now();
        database.inTransaction(tx -> {
            if (!store.recordPush(tx, tenantId, leadId, status, attempt, error, now)) {
                return null;
            }
            Lead l = store.get(tx, tenantId, leadId).orElseThrow();
            if (!l.contactId().isEmpty()) {
                records.forEach(r -> store.link(tx, tenantId, l.contactId(), r));
            }
            ObjectNode data = event(l);
            if (status.equals("pushed") || status.equals("failed")) {
                conversations.publish(tx, tenantId, l.conversationId(), "lead." + (status.equals("pushed") ? "pushed"
                        : "push_failed"), data.toString());
            }
            conversations.publish(tx, tenantId, l.conversationId(), "lead.updated", data.toString());
            return null;
        });
    }

    /** Links CRM records to a contact (what a CRM tool the assistant called named). */
    void link(String tenantId, String contactId, List<Lead.CrmRecord> records) {
        database.inTransaction(tx -> {
            records.forEach(r -> store.link(tx, tenantId, contactId, r));
            return null;
        });
    }

    /** Moves a merged contact's leads and CRM links to the contact it was merged into (in the merge's transaction). */
    public void contactsMerged(DbExecute tx, String tenantId, String from, String into) {
        store.moveContact(tx, tenantId, from, into);
    }

    private Lead withRecords(Lead l) {
        return l.contactId().isEmpty() ? l : l.withRecords(store.links(database.execute(), l.tenantId(),
                l.contactId()));
    }

    /** An event's data: which lead, where it stands (no answers: those go only with {@code lead.qualified}). */
    static ObjectNode event(Lead l) {
        ObjectNode data = JSON.createObjectNode().put("lead_id", l.id()).put("conversation_id", l.conversationId())
                .put("contact_id", l.contactId()).put("score", l.score()).put("qualified", l.qualified())
                .put("push_status", l.pushStatus());
        l.pushError().ifPresent(e -> data.put("push_error", e));
        return data;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
