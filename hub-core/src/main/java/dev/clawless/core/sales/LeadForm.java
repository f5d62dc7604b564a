package dev.clawless.core.sales;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;

/**
 * A tenant's lead form: the fields the sales mode fills from a conversation, how a lead is scored, when it counts
 * as qualified, where it is pushed and how the contact is offered to continue on WhatsApp.
 *
 * @param enabled    false: no lead is captured (the form is kept)
 * @param mode       the mode whose conversations start a lead (the tenant's default mode, or one an intent selects)
 * @param fields     the form's fields, asked in this order
 * @param intentPoints points a conversation earns once for each of these intents
 * @param qualifyAt  the score at which a lead whose required fields are all filled is qualified
 * @param defaultRegion the ISO country whose numbering a phone number without {@code +} follows (e.g. {@code CO})
 * @param crm        where a qualified lead is pushed, if anywhere
 * @param whatsapp   the offer to continue on WhatsApp once qualified, if any
 * @param thanks     what the contact is told when nothing is left to ask
 */
public record LeadForm(boolean enabled, String mode, List<Field> fields, Map<String, Integer> intentPoints,
                       int qualifyAt, String defaultRegion, Optional<Crm> crm, Optional<WhatsAppOffer> whatsapp,
                       String thanks) {

    public static final int MAX_FIELDS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern MODE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    private static final Pattern INTENT = Pattern.compile("[a-z][a-z0-9_.-]{0,59}");
    private static final Pattern TOOL = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern REGION = Pattern.compile("[A-Z]{2}");

    /** No form: nothing is captured. */
    public static final LeadForm NONE = new LeadForm(false, "sales", List.of(), Map.of(), 0, "US", Optional.empty(),
            Optional.empty(), "");

    /** What a field holds: how an answer is read and checked. */
    public enum Type {
        /** A person's name: "my name is", "me llamo", "soy" and the like are taken off. */
        NAME,
        TEXT,
        /** An e-mail address, found anywhere in a message. */
        EMAIL,
        /** A phone number, found anywhere in a message and kept in E.164. */
        PHONE,
        NUMBER;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One field.
     *
     * @param question what the assistant asks for it (the retrieval assistant asks exactly this)
     * @param points   what filling it adds to the score
     */
    public record Field(String name, String label, Type type, boolean required, String question, int points) {
    }

    /**
     * Where qualified leads go: a tool of an installed CRM plugin that takes a lead (docs/crm.md).
     *
     * @param autoPush push each lead once it qualifies
     */
    public record Crm(String tool, boolean autoPush) {
    }

    /**
     * The offer to continue on WhatsApp, made once a lead qualifies.
     *
     * @param connectionId the tenant's WhatsApp connection the conversation moves to
     * @param offer        the offer; the contact answers with their number (or "yes" when the form has it)
     * @param message      the first message on WhatsApp
     * @param template     the approved template sent instead, for a contact who never wrote there (Meta's rule)
     * @param confirm      what the contact is told here once the conversation moved
     */
    public record WhatsAppOffer(String connectionId, String offer, String message, Optional<String> template,
                                String confirm) {
    }

    public Optional<Field> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The form as the API shows and takes it. */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("enabled", enabled).put("mode", mode).put("qualify_at", qualifyAt)
                .put("default_region", defaultRegion).put("thanks", thanks);
        var array = node.putArray("fields");
        for (Field f : fields) {
            array.addObject().put("name", f.name()).put("label", f.label()).put("type", f.type().wire())
                    .put("required", f.required()).put("question", f.question()).put("points", f.points());
        }
        ObjectNode points = node.putObject("intent_points");
        intentPoints.forEach(points::put);
        crm.ifPresentOrElse(c -> node.putObject("crm").put("tool", c.tool()).put("auto_push", c.autoPush()),
                () -> node.putNull("crm"));
        whatsapp.ifPresentOrElse(w -> {
            ObjectNode o = node.putObject("whatsapp").put("connection_id", w.connectionId()).put("offer", w.offer())
                    .put("message", w.message()).put("confirm", w.confirm());
            w.template().ifPresentOrElse(t -> o.put("template", t), () -> o.putNull("template"));
        }, () -> node.putNull("whatsapp"));
        return node;
    }

    /**
     * Reads a form from its JSON, collecting every problem.
     *
     * @throws ClawlessException.Validation naming each wrong field
     */
    public static LeadForm parse(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        if (node == null || !node.isObject()) {
            throw ClawlessException.Validation.of("form", "must be a JSON object");
        }
        Set<String> known = Set.of("enabled", "mode", "fields", "intent_points", "qualify_at", "default_region",
                "crm", "whatsapp", "thanks");
        node.fieldNames().forEachRemaining(n -> {
            if (!known.contains(n)) {
                errors.add(new FieldError(n, "is not a lead form setting"));
            }
        });
        boolean enabled = bool(node, "enabled", true, errors);
        String mode = text(node, "mode", "sales", 40, errors);
        if (!MODE.matcher(mode).matches()) {
            errors.add(new FieldError("mode", "must be 1-40 of a-z, 0-9, '_' and '-'"));
        }
        List<Field> fields = new ArrayList<>();
        JsonNode fs = node.path("fields");
        if (!fs.isArray() || fs.isEmpty() || fs.size() > MAX_FIELDS) {
            errors.add(new FieldError("fields", "must be a list of 1-" + MAX_FIELDS + " fields"));
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < fs.size(); i++) {
                field(fs.get(i), "fields[" + i + "]", names, errors).ifPresent(fields::add);
            }
        }
        Map<String, Integer> intentPoints = new LinkedHashMap<>();
        JsonNode ip = node.path("intent_points");
        if (!ip.isMissingNode() && !ip.isNull()) {
            if (!ip.isObject() || ip.size() > 50) {
                errors.add(new FieldError("intent_points", "must be an object of at most 50 intents"));
            } else {
                ip.fields().forEachRemaining(e -> {
                    if (!INTENT.matcher(e.getKey()).matches()) {
                        errors.add(new FieldError("intent_points." + e.getKey(), "is not an intent name"));
                    } else if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0 || e.getValue().asInt() > 100
                            || !e.getValue().isIntegralNumber()) {
                        errors.add(new FieldError("intent_points." + e.getKey(), "must be a whole number 0-100"));
                    } else {
                        intentPoints.put(e.getKey(), e.getValue().asInt());
                    }
                });
            }
        }
        int qualifyAt = number(node, "qualify_at", 50, 0, 1000, errors);
        String region = text(node, "default_region", "US", 2, errors);
        if (!REGION.matcher(region).matches()) {
            errors.add(new FieldError("default_region", "must be an ISO 3166 country code such as CO or US"));
        }
        Optional<Crm> crm = Optional.empty();
        JsonNode c = node.path("crm");
        if (!c.isMissingNode() && !c.isNull()) {
            if (!c.isObject()) {
                errors.add(new FieldError("crm", "must be an object with tool and auto_push, or null"));
            } else {
                String tool = text(c, "tool", "", 64, errors, "crm.");
                if (!TOOL.matcher(tool).matches()) {
                    errors.add(new FieldError("crm.tool", "must name a tool of an installed CRM plugin"));
                }
                crm = Optional.of(new Crm(tool, bool(c, "auto_push", true, errors, "crm.")));
            }
        }
        Optional<WhatsAppOffer> whatsapp = Optional.empty();
        JsonNode w = node.path("whatsapp");
        if (!w.isMissingNode() && !w.isNull()) {
            if (!w.isObject()) {
                errors.add(new FieldError("whatsapp", "must be an object, or null"));
            } else {
                String connection = text(w, "connection_id", "", 40, errors, "whatsapp.");
                if (connection.isBlank()) {
                    errors.add(new FieldError("whatsapp.connection_id", "is required: the WhatsApp connection"));
                }
                String template = text(w, "template", "", 200, errors, "whatsapp.");
                whatsapp = Optional.of(new WhatsAppOffer(connection,
                        text(w, "offer", "Would you like to continue on WhatsApp? Send me your number and we'll"
                                + " write to you there.", 1000, errors, "whatsapp."),
                        text(w, "message", "Hello! This is where we continue our conversation from the website.",
                                1000, errors, "whatsapp."),
                        template.isBlank() ? Optional.empty() : Optional.of(template),
                        text(w, "confirm", "Done: we've written to you on WhatsApp. See you there!", 1000, errors,
                                "whatsapp.")));
            }
        }
        String thanks = text(node, "thanks", "Thank you! Someone from our team will be in touch soon.", 1000, errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        return new LeadForm(enabled, mode, List.copyOf(fields), Map.copyOf(intentPoints), qualifyAt, region, crm,
                whatsapp, thanks);
    }

    private static Optional<Field> field(JsonNode f, String at, Set<String> names, List<FieldError> errors) {
        if (!f.isObject()) {
            errors.add(new FieldError(at, "must be an object"));
            return Optional.empty();
        }
        int before = errors.size();
        String name = text(f, "name", "", 40, errors, at + ".");
        if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError(at + ".name", "must be 1-40 of a-z, 0-9 and '_', starting with a letter"));
        } else if (!names.add(name)) {
            errors.add(new FieldError(at + ".name", "is used twice"));
        }
        String typeText = text(f, "type", "text", 10, errors, at + ".");
        Type type = java.util.Arrays.stream(Type.values()).filter(t -> t.wire().equals(typeText)).findFirst()
                .orElse(null);
        if (type == null) {
            errors.add(new FieldError(at + ".type", "must be one of name, text, email, phone, number"));
        }
        String question = text(f, "question", "", 500, errors, at + ".");
        if (question.isBlank()) {
            errors.add(new FieldError(at + ".question", "is required: what the assistant asks"));
        }
        String label = text(f, "label", name, 100, errors, at + ".");
        boolean required = bool(f, "required", false, errors, at + ".");
        int points = number(f, "points", 10, 0, 100, errors, at + ".");
        return errors.size() > before ? Optional.empty()
                : Optional.of(new Field(name, label, type, required, question, points));
    }

    private static String text(JsonNode node, String name, String fallback, int max, List<FieldError> errors) {
        return text(node, name, fallback, max, errors, "");
    }

    private static String text(JsonNode node, String name, String fallback, int max, List<FieldError> errors,
                               String prefix) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual() || v.asText().length() > max) {
            errors.add(new FieldError(prefix + name, "must be text of at most " + max + " characters"));
            return fallback;
        }
        return v.asText().strip();
    }

    private static boolean bool(JsonNode node, String name, boolean fallback, List<FieldError> errors) {
        return bool(node, name, fallback, errors, "");
    }

    private static boolean bool(JsonNode node, String name, boolean fallback, List<FieldError> errors,
                                String prefix) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            errors.add(new FieldError(prefix + name, "must be true or false"));
            return fallback;
        }
        return v.asBoolean();
    }

    private static int number(JsonNode node, String name, int fallback, int min, int max, List<FieldError> errors) {
        return number(node, name, fallback, min, max, errors, "");
    }

    private static int number(JsonNode node, String name, int fallback, int min, int max, List<FieldError> errors,
                              String prefix) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            errors.add(new FieldError(prefix + name, "must be a whole number " + min + "-" + max));
            return fallback;
        }
        return v.asInt();
    }
}
