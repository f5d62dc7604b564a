package dev.clawless.core.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.security.NetworkGuard;

/**
 * Downloads a document from a URL for the knowledge base: only http(s) URLs the hub's {@link NetworkGuard} allows
 * (a private, loopback or metadata address is refused with 400), each redirect checked by the guard again before it
 * is followed (at most {@value #MAX_REDIRECTS}), at most the configured file size (413), and within
 * {@link #TIMEOUT} from the first byte sent to the last received. Thread-safe.
 */
public final class DocumentFetcher {

    public static final int MAX_REDIRECTS = 5;

    /** The longest URL kept as a document's source (its column holds 2,048 characters). */

    public static final int MAX_URL_CHARS = 2_048;
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** A downloaded file: its bytes, the type the server declared, a file name taken from the URL, the final URL. */
    public record Fetched(byte[] bytes, Optional<String> contentType, Optional<String> fileName, URI url) {
    }

    private final NetworkGuard guard;
    private final long maxBytes;

    public DocumentFetcher(NetworkGuard guard, long maxBytes) {
        this.guard = guard;
        this.maxBytes = maxBytes;
    }

    /**
     * @param url     the URL, as the caller gave it
     * @param field   the request field that carried it, named in a 400
     * @throws ClawlessException.Validation      not an http(s) URL, or one the network guard refuses
     * @throws ClawlessException.PayloadTooLarge the document is larger than allowed
     * @throws ClawlessException.Unprocessable   the URL did not answer with a document in time
     */
    public Fetched fetch(String url, String field) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw ClawlessException.Validation.of(field, "is not a URL");
        }
        if (!uri.isAbsolute()) {
            throw ClawlessException.Validation.of(field, "must be an absolute http or https URL");
        }
        URI start = uri;
        try (ExecutorService one = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Fetched> download = one.submit(() -> follow(start, field));
            try {
                return download.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                download.cancel(true);
                throw failed("the URL did not send the document within " + TIMEOUT.toSeconds() + " seconds");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ClawlessException c) {
                    throw c;
                }
                throw failed("the URL could not be reached (" + e.getCause().getClass().getSimpleName() + ")");
            } catch (InterruptedException e) {
                download.cancel(true);
                Thread.currentThread().interrupt();
                throw failed("interrupted while fetching the URL");
            }
        }
    }

    private Fetched follow(URI first, String field) throws IOException, InterruptedException {
        URI uri = first;
        for (int hop = 0; ; hop++) {
            Optional<String> refusal = guard.refusal(uri);
            if (refusal.isPresent()) {
                throw ClawlessException.Validation.of(field, (hop == 0 ? "" : "redirects to " + uri.getHost()
                        + ", which ") + "may not be fetched: " + refusal.get());
            }
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("User-Agent", "Clawless-Knowledge/1")
                    .header("Accept", "application/pdf, application/vnd.openxmlformats-officedocument"
                            + ".wordprocessingml.document, text/html, text/markdown, text/plain;q=0.9, */*;q=0.5")
                    .GET().build();
            HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                int status = response.statusCode();
                if (status / 100 == 3 && response.headers().firstValue("Location").isPresent()) {
                    if (hop >= MAX_REDIRECTS) {
                        throw failed("the URL redirects more than " + MAX_REDIRECTS + " times");
                    }
                    uri = redirect(uri, response.headers().firstValue("Location").get());
                    continue;
                }
                if (status / 100 != 2) {
                    throw failed("the URL answered HTTP " + status);
                }
                long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
                if (declared > maxBytes) {
                    throw tooLarge();
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw tooLarge();
                }
                return new Fetched(bytes, response.headers().firstValue("Content-Type"), fileName(uri), uri);
            }
        }
    }

    private URI redirect(URI from, String location) {
        if (location.length() > MAX_URL_CHARS) {
            throw failed("the URL redirects to a URL longer than " + MAX_URL_CHARS + " characters");
        }
        try {
            return from.resolve(new URI(location.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw failed("the URL redirects to something that is not a URL");
        }
    }

    private static Optional<String> fileName(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isBlank() ? Optional.empty() : Optional.of(last);
    }

    private ClawlessException tooLarge() {
        return new ClawlessException.PayloadTooLarge("the document at the URL is larger than " + maxBytes
                + " bytes");
    }

    private static ClawlessException failed(String detail) {
        return new ClawlessException.Unprocessable("url-fetch-failed", detail);
    }
}
