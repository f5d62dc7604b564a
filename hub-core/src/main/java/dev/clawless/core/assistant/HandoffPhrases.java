package dev.clawless.core.assistant;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a contact's answer to "would you like a person?" accepts, in the languages the hub's widget speaks
 * (English, Spanish, Portuguese, French, German). Strict: every word must come from a small closed vocabulary and
 * say yes or ask for a person; a question, any negation or postponement, or a longer message is not an acceptance
 * (the assistant answers it instead, and the contact can still say yes).
 */
public final class HandoffPhrases {

    private static final int MAX_LENGTH = 60;
    private static final int LONGEST_PHRASE = 4;

    /** Words that refuse or put off the offer, anywhere in the answer. */
    private static final Set<String> NEGATIVE = Set.of("no", "not", "nope", "nah", "never", "without", "dont",
            "doesnt", "didnt", "isnt", "cant", "wont", "wouldnt", "later", "nao", "nunca", "sin", "sem", "nem", "ni",
            "luego", "despues", "depois", "tarde", "non", "pas", "ne", "n", "jamais", "tard", "nein", "nicht", "kein",
            "keine", "keinen", "keinem", "keiner", "nie", "niemals", "spater", "nachher");
    /** Answers that say yes on their own. */
    private static final Set<String> YES = Set.of("yes", "y", "yeah", "yea", "yep", "yup", "sure", "ok", "okay",
            "alright", "please", "absolutely", "definitely", "certainly", "of course", "go ahead", "si", "claro",
            "por favor", "dale", "bueno", "vale", "sim", "pode ser", "oui", "ouais", "d accord", "volontiers",
            "bien sur", "s il vous plait", "s il te plait", "ja", "gerne", "gern", "bitte", "klar", "naturlich");
    /** Who the contact may ask for. */
    private static final Set<String> PERSON = Set.of("person", "human", "agent", "someone", "somebody", "operator",
            "representative", "persona", "humano", "agente", "alguien", "operador", "representante", "asesor",
            "pessoa", "atendente", "alguem", "humain", "une personne", "quelqu un", "conseiller", "operateur",
            "mensch", "menschen", "mitarbeiter", "mitarbeiterin", "jemand", "jemandem", "berater");
    /** Words that may surround a yes or a person ("I want to talk to", "quiero hablar con", thanks) but say neither. */
    private static final Set<String> FILLER = Set.of("a", "an", "the", "to", "with", "real", "talk", "speak",
            "chat", "connect", "me", "i", "d", "want", "need", "would", "like", "thanks", "thank you", "quiero",
            "quisiera", "me gustaria", "hablar", "con", "un", "una", "el", "al", "que", "gracias", "quero", "queria",
            "gostaria", "falar", "com", "um", "uma", "o", "de", "obrigado", "obrigada", "je", "j", "veux",
            "voudrais", "aimerais", "parler", "avec", "une", "l", "merci", "ich", "will", "mochte", "mit", "einem",
            "einer", "sprechen", "reden", "danke");

    private HandoffPhrases() {
    }

    /** True when {@code text} accepts an offer of a person ("yes", "sí, por favor", "a human please", …). */
    public static boolean accepts(String text) {
        if (text.indexOf('?') >= 0 || text.indexOf('¿') >= 0) {
            return false; // a question about the offer is not an answer to it
        }
        String t = normalize(text);
        if (t.isEmpty() || t.length() > MAX_LENGTH) {
            return false;
        }
        List<String> words = List.of(t.split(" "));
        if (words.stream().anyMatch(NEGATIVE::contains)) {
            return false;
        }
        boolean saysYes = false;
        for (int i = 0; i < words.size(); ) {
            int n = knownPhraseLength(words, i);
            if (n == 0) {
                return false;
            }
            String phrase = String.join(" ", words.subList(i, i + n));
            saysYes |= YES.contains(phrase) || PERSON.contains(phrase);
            i += n;
        }
        return saysYes;
    }

    /** Lower case without accents, "n't" spelled "not", and anything but letters and digits a single space. */
    private static String normalize(String text) {
        return Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD).replaceAll("\\p{M}", "")
                .replaceAll("[’‘`´]", "'").replaceAll("\\Bn't\\b", " not").replaceAll("[^\\p{L}\\p{N}]+", " ")
                .strip();
    }

    /** Words in the longest vocabulary phrase starting at {@code from}; 0 when that word is unknown. */
    private static int knownPhraseLength(List<String> words, int from) {
        for (int n = Math.min(LONGEST_PHRASE, words.size() - from); n > 0; n--) {
            String phrase = String.join(" ", words.subList(from, from + n));
            if (YES.contains(phrase) || PERSON.contains(phrase) || FILLER.contains(phrase)) {
                return n;
            }
        }
        return 0;
    }
}
