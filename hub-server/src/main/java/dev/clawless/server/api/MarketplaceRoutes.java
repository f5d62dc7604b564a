package dev.clawless.server.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.marketplace.Marketplace;
import dev.clawless.core.marketplace.PluginReview;
import dev.clawless.core.marketplace.PluginVersion;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * The marketplace: tenants upload plugin JARs ({@code plugins:admin}) and browse the approved catalog; the platform
 * admin reviews uploads.
 */
public final class MarketplaceRoutes {

    private static final Set<String> JAR_TYPES = Set.of("application/java-archive", "application/x-java-archive",
            "application/zip", "application/octet-stream");

    private final Marketplace marketplace;
    private final Supplier<Map<String, Long>> installCounts;
    private final Bodies bodies;

    /**
     * @param installCounts installations per {@code plugin@version}, for the catalog
     */
    public MarketplaceRoutes(Marketplace marketplace, Supplier<Map<String, Long>> installCounts, Bodies bodies) {
        this.marketplace = marketplace;
        this.installCounts = installCounts;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/marketplace/plugins", this::upload)
                .get("/v1/marketplace/plugins", this::catalog)
                .get("/v1/marketplace/plugins/{id}", this::plugin)
                .get("/admin/marketplace/plugins", this::adminList)
                .get("/admin/marketplace/plugins/{id}/versions/{version}", this::adminVersion)
                .post("/admin/marketplace/plugins/{id}/versions/{version}/approve", (req, res) -> review(req, res, true))
                .post("/admin/marketplace/plugins/{id}/versions/{version}/reject", (req, res) -> review(req, res, false));
    }

