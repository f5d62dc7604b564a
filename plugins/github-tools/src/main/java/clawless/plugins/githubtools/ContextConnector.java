package clawless.plugins.githubtools;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;

import dev.clawless.plugin.api.ToolContext;

/**
 * Sends github-api's requests through the hub's {@link ToolContext#http}, so the installation's host allow-list and
 * the private-address guard apply to every GitHub call.
 */
final class ContextConnector implements GitHubConnector {

    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host",
            "upgrade");

    private final ToolContext context;

    ContextConnector(ToolContext context) {
        this.context = context;
    }

    @Override
    public GitHubConnectorResponse send(GitHubConnectorRequest request) throws IOException {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(request.url().toURI()).timeout(Duration.ofSeconds(20));
        } catch (URISyntaxException e) {
            throw new IOException("not a URL: " + request.url(), e);
        }
        for (Map.Entry<String, List<String>> h : request.allHeaders().entrySet()) {
            if (h.getKey() != null && !RESTRICTED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                h.getValue().forEach(v -> b.header(h.getKey(), v));
            }
        }
        byte[] body = request.hasBody() ? request.body().readAllBytes() : new byte[0];
        b.method(request.method(), request.hasBody() ? HttpRequest.BodyPublishers.ofByteArray(body)
                : HttpRequest.BodyPublishers.noBody());
        HttpResponse<byte[]> response;
        try {
            response = context.http(b.build());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        byte[] bytes = response.body();
        return new GitHubConnectorResponse.ByteArrayResponse(request, response.statusCode(),
                response.headers().map()) {
            @Override
            protected InputStream rawBodyStream() {
                return new ByteArrayInputStream(bytes);
            }
        };
    }
}
