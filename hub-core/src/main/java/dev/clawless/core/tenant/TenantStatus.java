package dev.clawless.core.tenant;

import java.util.Arrays;
import java.util.Optional;

/** Whether a tenant's keys work: a suspended tenant's keys answer 403. */
public enum TenantStatus {
    ACTIVE("active"), SUSPENDED("suspended");

    private final String wire;

    TenantStatus(String wire) {
        this.wire = wire;
    }

    /** The name used in the API and the database. */
    public String wire() {
        return wire;
    }

    public static Optional<TenantStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(value)).findFirst();
    }
}
