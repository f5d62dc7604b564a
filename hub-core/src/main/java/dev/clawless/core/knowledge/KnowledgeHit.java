package dev.clawless.core.knowledge;

import java.util.Optional;

/**
 * A chunk that matched a search.
 *
 * @param documentId    its document
 * @param documentTitle the document's title
 * @param chunkId       the chunk
 * @param text          the chunk's text (for an FAQ entry, the question)
 * @param answer        for an FAQ entry, its answer
 * @param score         relevance to the query, 0 to 1: lexical coverage fused with embedding similarity
 */
public record KnowledgeHit(String documentId, String documentTitle, String chunkId, String text,
                           Optional<String> answer, double score) {
}
