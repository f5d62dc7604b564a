package dev.clawless.plugin.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A platform's HTTP request to {@code /hooks/{connectionId}}, as raw as the hub received it, so that a signature
 * can be checked over the exact bytes before anything is parsed.
 *
 * @param method    HTTP method
 * @param publicUrl the URL the platform called, as configured ({@code clawless.public-base-url} + path), which some
 *                  signatures cover
 * @param headers   request headers; names are case-insensitive
 * @param query     query parameters
 * @param body      the raw body
 */
public record InboundRequest(String method, String publicUrl, Map<String, List<String>> headers,
                             Map<String, List<String>> query, byte[] body) {

    public InboundRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(publicUrl, "publicUrl");
        Objects.requireNonNull(body, "body");
        TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        headers = java.util.Collections.unmodifiableMap(h);
        query = Map.copyOf(query);
        body = body.clone();
    }

    /** The first value of a header, if present. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The first value of a query parameter, if present. */
    public Optional<String> queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
