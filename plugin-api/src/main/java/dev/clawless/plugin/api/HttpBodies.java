package dev.clawless.plugin.api;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Body handlers for {@link java.net.http.HttpClient} that never read more than asked, whatever a server sends. */
public final class HttpBodies {

    private HttpBodies() {
    }

    /** The first {@code maxBytes} of an answer, as UTF-8 text (an answer cut short is simply shorter). */
    public static HttpResponse.BodyHandler<String> text(int maxBytes) {
        return info -> HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(), in -> {
            try (in) {
                return new String(in.readNBytes(maxBytes), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
