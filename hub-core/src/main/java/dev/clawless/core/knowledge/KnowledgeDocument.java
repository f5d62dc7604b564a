package dev.clawless.core.knowledge;

import java.time.Instant;

/**
 * A stored document.
 *
 * @param id         {@code doc_…}
 * @param tenantId   owner
 * @param title      title
 * @param format     format
 * @param sizeBytes  UTF-8 size of its content
 * @param chunkCount chunks it was cut into
 * @param createdAt  when it was added
 */
public record KnowledgeDocument(String id, String tenantId, String title, DocumentFormat format, long sizeBytes,
                                int chunkCount, Instant createdAt) {
}
