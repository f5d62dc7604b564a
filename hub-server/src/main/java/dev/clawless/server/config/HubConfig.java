package dev.clawless.server.config;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import redis.clients.jedis.util.JedisURIHelper;

import dev.clawless.core.assistant.LangChainProvider;
import dev.clawless.core.assistant.RoutingRules;
import dev.clawless.core.assistant.TurnSettings;
import dev.clawless.core.knowledge.KnowledgeConfig;
import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.tenant.Plan;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.TenantConfig;
import dev.clawless.core.usage.Prices;
import dev.clawless.server.cluster.RedisSettings;

/**
 * The hub's configuration, typed and validated. Secrets are masked in {@link #toString()}.
 *
 * @param port          HTTP port (0: any free port)
 * @param host          listen address
 * @param dataDir       local state folder
 * @param publicBaseUrl external base URL, if set
 * @param adminToken    configured admin token, if set (else generated under {@code dataDir})
 * @param db            database settings; an empty URL means the embedded H2 database
 * @param maxBodySize   request body limit in bytes
 * @param shutdownGrace time in-flight requests get on shutdown
 * @param logLevel      root log level
 * @param logJson       JSON log lines (else plain text); {@code auto}: text on a terminal, JSON otherwise
 * @param accessLog     one log line per request
 * @param tenants       tenant module settings
 * @param knowledge     knowledge limits
 * @param retrievalThreshold least similarity at which the retrieval assistant answers from knowledge
 * @param providers     the LLM providers configured (available)
 * @param fallback      provider names tried when the chosen provider fails
 * @param prices        price table for cost estimates
 * @param keyRequestsPerMinute requests per minute per API key, −1 for no per-key limit
 * @param intentThreshold least similarity at which a message gets an intent
 * @param tools         tool settings
 * @param routing       routing rules
 * @param turns         context assembly settings
 * @param masterKey     the configured master key (32 bytes), if any
 * @param jobs          job queue settings
 * @param channels      channel settings
 * @param marketplace   plugin marketplace settings
 * @param demo          provision the demo tenant and serve the demo page at {@code /}
 * @param accounts      how people's accounts and sessions behave
 * @param mail          the SMTP server for the hub's own mail, if any
 * @param trustedProxies addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For} is believed
 * @param redis         the Redis the nodes share, if configured
 */
