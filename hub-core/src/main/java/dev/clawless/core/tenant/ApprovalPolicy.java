package dev.clawless.core.tenant;

import java.util.Arrays;
import java.util.Optional;

/** Which tool calls pause the assistant's turn until an operator approves them. */
public enum ApprovalPolicy {
    /** Tools that change something outside the hub (the default). */
    MUTATING("mutating"),
    /** Every tool call. */
    ALWAYS("always"),
    /** None: the tenant accepts that the assistant acts on its own. */
    NEVER("never");

    private final String wire;

    ApprovalPolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<ApprovalPolicy> fromWire(String value) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(value)).findFirst();
    }
}
