package dev.clawless.core.knowledge;

import java.util.List;

/**
 * Turns text into unit-length vectors whose dot product measures similarity of meaning. Thread-safe.
 */
public interface Embedder {

    /** Vector length. */
    int dimension();

    /** One vector per text, in order, each of length 1. */
    List<float[]> embed(List<String> texts);

    default float[] embed(String text) {
        return embed(List.of(text)).get(0);
    }
}
