package dev.clawless.core.tenant;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.store.Database;
import dev.clawless.core.tenant.internal.ApiKeyStore;
import dev.clawless.core.tenant.internal.ApiKeyStore.StoredKey;
import dev.clawless.core.tenant.internal.KeyFormat;
import dev.clawless.core.tenant.internal.TenantStore;

/**
 * Manages tenants and their API keys, and resolves a presented key to its tenant and scopes. Every change is audited
 * in the same transaction. Methods that take a tenant id answer {@link ClawlessException.NotFound} for ids that do
 * not exist, whoever asks. Thread-safe.
 */
public final class TenantManagement {

    private static final Pattern MODE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/@-]{1,200}");
    private static final int MAX_SYSTEM_PROMPT = 20_000;
    private static final int MAX_ORIGINS = 50;
    private static final Duration MAX_KEY_LIFETIME = Duration.ofDays(3660);

    private final Database database;
    private final AuditLog audit;
    private final TenantConfig config;
    private final Clock clock;
    private final Ids ids;
    private final TenantStore tenants = new TenantStore();
    private final ApiKeyStore keys = new ApiKeyStore();

    public TenantManagement(Database database, AuditLog audit, TenantConfig config, Clock clock, Ids ids) {
        this.database = database;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
        this.ids = ids;
    }

    /** The plans tenants can be on. */
    public Map<String, Plan> plans() {
        return config.plans();
    }

    /** The quotas in force for a tenant: its overrides over its plan's. */
    public Quotas effectiveQuotas(Tenant tenant) {
        Plan plan = config.plans().get(tenant.plan());
        Quotas base = plan == null ? config.plans().get(config.defaultPlan()).quotas() : plan.quotas();
        return tenant.overrides().over(base);
    }

    /** Creates an active tenant. */
    public Tenant create(Actor actor, NewTenant request) {
        List<FieldError> errors = new ArrayList<>();
        String name = checkName("name", request.name(), errors);
        String plan = request.plan().orElse(config.defaultPlan());
        checkPlan(plan, errors);
        checkQuotas(request.quotas(), errors);
        TenantSettings settings = checkSettings(request.settings().applyTo(TenantSettings.DEFAULT), errors);
        throwIfAny(errors);
        Instant now = now();
        Tenant tenant = new Tenant(ids.next("ten"), name, plan, TenantStatus.ACTIVE, request.quotas(), settings, now,
                now);
        return database.inTransaction(tx -> {
            tenants.insert(tx, tenant);
            audit.record(tx, actor, Optional.of(tenant.id()), "tenant.created", Optional.of(tenant.id()),
                    Map.of("name", name, "plan", plan));
            return tenant;
        });
    }

    public Tenant get(String tenantId) {
        return tenants.find(database.execute(), tenantId, false).orElseThrow(() -> tenantNotFound(tenantId));
    }

    public Page<Tenant> list(Optional<TenantStatus> status, PageRequest page) {
        return tenants.list(database.execute(), status, page);
    }

    /** Applies a partial change; a tenant changing itself is limited by {@link TenantChange#bySelf}. */
    public Tenant update(Actor actor, String tenantId, TenantChange change) {
        List<FieldError> errors = new ArrayList<>();
        change.name().ifPresent(n -> checkName("name", n, errors));
        change.plan().ifPresent(p -> checkPlan(p, errors));
        change.quotas().ifPresent(q -> checkQuotas(q, errors));
        throwIfAny(errors);
        return database.inTransaction(tx -> {
            Tenant current = tenants.find(tx, tenantId, true).orElseThrow(() -> tenantNotFound(tenantId));
            List<FieldError> settingErrors = new ArrayList<>();
            TenantSettings settings = checkSettings(change.settings().applyTo(current.settings()), settingErrors);
            throwIfAny(settingErrors);
            Tenant updated = new Tenant(current.id(), change.name().map(String::strip).orElse(current.name()),
                    change.plan().orElse(current.plan()), change.status().orElse(current.status()),
                    change.quotas().orElse(current.overrides()), settings, current.createdAt(), now());
            tenants.update(tx, updated);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("changed", changedFields(current, updated));
            if (updated.status() != current.status()) {
                details.put("status", updated.status().wire());
            }
            if (!updated.plan().equals(current.plan())) {
                details.put("plan", updated.plan());
            }
            String action = updated.status() != current.status()
                    ? (updated.status() == TenantStatus.SUSPENDED ? "tenant.suspended" : "tenant.reactivated")
                    : "tenant.updated";
            audit.record(tx, actor, Optional.of(tenantId), action, Optional.of(tenantId), details);
            return updated;
        });
    }

    /** Deletes a tenant and everything it owns. The audit log keeps its entries. */
    public void delete(Actor actor, String tenantId) {
        database.inTransaction(tx -> {
            Tenant current = tenants.find(tx, tenantId, true).orElseThrow(() -> tenantNotFound(tenantId));
            tenants.delete(tx, tenantId);
            audit.record(tx, actor, Optional.of(tenantId), "tenant.deleted", Optional.of(tenantId),
                    Map.of("name", current.name()));
            return null;
        });
    }

    /**
     * Creates an API key for the tenant.
     *
     * @param grantor what the caller may hand out: anything for the admin; for a tenant key, only its own scopes and
     *                no later expiry than its own (no key can mint a key stronger or longer-lived than itself). A key
     *                created by an expiring key without an expiry gets the creator's.
     */
    public IssuedKey issueKey(Actor actor, String tenantId, NewApiKey request, Grantor grantor) {
        List<FieldError> errors = new ArrayList<>();
        String name = checkName("name", request.name(), errors);
        if (request.scopes().isEmpty()) {
            errors.add(new FieldError("scopes", "must name at least one scope"));
        }
        Instant now = now();
        request.expiresAt().ifPresent(at -> {
            if (!at.isAfter(now)) {
                errors.add(new FieldError("expires_at", "must be in the future"));
            } else if (at.isAfter(now.plus(MAX_KEY_LIFETIME))) {
                errors.add(new FieldError("expires_at", "must be within ten years"));
            }
        });
        Optional<Instant> expiresAt = request.expiresAt().or(grantor::expiresAt);
        if (grantor.expiresAt().isPresent() && expiresAt.get().isAfter(grantor.expiresAt().get())) {
            errors.add(new FieldError("expires_at", "must not be later than the calling key's own expiry ("
                    + grantor.expiresAt().get() + ")"));
        }
        throwIfAny(errors);
        requireGrantable(grantor, request.scopes(), "a key can only grant scopes it has itself");
        String secret = Secrets.randomBase62(KeyFormat.SECRET_LENGTH);
        ApiKey key = new ApiKey(ids.next("key"), tenantId, name, request.scopes(), hint(secret),
                expiresAt.map(TenantManagement::truncate), Optional.empty(), Optional.empty(),
                Optional.empty(), now);
        return database.inTransaction(tx -> {
            tenants.find(tx, tenantId, true).orElseThrow(() -> tenantNotFound(tenantId));
            if (keys.countUnrevoked(tx, tenantId) >= config.maxKeysPerTenant()) {
                throw new ClawlessException.Conflict("the tenant already has " + config.maxKeysPerTenant()
                        + " unrevoked keys, the most allowed; revoke one first");
            }
            keys.insert(tx, key, Secrets.sha256Hex(secret));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("name", name);
            details.put("scopes", key.scopes().stream().sorted().map(Scope::wire).toList());
            key.expiresAt().ifPresent(at -> details.put("expires_at", at.toString()));
            audit.record(tx, actor, Optional.of(tenantId), "api_key.created", Optional.of(key.id()), details);
            return new IssuedKey(key, KeyFormat.format(key.id(), secret));
        });
    }

    public Page<ApiKey> listKeys(String tenantId, PageRequest page) {
        DbExecute exec = database.execute();
        tenants.find(exec, tenantId, false).orElseThrow(() -> tenantNotFound(tenantId));
        return keys.list(exec, tenantId, page);
    }

    public ApiKey getKey(String tenantId, String keyId) {
        return keys.find(database.execute(), tenantId, keyId, false).map(StoredKey::key)
                .orElseThrow(() -> keyNotFound(keyId));
    }

    /**
     * Gives a key a new secret. The old secret keeps working for {@code grace} (the configured default when empty),
     * then stops. Expired and revoked keys cannot be rotated, and a tenant key can rotate only keys whose scopes it
     * holds itself (otherwise it would receive a stronger key's secret).
     */
    public IssuedKey rotateKey(Actor actor, String tenantId, String keyId, Optional<Duration> grace, Grantor grantor) {
        Duration period = grace.orElse(config.rotationGrace());
        if (period.isNegative() || period.compareTo(TenantConfig.MAX_ROTATION_GRACE) > 0) {
            throw ClawlessException.Validation.of("grace_period_seconds", "must be between 0 and "
                    + TenantConfig.MAX_ROTATION_GRACE.toSeconds());
        }
        String secret = Secrets.randomBase62(KeyFormat.SECRET_LENGTH);
        return database.inTransaction(tx -> {
            StoredKey stored = keys.find(tx, tenantId, keyId, true).orElseThrow(() -> keyNotFound(keyId));
            requireGrantable(grantor, stored.key().scopes(), "a key can only rotate keys whose scopes it has itself");
            Instant now = now();
            String status = stored.key().status(now);
            if (!status.equals("active")) {
                throw new ClawlessException.Conflict("the key is " + status + " and cannot be rotated");
            }
            Instant previousUntil = now.plus(period);
            keys.rotate(tx, tenantId, keyId, Secrets.sha256Hex(secret), hint(secret), stored.secretHash(),
                    previousUntil, now);
            audit.record(tx, actor, Optional.of(tenantId), "api_key.rotated", Optional.of(keyId),
                    Map.of("grace_period_seconds", period.toSeconds()));
            ApiKey key = stored.key();
            ApiKey rotated = new ApiKey(key.id(), key.tenantId(), key.name(), key.scopes(), hint(secret),
                    key.expiresAt(), key.revokedAt(), Optional.of(now), Optional.of(previousUntil), key.createdAt());
            return new IssuedKey(rotated, KeyFormat.format(keyId, secret));
        });
    }

    /**
     * Revokes a key at once (both its secrets). Revoking a revoked key changes nothing. A tenant key can revoke only
     * keys whose scopes it holds itself.
     */
    public void revokeKey(Actor actor, String tenantId, String keyId, Grantor grantor) {
        database.inTransaction(tx -> {
            StoredKey stored = keys.find(tx, tenantId, keyId, true).orElseThrow(() -> keyNotFound(keyId));
            requireGrantable(grantor, stored.key().scopes(), "a key can only revoke keys whose scopes it has itself");
            if (stored.key().revokedAt().isEmpty()) {
                keys.revoke(tx, tenantId, keyId, now());
                audit.record(tx, actor, Optional.of(tenantId), "api_key.revoked", Optional.of(keyId), Map.of());
            }
            return null;
        });
    }

    /**
     * Resolves a presented {@code ck_live_…} key.
     *
     * @throws ClawlessException.Unauthorized when the key is malformed, unknown, wrong, expired or revoked
     * @throws ClawlessException.Forbidden    when the key is good but its tenant is suspended
     */
    public TenantPrincipal authenticate(String presented) {
        KeyFormat.Parsed parsed = KeyFormat.parse(presented)
                .orElseThrow(() -> new ClawlessException.Unauthorized("the API key is not valid"));
        ApiKeyStore.KeyAndTenant found = keys.findForAuthentication(database.execute(), parsed.keyId())
                .orElseThrow(() -> new ClawlessException.Unauthorized("the API key is not valid"));
        Instant now = clock.instant();
        String hash = Secrets.sha256Hex(parsed.secret());
        StoredKey stored = found.key();
        boolean current = Secrets.digestEquals(stored.secretHash(), hash);
        boolean previous = stored.previousSecretHash().map(p -> Secrets.digestEquals(p, hash)).orElse(false);
        if (!current && !previous) {
            throw new ClawlessException.Unauthorized("the API key is not valid");
        }
        ApiKey key = stored.key();
        if (!current && key.previousSecretExpiresAt().map(until -> !now.isBefore(until)).orElse(true)) {
            throw new ClawlessException.Unauthorized("the API key was rotated and its old secret no longer works");
        }
        if (key.revokedAt().isPresent()) {
            throw new ClawlessException.Unauthorized("the API key has been revoked");
        }
        if (key.expiresAt().isPresent() && !now.isBefore(key.expiresAt().get())) {
            throw new ClawlessException.Unauthorized("the API key has expired");
        }
        if (found.tenant().status() == TenantStatus.SUSPENDED) {
            throw new ClawlessException.Forbidden("tenant-suspended", "the tenant is suspended");
        }
        return new TenantPrincipal(found.tenant(), key.id(), key.scopes(), key.expiresAt(), !current);
    }

    private static void requireGrantable(Grantor grantor, Set<Scope> scopes, String detail) {
        if (!grantor.scopes().containsAll(scopes)) {
            throw new ClawlessException.Forbidden("scope-escalation", detail);
        }
    }

    private Instant now() {
        return truncate(clock.instant());
    }

    private static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    private static String hint(String secret) {
        return secret.substring(secret.length() - 4);
    }

    private static ClawlessException.NotFound tenantNotFound(String id) {
        return new ClawlessException.NotFound("no tenant " + id);
    }

    private static ClawlessException.NotFound keyNotFound(String id) {
        return new ClawlessException.NotFound("no API key " + id);
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
    }

    private static String checkName(String field, String name, List<FieldError> errors) {
        String stripped = name.strip();
        if (stripped.isEmpty()) {
            errors.add(new FieldError(field, "must not be blank"));
        } else if (stripped.length() > 200) {
            errors.add(new FieldError(field, "must be at most 200 characters"));
        } else if (stripped.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError(field, "must not contain control characters"));
        }
        return stripped;
    }

    private void checkPlan(String plan, List<FieldError> errors) {
        if (!config.plans().containsKey(plan)) {
            errors.add(new FieldError("plan", "must be one of " + config.plans().keySet().stream().sorted().toList()));
        }
    }

    private static void checkQuotas(QuotaOverrides q, List<FieldError> errors) {
        checkQuota("quotas.messages_per_month", q.messagesPerMonth(), errors);
        checkQuota("quotas.tokens_per_month", q.tokensPerMonth(), errors);
        checkQuota("quotas.requests_per_minute", q.requestsPerMinute(), errors);
    }

    private static void checkQuota(String field, Optional<Long> value, List<FieldError> errors) {
        value.filter(v -> v < Quotas.UNLIMITED)
                .ifPresent(v -> errors.add(new FieldError(field, "must be -1 (unlimited) or more")));
    }

    private static TenantSettings checkSettings(TenantSettings s, List<FieldError> errors) {
        if (s.systemPrompt().length() > MAX_SYSTEM_PROMPT) {
            errors.add(new FieldError("settings.system_prompt", "must be at most " + MAX_SYSTEM_PROMPT + " characters"));
        }
        if (!MODE.matcher(s.mode()).matches()) {
            errors.add(new FieldError("settings.mode", "must be 1-40 of a-z, 0-9, '_' and '-', starting alphanumeric"));
        }
        if (!AssistantSettings.PROVIDERS.contains(s.assistant().provider())) {
            errors.add(new FieldError("settings.assistant.provider", "must be one of " + AssistantSettings.PROVIDERS));
        }
        s.assistant().model().filter(m -> !MODEL.matcher(m).matches()).ifPresent(m ->
                errors.add(new FieldError("settings.assistant.model", "must be 1-200 of A-Z, a-z, 0-9 and ._:/@-")));
        s.assistant().thinkingBudgetTokens().filter(b -> b != 0 && (b < AssistantSettings.MIN_THINKING
                || b > AssistantSettings.MAX_THINKING)).ifPresent(b -> errors.add(new FieldError(
                "settings.assistant.thinking_budget_tokens", "must be 0 (off) or " + AssistantSettings.MIN_THINKING
                + "-" + AssistantSettings.MAX_THINKING)));
        if (s.assistant().aliases().size() > AssistantSettings.MAX_ALIASES) {
            errors.add(new FieldError("settings.assistant.model_aliases", "must have at most "
                    + AssistantSettings.MAX_ALIASES + " aliases"));
        }
        s.assistant().aliases().forEach((alias, target) -> {
            String field = "settings.assistant.model_aliases." + alias;
            if (!MODEL.matcher(alias).matches() || alias.contains("/") || alias.equals("default")
                    || AssistantSettings.PROVIDERS.contains(alias)) {
                errors.add(new FieldError(field, "an alias is 1-200 of A-Z, a-z, 0-9 and ._:@-, without '/', and"
                        + " neither 'default' nor a provider's name"));
            }
            String provider = target.contains("/") ? target.substring(0, target.indexOf('/')) : target;
            if (!MODEL.matcher(target).matches() || provider.equals(AssistantSettings.AUTO)
                    || !AssistantSettings.PROVIDERS.contains(provider)) {
                errors.add(new FieldError(field, "must name provider or provider/model, the provider one of "
                        + AssistantSettings.PROVIDERS.stream().filter(p -> !p.equals(AssistantSettings.AUTO)).toList()));
            }
        });
        if (s.allowedOrigins().size() > MAX_ORIGINS) {
            errors.add(new FieldError("settings.allowed_origins", "must list at most " + MAX_ORIGINS + " origins"));
        }
        List<String> origins = new ArrayList<>();
        for (int i = 0; i < s.allowedOrigins().size(); i++) {
            String origin = s.allowedOrigins().get(i);
            Optional<String> normal = normalOrigin(origin);
            if (normal.isEmpty()) {
                errors.add(new FieldError("settings.allowed_origins[" + i + "]",
                        "must be an origin such as https://shop.example or http://localhost:3000"));
            } else if (!origins.contains(normal.get())) {
                origins.add(normal.get());
            }
        }
        if (s.modePrompts().size() > 20) {
            errors.add(new FieldError("settings.mode_prompts", "must have at most 20 modes"));
        }
        s.modePrompts().forEach((mode, prompt) -> {
            if (!MODE.matcher(mode).matches()) {
                errors.add(new FieldError("settings.mode_prompts." + mode, "is not a mode name (a-z, 0-9, '_', '-')"));
            } else if (prompt.length() > MAX_SYSTEM_PROMPT) {
                errors.add(new FieldError("settings.mode_prompts." + mode, "must be at most " + MAX_SYSTEM_PROMPT
                        + " characters"));
            }
        });
        if (s.workspace().hosts().size() > 50) {
            errors.add(new FieldError("settings.workspace.hosts", "must have at most 50 hosts"));
        }
        for (int i = 0; i < s.workspace().hosts().size(); i++) {
            String host = s.workspace().hosts().get(i);
            if (!host.equals("*") && !host.matches("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                errors.add(new FieldError("settings.workspace.hosts[" + i + "]",
                        "must be a host name such as github.com or *.example.com"));
            }
        }
        return new TenantSettings(s.systemPrompt(), s.mode(), s.assistant(), origins, s.approvalPolicy(),
                s.modePrompts(), s.workspace());
    }

    /** {@code scheme://host[:port]} in lower case, or empty when {@code origin} is not an origin. */
    static Optional<String> normalOrigin(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
                return Optional.empty();
            }
            return Optional.of(scheme.toLowerCase() + "://" + uri.getHost().toLowerCase()
                    + (uri.getPort() >= 0 ? ":" + uri.getPort() : ""));
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static List<String> changedFields(Tenant before, Tenant after) {
        List<String> changed = new ArrayList<>();
        if (!before.name().equals(after.name())) {
            changed.add("name");
        }
        if (!before.plan().equals(after.plan())) {
            changed.add("plan");
        }
        if (before.status() != after.status()) {
            changed.add("status");
        }
        if (!before.overrides().equals(after.overrides())) {
            changed.add("quotas");
        }
        if (!before.settings().equals(after.settings())) {
            changed.add("settings");
        }
        return changed;
    }
}
