package dev.clawless.core.knowledge;

/**
 * Knowledge limits.
 *
 * @param maxDocumentBytes largest document content accepted, as text (413 beyond); also the most text a file may
 *                         expand to
 * @param maxChunkChars    longest chunk the chunker makes
 * @param maxFileBytes     largest file accepted for parsing, uploaded or fetched from a URL (413 beyond)
 */
public record KnowledgeConfig(long maxDocumentBytes, int maxChunkChars, long maxFileBytes) {

    public static final long DEFAULT_MAX_FILE_BYTES = 10L << 20;

    /** Limits with the default file size, {@value #DEFAULT_MAX_FILE_BYTES} bytes. */
    public KnowledgeConfig(long maxDocumentBytes, int maxChunkChars) {
        this(maxDocumentBytes, maxChunkChars, DEFAULT_MAX_FILE_BYTES);
    }
}
