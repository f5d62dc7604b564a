package dev.clawless.core.pack;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.channel.Channel;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.knowledge.DocumentFormat;
import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.Intent;
import dev.clawless.core.knowledge.IntentManagement;
import dev.clawless.core.knowledge.KnowledgeDocument;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.NewDocument;
import dev.clawless.core.sales.LeadForm;
import dev.clawless.core.sales.LeadForms;
import dev.clawless.core.security.Actor;
import dev.clawless.core.tenant.AssistantPatch;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantChange;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tenant.TenantSettings;

/**
 * Context packs: what makes a tenant's assistant what it is — its knowledge, intents, modes and their prompts, lead
 * form and assistant settings — as one versioned JSON file, exported from one tenant and imported into another.
 * Nothing tenant-bound travels: no ids, keys, secrets, connections, conversations or contacts. Importing is
 * idempotent: a document of the same title is replaced in place, an intent of the same name redefined, settings and
 * the lead form replaced; the whole pack is checked before anything changes. Thread-safe.
 */
public final class ContextPacks {

    public static final String FORMAT = "clawless.context-pack";
    public static final int VERSION = 1;
    public static final int MAX_DOCUMENTS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP = Set.of("format", "version", "exported_at", "name", "assistant",
            "knowledge", "intents", "lead_form");

    private final TenantManagement tenants;
    private final KnowledgeManagement knowledge;
    private final IntentManagement intents;
    private final LeadForms forms;
    private final ChannelManagement channels;
    private final java.util.function.BiPredicate<String, String> toolOffered;
    private final Clock clock;

    /** @param toolOffered whether a tenant (first) has a tool of that name (second) */
    public ContextPacks(TenantManagement tenants, KnowledgeManagement knowledge, IntentManagement intents, LeadForms forms,
                        ChannelManagement channels, java.util.function.BiPredicate<String, String> toolOffered,
                        Clock clock) {
        this.tenants = tenants;
        this.knowledge = knowledge;
        this.intents = intents;
        this.forms = forms;
        this.channels = channels;
        this.toolOffered = toolOffered;
        this.clock = clock;
    }

    /** What an import did, and what it left out. */
    public record Imported(int documentsAdded, int documentsReplaced, int intents, boolean settings, boolean leadForm,
                           List<String> notes) {
    }

    /** The tenant's pack. */
    public ObjectNode export(String tenantId) {
        Tenant tenant = tenants.get(tenantId);
        ObjectNode pack = JSON.createObjectNode().put("format", FORMAT).put("version", VERSION)
                .put("exported_at", clock.instant().toString()).put("name", tenant.name());
        TenantSettings s = tenant.settings();
        ObjectNode assistant = pack.putObject("assistant").put("system_prompt", s.systemPrompt()).put("mode", s.mode())
                .put("provider", s.assistant().provider()).put("model", s.assistant().model().orElse(null));
        ObjectNode modes = assistant.putObject("mode_prompts");
        new java.util.TreeMap<>(s.modePrompts()).forEach(modes::put);
        ArrayNode docs = pack.putArray("knowledge");
        List<KnowledgeDocument> all = documents(tenantId);
        if (all.size() > MAX_DOCUMENTS) {
            throw new ClawlessException.Conflict("the tenant has " + all.size() + " documents; a context pack holds"
                    + " at most " + MAX_DOCUMENTS);
        }
        for (KnowledgeDocument d : all) {
            ObjectNode doc = docs.addObject().put("title", d.title()).put("format", d.format().wire());
            String content = knowledge.content(tenantId, d.id());
            if (d.format() == DocumentFormat.FAQ) {
                doc.set("content", read(content));
            } else {
                doc.put("content", content);
            }
            d.source().ifPresent(src -> doc.put("source", src));
        }
        ArrayNode is = pack.putArray("intents");
        intents.list(tenantId).stream().sorted(java.util.Comparator.comparing(Intent::name)).forEach(i -> {
            ObjectNode n = is.addObject().put("name", i.name());
            ArrayNode examples = n.putArray("examples");
            i.examples().forEach(examples::add);
            n.put("mode", i.mode().orElse(null));
        });
        LeadForm form = forms.form(tenantId);
        if (form == LeadForm.NONE) {
            pack.putNull("lead_form");
        } else {
            ObjectNode f = form.toJson();
            // a connection is the tenant's own: the importing tenant's WhatsApp connection takes its place
            if (f.get("whatsapp").isObject()) {
                ((ObjectNode) f.get("whatsapp")).putNull("connection_id");
            }
            pack.set("lead_form", f);
        }
        return pack;
    }

