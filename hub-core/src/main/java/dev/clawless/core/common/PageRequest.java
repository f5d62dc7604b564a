package dev.clawless.core.common;

import java.util.Optional;

/**
 * Which page of a list to read: at most {@code limit} items after {@code cursor}.
 *
 * @param limit  1 to {@link #MAX_LIMIT}
 * @param cursor the {@code next_cursor} of the previous page; empty for the first page
 */
public record PageRequest(int limit, Optional<String> cursor) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ClawlessException.Validation.of("limit", "must be between 1 and " + MAX_LIMIT);
        }
        if (cursor.isPresent() && (cursor.get().isEmpty() || cursor.get().length() > 200)) {
            throw ClawlessException.Validation.of("cursor", "is not a cursor this list returned");
        }
    }

    public static PageRequest first(int limit) {
        return new PageRequest(limit, Optional.empty());
    }
}
