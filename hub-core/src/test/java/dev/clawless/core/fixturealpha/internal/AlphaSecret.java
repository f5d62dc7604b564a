package dev.clawless.core.fixturealpha.internal;

/** Test fixture: an internal class of a module named {@code fixturealpha}. */
public final class AlphaSecret {
    public static String value() {
        return "secret";
    }
}