    /**
     * Imports {@code pack} into the tenant.
     *
     * @throws ClawlessException.Validation naming every part of the pack that is wrong (nothing changed)
     */
    public Imported importPack(Actor actor, String tenantId, JsonNode pack) {
        List<FieldError> errors = new ArrayList<>();
        if (pack == null || !pack.isObject()) {
            throw ClawlessException.Validation.of("pack", "must be a JSON object (a context pack)");
        }
        pack.fieldNames().forEachRemaining(n -> {
            if (!TOP.contains(n)) {
                errors.add(new FieldError(n, "is not part of a context pack"));
            }
        });
        if (!FORMAT.equals(pack.path("format").asText())) {
            errors.add(new FieldError("format", "must be \"" + FORMAT + "\""));
        }
        if (!pack.path("version").isIntegralNumber() || pack.path("version").asInt() < 1) {
            errors.add(new FieldError("version", "must be a whole number"));
        } else if (pack.path("version").asInt() > VERSION) {
            errors.add(new FieldError("version", "is " + pack.path("version").asInt() + ": made by a newer hub; this"
                    + " one reads version " + VERSION));
        }
        List<NewDocument> documents = documents(pack.path("knowledge"), errors);
        List<IntentDef> intentDefs = intentDefs(pack.path("intents"), errors);
        Optional<SettingsPatch> settings = settings(pack.path("assistant"), errors);
        List<String> notes = new ArrayList<>();
        Optional<LeadForm> form = leadForm(tenantId, pack.path("lead_form"), errors, notes);
        for (int i = 0; i < documents.size(); i++) {
            try {
                knowledge.check(documents.get(i));
            } catch (ClawlessException.Validation e) {
                String at = "knowledge[" + i + "].";
                e.errors().forEach(x -> errors.add(new FieldError(at + x.field(), x.message())));
            } catch (ClawlessException.PayloadTooLarge e) {
                errors.add(new FieldError("knowledge[" + i + "].content", e.detail()));
            }
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        settings.ifPresent(p -> tenants.update(actor, tenantId, TenantChange.bySelf(Optional.empty(), p)));
        Map<String, String> byTitle = new HashMap<>();
        documents(tenantId).forEach(d -> byTitle.putIfAbsent(d.title(), d.id()));
        int added = 0;
        int replaced = 0;
        for (NewDocument d : documents) {
            String existing = byTitle.get(d.title());
            if (existing != null) {
                knowledge.replace(tenantId, existing, d);
                replaced++;
            } else {
                byTitle.put(d.title(), knowledge.add(tenantId, d).id());
                added++;
            }
        }
        for (IntentDef i : intentDefs) {
            intents.define(tenantId, i.name(), i.examples(), i.mode());
        }
        form.ifPresent(f -> forms.save(actor, tenantId, f));
        return new Imported(added, replaced, intentDefs.size(), settings.isPresent(), form.isPresent(), notes);
    }

    private record IntentDef(String name, List<String> examples, Optional<String> mode) {
    }

    private List<KnowledgeDocument> documents(String tenantId) {
        List<KnowledgeDocument> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            var page = knowledge.list(tenantId, new PageRequest(PageRequest.MAX_LIMIT, cursor));
            out.addAll(page.data());
            cursor = page.nextCursor();
        } while (cursor.isPresent() && out.size() <= MAX_DOCUMENTS);
        return out;
    }

