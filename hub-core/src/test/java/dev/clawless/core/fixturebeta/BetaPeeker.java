package dev.clawless.core.fixturebeta;

import dev.clawless.core.fixturealpha.internal.AlphaSecret;

/** Test fixture: a module that reaches into another module's internal package, which the rule must reject. */
public final class BetaPeeker {
    public String peek() {
        return AlphaSecret.value();
    }
}
