package dev.clawless.core.assistant;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.clawless.core.knowledge.KnowledgeHit;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.MiniLmEmbedder;

/**
 * The embedded provider: no LLM and no API key. It answers the last user message from the tenant's knowledge by
 * hybrid retrieval ({@link KnowledgeManagement#retrieve}) — an FAQ entry's answer, chosen by the question it answers,
 * or the best matching passage — and, when nothing is relevant enough, says so in the asker's language and offers a
 * person. Deterministic.
 */
public final class RetrievalProvider implements AssistantProvider {

    public static final String NAME = "retrieval";
    /** The least relevance that answers, calibrated on the evaluation set (docs/benchmarks.md). */
    public static final double DEFAULT_MIN_RELEVANCE = 0.38;
    static final String NO_ANSWER = "I'm sorry, I couldn't find an answer to that in our knowledge base. "
            + "Would you like me to connect you with a person?";
    static final String EMPTY_QUESTION = "How can I help you?";
    /** The refusal in each language the knowledge analyses; English for the others. */
    static final Map<String, String> NO_ANSWERS = Map.of(
            "en", NO_ANSWER,
            "es", "Lo siento, no he encontrado una respuesta a eso en nuestra base de conocimiento. "
                    + "¿Quiere que le ponga en contacto con una persona?",
            "pt", "Desculpe, não encontrei uma resposta para isso na nossa base de conhecimento. "
                    + "Quer que eu chame uma pessoa para falar com você?",
            "fr", "Désolé, je n'ai pas trouvé de réponse à cela dans notre base de connaissances. "
                    + "Voulez-vous que je vous mette en relation avec une personne ?",
            "de", "Leider habe ich dazu keine Antwort in unserer Wissensdatenbank gefunden. "
                    + "Soll ich Sie mit einer Person verbinden?",
            "it", "Mi dispiace, non ho trovato una risposta nella nostra base di conoscenza. "
                    + "Vuole che la metta in contatto con una persona?");

    private final KnowledgeManagement knowledge;
    private final double threshold;

    /**
     * @param knowledge the tenants' knowledge
     * @param threshold the least relevance (0–1) that counts as an answer; docs/benchmarks.md shows how the default
     *                  was calibrated
     */
    public RetrievalProvider(KnowledgeManagement knowledge, double threshold) {
        this.knowledge = knowledge;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultModel() {
        return MiniLmEmbedder.MODEL;
    }

    @Override
    public Completion complete(AssistantRequest request, Consumer<String> onDelta) {
        String question = request.lastUserText().strip();
        String answer;
        String finish = "stop";
        List<Citation> citations = List.of();
        if (question.isEmpty()) {
            answer = EMPTY_QUESTION;
        } else {
            String query = question.length() > KnowledgeManagement.MAX_QUERY_CHARS
                    ? question.substring(0, KnowledgeManagement.MAX_QUERY_CHARS) : question;
            KnowledgeManagement.Answer found = knowledge.answer(request.tenantId(), query, threshold);
            if (found.hit().isEmpty()) {
                answer = found.queryLanguage().map(NO_ANSWERS::get).orElse(NO_ANSWER);
                finish = "handoff";
            } else {
                KnowledgeHit best = found.hit().get();
                answer = best.answer().map(a -> AnswerContext.of(question, found.queryLanguage(), best.text(), a))
                        .orElse(best.text());
                citations = List.of(new Citation(best.documentId(), best.documentTitle(), best.section()));
            }
        }
        Sampling.Cut cut = request.sampling().cut(answer);
        if (cut.byLength()) {
            finish = "length";
        }
        answer = cut.text();
        for (String piece : pieces(answer)) {
            onDelta.accept(piece);
        }
        return new Completion(NAME, defaultModel(), answer, Tokens.estimate(request.messages()),
                Tokens.estimate(answer), finish, List.of(), citations);
    }

    /** The answer cut into words with their following space, so it streams like an LLM's. */
    static List<String> pieces(String text) {
        List<String> out = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }
}
