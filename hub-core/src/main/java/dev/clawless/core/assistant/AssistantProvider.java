package dev.clawless.core.assistant;

import java.util.function.Consumer;

/**
 * Something that answers a conversation: the embedded retrieval provider, or an LLM.
 *
 * <p>Threading: called from many virtual threads at once; {@code onDelta} is called on the calling thread, in order.
 */
public interface AssistantProvider {

    /** The provider's name as used in {@code provider/model} ({@code retrieval}, {@code openai}, …). */
    String name();

    /** The model used when a request names none ({@code default}). */
    String defaultModel();

    /**
     * Answers the request, handing each piece of text to {@code onDelta} as it is produced.
     *
     * @throws ProviderException when the provider fails (the runtime may fall back to another)
     */
    Completion complete(AssistantRequest request, Consumer<String> onDelta);
}
