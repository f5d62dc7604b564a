package dev.clawless.core.sales;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.assistant.AssistantRuntime;
import dev.clawless.core.assistant.LeadCapture;
import dev.clawless.core.assistant.RetrievalProvider;
import dev.clawless.core.channel.Channel;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.channel.Deliveries;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.conversation.Contacts;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.sales.internal.LeadStore;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.core.tenant.Tenant;

/**
 * The sales mode: each tenant's lead form, the lead each sales conversation fills (from the contact's messages; with
 * an LLM also by structured extraction), its score, qualification ({@code lead.qualified}), the push to a CRM plugin
 * ({@link CrmPush}), the offer to continue on WhatsApp (the hub's transfer) and the funnel. Thread-safe.
 */
public final class Leads implements LeadCapture {

    private static final Logger LOG = Logger.getLogger(Leads.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final LeadStore store = new LeadStore();
    private final ConversationManagement conversations;
    private final Contacts contacts;
    private final ChannelManagement channels;
    private final JobQueue jobs;
    private final LeadExtraction extraction;
    private final AuditLog audit;
    private final Clock clock;
    private final Ids ids;

    public Leads(Database database, ConversationManagement conversations, Contacts contacts, ChannelManagement channels,
                 JobQueue jobs, LeadExtraction extraction, AuditLog audit, Clock clock, Ids ids) {
        this.database = database;
        this.conversations = conversations;
        this.contacts = contacts;
        this.channels = channels;
        this.jobs = jobs;
        this.extraction = extraction;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    // ------------------------------------------------------------------------------------------------- the form

    /** The tenant's lead form ({@link LeadForm#NONE} when it has none). */
    public LeadForm form(String tenantId) {
        return store.form(database.execute(), tenantId).map(Leads::parseStored).orElse(LeadForm.NONE);
    }

    /**
     * Replaces the tenant's lead form. Audited ({@code lead_form.changed}).
     *
     * @throws ClawlessException.Validation naming each wrong setting, a WhatsApp connection that is not one of the
     *                                      tenant's WhatsApp connections among them
     */
    public LeadForm saveForm(Actor actor, String tenantId, LeadForm form) {
        form.whatsapp().ifPresent(w -> {
            boolean isWhatsApp = channels.list(tenantId).stream()
                    .anyMatch(c -> c.id().equals(w.connectionId()) && c.type().equals("whatsapp"));
            if (!isWhatsApp) {
                throw ClawlessException.Validation.of("whatsapp.connection_id",
                        "must be one of this tenant's WhatsApp connections");
            }
        });
        Instant now = now();
        database.inTransaction(tx -> {
            store.saveForm(tx, tenantId, form.toJson().toString(), now);
            audit.record(tx, actor, Optional.of(tenantId), "lead_form.changed", Optional.of(tenantId),
                    Map.of("enabled", Boolean.toString(form.enabled()), "fields", Integer.toString(form.fields().size())));
            return null;
        });
        return form;
    }

    // ------------------------------------------------------------------------------------------------ the leads

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

    /** The tenant's leads, newest first. */
    public List<Lead> list(String tenantId, boolean qualifiedOnly, int limit) {
        return store.list(database.execute(), tenantId, qualifiedOnly, Math.max(1, Math.min(limit, 200)));
    }

    /** The contact's records in CRMs. */
    public List<Lead.CrmRecord> crmRecords(String tenantId, String contactId) {
        return store.links(database.execute(), tenantId, contactId);
    }

    /** Conversations → leads → qualified → transferred (and pushed) for leads and conversations made in the range. */
    public Funnel funnel(String tenantId, Instant from, Instant to) {
        return store.funnel(database.execute(), tenantId, from, to);
    }

    /**
     * Queues the lead's push to the form's CRM tool again (after it failed, or to push an unqualified lead by hand).
     *
     * @throws ClawlessException.Conflict when the form names no CRM tool, or the lead is being pushed
     */
    public Lead push(Actor actor, String tenantId, String leadId) {
        store.get(database.execute(), tenantId, leadId).orElseThrow(() -> new ClawlessException.NotFound(
                "no lead " + leadId));
        LeadForm form = form(tenantId);
        if (form.crm().isEmpty()) {
            throw new ClawlessException.Conflict("the lead form names no CRM tool (lead form: crm.tool)");
        }
        Instant now = now();
        database.inTransaction(tx -> {
            Lead lead = store.get(tx, tenantId, leadId).orElseThrow(() -> new ClawlessException.NotFound(
                    "no lead " + leadId));
            if (lead.pushStatus().equals("queued") || lead.pushStatus().equals("retrying")) {
                throw new ClawlessException.Conflict("the lead is already being pushed (" + lead.pushStatus() + ")");
            }
            Lead queued = with(lead, "queued", 0, Optional.empty(), lead.pushedAt(), now);
            store.update(tx, queued);
            CrmPush.enqueue(jobs, tx, tenantId, leadId, "manual:" + now.toEpochMilli());
            audit.record(tx, actor, Optional.of(tenantId), "lead.push_requested", Optional.of(leadId), Map.of());
            conversations.publish(tx, tenantId, lead.conversationId(), "lead.updated", event(queued).toString());
            return null;
        });
        return get(tenantId, leadId);
    }

    // ------------------------------------------------------------------------------------------------- a turn

    @Override
    public Step capture(Tenant tenant, Conversation conversation, Message inbound, AssistantRuntime.Target target) {
        LeadForm form = form(tenant.id());
        if (!form.enabled() || inbound.text().isBlank()) {
            return Step.NONE;
        }
        Optional<Lead> existing = store.byConversation(database.execute(), tenant.id(), conversation.id());
        String mode = inbound.metadata().getOrDefault("mode", tenant.settings().mode());
        if (existing.isEmpty() && !form.mode().equals(mode)) {
            return Step.NONE;
        }
        if (existing.isPresent() && existing.get().transferredTo().isPresent()
                && !existing.get().conversationId().equals(conversation.id())
                && !existing.get().transferredTo().get().equals(conversation.id())) {
            return Step.NONE;
        }
        boolean llm = !target.provider().name().equals(RetrievalProvider.NAME);
        Optional<String> asking = existing.flatMap(Lead::asking);
        if (asking.isPresent() && asking.get().equals(Lead.OFFER) && form.whatsapp().isPresent()) {
            Optional<Step> moved = answerToOffer(tenant.id(), conversation, inbound, form, existing.get());
            if (moved.isPresent()) {
                return moved.get();
            }
        }
        Map<String, String> found = new LinkedHashMap<>(LeadAnswers.read(form, asking.filter(a -> !a.equals(Lead.OFFER)),
                inbound.text()));
        if (llm) {
            Map<String, String> known = existing.map(Lead::answers).orElse(Map.of());
            extraction.extract(tenant.id(), target, form, known, conversations.history(tenant.id(), inbound, 10))
                    .forEach(found::putIfAbsent);
        }
        Instant now = now();
        return database.inTransaction(tx -> {
            Lead lead = store.lockByConversation(tx, tenant.id(), conversation.id()).orElse(null);
            if (lead == null) {
                Lead fresh = new Lead(ids.next("lead"), tenant.id(), conversation.id(),
                        conversation.contactId().orElse(""), Map.of(), List.of(), 0, Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), "none", 0, Optional.empty(),
                        Optional.empty(), now, now, List.of());
                if (!store.insert(tx, fresh)) {
                    lead = store.lockByConversation(tx, tenant.id(), conversation.id()).orElseThrow();
                } else {
                    lead = fresh;
                }
            }
            Map<String, String> answers = new LinkedHashMap<>(lead.answers());
            answers.putAll(found);
            List<String> intents = new ArrayList<>(lead.intents());
            inbound.intent().filter(i -> !intents.contains(i)).ifPresent(intents::add);
            int score = score(form, answers, intents);
            boolean complete = form.fields().stream().filter(LeadForm.Field::required)
                    .allMatch(f -> answers.containsKey(f.name()));
            Optional<Instant> qualifiedAt = lead.qualifiedAt();
            String pushStatus = lead.pushStatus();
            boolean qualifiesNow = qualifiedAt.isEmpty() && complete && score >= form.qualifyAt();
            if (qualifiesNow) {
                qualifiedAt = Optional.of(now);
                if (form.crm().map(LeadForm.Crm::autoPush).orElse(false)) {
                    pushStatus = "queued";
                    CrmPush.enqueue(jobs, tx, tenant.id(), lead.id(), "auto");
                }
            }
            Optional<LeadForm.Field> next = next(form, answers, qualifiedAt.isPresent());
            boolean offerNow = next.isEmpty() && qualifiedAt.isPresent() && form.whatsapp().isPresent()
                    && lead.offeredAt().isEmpty() && lead.transferredAt().isEmpty();
            Optional<String> nowAsking = offerNow ? Optional.of(Lead.OFFER) : next.map(LeadForm.Field::name);
            Lead updated = new Lead(lead.id(), lead.tenantId(), lead.conversationId(), lead.contactId(), answers,
                    intents, score, nowAsking, offerNow ? Optional.of(now) : lead.offeredAt(), qualifiedAt,
                    lead.transferredAt(), lead.transferredTo(), pushStatus, lead.pushAttempts(), lead.pushError(),
                    lead.pushedAt(), lead.createdAt(), now, List.of());
            store.update(tx, updated);
            // the name the contact gave names the contact, for operators, unless it has one
            form.fields().stream().filter(f -> f.type() == LeadForm.Type.NAME && found.containsKey(f.name()))
                    .findFirst().filter(f -> !updated.contactId().isEmpty())
                    .ifPresent(f -> contacts.nameIfUnnamed(tx, tenant.id(), updated.contactId(), found.get(f.name())));
            if (!updated.answers().equals(lead.answers()) || updated.score() != lead.score()
                    || !updated.asking().equals(lead.asking()) || qualifiesNow) {
                conversations.publish(tx, tenant.id(), conversation.id(), "lead.updated", event(updated).toString());
            }
            if (qualifiesNow) {
                ObjectNode data = event(updated);
                data.set("answers", JSON.valueToTree(answers));
                conversations.publish(tx, tenant.id(), conversation.id(), "lead.qualified", data.toString());
            }
            String ask = offerNow ? form.whatsapp().get().offer() : next.map(LeadForm.Field::question).orElse("");
            return step(form, updated, llm, found, inbound.text(), ask, qualifiesNow);
        });
    }

    /** What the turn does with what the message gave. */
    private static Step step(LeadForm form, Lead lead, boolean llm, Map<String, String> found, String text,
                             String ask, boolean qualifiedNow) {
        if (llm) {
            StringBuilder note = new StringBuilder("You are also filling a lead form for the sales team; never"
                    + " invent values. Known so far: ");
            note.append(lead.answers().isEmpty() ? "nothing" : String.join("; ", lead.answers().entrySet().stream()
                    .map(e -> form.field(e.getKey()).map(LeadForm.Field::label).orElse(e.getKey()) + ": " + e.getValue())
                    .toList())).append('.');
            if (lead.asking().filter(a -> a.equals(Lead.OFFER)).isPresent() && !ask.isEmpty()) {
                note.append(" After answering, offer this, in the contact's language: ").append(ask);
            } else if (!ask.isEmpty()) {
                note.append(" After answering the contact, ask for one missing detail, in their language: ")
                        .append(ask);
            }
            return new Step(Optional.empty(), note.toString(), "");
        }
        // the message was the contact's answer (a name, an address) rather than a question: take it, ask on
        boolean answered = !found.isEmpty() && !text.contains("?");
        if (answered) {
            return new Step(Optional.of(ask.isEmpty() ? form.thanks() : ask), "", "");
        }
        return new Step(Optional.empty(), "", ask);
    }

    /** The contact's answer to the WhatsApp offer: their number (or yes, when the form has it) moves the conversation. */
    private Optional<Step> answerToOffer(String tenantId, Conversation conversation, Message inbound, LeadForm form,
                                         Lead lead) {
        LeadForm.WhatsAppOffer offer = form.whatsapp().orElseThrow();
        Optional<LeadForm.Field> phoneField = form.fields().stream()
                .filter(f -> f.type() == LeadForm.Type.PHONE).findFirst();
        Optional<String> number = LeadAnswers.phone(inbound.text(), form.defaultRegion());
        boolean yes = LeadAnswers.saysYes(inbound.text());
        if (number.isEmpty() && yes) {
            number = phoneField.map(f -> lead.answers().get(f.name()));
        }
        if (number.isEmpty()) {
            if (yes) {
                return Optional.of(new Step(Optional.of(phoneField.map(LeadForm.Field::question)
                        .orElse(offer.offer())), "", ""));
            }
            // a no, or something else: the offer lapses and the message is answered as any other
            update(tenantId, lead.id(), l -> withAsking(l, Optional.empty()));
            return Optional.empty();
        }
        Map<String, String> template = offer.template().map(t -> Map.of(Deliveries.TEMPLATE, t))
                .orElse(Map.of());
        Conversation moved;
        try {
            moved = channels.transfer(new Actor("assistant", lead.id()), tenantId, conversation.id(),
                    offer.connectionId(), number.get(), offer.message(), template);
        } catch (ClawlessException e) {
            LOG.warning(() -> "lead " + lead.id() + " could not move to WhatsApp: " + e.detail());
            update(tenantId, lead.id(), l -> withAsking(l, Optional.empty()));
            return Optional.empty();
        }
        String to = number.get();
        update(tenantId, lead.id(), l -> {
            Map<String, String> answers = new LinkedHashMap<>(l.answers());
            phoneField.ifPresent(f -> answers.putIfAbsent(f.name(), to));
            return new Lead(l.id(), l.tenantId(), l.conversationId(), l.contactId(), answers, l.intents(), l.score(),
                    Optional.empty(), l.offeredAt(), l.qualifiedAt(), Optional.of(now()), Optional.of(moved.id()),
                    l.pushStatus(), l.pushAttempts(), l.pushError(), l.pushedAt(), l.createdAt(), now(), List.of());
        });
        return Optional.of(new Step(Optional.of(offer.confirm()), "", ""));
    }

    private void update(String tenantId, String leadId, java.util.function.UnaryOperator<Lead> change) {
        database.inTransaction(tx -> {
            store.get(tx, tenantId, leadId).ifPresent(l -> {
                Lead changed = change.apply(l);
                store.update(tx, changed);
                conversations.publish(tx, tenantId, l.conversationId(), "lead.updated", event(changed).toString());
            });
            return null;
        });
    }

    @Override
    public void toolResult(String tenantId, Conversation conversation, String resultJson) {
        Optional<String> contact = conversation.contactId();
        if (contact.isEmpty()) {
            return;
        }
        List<Lead.CrmRecord> records;
        try {
            records = CrmPush.records(JSON.readTree(resultJson));
        } catch (IOException e) {
            return;
        }
        if (records.isEmpty()) {
            return;
        }
        database.inTransaction(tx -> {
            records.forEach(r -> store.link(tx, tenantId, contact.get(), r));
            return null;
        });
    }

    /** The points of the filled fields and of each intent the conversation showed. */
    static int score(LeadForm form, Map<String, String> answers, List<String> intents) {
        int score = 0;
        for (LeadForm.Field f : form.fields()) {
            if (answers.containsKey(f.name())) {
                score += f.points();
            }
        }
        for (String intent : intents) {
            score += form.intentPoints().getOrDefault(intent, 0);
        }
        return score;
    }

    /** The field to ask next: the first required one missing; before qualifying, the first optional one missing. */
    static Optional<LeadForm.Field> next(LeadForm form, Map<String, String> answers, boolean qualified) {
        Optional<LeadForm.Field> required = form.fields().stream()
                .filter(f -> f.required() && !answers.containsKey(f.name())).findFirst();
        if (required.isPresent() || qualified) {
            return required;
        }
        return form.fields().stream().filter(f -> !answers.containsKey(f.name())).findFirst();
    }

    // ----------------------------------------------------------------------------------------------- CRM pushes

    /** The lead, for the push job (no records). */
    Optional<Lead> find(String tenantId, String leadId) {
        return store.get(database.execute(), tenantId, leadId);
    }

    /** Records a push's outcome, its CRM records linked to the contact, and publishes it. */
    void pushed(String tenantId, String leadId, String status, int attempts, Optional<String> error,
                List<Lead.CrmRecord> records) {
        Instant now = now();
        database.inTransaction(tx -> {
            Optional<Lead> found = store.get(tx, tenantId, leadId);
            if (found.isEmpty()) {
                return null;
            }
            Lead l = found.get();
            Lead changed = with(l, status, attempts, error, status.equals("pushed") ? Optional.of(now) : l.pushedAt(),
                    now);
            store.update(tx, changed);
            if (!l.contactId().isEmpty()) {
                records.forEach(r -> store.link(tx, tenantId, l.contactId(), r));
            }
            ObjectNode data = event(changed);
            if (status.equals("pushed") || status.equals("failed")) {
                conversations.publish(tx, tenantId, l.conversationId(), "lead." + (status.equals("pushed") ? "pushed"
                        : "push_failed"), data.toString());
            }
            conversations.publish(tx, tenantId, l.conversationId(), "lead.updated", data.toString());
            return null;
        });
    }

    private static Lead with(Lead l, String status, int attempts, Optional<String> error, Optional<Instant> pushedAt,
                             Instant now) {
        return new Lead(l.id(), l.tenantId(), l.conversationId(), l.contactId(), l.answers(), l.intents(), l.score(),
                l.asking(), l.offeredAt(), l.qualifiedAt(), l.transferredAt(), l.transferredTo(), status, attempts,
                error, pushedAt, l.createdAt(), now, List.of());
    }

    private Lead withAsking(Lead l, Optional<String> asking) {
        return new Lead(l.id(), l.tenantId(), l.conversationId(), l.contactId(), l.answers(), l.intents(), l.score(),
                asking, l.offeredAt(), l.qualifiedAt(), l.transferredAt(), l.transferredTo(), l.pushStatus(),
                l.pushAttempts(), l.pushError(), l.pushedAt(), l.createdAt(), now(), List.of());
    }

    private Lead withRecords(Lead l) {
        List<Lead.CrmRecord> records = l.contactId().isEmpty() ? List.of()
                : store.links(database.execute(), l.tenantId(), l.contactId());
        return new Lead(l.id(), l.tenantId(), l.conversationId(), l.contactId(), l.answers(), l.intents(), l.score(),
                l.asking(), l.offeredAt(), l.qualifiedAt(), l.transferredAt(), l.transferredTo(), l.pushStatus(),
                l.pushAttempts(), l.pushError(), l.pushedAt(), l.createdAt(), l.updatedAt(), records);
    }

    /** An event's data: which lead, where it stands (no answers: those go only with {@code lead.qualified}). */
    private static ObjectNode event(Lead l) {
        ObjectNode data = JSON.createObjectNode().put("lead_id", l.id()).put("conversation_id", l.conversationId())
                .put("contact_id", l.contactId()).put("score", l.score()).put("qualified", l.qualified())
                .put("push_status", l.pushStatus());
        l.pushError().ifPresent(e -> data.put("push_error", e));
        return data;
    }

    private static LeadForm parseStored(String json) {
        try {
            return LeadForm.parse(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The tenant's channels of a type (for the console's form editor). */
    public List<Channel> whatsAppConnections(String tenantId) {
        return channels.list(tenantId).stream().filter(c -> c.type().equals("whatsapp")).toList();
    }
}
