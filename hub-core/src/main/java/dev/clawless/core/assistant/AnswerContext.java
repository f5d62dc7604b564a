package dev.clawless.core.assistant;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keeps an FAQ answer in its context: an answer that starts with a yes or a no ("Yes, in about 7 days.") answers the
 * FAQ's yes/no question, so given to an open question ("How long does shipping take?") it is read after the question
 * it answers ("Do you ship internationally? Yes, in about 7 days.") rather than as a bare "Yes". Pure.
 */
final class AnswerContext {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern WORD = Pattern.compile("[\\p{L}']+");

    /** Words an answer to a yes/no question starts with, per language. */
    private static final Map<String, List<String>> YES_NO = Map.of(
            "en", List.of("yes", "no", "yeah", "nope", "sure", "absolutely", "unfortunately"),
            "es", List.of("si", "no", "claro", "lamentablemente"),
            "pt", List.of("sim", "nao", "claro", "infelizmente"),
            "fr", List.of("oui", "non", "bien"),
            "de", List.of("ja", "nein", "leider"),
            "it", List.of("si", "no", "certo"));

    /** Words an open (not yes/no) question starts with, per language. */
    private static final Map<String, List<String>> OPEN = Map.of(
            "en", List.of("how", "what", "when", "where", "why", "which", "who", "whom", "whose"),
            "es", List.of("como", "que", "cuando", "donde", "por", "cual", "cuales", "cuanto", "cuanta", "cuantos",
                    "cuantas", "quien", "quienes", "en"),
            "pt", List.of("como", "que", "quando", "onde", "por", "qual", "quais", "quanto", "quanta", "quantos",
                    "quantas", "quem", "cade", "em"),
            "fr", List.of("comment", "que", "quand", "ou", "pourquoi", "quel", "quelle", "quels", "quelles", "qui",
                    "combien"),
            "de", List.of("wie", "was", "wann", "wo", "warum", "welche", "welcher", "welches", "wer", "wieviel"),
            "it", List.of("come", "che", "quando", "dove", "perche", "quale", "quali", "chi", "quanto", "quanti"));

    private AnswerContext() {
    }

    /**
     * The answer to give.
     *
     * @param asked       the customer's question
     * @param language    its language, when known (otherwise every language's words count)
     * @param faqQuestion the FAQ entry's question
     * @param answer      the entry's answer
     */
    static String of(String asked, Optional<String> language, String faqQuestion, String answer) {
        if (startsWith(answer, YES_NO, language) && startsWith(lastSentence(asked), OPEN, language)) {
            String q = faqQuestion.strip();
            return q + (q.endsWith("?") || q.endsWith(".") ? " " : ": ") + answer;
        }
        return answer;
    }

    private static String lastSentence(String text) {
        String t = text.strip();
        int cut = Math.max(t.lastIndexOf(". "), Math.max(t.lastIndexOf("! "), t.lastIndexOf(", ")));
        String tail = cut < 0 ? t : t.substring(cut + 2);
        return tail.contains("?") || cut < 0 ? tail : t;
    }

    private static boolean startsWith(String text, Map<String, List<String>> words, Optional<String> language) {
        var m = WORD.matcher(MARKS.matcher(Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD))
                .replaceAll(""));
        if (!m.find()) {
            return false;
        }
        String first = m.group();
        return language.map(l -> words.getOrDefault(l, List.of()).contains(first))
                .orElseGet(() -> words.values().stream().anyMatch(w -> w.contains(first)));
    }
}