public record HubConfig(int port, String host, Path dataDir, Optional<String> publicBaseUrl,
                        Optional<String> adminToken, DatabaseConfig db, long maxBodySize, Duration shutdownGrace,
                        Level logLevel, boolean logJson, boolean accessLog, TenantConfig tenants,
                        KnowledgeConfig knowledge, double retrievalThreshold,
                        List<LangChainProvider.Settings> providers, List<String> fallback, Prices prices,
                        long keyRequestsPerMinute, double intentThreshold, ToolSettings tools,
                        RoutingRules routing, TurnSettings turns, Optional<byte[]> masterKey,
                        dev.clawless.core.jobs.JobConfig jobs, dev.clawless.core.channel.ChannelSettings channels,
                        dev.clawless.core.marketplace.MarketplaceSettings marketplace, boolean demo,
                        dev.clawless.core.account.AccountSettings accounts, Optional<MailSettings> mail,
                        List<String> trustedProxies,
                        Optional<RedisSettings> redis, dev.clawless.core.backup.Backups.BackupSettings backup,
                        Optional<String> transcriptsMongoUri, Optional<String> tracingEndpoint) {

    /**
     * The SMTP server for the hub's own mail.
     *
     * @param tls {@code starttls}, {@code ssl} or {@code none}
     */
    public record MailSettings(String host, int port, String username, String password, String from, String tls) {
        @Override
        public String toString() {
            return "MailSettings[" + host + ":" + port + ", username=" + username + ", password="
                    + (password.isEmpty() ? "" : "****") + ", from=" + from + ", tls=" + tls + "]";
        }
    }

    /**
     * Tool settings.
     *
     * @param httpAllowedUrls       URL prefixes {@code http_request} may call
     * @param timeout               longest a tool call may take
     * @param allowPrivateAddresses let tools reach internal addresses (development, tests)
     * @param workspace             what the assistant's workspaces may use, and whether tenants may have one
     */
    public record ToolSettings(List<String> httpAllowedUrls, Duration timeout, boolean allowPrivateAddresses,
                               dev.clawless.core.workspace.WorkspaceLimits workspace) {
    }

    /** Shortest admin token accepted from configuration. */
    public static final int MIN_ADMIN_TOKEN_LENGTH = 24;

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

    /** True when the database is the embedded H2 file database under {@link #dataDir()} (no URL configured). */
    public boolean embeddedDatabase() {
        return db.url().equals(DatabaseConfig.h2FileUrl(dataDir));
    }

    /** This configuration on another port (tests start hubs on port 0). */
    public HubConfig withPort(int newPort) {
        return new HubConfig(newPort, host, dataDir, publicBaseUrl, adminToken, db, maxBodySize, shutdownGrace,
                logLevel, logJson, accessLog, tenants, knowledge, retrievalThreshold, providers, fallback, prices,
                keyRequestsPerMinute, intentThreshold, tools, routing, turns, masterKey, jobs, channels, marketplace,
                demo, accounts, mail, trustedProxies, redis, backup, transcriptsMongoUri, tracingEndpoint);
    }

    @Override
    public String toString() {
        return "HubConfig[port=" + port + ", host=" + host + ", dataDir=" + dataDir + ", publicBaseUrl="
                + publicBaseUrl + ", adminToken=" + (adminToken.isPresent() ? "****" : "generated") + ", db=" + db
                + ", maxBodySize=" + maxBodySize + ", logLevel=" + logLevel + ", masterKey="
                + (masterKey.isPresent() ? "****" : "generated") + ", redis=" + redis + "]";
    }

    static HubConfig bind(Map<String, ConfigLoader.Value> values) {
        Binder b = new Binder(values);
        int port = b.integer("clawless.port", 0, 65535);
        String host = b.nonBlank("clawless.host");
        Path dataDir = b.path("clawless.data-dir");
        Optional<String> publicBaseUrl = b.optional("clawless.public-base-url").flatMap(u -> b.check(
                "clawless.public-base-url", u, isHttpUrl(u), "expected an http(s) URL such as https://hub.example"))
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        Optional<String> adminToken = b.optional("clawless.admin.token").flatMap(t -> b.check("clawless.admin.token",
                "****", t.length() >= MIN_ADMIN_TOKEN_LENGTH && t.chars().allMatch(c -> c > 32 && c < 127),
                "expected at least " + MIN_ADMIN_TOKEN_LENGTH + " printable ASCII characters without spaces")
                .map(masked -> t));
        Optional<String> dbUrl = b.optional("clawless.db.url").flatMap(u -> {
            if (u.startsWith("jdbc:h2:") || u.startsWith("jdbc:postgresql:")) {
                return Optional.of(u);
            }
            // not echoed: a URL may carry a password
            b.problem("clawless.db.url", "expected a jdbc:postgresql: or jdbc:h2: URL");
            return Optional.empty();
        });
        String url = dbUrl.orElseGet(() -> dataDir == null ? "jdbc:h2:mem:invalid" : DatabaseConfig.h2FileUrl(dataDir));
        DatabaseConfig db = new DatabaseConfig(url, b.raw("clawless.db.username"), b.raw("clawless.db.password"),
                b.integer("clawless.db.pool-size", 1, 500), b.duration("clawless.db.connect-timeout"),
                b.integer("clawless.db.ingest-pool-size", 0, 500));
        long maxBody = b.size("clawless.http.max-body-size", 1024, 1L << 30);
        Duration grace = b.duration("clawless.http.shutdown-grace");
        Level level = b.level("clawless.log.level");
        String format = b.oneOf("clawless.log.format", List.of("auto", "json", "text"));
        boolean access = b.bool("clawless.log.access");
        Duration rotationGrace = b.duration("clawless.api-keys.rotation-grace");
        if (rotationGrace != null && rotationGrace.compareTo(TenantConfig.MAX_ROTATION_GRACE) > 0) {
            b.problem("clawless.api-keys.rotation-grace", "at most 30d");
        }
        int maxKeys = b.integer("clawless.api-keys.max-per-tenant", 1, 100_000);
        long keyRpm = b.quota("clawless.api-keys.requests-per-minute");
        long maxDocument = b.size("clawless.knowledge.max-document-size", 1024, 64L << 20);
        long maxFile = b.size("clawless.knowledge.max-file-size", 1024, 1L << 30);
        double threshold = b.decimal("clawless.assistant.retrieval.min-score", 0, 1);
        List<LangChainProvider.Settings> providers = new ArrayList<>();
        String openAiKey = b.raw("clawless.providers.openai.api-key");
        String openAiUrl = b.url("clawless.providers.openai.base-url");
        if (!openAiKey.isEmpty() || !openAiUrl.equals("https://api.openai.com/v1")) {
            providers.add(new LangChainProvider.Settings("openai", openAiUrl,
                    openAiKey.isEmpty() ? Optional.empty() : Optional.of(openAiKey),
                    b.nonBlank("clawless.providers.openai.default-model"), b.duration("clawless.providers.openai.timeout")));
        }
        String anthropicKey = b.raw("clawless.providers.anthropic.api-key");
        String anthropicUrl = b.url("clawless.providers.anthropic.base-url");
        int thinking = b.integer("clawless.providers.anthropic.thinking-budget-tokens", 0, 1_000_000);
        if (thinking > 0 && thinking < 1024) {
            b.problem("clawless.providers.anthropic.thinking-budget-tokens", "0 (off) or at least 1024, Anthropic's"
                    + " minimum; got " + thinking);
        }
        if (!anthropicKey.isEmpty()) {
            providers.add(new LangChainProvider.Settings("anthropic", anthropicUrl, Optional.of(anthropicKey),
                    b.nonBlank("clawless.providers.anthropic.default-model"),
                    b.duration("clawless.providers.anthropic.timeout"), thinking));
        }
        String ollamaUrl = b.raw("clawless.providers.ollama.base-url");
        if (!ollamaUrl.isEmpty()) {
            providers.add(new LangChainProvider.Settings("ollama", b.url("clawless.providers.ollama.base-url"),
                    Optional.empty(), b.nonBlank("clawless.providers.ollama.default-model"),
                    b.duration("clawless.providers.ollama.timeout")));
        }
        Optional<byte[]> masterKey = Optional.empty();
        String rawKey = b.raw("clawless.master-key");
        if (!rawKey.isEmpty()) {
            try {
                byte[] k = java.util.Base64.getDecoder().decode(rawKey);
                if (k.length == 32) {
                    masterKey = Optional.of(k);
                } else {
                    b.problem("clawless.master-key", "must be base64 of 32 bytes, got " + k.length + " bytes");
                }
            } catch (IllegalArgumentException e) {
                b.problem("clawless.master-key", "must be base64 of 32 bytes (openssl rand -base64 32)");
            }
        }
        RoutingRules routing = RoutingRules.NONE;
        try {
            routing = RoutingRules.parse(b.raw("clawless.assistant.routing"));
        } catch (IllegalArgumentException e) {
            b.problem("clawless.assistant.routing", e.getMessage());
        }
        List<String> allowedUrls = new ArrayList<>();
        for (String u : b.raw("clawless.tools.http-allowed-urls").split(",")) {
            String prefix = u.strip();
            if (prefix.isEmpty()) {
                continue;
            }
            if (!isHttpUrl(prefix)) {
                b.problem("clawless.tools.http-allowed-urls", "'" + prefix + "' is not an http(s) URL prefix");
            } else {
                allowedUrls.add(prefix);
            }
        }
        ToolSettings tools = new ToolSettings(allowedUrls, b.duration("clawless.tools.timeout"),
                b.bool("clawless.network.allow-private-addresses"),
                new dev.clawless.core.workspace.WorkspaceLimits(b.bool("clawless.workspace.enabled"),
                        Path.of(b.raw("clawless.workspace.bwrap")),
                        (int) (b.size("clawless.workspace.memory", 16L << 20, 256L << 30) >> 20),
                        b.integer("clawless.workspace.cpus", 1, 256),
                        b.integer("clawless.workspace.max-processes", 16, 100_000),
                        b.size("clawless.workspace.disk", 1L << 20, 1L << 40),
                        b.duration("clawless.workspace.command-timeout"),
                        b.integer("clawless.workspace.max-output", 1000, 1_000_000),
                        b.duration("clawless.workspace.idle-timeout")));
        Prices prices = Prices.parse("");
        try {
            prices = Prices.parse(b.raw("clawless.usage.prices"));
        } catch (IllegalArgumentException e) {
            b.problem("clawless.usage.prices", e.getMessage());
        }
        List<String> fallback = new ArrayList<>();
        for (String name : b.raw("clawless.assistant.fallback").split(",")) {
            String n = name.strip();
            if (n.isEmpty()) {
                continue;
            }
            if (!List.of("retrieval", "openai", "anthropic", "ollama").contains(n)) {
                b.problem("clawless.assistant.fallback", "'" + n + "' is not a provider (retrieval, openai, anthropic,"
                        + " ollama)");
            } else if (!n.equals("retrieval") && providers.stream().noneMatch(p -> p.name().equals(n))) {
                b.problem("clawless.assistant.fallback", "'" + n + "' is not configured under clawless.providers");
            } else {
                fallback.add(n);
            }
        }
        Map<String, Plan> plans = new TreeMap<>();
        values.keySet().stream().filter(k -> k.startsWith("clawless.plans."))
                .map(k -> k.substring("clawless.plans.".length(), k.lastIndexOf('.')))
                .distinct()
                .forEach(name -> {
                    String p = "clawless.plans." + name + ".";
                    long messages = b.quota(p + "messages-per-month");
                    long tokens = b.quota(p + "tokens-per-month");
                    long rpm = b.quota(p + "requests-per-minute");
                    plans.put(name, new Plan(name, new Quotas(Math.max(messages, -1), Math.max(tokens, -1),
                            Math.max(rpm, -1))));
                });
        String defaultPlan = b.nonBlank("clawless.tenants.default-plan");
        if (defaultPlan != null && !plans.containsKey(defaultPlan)) {
            b.problem("clawless.tenants.default-plan", "'" + defaultPlan + "' is not a plan under clawless.plans "
                    + plans.keySet());
        }
        Map<String, byte[]> trusted = new TreeMap<>();
        for (String entry : b.raw("clawless.marketplace.trusted-publishers").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.strip().split("=", 2);
            try {
                byte[] key = java.util.Base64.getDecoder().decode(kv.length == 2 ? kv[1].strip() : "");
                java.security.KeyFactory.getInstance("Ed25519").generatePublic(
                        new java.security.spec.X509EncodedKeySpec(key));
                if (!kv[0].strip().matches("[A-Za-z0-9_.-]{1,100}")) {
                    throw new IllegalArgumentException();
                }
                trusted.put(kv[0].strip(), key);
            } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
                b.problem("clawless.marketplace.trusted-publishers", "expected name=<base64 Ed25519 public key"
                        + " (X.509)> entries separated by commas");
            }
        }
        List<String> proxies = new ArrayList<>();
        for (String entry : b.raw("clawless.http.trusted-proxies").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                dev.clawless.server.http.ClientAddress.trusting(List.of(entry));
                proxies.add(entry.strip());
            } catch (IllegalArgumentException e) {
                b.problem("clawless.http.trusted-proxies", e.getMessage() + "; expected IP addresses or CIDR ranges"
                        + " separated by commas");
            }
        }
        Optional<RedisSettings> redisSettings = b.optional("clawless.redis.url").flatMap(u -> {
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || !JedisURIHelper.isValid(uri)) {
                // not echoed: a URL may carry a password
                b.problem("clawless.redis.url", "expected redis://[user:password@]host:port[/db] or rediss://…");
                return Optional.empty();
            }
            Duration timeout = b.duration("clawless.redis.timeout");
            if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                b.problem("clawless.redis.timeout", "expected a duration from 1ms to 1m");
            }
            return Optional.of(new RedisSettings(uri, b.integer("clawless.redis.pool-size", 1, 1000), timeout));
        });
        Path backupFolder = b.optional("clawless.backup.folder").map(Path::of)
                .orElse(dataDir == null ? Path.of("backups") : dataDir.resolve("backups"));
        dev.clawless.core.backup.Backups.BackupSettings backup = new dev.clawless.core.backup.Backups.BackupSettings(
                backupFolder, b.duration("clawless.backup.interval"), b.integer("clawless.backup.keep", 1, 10_000));
        Optional<String> transcripts = b.optional("clawless.transcripts.mongodb.uri");
        transcripts.ifPresent(u -> {
            if (!u.startsWith("mongodb://") && !u.startsWith("mongodb+srv://")) {
                b.problem("clawless.transcripts.mongodb.uri", "expected a mongodb:// or mongodb+srv:// URI");
            }
        });
        Optional<String> tracingEndpoint = b.optional("clawless.tracing.otlp-endpoint");
        tracingEndpoint.ifPresent(u -> {
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
                b.problem("clawless.tracing.otlp-endpoint", "expected an http:// or https:// URL, such as"
                        + " http://collector:4318/v1/traces");
            }
        });
        b.throwIfAny();
        return new HubConfig(port, host, dataDir, publicBaseUrl, adminToken, db, maxBody, grace, level,
                "json".equals(format) || "auto".equals(format) && !dev.clawless.server.logging.Terminal.stderr(),
                access, new TenantConfig(plans, defaultPlan, rotationGrace, maxKeys),
                new KnowledgeConfig(maxDocument, 800, maxFile), threshold, providers, fallback, prices, keyRpm,
                b.decimal("clawless.intents.min-score", 0, 1), tools, routing,
                new TurnSettings(b.integer("clawless.assistant.context-tokens", 500, 1_000_000),
                        b.integer("clawless.assistant.summarize-after", 12, 10_000), 10), masterKey,
                new dev.clawless.core.jobs.JobConfig(b.integer("clawless.jobs.workers", 1, 1000),
                        b.duration("clawless.jobs.lease"),
                        dev.clawless.core.jobs.JobConfig.DEFAULT.pollInterval(),
                        b.integer("clawless.jobs.max-attempts", 1, 100), b.duration("clawless.jobs.backoff-base"),
                        b.duration("clawless.jobs.backoff-max")),
                new dev.clawless.core.channel.ChannelSettings(b.quota("clawless.channels.inbound-per-minute"),
                        b.integer("clawless.channels.delivery-attempts", 1, 100),
                        b.duration("clawless.channels.delivery-max-age"),
                        b.duration("clawless.channels.poll-wait"), b.duration("clawless.channels.poll-backoff-max"),
                        b.integer("clawless.channels.max-connections", 1, 100_000),
                        b.quota("clawless.widget.messages-per-minute"),
                        b.quota("clawless.widget.sessions-per-minute"),
                        b.duration("clawless.channels.acks-first")),
                new dev.clawless.core.marketplace.MarketplaceSettings(dataDir.resolve("plugins"),
                        b.size("clawless.marketplace.max-upload-size", 1024, 1L << 30),
                        b.integer("clawless.marketplace.max-entries", 1, 1_000_000),
                        b.size("clawless.marketplace.max-expanded-size", 1024, 16L << 30),
                        b.bool("clawless.marketplace.require-signed"), trusted,
                        b.duration("clawless.marketplace.sync-interval"),
                        b.duration("clawless.marketplace.load-timeout"),
                        new dev.clawless.core.marketplace.sandbox.SandboxSettings(
                                b.isolation("clawless.marketplace.isolation"),
                                Path.of(b.raw("clawless.marketplace.sandbox.bwrap")),
                                (int) (b.size("clawless.marketplace.sandbox.memory", 32L << 20, 64L << 30) >> 20),
                                b.integer("clawless.marketplace.sandbox.cpus", 1, 256),
                                b.integer("clawless.marketplace.sandbox.max-processes", 16, 100_000),
                                b.size("clawless.marketplace.sandbox.tmp-size", 1L << 20, 64L << 30),
                                b.duration("clawless.marketplace.sandbox.call-timeout"),
                                dataDir.resolve("run").resolve("sandboxes"))),
                b.bool("clawless.demo.enabled"),
                new dev.clawless.core.account.AccountSettings(b.duration("clawless.accounts.session-lifetime"),
                        b.duration("clawless.accounts.session-idle"), b.duration("clawless.accounts.invitation-lifetime"),
                        b.duration("clawless.accounts.reset-lifetime"), b.duration("clawless.accounts.setup-lifetime"),
                        b.integer("clawless.accounts.max-failed-logins", 1, 1000), b.duration("clawless.accounts.lockout"),
                        b.integer("clawless.accounts.login-failures-per-minute", 1, 100_000),
                        b.integer("clawless.accounts.requests-per-minute", 1, 1_000_000)),
                b.optional("clawless.mail.smtp-host").map(h -> new MailSettings(h,
                        b.integer("clawless.mail.smtp-port", 1, 65535), b.raw("clawless.mail.username"),
                        b.raw("clawless.mail.password"), b.nonBlank("clawless.mail.from"),
                        b.oneOf("clawless.mail.tls", List.of("starttls", "ssl", "none")))),
                proxies, redisSettings, backup, transcripts, tracingEndpoint);
    }

    private static boolean isHttpUrl(String u) {
        try {
            URI uri = new URI(u);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** Parses values one key at a time, collecting every problem before failing. */
    private static final class Binder {
        private final Map<String, ConfigLoader.Value> values;
        private final List<String> problems = new ArrayList<>();
        private final java.util.Set<String> reported = new java.util.HashSet<>();

        Binder(Map<String, ConfigLoader.Value> values) {
            this.values = values;
        }

        String raw(String key) {
            ConfigLoader.Value v = values.get(key);
            if (v == null) {
                problem(key, "is missing" + (key.startsWith("clawless.plans.")
                        ? "; a plan needs messages-per-month, tokens-per-month and requests-per-minute" : ""));
                return "";
            }
            return v.raw().strip();
        }

        void problem(String key, String message) {
            if (!reported.add(key)) {
                return;
            }
            ConfigLoader.Value v = values.get(key);
            String origin = v == null || v.origin().equals("defaults") ? "" : " (from " + v.origin() + ")";
            problems.add(key + origin + ": " + message);
        }

        <T> Optional<T> check(String key, T shown, boolean ok, String expected) {
            if (!ok) {
                problem(key, expected + ", got '" + shown + "'");
                return Optional.empty();
            }
            return Optional.of(shown);
        }

        dev.clawless.core.marketplace.sandbox.SandboxSettings.Isolation isolation(String key) {
            try {
                return dev.clawless.core.marketplace.sandbox.SandboxSettings.Isolation.parse(raw(key));
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage() + ", got '" + raw(key) + "'");
                return dev.clawless.core.marketplace.sandbox.SandboxSettings.Isolation.NONE;
            }
        }

        Optional<String> optional(String key) {
            String v = raw(key);
            return v.isEmpty() ? Optional.empty() : Optional.of(v);
        }

        String nonBlank(String key) {
            String v = raw(key);
            if (v.isEmpty()) {
                problem(key, "must not be empty");
                return null;
            }
            return v;
        }

        int integer(String key, int min, int max) {
            String v = raw(key);
            try {
                int i = Integer.parseInt(v);
                if (i >= min && i <= max) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(key, "expected an integer from " + min + " to " + max + ", got '" + v + "'");
            return min;
        }

        double decimal(String key, double min, double max) {
            String v = raw(key);
            try {
                double d = Double.parseDouble(v);
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(key, "expected a number from " + min + " to " + max + ", got '" + v + "'");
            return min;
        }

        long quota(String key) {
            String v = raw(key);
            try {
                long l = Long.parseLong(v);
                if (l >= -1) {
                    return l;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(key, "expected -1 (unlimited) or a whole number, got '" + v + "'");
            return -1;
        }

        boolean bool(String key) {
            String v = raw(key).toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            problem(key, "expected true or false, got '" + v + "'");
            return false;
        }

        String oneOf(String key, List<String> allowed) {
            String v = raw(key).toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                problem(key, "expected one of " + allowed + ", got '" + v + "'");
                return allowed.get(0);
            }
            return v;
        }

        Duration duration(String key) {
            String v = raw(key);
            Matcher m = DURATION.matcher(v);
            if (!m.matches()) {
                problem(key, "expected a duration such as 500ms, 30s, 5m, 24h or 7d, got '" + v + "'");
                return Duration.ZERO;
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }

        long size(String key, long min, long max) {
            String v = raw(key);
            Matcher m = SIZE.matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
                    case "KiB" -> 1024L;
                    case "MiB" -> 1024L * 1024;
                    case "GiB" -> 1024L * 1024 * 1024;
                    case "KB" -> 1000L;
                    case "MB" -> 1000L * 1000;
                    case "GB" -> 1000L * 1000 * 1000;
                    default -> 1L;
                };
                try {
                    long bytes = Math.multiplyExact(n, unit);
                    if (bytes >= min && bytes <= max) {
                        return bytes;
                    }
                } catch (ArithmeticException e) {
                    // reported below
                }
            }
            problem(key, "expected a size from 1KiB to 1GiB such as 512KiB or 1MiB, got '" + v + "'");
            return min;
        }

        Level level(String key) {
            String v = raw(key).toUpperCase(Locale.ROOT);
            return switch (v) {
                case "ERROR" -> Level.SEVERE;
                case "WARNING", "WARN" -> Level.WARNING;
                case "INFO" -> Level.INFO;
                case "DEBUG" -> Level.FINE;
                case "TRACE" -> Level.FINEST;
                default -> {
                    problem(key, "expected ERROR, WARNING, INFO, DEBUG or TRACE, got '" + v + "'");
                    yield Level.INFO;
                }
            };
        }

        String url(String key) {
            String v = raw(key);
            if (!isHttpUrl(v)) {
                problem(key, "expected an http(s) URL, got '" + v + "'");
            }
            return v;
        }

        Path path(String key) {
            String v = nonBlank(key);
            if (v == null) {
                return null;
            }
            try {
                return Path.of(v);
            } catch (InvalidPathException e) {
                problem(key, "not a valid path: " + e.getMessage());
                return null;
            }
        }

        void throwIfAny() {
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
        }
    }
}
