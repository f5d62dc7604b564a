/**
 * The assistant runtime: providers that answer a conversation (the embedded {@code retrieval} provider now; LLM
 * providers through langchain4j next), model resolution per tenant and request, and streaming of deltas.
 * {@link dev.clawless.core.assistant.AssistantRuntime} is the module's API.
 */
package dev.clawless.core.assistant;
