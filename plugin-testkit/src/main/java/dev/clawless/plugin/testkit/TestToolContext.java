package dev.clawless.plugin.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;

import dev.clawless.plugin.api.Addresses;
import dev.clawless.plugin.api.HostPatterns;
import dev.clawless.plugin.api.ToolContext;

/**
 * A {@link ToolContext} for unit tests that grants what a hub installation would, by the hub's rules: the config and
 * secrets you give, HTTP only to the hosts you declare (as in {@code clawless-plugin.json}) and to public addresses,
 * no redirects followed. Log records are kept for assertions. For a local fake server (WireMock on 127.0.0.1), call
 * {@link Builder#allowPrivateAddresses()} — the hub's operators do the same with
 * {@code clawless.network.allow-private-addresses}.
 *
 * <pre>{@code
 * ToolContext context = TestToolContext.builder().config("greeting", "Hi").secret("api_key", "k")
 *         .hosts("api.example.com").build();
 * ToolResult r = new MyTool().invoke(new ToolCall("1", "my_tool", "{}"), context);
 * }</pre>
 */
public final class TestToolContext implements ToolContext {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final String tenantId;
    private final Optional<String> conversationId;
    private final Map<String, String> config;
    private final Map<String, String> secrets;
    private final List<String> hosts;
    private final boolean allowPrivate;
    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final List<URI> requested = Collections.synchronizedList(new ArrayList<>());

    private TestToolContext(Builder b) {
        this.tenantId = b.tenantId;
        this.conversationId = Optional.ofNullable(b.conversationId);
        this.config = Map.copyOf(b.config);
        this.secrets = Map.copyOf(b.secrets);
        this.hosts = List.copyOf(b.hosts);
        this.allowPrivate = b.allowPrivate;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a context; every setter may be called again to replace a value. */
    public static final class Builder {
        private String tenantId = "ten_test";
        private String conversationId = "cnv_test";
        private final Map<String, String> config = new HashMap<>();
        private final Map<String, String> secrets = new HashMap<>();
        private final List<String> hosts = new ArrayList<>();
        private boolean allowPrivate;

        public Builder tenantId(String id) {
            this.tenantId = id;
            return this;
        }

        public Builder conversationId(String id) {
            this.conversationId = id;
            return this;
        }

        /** A config value; non-string values reach plugins as JSON text, so pass JSON for arrays and objects. */
        public Builder config(String name, String value) {
            config.put(name, value);
            return this;
        }

        public Builder secret(String name, String value) {
            secrets.put(name, value);
            return this;
        }

        /** The hosts the plugin declares ({@code api.example.com}, {@code *.example.com} or {@code *}). */
        public Builder hosts(String... patterns) {
            hosts.addAll(List.of(patterns));
            return this;
        }

        /** Lets requests reach loopback and private addresses, for a fake server on this machine. */
        public Builder allowPrivateAddresses() {
            this.allowPrivate = true;
            return this;
        }

        public TestToolContext build() {
            return new TestToolContext(this);
        }
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
        return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public System.Logger logger() {
        return new System.Logger() {
            @Override
            public String getName() {
                return "plugin-test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                logged.add(level + " " + msg);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                logged.add(level + " " + (params == null || params.length == 0 ? format
                        : java.text.MessageFormat.format(format, params)));
            }
        };
    }

    @Override
    public HttpResponse<byte[]> http(HttpRequest request) throws IOException, InterruptedException {
        URI uri = request.uri();
        if (!HostPatterns.allows(hosts, uri.getHost())) {
            throw new SecurityException("the plugin did not declare the host " + uri.getHost());
        }
        if (!allowPrivate && !Addresses.isPublic(uri)) {
            throw new SecurityException("refused " + uri.getHost() + ": not a public address");
        }
        requested.add(uri);
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** What the tool logged, as {@code LEVEL message}. */
    public List<String> logged() {
        return List.copyOf(logged);
    }

    /** The URLs the tool requested (after the grant checks passed). */
    public List<URI> requested() {
        return List.copyOf(requested);
    }
}
