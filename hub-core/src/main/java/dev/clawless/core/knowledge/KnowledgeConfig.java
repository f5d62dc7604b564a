package dev.clawless.core.knowledge;

/**
 * Knowledge limits.
 *
 * @param maxDocumentBytes largest document content accepted (413 beyond)
 * @param maxChunkChars    longest chunk the chunker makes
 */
public record KnowledgeConfig(long maxDocumentBytes, int maxChunkChars) {
}
