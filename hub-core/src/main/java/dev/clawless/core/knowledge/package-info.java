/**
 * Knowledge: a tenant's documents (markdown, text, FAQ), cut into chunks, embedded in-process with
 * all-MiniLM-L6-v2 and searched by cosine similarity. {@link dev.clawless.core.knowledge.KnowledgeManagement} is the
 * module's API.
 */
package dev.clawless.core.knowledge;
