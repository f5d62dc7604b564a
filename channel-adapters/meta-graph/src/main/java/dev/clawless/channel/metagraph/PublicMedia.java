package dev.clawless.channel.metagraph;

import java.time.Duration;
import java.util.Optional;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension.Media;

/** Downloads of a platform's media: public addresses only, one redirect at most, credentials never forwarded. */
public final class PublicMedia {

    private PublicMedia() {
    }

    /**
     * GETs {@code uri} (optionally authorised), following at most one redirect, without the credentials, and only to
     * a public address (or the connection's own API host, which the hub checked when it was configured).
     */
    public static Media fetch(java.net.http.HttpClient http, java.net.URI uri, Optional<String> authorization,
                              long maxBytes, String fallbackType, ChannelConnection c) {
        return fetch(http, uri, authorization, maxBytes, fallbackType, c, 0);
    }

    private static Media fetch(java.net.http.HttpClient http, java.net.URI uri, Optional<String> authorization,
                               long maxBytes, String fallbackType, ChannelConnection c, int hops) {
        String apiHost = c.config("api_base_url").map(b -> java.net.URI.create(b).getHost()).orElse("");
        if (!(uri.getHost() != null && uri.getHost().equalsIgnoreCase(apiHost))
                && !dev.clawless.plugin.api.Addresses.isPublic(uri)) {
            throw new ChannelException.SendFailed("media URL points at a non-public address", 0, false,
                    Optional.empty(), Optional.empty(), null);
        }
        try {
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(60)).GET();
            authorization.ifPresent(a -> b.header("Authorization", a));
            java.net.http.HttpResponse<java.io.InputStream> r = http.send(b.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 == 3 && r.headers().firstValue("Location").isPresent()) {
                r.body().close();
                if (hops > 0) {
                    throw new ChannelException.SendFailed("media download redirected more than once", r.statusCode(),
                            false, Optional.empty(), Optional.empty(), null);
                }
                return fetch(http, uri.resolve(r.headers().firstValue("Location").get()), Optional.empty(), maxBytes,
                        fallbackType, c, hops + 1);
            }
            try (java.io.InputStream in = r.body()) {
                if (r.statusCode() / 100 != 2) {
                    throw new ChannelException.SendFailed("media download answered " + r.statusCode(),
                            r.statusCode(), r.statusCode() >= 500 || r.statusCode() == 429, Optional.empty(),
                            Optional.empty(), null);
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw new ChannelException.Malformed("the media is larger than " + maxBytes + " bytes", null);
                }
                return new Media(r.headers().firstValue("Content-Type").orElse(fallbackType), bytes);
            }
        } catch (java.io.IOException e) {
            throw new ChannelException.SendFailed("media download failed: " + e.getClass().getSimpleName(), 0, true,
                    Optional.empty(), Optional.empty(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException.SendFailed("interrupted", 0, true, Optional.empty(), Optional.empty(), e);
        }
    }

}