    private void upload(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.PLUGINS_ADMIN);
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT)
                .split(";", 2)[0].strip();
        if (!JAR_TYPES.contains(type)) {
            throw new ClawlessException.UnsupportedMediaType("send the plugin JAR as Content-Type: "
                    + "application/java-archive");
        }
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > marketplace.settings().maxUploadBytes()) {
            throw new ClawlessException.PayloadTooLarge("a plugin JAR may be at most "
                    + marketplace.settings().maxUploadBytes() + " bytes");
        }
        Optional<String> signature = req.headers().first(HeaderNames.create("X-Plugin-Signature"))
                .filter(s -> !s.isBlank());
        Marketplace.Uploaded up = marketplace.upload(RequestState.of(req).actor(), p.tenantId(),
                req.content().inputStream(), signature);
        ObjectNode body = Json.object();
        body.put("plugin_id", up.version().pluginId());
        body.put("version", up.version().version());
        body.put("status", up.version().status());
        body.put("sha256", up.version().sha256());
        res.header(HeaderNames.LOCATION, "/v1/marketplace/plugins/" + up.version().pluginId());
        Json.send(res, up.created() ? Status.CREATED_201 : Status.OK_200, body);
    }

    private void catalog(ServerRequest req, ServerResponse res) {
        Auth.tenant(req);
        Map<String, Long> counts = installCounts.get();
        Map<String, ObjectNode> plugins = new LinkedHashMap<>();
        for (PluginVersion v : marketplace.list(Optional.of("approved"), Optional.empty())) {
            ObjectNode plugin = plugins.computeIfAbsent(v.pluginId(), id -> Json.object().put("plugin_id", id)
                    .put("installs", 0L));
            describe(plugin, v);
            long installs = counts.getOrDefault(v.pluginId() + "@" + v.version(), 0L);
            ((ArrayNode) plugin.withArray("versions")).add(catalogVersion(v, installs));
            plugin.put("installs", plugin.get("installs").asLong() + installs);
        }
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        plugins.values().forEach(data::add);
        body.putNull("next_cursor");
        Json.send(res, Status.OK_200, body);
    }

    /**
     * A plugin of the catalog: its approved versions; to the tenant that published it, also each of its own uploads
     * with its review ({@code uploads}: pending, approved or rejected, with the reviewer's reason).
     */
    private void plugin(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.tenant(req);
        String id = req.path().pathParameters().get("id");
        List<PluginVersion> versions = marketplace.list(Optional.of("approved"), Optional.of(id));
        // a publisher's own uploads and their reviewers' reasons: for whoever manages the tenant's plugins only
        List<PluginVersion> uploads = p.has(Scope.PLUGINS_ADMIN) ? marketplace.uploads(p.tenantId(), id) : List.of();
        if (versions.isEmpty() && uploads.isEmpty()) {
            throw new ClawlessException.NotFound("no plugin " + Inputs.printable(id) + " in the catalog");
        }
        Map<String, Long> counts = installCounts.get();
        ObjectNode plugin = Json.object().put("plugin_id", id).put("installs", 0L);
        ArrayNode list = plugin.putArray("versions");
        versions.forEach(v -> {
            describe(plugin, v);
            long installs = counts.getOrDefault(v.pluginId() + "@" + v.version(), 0L);
            list.add(catalogVersion(v, installs));
            plugin.put("installs", plugin.get("installs").asLong() + installs);
        });
        if (versions.isEmpty()) {
            describe(plugin, uploads.get(uploads.size() - 1));
        }
        ArrayNode own = plugin.putArray("uploads");
        uploads.forEach(v -> own.add(version(v)));
        Json.send(res, Status.OK_200, plugin);
    }

    private void adminList(ServerRequest req, ServerResponse res) {
        Optional<String> status = Inputs.query(req, "status");
        status.filter(s -> !List.of(Marketplace.PENDING, "approved", "rejected").contains(s)).ifPresent(s -> {
            throw ClawlessException.Validation.of("status", "must be pending_review, approved or rejected");
        });
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        marketplace.list(status, Optional.empty()).forEach(v -> data.add(review(v)));
        body.putNull("next_cursor");
        Json.send(res, Status.OK_200, body);
    }

    private void adminVersion(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        String version = req.path().pathParameters().get("version");
        PluginVersion v = marketplace.find(id, version).orElseThrow(() -> new ClawlessException.NotFound("no plugin "
                + Inputs.printable(id) + " " + Inputs.printable(version)));
        Json.send(res, Status.OK_200, review(v));
    }

    /** A version as the reviewer sees it: the descriptor, the archive's inspection, and the permissions it adds. */
    private ObjectNode review(PluginVersion v) {
        ObjectNode n = version(v);
        n.put("plugin_id", v.pluginId());
        n.set("descriptor", v.descriptor());
        Optional<PluginReview.Inspection> inspection = marketplace.inspection(v);
        if (inspection.isPresent()) {
            PluginReview.Inspection i = inspection.get();
            ObjectNode in = n.putObject("inspection");
            in.put("entries", i.entries());
            in.put("total_uncompressed_bytes", i.totalUncompressedBytes());
            ArrayNode packages = in.putArray("packages");
            i.packages().forEach(packages::add);
            ArrayNode nested = in.putArray("nested_jars");
            i.nestedJars().forEach(f -> nested.addObject().put("name", f.name()).put("size_bytes", f.sizeBytes()));
            ArrayNode largest = in.putArray("largest");
            i.largest().forEach(f -> largest.addObject().put("name", f.name()).put("size_bytes", f.sizeBytes()));
        } else {
            n.putNull("inspection");
        }
        PluginReview.PermissionsDiff diff = marketplace.permissionsDiff(v);
        ObjectNode d = n.putObject("permissions_diff");
        d.put("previous_version", diff.previousVersion().orElse(null));
        d.set("added", permissions(diff.added()));
        d.set("removed", permissions(diff.removed()));
        return n;
    }

    private static ObjectNode permissions(PluginReview.Permissions p) {
        ObjectNode n = Json.object();
        ArrayNode hosts = n.putArray("hosts");
        p.hosts().forEach(hosts::add);
        ArrayNode secrets = n.putArray("secrets");
        p.secrets().forEach(secrets::add);
        ArrayNode tools = n.putArray("mutating_tools");
        p.mutatingTools().forEach(tools::add);
        return n;
    }

    private void review(ServerRequest req, ServerResponse res, boolean approve) {
        JsonInput in = bodies.optionalObject(req).map(o -> JsonInput.of(o, Set.of("reason")))
                .orElse(JsonInput.empty());
        Optional<String> reason = in.string("reason", 2000);
        in.done();
        if (!approve && reason.isEmpty()) {
            throw ClawlessException.Validation.of("reason", "is required to reject: the publisher needs to know why");
        }
        PluginVersion v = marketplace.review(RequestState.of(req).actor(), req.path().pathParameters().get("id"),
                req.path().pathParameters().get("version"), approve, reason);
        ObjectNode n = version(v);
        n.put("plugin_id", v.pluginId());
        Json.send(res, Status.OK_200, n);
    }

    private static void describe(ObjectNode plugin, PluginVersion v) {
        var d = v.descriptor();
        plugin.put("display_name", d.path("display_name").asText());
        plugin.put("description", d.path("description").asText());
        plugin.put("icon", d.path("icon").asText(null));
        plugin.set("permissions", declared(d));
        plugin.set("config_schema", d.path("config_schema").isObject() ? d.get("config_schema") : Json.object());
    }

    /** The permissions a descriptor declares: hosts it calls, secrets it asks for, tools that change things. */
    private static ObjectNode declared(com.fasterxml.jackson.databind.JsonNode d) {
        ObjectNode permissions = Json.object();
        permissions.set("hosts", d.path("hosts").isArray() ? d.get("hosts") : Json.MAPPER.createArrayNode());
        permissions.set("secrets", d.path("secrets").isArray() ? d.get("secrets") : Json.MAPPER.createArrayNode());
        permissions.set("mutating_tools", d.path("mutating_tools").isArray() ? d.get("mutating_tools")
                : Json.MAPPER.createArrayNode());
        return permissions;
    }

    /** A version in the catalog: what it may do and how it is configured, since both can change between versions. */
    private static ObjectNode catalogVersion(PluginVersion v, long installs) {
        var d = v.descriptor();
        ObjectNode n = version(v).put("installs", installs);
        n.set("permissions", declared(d));
        n.set("config_schema", d.path("config_schema").isObject() ? d.get("config_schema") : Json.object());
        return n;
    }

    private static ObjectNode version(PluginVersion v) {
        ObjectNode n = Json.object();
        n.put("version", v.version());
        n.put("status", v.status());
        n.put("sha256", v.sha256());
        n.put("size_bytes", v.sizeBytes());
        n.put("requires", v.requires());
        n.put("provider", v.provider().orElse(null));
        n.put("signed_by", v.signedBy().orElse(null));
        n.put("review_reason", v.reviewReason().orElse(null));
        ArrayNode ext = n.putArray("extensions");
        v.extensions().forEach(ext::add);
        n.put("created_at", Json.time(v.createdAt()));
        Json.putTime(n, "reviewed_at", v.reviewedAt());
        return n;
    }
}
