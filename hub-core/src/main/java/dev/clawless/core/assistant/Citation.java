package dev.clawless.core.assistant;

import java.util.Optional;

/**
 * Where an answer came from: a knowledge document and, when the chunk had one, its section.
 *
 * @param documentId    the document
 * @param documentTitle its title
 * @param section       the heading path of the chunk's section ({@code Shipping > Returns}), when it has one
 */
public record Citation(String documentId, String documentTitle, Optional<String> section) {
}
