package dev.clawless.core.knowledge;

import java.time.Instant;
import java.util.Optional;

/**
 * A stored document.
 *
 * @param id         {@code doc_…}
 * @param tenantId   owner
 * @param title      title
 * @param format     format of its stored content
 * @param sizeBytes  UTF-8 size of its content
 * @param chunkCount chunks it was cut into
 * @param createdAt  when it was added
 * @param mediaType  for a document read from a file, the media type detected ({@code application/pdf})
 * @param source     for a document read from a file, its file name or the URL it was fetched from
 */
public record KnowledgeDocument(String id, String tenantId, String title, DocumentFormat format, long sizeBytes,
                                int chunkCount, Instant createdAt, Optional<String> mediaType,
                                Optional<String> source) {
}
