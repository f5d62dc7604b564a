package dev.clawless.core.knowledge;

import java.util.List;

/**
 * Turns text into unit-length vectors whose dot product measures similarity of meaning. Thread-safe.
 */
public interface Embedder {

    /**
     * The model's name, stored beside every vector it made: vectors of different models are not comparable, so a
     * vector stored under another name is computed again ({@link Reembedding}).
     */
    String model();

    /** Vector length. */
    int dimension();

    /**
     * One vector per text, in order, each of length 1 — except for a text with nothing to embed (only invisible
     * characters, say), whose vector is all zeros: similar to nothing. Never throws for the text it is given.
     */
    List<float[]> embed(List<String> texts);

    default float[] embed(String text) {
        return embed(List.of(text)).get(0);
    }
}
