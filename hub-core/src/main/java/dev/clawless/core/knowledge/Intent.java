package dev.clawless.core.knowledge;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A named intent, learned from example messages.
 *
 * @param id        {@code int_…}
 * @param tenantId  owner
 * @param name      unique per tenant, e.g. {@code purchase}
 * @param examples  messages that express it
 * @param mode      the assistant mode it switches to, if any (e.g. {@code sales})
 * @param createdAt when it was defined
 */
public record Intent(String id, String tenantId, String name, List<String> examples, Optional<String> mode,
                     Instant createdAt) {

    public Intent {
        examples = List.copyOf(examples);
    }
}
