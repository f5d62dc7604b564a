package dev.clawless.core.assistant;

import java.util.List;
import java.util.function.Consumer;

import dev.clawless.core.knowledge.KnowledgeHit;
import dev.clawless.core.knowledge.KnowledgeManagement;

/**
 * The embedded provider: no LLM and no API key. It answers the last user message from the tenant's knowledge by
 * embedding similarity — an FAQ entry's answer, or the best matching passage — and, when nothing is similar enough,
 * says so and offers a human. Deterministic.
 */
public final class RetrievalProvider implements AssistantProvider {

    public static final String NAME = "retrieval";
    static final String NO_ANSWER = "I'm sorry, I couldn't find an answer to that in our knowledge base. "
            + "Would you like me to connect you with a person?";
    static final String EMPTY_QUESTION = "How can I help you?";

    private final KnowledgeManagement knowledge;
    private final double threshold;

    /**
     * @param knowledge the tenants' knowledge
     * @param threshold the least cosine similarity that counts as an answer (0.35 suits all-MiniLM-L6-v2 FAQs; see docs/api.md)
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
        return "all-minilm-l6-v2";
    }

    @Override
    public Completion complete(AssistantRequest request, Consumer<String> onDelta) {
        String question = request.lastUserText().strip();
        String answer;
        String finish = "stop";
        if (question.isEmpty()) {
            answer = EMPTY_QUESTION;
        } else {
            String query = question.length() > KnowledgeManagement.MAX_QUERY_CHARS
                    ? question.substring(0, KnowledgeManagement.MAX_QUERY_CHARS) : question;
            List<KnowledgeHit> hits = knowledge.search(request.tenantId(), query, 1);
            if (hits.isEmpty() || hits.get(0).score() < threshold) {
                answer = NO_ANSWER;
                finish = "handoff";
            } else {
                answer = hits.get(0).answer().orElse(hits.get(0).text());
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
                Tokens.estimate(answer), finish);
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