    private static List<NewDocument> documents(JsonNode list, List<FieldError> errors) {
        List<NewDocument> out = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray() || list.size() > MAX_DOCUMENTS) {
            errors.add(new FieldError("knowledge", "must be a list of at most " + MAX_DOCUMENTS + " documents"));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode d = list.get(i);
            String at = "knowledge[" + i + "]";
            String title = d.path("title").asText("");
            Optional<DocumentFormat> format = DocumentFormat.fromWire(d.path("format").asText(""));
            if (!d.path("title").isTextual() || title.isBlank() || title.length() > 300) {
                errors.add(new FieldError(at + ".title", "must be 1-300 characters"));
            }
            if (format.isEmpty()) {
                errors.add(new FieldError(at + ".format", "must be markdown, text or faq"));
                continue;
            }
            Optional<String> source = Optional.of(d.path("source").asText("")).filter(s -> !s.isBlank()
                    && s.length() <= 2000);
            if (format.get() == DocumentFormat.FAQ) {
                List<FaqEntry> entries = new ArrayList<>();
                JsonNode content = d.path("content");
                if (!content.isArray() || content.isEmpty() || content.size() > KnowledgeManagement.MAX_FAQ_ENTRIES) {
                    errors.add(new FieldError(at + ".content", "must be a list of {q, a}"));
                    continue;
                }
                for (JsonNode e : content) {
                    if (!e.path("q").isTextual() || !e.path("a").isTextual()) {
                        errors.add(new FieldError(at + ".content", "each entry needs a q and an a"));
                        break;
                    }
                    entries.add(new FaqEntry(e.get("q").asText(), e.get("a").asText()));
                }
                out.add(new NewDocument(title, format.get(), "", entries, Optional.empty(), source));
            } else {
                if (!d.path("content").isTextual() || d.path("content").asText().isBlank()) {
                    errors.add(new FieldError(at + ".content", "must be the document's text"));
                    continue;
                }
                out.add(new NewDocument(title, format.get(), d.get("content").asText(), List.of(), Optional.empty(),
                        source));
            }
        }
        return out;
    }

    private static List<IntentDef> intentDefs(JsonNode list, List<FieldError> errors) {
        List<IntentDef> out = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray() || list.size() > IntentManagement.MAX_INTENTS) {
            errors.add(new FieldError("intents", "must be a list of at most " + IntentManagement.MAX_INTENTS));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            String name = n.path("name").asText("");
            List<String> examples = new ArrayList<>();
            n.path("examples").forEach(e -> examples.add(e.asText("")));
            if (!name.matches("[a-z][a-z0-9_.-]{0,59}")) {
                errors.add(new FieldError("intents[" + i + "].name", "must be 1-60 of a-z, 0-9, '_', '.', '-'"));
            }
            if (examples.isEmpty() || examples.size() > IntentManagement.MAX_EXAMPLES
                    || examples.stream().anyMatch(e -> e.isBlank() || e.length() > 1000)) {
                errors.add(new FieldError("intents[" + i + "].examples", "must be 1-" + IntentManagement.MAX_EXAMPLES
                        + " examples of 1-1000 characters"));
            }
            Optional<String> mode = n.hasNonNull("mode") ? Optional.of(n.get("mode").asText()) : Optional.empty();
            if (mode.isPresent() && !mode.get().matches("[a-z0-9][a-z0-9_-]{0,39}")) {
                errors.add(new FieldError("intents[" + i + "].mode", "must be 1-40 of a-z, 0-9, '_' and '-'"));
            }
            out.add(new IntentDef(name, examples, mode));
        }
        return out;
    }

    private static Optional<SettingsPatch> settings(JsonNode a, List<FieldError> errors) {
        if (a.isMissingNode() || a.isNull()) {
            return Optional.empty();
        }
        if (!a.isObject()) {
            errors.add(new FieldError("assistant", "must be an object"));
            return Optional.empty();
        }
        Map<String, String> modePrompts = new LinkedHashMap<>();
        a.path("mode_prompts").fields().forEachRemaining(e -> modePrompts.put(e.getKey(), e.getValue().asText("")));
        Optional<String> provider = a.hasNonNull("provider") ? Optional.of(a.get("provider").asText())
                : Optional.empty();
        if (provider.isPresent() && !dev.clawless.core.tenant.AssistantSettings.PROVIDERS.contains(provider.get())) {
            errors.add(new FieldError("assistant.provider", "must be one of "
                    + dev.clawless.core.tenant.AssistantSettings.PROVIDERS));
        }
        Optional<String> model = a.hasNonNull("model") ? Optional.of(a.get("model").asText()) : Optional.empty();
        // the tenant module checks the rest (lengths, mode names) as for PATCH /v1/tenant
        return Optional.of(new SettingsPatch(a.hasNonNull("system_prompt") ? Optional.of(a.get("system_prompt")
                .asText()) : Optional.empty(), a.hasNonNull("mode") ? Optional.of(a.get("mode").asText())
                : Optional.empty(), Optional.of(new AssistantPatch(provider, model, model.isEmpty())), Optional.empty(),
                Optional.empty(), a.has("mode_prompts") ? Optional.of(modePrompts) : Optional.empty()));
    }

    private Optional<LeadForm> leadForm(String tenantId, JsonNode f, List<FieldError> errors, List<String> notes) {
        if (f.isMissingNode() || f.isNull()) {
            return Optional.empty();
        }
        if (!f.isObject()) {
            errors.add(new FieldError("lead_form", "must be an object, or null"));
            return Optional.empty();
        }
        ObjectNode form = f.deepCopy();
        JsonNode w = form.path("whatsapp");
        if (w.isObject() && !w.hasNonNull("connection_id")) {
            Optional<Channel> whatsapp = channels.list(tenantId).stream()
                    .filter(c -> c.type().equals("whatsapp") && c.enabled()).findFirst();
            if (whatsapp.isPresent()) {
                ((ObjectNode) w).put("connection_id", whatsapp.get().id());
                notes.add("lead_form.whatsapp uses this tenant's WhatsApp connection " + whatsapp.get().id());
            } else {
                form.putNull("whatsapp");
                notes.add("lead_form.whatsapp left out: this tenant has no WhatsApp connection yet; add one and set"
                        + " the form again to offer WhatsApp");
            }
        }
        try {
            LeadForm parsed = LeadForm.parse(form);
            forms.check(tenantId, parsed).ifPresent(e -> e.errors().forEach(x -> errors.add(
                    new FieldError("lead_form." + x.field(), x.message()))));
            parsed.crm().filter(c -> !toolOffered.test(tenantId, c.tool())).ifPresent(c -> notes.add("lead_form.crm"
                    + " names the tool " + c.tool() + ", which no plugin installed here offers: leads are pushed once"
                    + " one is installed"));
            return Optional.of(parsed);
        } catch (ClawlessException.Validation e) {
            e.errors().forEach(x -> errors.add(new FieldError("lead_form." + x.field(), x.message())));
            return Optional.empty();
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
