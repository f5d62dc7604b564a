package dev.clawless.core.common;

import java.util.List;
import java.util.Optional;

/**
 * One page of a list, and the cursor of the next page when there is one.
 *
 * @param data       the items, in list order
 * @param nextCursor opaque cursor for the following page; empty on the last page
 * @param <T>        item type
 */
public record Page<T>(List<T> data, Optional<String> nextCursor) {

    public Page {
        data = List.copyOf(data);
    }

    /**
     * Builds a page from a query that fetched up to {@code limit + 1} rows: the extra row only tells that another
     * page exists.
     */
    public static <T> Page<T> of(List<T> fetched, int limit, java.util.function.Function<T, String> cursorOf) {
        if (fetched.size() <= limit) {
            return new Page<>(fetched, Optional.empty());
        }
        List<T> data = fetched.subList(0, limit);
        return new Page<>(data, Optional.of(cursorOf.apply(data.get(limit - 1))));
    }
}
