package dev.clawless.core.assistant;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a contact's answer to "would you like a person?" accepts, in the languages the hub's widget speaks
 * (English, Spanish, Portuguese, French, German). Short answers only: a longer message is a new question for the
 * assistant, not an answer to the offer.
 */
public final class HandoffPhrases {

    private static final Set<String> YES = Set.of("yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "please",
            "yes please", "of course", "si", "claro", "por favor", "si por favor", "dale", "bueno", "vale", "sim",
            "claro que sim", "pode ser", "oui", "d'accord", "ja", "gerne", "bitte", "ja bitte");
    private static final Set<String> NO = Set.of("no", "nao", "nein", "non", "nope", "not");
    private static final Pattern PERSON = Pattern.compile("\\b(person|human|agent|someone|somebody|operator|"
            + "representative|persona|humano|agente|alguien|operador|pessoa|atendente|alguem|humain|quelqu'un|"
            + "mensch|mitarbeiter)\\b");

    private HandoffPhrases() {
    }

    /** True when {@code text} accepts an offer of a person ("yes", "sí, por favor", "a human please", …). */
    public static boolean accepts(String text) {
        String t = Normalizer.normalize(text.strip().toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "").replaceAll("[!¡.?¿,;:\\s]+", " ").strip();
        if (t.isEmpty() || t.length() > 60) {
            return false;
        }
        String first = t.split(" ")[0];
        if (NO.contains(first)) {
            return false;
        }
        return YES.contains(t) || YES.contains(first) || PERSON.matcher(t).find();
    }
}
