package dev.clawless.core.knowledge;

import java.util.Optional;

/**
 * One searchable piece of a document as it was cut: its position, the text that is embedded (a markdown chunk starts
 * with its heading path; an FAQ chunk is the question), for an FAQ entry the answer given, and the heading path of
 * its section ({@code Setup > Linux}) when it has one.
 */
public record KnowledgeChunk(String id, int ordinal, String text, Optional<String> answer, Optional<String> section) {

    /** A chunk without a section. */
    public KnowledgeChunk(String id, int ordinal, String text, Optional<String> answer) {
        this(id, ordinal, text, answer, Optional.empty());
    }
}
