package dev.clawless.core.knowledge;

import java.util.Optional;

/**
 * One searchable piece of a document as it was cut: its position, the text that is embedded (a markdown chunk starts
 * with its heading path; an FAQ chunk is the question) and, for an FAQ entry, the answer given.
 */
public record KnowledgeChunk(String id, int ordinal, String text, Optional<String> answer) {
}
