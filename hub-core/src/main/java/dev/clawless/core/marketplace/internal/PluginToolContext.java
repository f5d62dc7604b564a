package dev.clawless.core.marketplace.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.function.Supplier;

import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.HostPatterns;
import dev.clawless.plugin.api.ToolContext;

/**
 * What a plugin's tool call gets: the installation's config and granted secrets, a logger that names the tenant and
 * installation, and HTTP limited to the plugin's declared hosts (plus the host of the installation's
 * {@code api_base_url}), through the private-address guard after DNS resolution, without following redirects, with
 * answers read up to {@link #MAX_ANSWER_BYTES}.
 */
public final class PluginToolContext implements ToolContext {

    /** The largest answer a plugin's request may read. */
    public static final int MAX_ANSWER_BYTES = 10 * 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final String tenantId;
    private final Optional<String> conversationId;
    private final String installationId;
    private final String pluginId;
    private final Map<String, String> config;
    private final Supplier<Map<String, String>> secrets;
    private final List<String> hosts;
    private final NetworkGuard guard;

    public PluginToolContext(String tenantId, Optional<String> conversationId, String installationId, String pluginId,
                             Map<String, String> config, Supplier<Map<String, String>> secrets, List<String> hosts,
                             NetworkGuard guard) {
        this.tenantId = tenantId;
        this.conversationId = conversationId;
        this.installationId = installationId;
        this.pluginId = pluginId;
        this.config = Map.copyOf(config);
        this.secrets = secrets;
        this.hosts = List.copyOf(hosts);
        this.guard = guard;
    }

    @Override
    public String tenantId() {
        return tenantId;
    }

    @Override
    public Optional<String> conversationId() {
        return conversationId;
    }

    @Override
    public Map<String, String> config() {
        return config;
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.ofNullable(secrets.get().get(name));
    }

    @Override
    public System.Logger logger() {
        return new Tagged(System.getLogger("clawless.plugin." + pluginId), "[tenant " + tenantId + ", installation "
                + installationId + "] ");
    }

    @Override
    public HttpResponse<byte[]> http(HttpRequest request) throws IOException, InterruptedException {
        URI uri = request.uri();
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                || uri.getHost() == null) {
            throw new SecurityException("only http(s) URLs with a host may be called");
        }
        if (!HostPatterns.allows(hosts, uri.getHost())) {
            throw new SecurityException("the plugin " + pluginId + " did not declare the host " + uri.getHost()
                    + " (declared: " + (hosts.isEmpty() ? "none" : String.join(", ", hosts)) + ")");
        }
        Optional<String> refusal = guard.refusal(uri);
        if (refusal.isPresent()) {
            throw new SecurityException("refused " + uri.getHost() + ": " + refusal.get());
        }
        HttpRequest bounded = request.timeout().isPresent() ? request
                : HttpRequest.newBuilder(request, (k, v) -> true).timeout(Duration.ofSeconds(30)).build();
        return HTTP.send(bounded, info -> HttpResponse.BodySubscribers.mapping(
                HttpResponse.BodySubscribers.ofInputStream(), PluginToolContext::readBounded));
    }

    private static byte[] readBounded(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > MAX_ANSWER_BYTES) {
                    throw new java.io.UncheckedIOException(new IOException("the answer is larger than "
                            + MAX_ANSWER_BYTES + " bytes"));
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A logger that prefixes every record with the tenant and installation. */
    private record Tagged(System.Logger delegate, String prefix) implements System.Logger {

        @Override
        public String getName() {
            return delegate.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return delegate.isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            delegate.log(level, bundle, prefix + msg, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            delegate.log(level, bundle, prefix + format, params);
        }
    }
}
