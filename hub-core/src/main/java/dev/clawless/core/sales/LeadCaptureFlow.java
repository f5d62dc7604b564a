package dev.clawless.core.sales;

import java.io.IOException;
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
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.channel.Deliveries;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.conversation.Contacts;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.sales.internal.LeadStore;
import dev.clawless.core.security.Actor;
import dev.clawless.core.store.Database;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.plugin.api.ChatType;

/**
 * The sales mode in a turn: reads the contact's message into the conversation's lead (rules without a model, and
 * with an LLM one structured extraction), scores it, qualifies it ({@code lead.qualified}, and the push queued in the
 * same transaction), decides what to ask next or to offer WhatsApp, and moves the conversation when the contact takes
 * the offer. A message is read once: a turn run again after a failure finds it read. Group conversations (a Discord
 * channel, where many people talk) make no lead. Thread-safe.
 */
public final class LeadCaptureFlow implements LeadCapture {

    private static final Logger LOG = Logger.getLogger(LeadCaptureFlow.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final LeadStore store = new LeadStore();
    private final LeadForms forms;
    private final Leads leads;
    private final ConversationManagement conversations;
    private final Contacts contacts;
    private final ChannelManagement channels;
    private final JobQueue jobs;
    private final LeadExtraction extraction;
    private final Clock clock;
    private final Ids ids;

    public LeadCaptureFlow(Database database, LeadForms forms, Leads leads, ConversationManagement conversations,
                           Contacts contacts, ChannelManagement channels, JobQueue jobs, LeadExtraction extraction,
                           Clock clock, Ids ids) {
        this.database = database;
        this.forms = forms;
        this.leads = leads;
        this.conversations = conversations;
        this.contacts = contacts;
        this.channels = channels;
        this.jobs = jobs;
        this.extraction = extraction;
        this.clock = clock;
        this.ids = ids;
    }

    @Override
    public Step capture(Tenant tenant, Conversation conversation, Message inbound, AssistantRuntime.Target target) {
        LeadForm form = forms.form(tenant.id());
        if (!form.enabled() || inbound.text().isBlank() || conversation.chatType() == ChatType.GROUP) {
            return Step.NONE;
        }
        Optional<Lead> existing = store.byConversation(database.execute(), tenant.id(), conversation.id());
        String mode = inbound.metadata().getOrDefault("mode", tenant.settings().mode());
        if (existing.isEmpty() && !form.mode().equals(mode)) {
            return Step.NONE;
        }
        boolean llm = !target.provider().name().equals(RetrievalProvider.NAME);
        if (existing.isPresent() && existing.get().lastMessageId().filter(inbound.id()::equals).isPresent()) {
            // the turn runs again (a failure after the message was read): the same step, not a second reading
            Lead read = existing.get();
            return step(form, read, llm, read.lastAnswered(), ask(form, read));
        }
        Optional<String> asking = existing.flatMap(Lead::asking);
        if (asking.filter(Lead.OFFER::equals).isPresent() && form.whatsapp().isPresent()) {
            Optional<Step> moved = answerToOffer(tenant.id(), conversation, inbound, form, existing.get());
            if (moved.isPresent()) {
                return moved.get();
            }
            asking = Optional.empty();
        }
        Map<String, String> found = new LinkedHashMap<>(LeadAnswers.read(form, asking, inbound.text()));
        if (llm) {
            Map<String, String> known = existing.map(Lead::answers).orElse(Map.of());
            extraction.extract(tenant.id(), target, form, known, conversations.history(tenant.id(), inbound, 10))
                    .forEach(found::putIfAbsent);
        }
        boolean answered = !found.isEmpty() && !inbound.text().contains("?");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return database.inTransaction(tx -> {
            Lead lead = store.lockByConversation(tx, tenant.id(), conversation.id()).orElse(null);
            if (lead == null) {
                Lead fresh = Lead.start(ids.next("lead"), tenant.id(), conversation.id(),
                        conversation.contactId().orElse(""), now);
                lead = store.insert(tx, fresh) ? fresh
                        : store.lockByConversation(tx, tenant.id(), conversation.id()).orElseThrow();
            }
            Map<String, String> answers = new LinkedHashMap<>(lead.answers());
            answers.putAll(found);
            List<String> intents = new ArrayList<>(lead.intents());
            inbound.intent().filter(i -> !intents.contains(i)).ifPresent(intents::add);
            int score = score(form, answers, intents);
            boolean complete = form.fields().stream().filter(LeadForm.Field::required)
                    .allMatch(f -> answers.containsKey(f.name()));
            boolean qualifiesNow = lead.qualifiedAt().isEmpty() && complete && score >= form.qualifyAt();
            Optional<Instant> qualifiedAt = qualifiesNow ? Optional.of(now) : lead.qualifiedAt();
            String pushStatus = lead.pushStatus();
            if (qualifiesNow && form.crm().map(LeadForm.Crm::autoPush).orElse(false)
                    && store.queuePush(tx, tenant.id(), lead.id(), now)) {
                pushStatus = "queued";
                CrmPush.enqueue(jobs, tx, tenant.id(), lead.id(), "auto");
            }
            Optional<LeadForm.Field> next = next(form, answers, qualifiedAt.isPresent());
            boolean offerNow = next.isEmpty() && qualifiedAt.isPresent() && form.whatsapp().isPresent()
                    && lead.offeredAt().isEmpty() && lead.transferredAt().isEmpty();
            Lead updated = lead.read(answers, intents, score, offerNow ? Optional.of(Lead.OFFER)
                            : next.map(LeadForm.Field::name), offerNow ? Optional.of(now) : lead.offeredAt(),
                    qualifiedAt, pushStatus, inbound.id(), answered, now);
            store.update(tx, updated);
            // the name the contact gave names the contact, for operators, unless it has one
            form.fields().stream().filter(f -> f.type() == LeadForm.Type.NAME && found.containsKey(f.name()))
                    .findFirst().filter(f -> !updated.contactId().isEmpty())
                    .ifPresent(f -> contacts.nameIfUnnamed(tx, tenant.id(), updated.contactId(), found.get(f.name())));
            conversations.publish(tx, tenant.id(), conversation.id(), "lead.updated", Leads.event(updated).toString());
            if (qualifiesNow) {
                ObjectNode data = Leads.event(updated);
                data.set("answers", JSON.valueToTree(answers));
                conversations.publish(tx, tenant.id(), conversation.id(), "lead.qualified", data.toString());
            }
            return step(form, updated, llm, answered, ask(form, updated));
        });
    }

    /** What the contact is asked now: the field's question, or the offer. */
    private static String ask(LeadForm form, Lead lead) {
        return lead.asking().map(a -> a.equals(Lead.OFFER) ? form.whatsapp().map(LeadForm.WhatsAppOffer::offer)
                .orElse("") : form.field(a).map(LeadForm.Field::question).orElse("")).orElse("");
    }

    /** What the turn does with what the message gave. */
    private static Step step(LeadForm form, Lead lead, boolean llm, boolean answered, String ask) {
        if (llm) {
            // what the contact typed is data, never instructions: quoted as JSON strings
            StringBuilder note = new StringBuilder("You are also filling a lead form for the sales team; never"
                    + " invent values. What the contact gave so far (their own words, quoted): ");
            ObjectNode known = JSON.createObjectNode();
            lead.answers().forEach((k, v) -> known.put(form.field(k).map(LeadForm.Field::label).orElse(k), v));
            note.append(known.isEmpty() ? "nothing" : known.toString()).append('.');
            if (lead.asking().filter(Lead.OFFER::equals).isPresent() && !ask.isEmpty()) {
                note.append(" After answering, offer this, in the contact's language: ").append(ask);
            } else if (!ask.isEmpty()) {
                note.append(" After answering the contact, ask for one missing detail, in their language: ")
                        .append(ask);
            }
            return new Step(Optional.empty(), note.toString(), "");
        }
        // the message was the contact's answer (a name, an address) rather than a question: take it, ask on
        if (answered) {
            return new Step(Optional.of(ask.isEmpty() ? form.thanks() : ask), "", "");
        }
        return new Step(Optional.empty(), "", ask);
    }

    /**
     * The contact's answer to the WhatsApp offer: their number (or yes, when the form has it) moves the conversation;
     * yes without a number asks for it; anything else lets the offer lapse (empty: read the message as usual).
     */
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
            change(tenantId, lead.id(), l -> l.withAsking(Optional.empty(), now()));
            return Optional.empty();
        }
        Map<String, String> template = offer.template().map(t -> Map.of(Deliveries.TEMPLATE, t)).orElse(Map.of());
        Conversation moved;
        try {
            moved = channels.transfer(new Actor("assistant", lead.id()), tenantId, conversation.id(),
                    offer.connectionId(), number.get(), offer.message(), template);
        } catch (ClawlessException e) {
            LOG.warning(() -> "lead " + lead.id() + " could not move to WhatsApp: " + e.detail());
            change(tenantId, lead.id(), l -> l.withAsking(Optional.empty(), now()));
            return Optional.empty();
        }
        String to = number.get();
        change(tenantId, lead.id(), l -> {
            Map<String, String> answers = new LinkedHashMap<>(l.answers());
            phoneField.ifPresent(f -> answers.putIfAbsent(f.name(), to));
            return l.transferred(answers, moved.id(), now());
        });
        return Optional.of(new Step(Optional.of(offer.confirm()), "", ""));
    }

    /** Changes the lead under its row lock, and publishes it. */
    private void change(String tenantId, String leadId, java.util.function.UnaryOperator<Lead> change) {
        database.inTransaction(tx -> {
            store.lock(tx, tenantId, leadId).ifPresent(l -> {
                Lead changed = change.apply(l);
                store.update(tx, changed);
                conversations.publish(tx, tenantId, l.conversationId(), "lead.updated", Leads.event(changed).toString());
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
        try {
            List<Lead.CrmRecord> records = CrmPush.records(JSON.readTree(resultJson), now());
            if (!records.isEmpty()) {
                leads.link(tenantId, contact.get(), records);
            }
        } catch (IOException e) {
            // not JSON: nothing to link
        }
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

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
