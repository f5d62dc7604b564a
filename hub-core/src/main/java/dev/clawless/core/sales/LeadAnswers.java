package dev.clawless.core.sales;

import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

/**
 * Reads a lead form's answers out of a contact's message without a model: an e-mail address or a phone number
 * wherever it appears (phone numbers found and checked by libphonenumber, kept in E.164), and the message itself as
 * the answer to the question just asked, cleaned of the words people put around a name ("me llamo", "my name is").
 * Pure; thread-safe.
 */
public final class LeadAnswers {

    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}");
    private static final Pattern NAME_PREFIX = Pattern.compile("^(?:(?:hi|hello|hola|ol[aá]|buenas|bom dia|buenos d[ií]as)[,!. ]+)?"
            + "(?:my name is|my name's|name is|i am|i'm|im|this is|it's|me llamo|mi nombre es|soy|yo soy|me chamo|"
            + "meu nome [eé]|sou|eu sou|nombre:|name:|nome:)\\s+", Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBER = Pattern.compile("\\d[\\d.,]*");
    private static final Pattern NEGATION = Pattern.compile("(?iu)(^|[^\\p{L}])(no|not|don'?t|nope|não|nao|nunca|never"
            + "|tampoco|ni)([^\\p{L}]|$)");
    /** Words that make a message a sentence, not a name: what people write instead of giving one. */
    private static final Set<String> NOT_NAME = Set.of("interested", "interesado", "interesada", "interessado",
            "interessada", "looking", "busco", "buscando", "quiero", "quisiera", "necesito", "want", "need", "would",
            "like", "gustaría", "gostaria", "preciso", "quero", "in", "a", "an", "the", "un", "una", "um", "uma", "for",
            "para", "por", "con", "com", "with", "from", "of", "en", "and", "website", "web", "página", "pagina",
            "tienda", "loja", "app", "precio", "price", "preço", "hola", "hello", "hi", "olá", "ola", "gracias",
            "thanks", "obrigado", "obrigada", "sí", "si", "yes", "no", "ok", "is", "es", "é", "my", "mi", "meu");
    /** Particles a name may hold, but not begin with. */
    private static final Set<String> PARTICLES = Set.of("de", "del", "la", "las", "los", "da", "das", "do", "dos",
            "van", "von", "y", "e");
    private static final Set<String> YES = Set.of("yes", "y", "yeah", "yep", "sure", "ok", "okay", "please", "si", "sí",
            "claro", "dale", "vale", "listo", "por favor", "sim", "pode ser", "of course", "de una", "bueno", "perfecto",
            "yes please", "si por favor", "sí por favor", "sim por favor", "claro que si", "claro que sí");

    private LeadAnswers() {
    }

    /**
     * The answers {@code text} gives: the asked field from the message as a whole, and any e-mail or phone field
     * from what the message contains.
     */
    public static Map<String, String> read(LeadForm form, Optional<String> asking, String text) {
        Map<String, String> found = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return found;
        }
        asking.flatMap(form::field).ifPresent(f -> answer(f, text, form.defaultRegion())
                .ifPresent(v -> found.put(f.name(), v)));
        for (LeadForm.Field f : form.fields()) {
            if (found.containsKey(f.name())) {
                continue;
            }
            if (f.type() == LeadForm.Type.EMAIL) {
                email(text).ifPresent(v -> found.put(f.name(), v));
            } else if (f.type() == LeadForm.Type.PHONE) {
                phone(text, form.defaultRegion()).ifPresent(v -> found.put(f.name(), v));
            }
        }
        return found;
    }

    /** {@code text} as the answer to {@code field}'s question, or empty when it is not one. */
    public static Optional<String> answer(LeadForm.Field field, String text, String region) {
        String t = text.strip();
        return switch (field.type()) {
            case EMAIL -> email(t);
            case PHONE -> phone(t, region);
            case NUMBER -> number(t);
            case NAME -> name(t);
            case TEXT -> t.isEmpty() || t.length() > 500 || t.endsWith("?") ? Optional.empty() : Optional.of(t);
        };
    }

    /** The value a field takes from an extractor (a model): checked like an answer, else dropped. */
    public static Optional<String> checked(LeadForm.Field field, String value, String region) {
        if (value == null || value.isBlank() || value.length() > 500) {
            return Optional.empty();
        }
        return switch (field.type()) {
            case NAME -> value.strip().length() <= 100 && !value.contains("@") ? Optional.of(value.strip())
                    : Optional.empty();
            default -> answer(field, value, region);
        };
    }

    public static Optional<String> email(String text) {
        Matcher m = EMAIL.matcher(text);
        return m.find() ? Optional.of(m.group().toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** The first phone number in {@code text} that is valid for its country, in E.164. */
    public static Optional<String> phone(String text, String region) {
        PhoneNumberUtil util = PhoneNumberUtil.getInstance();
        for (PhoneNumberMatch m : util.findNumbers(text.length() > 1000 ? text.substring(0, 1000) : text, region)) {
            if (util.isValidNumber(m.number())) {
                return Optional.of(util.format(m.number(), PhoneNumberUtil.PhoneNumberFormat.E164));
            }
        }
        return Optional.empty();
    }

    static Optional<String> number(String text) {
        Matcher m = NUMBER.matcher(text);
        return m.find() ? Optional.of(m.group().replaceAll("[.,]$", "")) : Optional.empty();
    }

    /** A name: the message without the words around it; not a question, an address or a sentence. */
    static Optional<String> name(String text) {
        String t = NAME_PREFIX.matcher(text.strip()).replaceFirst("").strip().replaceAll("[.!,;]+$", "").strip();
        if (t.isEmpty() || t.length() > 80 || t.contains("?") || t.contains("@") || t.matches(".*\\d.*")) {
            return Optional.empty();
        }
        String[] words = t.split("\\s+");
        if (words.length > 5 || PARTICLES.contains(words[0].toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        for (String w : words) {
            String lower = w.toLowerCase(Locale.ROOT);
            if (NOT_NAME.contains(lower) || !w.matches("[\\p{L}][\\p{L}'’.-]*")) {
                return Optional.empty();
            }
        }
        return Optional.of(t);
    }

    /** True when the message says yes ("sí", "claro", "ok", "sim, por favor"). */
    public static boolean saysYes(String text) {
        if (NEGATION.matcher(text).find()) {
            return false;
        }
        String t = Normalizer.normalize(text.strip().toLowerCase(Locale.ROOT), Normalizer.Form.NFC)
                .replaceAll("[!.,¡¿?]+", " ").replaceAll("\\s+", " ").strip();
        return YES.contains(t) || YES.stream().anyMatch(y -> t.startsWith(y + " ") && t.length() <= y.length() + 20);
    }
}
