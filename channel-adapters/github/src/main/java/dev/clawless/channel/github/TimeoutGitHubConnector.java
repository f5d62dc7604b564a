package dev.clawless.channel.github;

import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GitHubConnector with a per-request timeout (the built-in HttpClientGitHubConnector sets none) and
 * without the library's silent retries: GitHubClient retries SocketException / SocketTimeoutException /
 * SSLHandshakeException up to 2 more times (even for POST). We rethrow them as plain IOException.
 */
final class TimeoutGitHubConnector implements GitHubConnector {
    private final HttpClient client;
    private final Duration requestTimeout;

    TimeoutGitHubConnector(Duration connectTimeout, Duration requestTimeout) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER) // GitHubClient handles redirects itself
                .build();
        this.requestTimeout = requestTimeout;
    }

    @Override
    public GitHubConnectorResponse send(GitHubConnectorRequest req) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(req.url().toString())).timeout(requestTimeout);
        req.allHeaders().forEach((k, v) -> b.header(k, String.join(",", v)));
        HttpRequest.BodyPublisher body = req.hasBody()
                ? HttpRequest.BodyPublishers.ofByteArray(req.body().readAllBytes())
                : HttpRequest.BodyPublishers.noBody();
        b.method(req.method(), body);
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] bytes = r.body();
            return new GitHubConnectorResponse.ByteArrayResponse(req, r.statusCode(), r.headers().map()) {
                @Override
                protected InputStream rawBodyStream() {
                    return new ByteArrayInputStream(bytes);
                }
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw (InterruptedIOException) new InterruptedIOException("interrupted").initCause(e);
        } catch (SocketTimeoutException | SocketException | javax.net.ssl.SSLHandshakeException e) {
            // not a subclass of the three types GitHubClient retries -> fails fast, exactly one attempt
            throw new IOException("GitHub request failed (no retry): " + e, e);
        }
    }
}
