package dev.clawless.core.account;

import java.time.Instant;
import java.util.List;

/**
 * A group of a tenant's members that conversations can be routed to.
 *
 * @param id        {@code tm_…}
 * @param tenantId  the tenant
 * @param name      its name
 * @param memberIds its members' user ids
 * @param createdAt when it was made
 */
public record Team(String id, String tenantId, String name, List<String> memberIds, Instant createdAt) {

    public Team {
        memberIds = List.copyOf(memberIds);
    }
}
