package dev.clawless.core.marketplace;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Patches;
import dev.clawless.core.common.SchemaCheck;
import dev.clawless.core.marketplace.internal.InstalledTool;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolSetExtension;
import dev.clawless.plugin.api.ToolSpec;

/**
 * Tenants' plugin installations: install an approved version with config (checked against the plugin's schema) and
 * secret grants (sealed), enable/disable, upgrade/rollback, uninstall, all audited. Each enabled installation is
 * loaded through {@link PluginRuntime} (one class loader per plugin version, shared) and offers its tools and channel
 * types to its own tenant only. A plugin that cannot be loaded or started leaves its installation {@code failed}
 * with the reason. Every node converges on the stored installations: after each change here, at start and every
 * sync interval ({@link #reconcile()}). Thread-safe.
 */
public final class Installations implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Installations.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, tenant_id, plugin_id, version, enabled, config, secrets, secret_names,"
            + " failure, created_at, updated_at";
    private static final int MAX_PER_TENANT = 50;
    private static final int MAX_SECRET_LENGTH = 8192;

    private final Database database;
    private final Marketplace marketplace;
    private final PluginRuntime runtime;
    private final SecretVault vault;
    private final AuditLog audit;
    private final NetworkGuard guard;
    private final Clock clock;
    private final Ids ids;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final Map<String, Instant> failedAt = new ConcurrentHashMap<>();
    private volatile Set<String> builtInTools = Set.of();
    private volatile Set<String> builtInChannels = Set.of();
    private volatile BiFunction<String, String, List<String>> connectionsOfType = (tenant, type) -> List.of();
    private volatile Thread syncer;
    private volatile java.util.function.Consumer<String> changedHere = id -> { };

    public Installations(Database database, Marketplace marketplace, PluginRuntime runtime, SecretVault vault,
                         AuditLog audit, NetworkGuard guard, Clock clock, Ids ids) {
        this.database = database;
        this.marketplace = marketplace;
        this.runtime = runtime;
        this.vault = vault;
        this.audit = audit;
        this.guard = guard;
        this.clock = clock;
        this.ids = ids;
    }

    /** Names plugins may not take: the built-in tools and channel types. */
    public void reserve(Set<String> toolNames, Set<String> channelTypes) {
        this.builtInTools = Set.copyOf(toolNames);
        this.builtInChannels = Set.copyOf(channelTypes);
    }

    /** How to find a tenant's channel connections of a type (uninstalling a channel plugin in use is refused). */
    public void connectionsOfType(BiFunction<String, String, List<String>> lookup) {
        this.connectionsOfType = lookup;
    }

    public PluginRuntime runtime() {
        return runtime;
    }

    /** What one enabled, loaded installation offers. */
    private record Active(Row row, PluginRuntime.Loaded loaded, List<ToolExtension> tools,
                          Map<String, ChannelExtension> channels) {
    }

    private record Row(String id, String tenantId, String pluginId, String version, boolean enabled, String config,
                       String secrets, List<String> secretNames, Optional<String> failure, Instant createdAt,
                       Instant updatedAt) {
    }

    // ---------------------------------------------------------------------------------------------- API

    /** Installs an approved version for the tenant; answers the installation, {@code failed} if it did not start. */
    public Installation install(Actor actor, String tenantId, String pluginId, String version, ObjectNode config,
                                Map<String, String> secrets) {
        PluginVersion v = approved(pluginId, version);
        List<FieldError> errors = new ArrayList<>();
        checkConfig(v, config, errors);
        checkSecrets(v, secrets, errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        Instant now = now();
        String id = ids.next("ins");
        Map<String, String> sorted = new TreeMap<>(secrets);
        Row row = new Row(id, tenantId, pluginId, version, true, config.toString(), seal(id, sorted),
                List.copyOf(sorted.keySet()), Optional.empty(), now, now);
        database.inTransaction(tx -> {
            Optional<String> existing = tx.createGet("SELECT id FROM plugin_installations WHERE tenant_id = ?"
                    + " AND plugin_id = ?").params(tenantId, pluginId).execute().map(r -> r.column(1).get(String.class));
            if (existing.isPresent()) {
                throw new ClawlessException.Conflict(pluginId + " is already installed (" + existing.get()
                        + "); change its version with PATCH /v1/plugins/installations/" + existing.get());
            }
            long count = tx.createGet("SELECT COUNT(*) FROM plugin_installations WHERE tenant_id = ?")
                    .params(tenantId).execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue())
                    .orElse(0L);
            if (count >= MAX_PER_TENANT) {
                throw new ClawlessException.Conflict("a tenant may have at most " + MAX_PER_TENANT
                        + " plugin installations");
            }
            tx.createInsert("INSERT INTO plugin_installations (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                            + " ?)")
                    .params(row.id, tenantId, pluginId, version, true, row.config, row.secrets,
                            String.join(",", row.secretNames), null, Database.timestamp(now), Database.timestamp(now))
                    .execute();
            audit.record(tx, actor, Optional.of(tenantId), "plugin.installed", Optional.of(id),
                    Map.of("plugin", pluginId + "@" + version, "secrets", String.join(",", row.secretNames)));
            return null;
        });
        apply(id);
        changedHere.accept(id);
        return get(tenantId, id);
    }

    /**
     * Changes an installation: enables or disables it, moves it to another approved version (upgrade or rollback;
     * other tenants keep theirs), merges config keys (a {@code null} removes one) and secret grants (a {@code null}
     * revokes one). The config is checked against the target version's schema.
     */
    public Installation update(Actor actor, String tenantId, String id, Optional<Boolean> enabled,
                               Optional<String> version, Optional<ObjectNode> configPatch,
                               Map<String, Optional<String>> secretPatch) {
        Row before = row(tenantId, id);
        String target = version.orElse(before.version);
        PluginVersion v = target.equals(before.version) ? marketplace.find(before.pluginId, target).orElseThrow()
                : approved(before.pluginId, target);
        ObjectNode config = Patches.merge((ObjectNode) parse(before.config), configPatch);
        Map<String, String> secrets = Patches.merge(unseal(before), secretPatch);
        List<FieldError> errors = new ArrayList<>();
        checkConfig(v, config, errors);
        checkSecrets(v, secrets, errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        boolean on = enabled.orElse(before.enabled);
        if (!on && before.enabled) {
            refuseWhileConnected(before, "disable");
        }
        Row after = new Row(id, tenantId, before.pluginId, target, on, config.toString(), seal(id, secrets),
                List.copyOf(secrets.keySet()), Optional.empty(), before.createdAt, now());
        database.inTransaction(tx -> {
            long changed = tx.createUpdate("UPDATE plugin_installations SET version = ?, enabled = ?, config = ?,"
                            + " secrets = ?, secret_names = ?, failure = NULL, updated_at = ? WHERE id = ?"
                            + " AND tenant_id = ? AND updated_at = ?")
                    .params(target, on, after.config, after.secrets, String.join(",", after.secretNames),
                            Database.timestamp(after.updatedAt), id, tenantId, Database.timestamp(before.updatedAt))
                    .execute();
            if (changed == 0) {
                throw new ClawlessException.Conflict("the installation " + id + " was changed or removed meanwhile;"
                        + " read it again and retry");
            }
            Map<String, String> details = new LinkedHashMap<>();
            details.put("plugin", before.pluginId);
            if (!target.equals(before.version)) {
                details.put("from", before.version);
                details.put("to", target);
            }
            if (on != before.enabled) {
                details.put("enabled", Boolean.toString(on));
            }
            if (!secretPatch.isEmpty()) {
                details.put("secrets", String.join(",", after.secretNames));
            }
            audit.record(tx, actor, Optional.of(tenantId), !target.equals(before.version) ? "plugin.version_changed"
                    : "plugin.installation_updated", Optional.of(id), details);
            return null;
        });
        apply(id);
        changedHere.accept(id);
        return get(tenantId, id);
    }

    /** Removes an installation; its tools and channel types are gone at once, without a restart. */
    public void uninstall(Actor actor, String tenantId, String id) {
        Row row = row(tenantId, id);
        refuseWhileConnected(row, "uninstall");
        database.inTransaction(tx -> {
            tx.createDelete("DELETE FROM plugin_installations WHERE id = ? AND tenant_id = ?").params(id, tenantId)
                    .execute();
            audit.record(tx, actor, Optional.of(tenantId), "plugin.uninstalled", Optional.of(id),
                    Map.of("plugin", row.pluginId + "@" + row.version));
            return null;
        });
        apply(id);
        changedHere.accept(id);
    }

    public Installation get(String tenantId, String id) {
        return view(row(tenantId, id));
    }

    public List<Installation> list(String tenantId) {
        return database.execute().createQuery("SELECT " + COLUMNS + " FROM plugin_installations WHERE tenant_id = ?"
                        + " ORDER BY created_at, id").params(tenantId).execute().map(Installations::row)
                .map(this::view).toList();
    }

    /** Installations per plugin version, as {@code plugin@version → count}. */
    public Map<String, Long> counts() {
        Map<String, Long> counts = new HashMap<>();
        database.execute().createQuery("SELECT plugin_id, version, COUNT(*) FROM plugin_installations"
                + " GROUP BY plugin_id, version").execute().forEach(r -> counts.put(r.column(1).get(String.class) + "@"
                + r.column(2).get(String.class), ((Number) r.column(3).get(Object.class)).longValue()));
        return counts;
    }

    // ---------------------------------------------------------------------------------------------- what tenants get

    /** The tools of the tenant's enabled, running installations. */
    public List<ToolExtension> tools(String tenantId) {
        List<ToolExtension> tools = new ArrayList<>();
        for (Active a : active.values()) {
            if (a.row.tenantId.equals(tenantId)) {
                tools.addAll(a.tools);
            }
        }
        return tools;
    }

    /** A channel type one of the tenant's enabled, running installations offers. */
    public Optional<ChannelExtension> channel(String tenantId, String type) {
        for (Active a : active.values()) {
            if (a.row.tenantId.equals(tenantId) && a.channels.containsKey(type)) {
                return Optional.of(a.channels.get(type));
            }
        }
        return Optional.empty();
    }

    /**
     * What a running installation offers now: its tools' specs and its channel types (empty when not running), and
     * where it runs: {@code in-process} or {@code sandboxed} (with how often its sandbox was started again and how
     * many of its requests the egress refused), or empty when it is not running.
     */
    public record Offer(List<ToolSpec> tools, List<String> channelTypes, Optional<String> isolation,
                        long sandboxRestarts, long egressRefusals) {
    }

    public Offer offer(String installationId) {
        Active a = active.get(installationId);
        if (a == null) {
            return new Offer(List.of(), List.of(), Optional.empty(), 0, 0);
        }
        Optional<dev.clawless.core.marketplace.sandbox.SandboxedPlugin> sandbox = a.loaded.sandbox();
        return new Offer(a.tools.stream().map(ToolExtension::spec).toList(), List.copyOf(a.channels.keySet()),
                Optional.of(sandbox.isPresent() ? "sandboxed" : "in-process"),
                sandbox.map(dev.clawless.core.marketplace.sandbox.SandboxedPlugin::restarts).orElse(0L),
                sandbox.map(dev.clawless.core.marketplace.sandbox.SandboxedPlugin::refusals).orElse(0L));
    }

    /** How much the assistant used one of the installation's tools lately. */
    public record ToolUse(String name, long callsLast30Days, Optional<Instant> lastCalledAt) {
    }

    /**
     * What removing or disabling an installation would take away: the tenant's channel connections of the channel
     * types it offers (they must be deleted first) and its tools with their calls in the last 30 days. Both come from
     * what the installation offers while it runs: a disabled or failed one offers nothing.
     */
    public record InUse(List<String> connectionIds, List<ToolUse> tools) {
        public InUse {
            connectionIds = List.copyOf(connectionIds);
            tools = List.copyOf(tools);
        }
    }

    /** @throws ClawlessException.NotFound for another tenant's installation */
    public InUse inUse(String tenantId, String id) {
        row(tenantId, id);
        Active a = active.get(id);
        if (a == null) {
            return new InUse(List.of(), List.of());
        }
        List<String> connections = new ArrayList<>();
        for (String type : a.channels.keySet()) {
            connections.addAll(connectionsOfType.apply(tenantId, type));
        }
        Instant since = clock.instant().minus(Duration.ofDays(30));
        List<ToolUse> tools = new ArrayList<>();
        for (ToolExtension t : a.tools) {
            String name = t.spec().name();
            tools.add(database.execute().createGet("SELECT COUNT(*), MAX(created_at) FROM tool_calls"
                            + " WHERE tenant_id = ? AND tool = ? AND created_at >= ?")
                    .params(tenantId, name, Database.timestamp(since)).execute()
                    .map(r -> new ToolUse(name, ((Number) r.column(1).get(Object.class)).longValue(),
                            Database.instant(r.column(2))))
                    .orElse(new ToolUse(name, 0, Optional.empty())));
        }
        return new InUse(connections, tools);
    }

    /** The channel types the tenant's installations offer. */
    public List<String> channelTypes(String tenantId) {
        return active.values().stream().filter(a -> a.row.tenantId.equals(tenantId))
                .flatMap(a -> a.channels.keySet().stream()).sorted().toList();
    }

    // ---------------------------------------------------------------------------------------------- loading

    /**
     * Brings this node in line with the stored installations: loads what is new or changed, unloads what is gone or
     * disabled. Cheap when nothing changed (one query).
     */
    public void reconcile() {
        List<Row> rows = database.execute().createQuery("SELECT " + COLUMNS + " FROM plugin_installations")
                .execute().map(Installations::row).toList();
        Set<String> seen = new HashSet<>();
        for (Row row : rows) {
            seen.add(row.id);
            Active a = active.get(row.id);
            boolean current = a != null ? a.row.updatedAt.equals(row.updatedAt) && row.enabled
                    : !row.enabled || row.updatedAt.equals(failedAt.get(row.id));
            if (!current) {
                apply(row.id);
            }
        }
        for (String id : List.copyOf(active.keySet())) {
            if (!seen.contains(id)) {
                apply(id); // re-read: it may have been installed after the query above
            }
        }
        failedAt.keySet().retainAll(seen);
    }

    /**
     * Sets who hears of every installation changed through this node (after it is applied here): the other nodes,
     * told through Redis, apply it at once instead of at their next sync. Must not block.
     */
    public void onChanged(java.util.function.Consumer<String> listener) {
        this.changedHere = listener;
    }

    /** Another node changed the installation {@code id}: brings this node in line with its stored row now. */
    public void changedElsewhere(String id) {
        apply(id);
    }

    /** Reconciles now and then every {@code interval} on a virtual thread, until {@link #close()}. */
    public void start(Duration interval) {
        reconcile();
        syncer = Thread.ofVirtual().name("clawless-plugin-sync").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                    reconcile();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "plugin sync failed: " + e);
                }
            }
        });
    }

    /**
     * Brings one installation in line with its stored row, read afresh under the lock (so a sync that read an older
     * row cannot undo a newer change): loads, reloads or unloads it; records a failure with its reason.
     */
    private synchronized void apply(String id) {
        Optional<Row> stored = database.execute().createGet("SELECT " + COLUMNS + " FROM plugin_installations"
                + " WHERE id = ?").params(id).execute().map(Installations::row);
        if (stored.isEmpty() || !stored.get().enabled) {
            deactivate(id);
            failedAt.remove(id);
            return;
        }
        Row row = stored.get();
        Active current = active.get(id);
        if (current != null ? current.row.updatedAt.equals(row.updatedAt)
                : row.updatedAt.equals(failedAt.get(id))) {
            return;
        }
        Optional<String> failure;
        try {
            activate(row);
            failedAt.remove(row.id);
            failure = Optional.empty();
        } catch (PluginRuntime.LoadFailure e) {
            deactivate(row.id);
            failedAt.put(row.id, row.updatedAt);
            failure = Optional.of(e.getMessage());
            LOG.log(System.Logger.Level.WARNING, "plugin installation {0} ({1} {2}) failed: {3}", row.id,
                    row.pluginId, row.version, e.getMessage());
        }
        if (!failure.equals(row.failure)) {
            database.execute().createUpdate("UPDATE plugin_installations SET failure = ? WHERE id = ?"
                    + " AND updated_at = ?").params(failure.orElse(null), row.id, Database.timestamp(row.updatedAt))
                    .execute();
        }
    }

    private void activate(Row row) throws PluginRuntime.LoadFailure {
        PluginVersion v = marketplace.find(row.pluginId, row.version).orElseThrow(() -> new PluginRuntime.LoadFailure(
                row.pluginId + " " + row.version + " is not in the marketplace"));
        Map<String, String> config = configMap(parse(row.config));
        JsonNode descriptor = v.descriptor();
        List<String> hosts = new ArrayList<>();
        descriptor.path("hosts").forEach(n -> hosts.add(n.asText()));
        if (descriptor.path("config_schema").path("properties").has("api_base_url")) {
            // the tenant's own API endpoint (self-hosted, proxy), checked by the private-address guard when saved
            Optional.ofNullable(config.get("api_base_url")).map(u -> URI.create(u).getHost())
                    .ifPresent(hosts::add);
        }
        PluginRuntime.Loaded loaded = runtime.sandboxes(v) ? runtime.acquireSandboxed(v, row.id, hosts)
                : runtime.acquire(v);
        try {
            Set<String> mutating = new HashSet<>();
            descriptor.path("mutating_tools").forEach(n -> mutating.add(n.asText()));
            InstalledTool.Scope scope = new InstalledTool.Scope(row.tenantId, row.id, row.pluginId, config,
                    () -> unseal(row), hosts, guard, loaded.classLoader());
            Set<String> taken = new HashSet<>(builtInTools);
            Set<String> takenTypes = new HashSet<>(builtInChannels);
            for (Active other : active.values()) {
                if (other.row.tenantId.equals(row.tenantId) && !other.row.id.equals(row.id)) {
                    other.tools.forEach(t -> taken.add(t.spec().name()));
                    takenTypes.addAll(other.channels.keySet());
                }
            }
            List<ToolExtension> tools = new ArrayList<>();
            Set<String> own = new HashSet<>();
            for (ToolExtension t : loaded.tools()) {
                ToolSpec spec = runtime.call(loaded, t::spec, "describe its tool");
                tools.add(new InstalledTool(override(checked(spec), mutating), t::invoke, scope));
            }
            for (ToolSetExtension set : loaded.toolSets()) {
                List<ToolSpec> specs = runtime.call(loaded, () -> List.copyOf(set.tools(config)), "describe its tools");
                for (ToolSpec s : specs) {
                    tools.add(new InstalledTool(override(checked(s), mutating), set::invoke, scope));
                }
            }
            for (ToolExtension t : tools) {
                String name = t.spec().name();
                if (taken.contains(name) || !own.add(name)) {
                    throw new PluginRuntime.LoadFailure("the tool name " + name + " is already taken for this"
                            + " tenant (a built-in or another installed plugin's tool)");
                }
            }
            Map<String, ChannelExtension> channels = new LinkedHashMap<>();
            for (ChannelExtension c : loaded.channels()) {
                String type = runtime.call(loaded, c::type, "name its channel type");
                if (!type.matches("[a-z][a-z0-9_-]{1,39}") || type.equals("api") || takenTypes.contains(type)
                        || channels.containsKey(type)) {
                    throw new PluginRuntime.LoadFailure("the channel type " + type + " is invalid or already taken"
                            + " for this tenant");
                }
                channels.put(type, c);
            }
            Active previous = active.put(row.id, new Active(row, loaded, List.copyOf(tools), Map.copyOf(channels)));
            if (previous != null) {
                runtime.release(previous.loaded);
            }
        } catch (PluginRuntime.LoadFailure | RuntimeException e) {
            runtime.release(loaded);
            if (e instanceof PluginRuntime.LoadFailure f) {
                throw f;
            }
            throw new PluginRuntime.LoadFailure("the plugin failed while being set up: " + PluginRuntime.reason(e));
        }
    }

    private void deactivate(String id) {
        Active a = active.remove(id);
        if (a != null) {
            runtime.release(a.loaded);
        }
    }

    /** A spec the model providers accept: its parameters a JSON Schema object. */
    private static ToolSpec checked(ToolSpec s) throws PluginRuntime.LoadFailure {
        if (s == null) {
            throw new PluginRuntime.LoadFailure("a tool has no spec");
        }
        try {
            JsonNode parameters = JSON.readTree(s.parametersJson());
            if (parameters == null || !parameters.isObject() || parameters.toString().length() > 64 * 1024) {
                throw new PluginRuntime.LoadFailure("the tool " + s.name() + " has parameters that are not a JSON"
                        + " Schema object (of at most 64 KiB)");
            }
        } catch (JsonProcessingException e) {
            throw new PluginRuntime.LoadFailure("the tool " + s.name() + " has parameters that are not JSON");
        }
        if (s.description().isBlank() || s.description().length() > 4000) {
            throw new PluginRuntime.LoadFailure("the tool " + s.name() + " needs a description of 1-4000 characters");
        }
        return s;
    }

    private static ToolSpec override(ToolSpec s, Set<String> mutating) {
        return mutating.contains(s.name()) && !s.mutating()
                ? new ToolSpec(s.name(), s.description(), s.parametersJson(), true) : s;
    }

    // ---------------------------------------------------------------------------------------------- checks

    private PluginVersion approved(String pluginId, String version) {
        PluginVersion v = marketplace.find(pluginId, version).orElseThrow(() -> new ClawlessException.NotFound(
                "no plugin " + printable(pluginId) + " " + printable(version) + " in the catalog"));
        if (!v.status().equals("approved")) {
            throw new ClawlessException.NotFound(pluginId + " " + version + " is not in the catalog (it is "
                    + v.status() + ")");
        }
        return v;
    }

    private void checkConfig(PluginVersion v, ObjectNode config, List<FieldError> errors) {
        JsonNode schema = v.descriptor().path("config_schema");
        errors.addAll(SchemaCheck.check(schema.isObject() ? schema : JSON.createObjectNode(), config, "config"));
        JsonNode base = config.get("api_base_url");
        if (base != null) {
            if (!base.isTextual() || !SchemaCheck.isHttpUrl(base.asText())) {
                errors.add(new FieldError("config.api_base_url", "must be an http(s) URL with a host"));
            } else {
                guard.refusal(URI.create(base.asText())).ifPresent(why -> errors.add(
                        new FieldError("config.api_base_url", why)));
            }
        }
        if (config.toString().length() > 256 * 1024) {
            errors.add(new FieldError("config", "must be at most 256 KiB of JSON"));
        }
    }

    private static void checkSecrets(PluginVersion v, Map<String, String> secrets, List<FieldError> errors) {
        Set<String> declared = new HashSet<>();
        v.descriptor().path("secrets").forEach(n -> declared.add(n.asText()));
        secrets.forEach((name, value) -> {
            if (!declared.contains(name)) {
                errors.add(new FieldError("secrets." + printable(name), "is not a secret this plugin declares"
                        + " (it may be granted " + (declared.isEmpty() ? "none" : String.join(", ",
                        new java.util.TreeSet<>(declared))) + ")"));
            } else if (value == null || value.isEmpty() || value.length() > MAX_SECRET_LENGTH) {
                errors.add(new FieldError("secrets." + name, "must be a string of 1-" + MAX_SECRET_LENGTH
                        + " characters"));
            }
        });
    }

    private void refuseWhileConnected(Row row, String what) {
        Active a = active.get(row.id);
        if (a == null) {
            return;
        }
        List<String> connections = new ArrayList<>();
        for (String type : a.channels.keySet()) {
            connections.addAll(connectionsOfType.apply(row.tenantId, type));
        }
        if (!connections.isEmpty()) {
            throw new ClawlessException.Conflict("cannot " + what + " " + row.pluginId + " while channel connections"
                    + " use its channel types: delete " + String.join(", ", connections) + " first");
        }
    }

    // ---------------------------------------------------------------------------------------------- storage

    private Row row(String tenantId, String id) {
        return database.execute().createGet("SELECT " + COLUMNS + " FROM plugin_installations WHERE id = ?"
                        + " AND tenant_id = ?").params(id, tenantId).execute().map(Installations::row)
                .orElseThrow(() -> new ClawlessException.NotFound("no installation " + printable(id)));
    }

    private static Row row(DbRow r) {
        String names = r.column(8).get(String.class);
        return new Row(r.column(1).get(String.class), r.column(2).get(String.class), r.column(3).get(String.class),
                r.column(4).get(String.class), Boolean.TRUE.equals(r.column(5).get(Boolean.class)),
                r.column(6).get(String.class), r.column(7).get(String.class),
                names.isEmpty() ? List.of() : List.of(names.split(",")), Database.optionalString(r.column(9)),
                Database.instant(r.column(10)).orElseThrow(), Database.instant(r.column(11)).orElseThrow());
    }

    private Installation view(Row row) {
        return new Installation(row.id, row.tenantId, row.pluginId, row.version, row.enabled, parse(row.config),
                row.secretNames, row.failure, row.createdAt, row.updatedAt);
    }

    private String seal(String id, Map<String, String> secrets) {
        try {
            return vault.encrypt(JSON.writeValueAsString(new TreeMap<>(secrets)), "plugin-installation:" + id);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> unseal(Row row) {
        try {
            return JSON.readValue(vault.decrypt(row.secrets, "plugin-installation:" + row.id), new TypeReference<>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the secrets of " + row.id + " are unreadable", e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored config is unreadable", e);
        }
    }

    /** Config values as a plugin sees them: strings as they are, anything else as JSON text. */
    private static Map<String, String> configMap(JsonNode config) {
        Map<String, String> map = new TreeMap<>();
        config.fields().forEachRemaining(f -> map.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText()
                : f.getValue().toString()));
        return map;
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7E]", "?");
        return p.length() > 80 ? p.substring(0, 80) + "…" : p;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public synchronized void close() {
        Thread s = syncer;
        if (s != null) {
            s.interrupt();
            try {
                s.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String id : List.copyOf(active.keySet())) {
            deactivate(id);
        }
        runtime.close();
    }
}
