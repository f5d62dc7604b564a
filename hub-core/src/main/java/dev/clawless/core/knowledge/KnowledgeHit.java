package dev.clawless.core.knowledge;

import java.util.Optional;

/**
 * A chunk that matched a search: what to cite is its document's title and its section.
 *
 * @param documentId    its document
 * @param documentTitle the document's title
 * @param chunkId       the chunk
 * @param text          the chunk's text (for an FAQ entry, the question)
 * @param answer        for an FAQ entry, its answer
 * @param score         relevance to the query, 0 to 1: lexical coverage fused with embedding similarity
 * @param section       the heading path of the section the chunk is from ({@code Setup > Linux}), when it has one
 */
public record KnowledgeHit(String documentId, String documentTitle, String chunkId, String text,
                           Optional<String> answer, double score, Optional<String> section) {

    /** A hit without a section (plain text, FAQ, or a chunk stored before sections were kept). */
    public KnowledgeHit(String documentId, String documentTitle, String chunkId, String text, Optional<String> answer,
                        double score) {
        this(documentId, documentTitle, chunkId, text, answer, score, Optional.empty());
    }
}
