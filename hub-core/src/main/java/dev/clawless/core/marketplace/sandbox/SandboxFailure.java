package dev.clawless.core.marketplace.sandbox;

/**
 * A sandboxed plugin's call that failed in the sandbox rather than in the plugin's own logic: the child crashed,
 * ran out of memory, overran its time, or is waiting to restart. The message says which, for the operator and the
 * model.
 */
public final class SandboxFailure extends RuntimeException {

    public SandboxFailure(String message) {
        super(message);
    }
}
