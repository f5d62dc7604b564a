package dev.clawless.server.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.account.Invitation;
import dev.clawless.core.account.Member;
import dev.clawless.core.account.Memberships;
import dev.clawless.core.account.Role;
import dev.clawless.core.account.Team;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/** A tenant's members, invitations, teams and its second-factor rule ({@code /v1/members}, …). */
public final class MemberRoutes {

    private final Memberships memberships;
    private final java.util.function.Function<String, Map<String, Long>> openCounts;
    private final Bodies bodies;

    /**
     * @param openCounts open conversations per member of a tenant (the inbox's count)
     */
    public MemberRoutes(Memberships memberships, java.util.function.Function<String, Map<String, Long>> openCounts,
                        Bodies bodies) {
        this.memberships = memberships;
        this.openCounts = openCounts;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.get("/v1/members", this::members)
                .patch("/v1/members/{id}", this::updateMember)
                .delete("/v1/members/{id}", this::removeMember)
                .post("/v1/invitations", this::invite)
                .get("/v1/invitations", this::invitations)
                .delete("/v1/invitations/{id}", this::revokeInvitation)
                .get("/v1/teams", this::teams)
                .post("/v1/teams", this::createTeam)
                .patch("/v1/teams/{id}", this::updateTeam)
                .delete("/v1/teams/{id}", this::deleteTeam)
                .get("/v1/tenant/security", this::security)
                .patch("/v1/tenant/security", this::updateSecurity);
    }

    private void members(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Map<String, Long> open = openCounts.apply(p.tenantId());
        Json.send(res, Status.OK_200, Views.list(memberships.members(p.tenantId()),
                m -> member(m, open.getOrDefault(m.user().id(), 0L))));
    }

    private void updateMember(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.MEMBERS_ADMIN);
        String userId = Inputs.pathId(req, "usr", "member");
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("role", "capacity"));
        Optional<Role> role = in.choice("role", List.of("owner", "admin", "agent"), Role::fromWire);
        Optional<Long> capacity = in.integer("capacity", 0, 1000);
        in.done();
        Member m = memberships.update(RequestState.of(req).actor(), p.tenantId(), userId, role,
                capacity.map(Long::intValue));
        Json.send(res, Status.OK_200, member(m, openCounts.apply(p.tenantId()).getOrDefault(userId, 0L)));
    }

    private void removeMember(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.MEMBERS_ADMIN);
        memberships.remove(RequestState.of(req).actor(), p.tenantId(), Inputs.pathId(req, "usr", "member"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void invite(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.MEMBERS_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("email", "role"));
        String email = in.requiredString("email", 254);
        Optional<Role> role = in.choice("role", List.of("owner", "admin", "agent"), Role::fromWire);
        if (!in.has("role")) {
            in.error("role", "is required: owner, admin or agent");
        }
        in.done();
        Memberships.Invited invited = memberships.invite(RequestState.of(req).actor(), p.tenantId(), email,
                role.orElseThrow());
        ObjectNode body = invitation(invited.invitation());
        body.put("link", invited.url());
        body.put("emailed", invited.emailed());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.CREATED_201, body);
    }

    private void invitations(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.MEMBERS_ADMIN);
        Json.send(res, Status.OK_200, Views.list(memberships.invitations(p.tenantId()), MemberRoutes::invitation));
    }

    private void revokeInvitation(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.MEMBERS_ADMIN);
        memberships.revokeInvitation(RequestState.of(req).actor(), p.tenantId(),
                Inputs.pathId(req, "lnk", "invitation"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void teams(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, Views.list(memberships.teams(p.tenantId()), MemberRoutes::team));
    }

    private void createTeam(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("name", "member_ids"));
        String name = in.requiredString("name", 100);
        List<String> members = in.strings("member_ids", 500, 60).orElse(List.of());
        in.done();
        Json.send(res, Status.CREATED_201, team(memberships.createTeam(RequestState.of(req).actor(), p.tenantId(),
                name, members)));
    }

    private void updateTeam(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        String id = Inputs.pathId(req, "tm", "team");
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("name", "member_ids"));
        Optional<String> name = in.string("name", 100);
        Optional<List<String>> members = in.strings("member_ids", 500, 60);
        in.done();
        Json.send(res, Status.OK_200, team(memberships.updateTeam(RequestState.of(req).actor(), p.tenantId(), id,
                name, members)));
    }

    private void deleteTeam(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        memberships.deleteTeam(RequestState.of(req).actor(), p.tenantId(), Inputs.pathId(req, "tm", "team"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void security(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, Json.object().put("require_totp", memberships.requireTotp(p.tenantId())));
    }

    private void updateSecurity(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.MEMBERS_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("require_totp"));
        Optional<Boolean> required = in.bool("require_totp");
        if (required.isEmpty()) {
            in.error("require_totp", "is required: true or false");
        }
        in.done();
        memberships.requireTotp(RequestState.of(req).actor(), p.tenantId(), required.orElseThrow());
        Json.send(res, Status.OK_200, Json.object().put("require_totp", required.get()));
    }

    static ObjectNode member(Member m, long open) {
        return Json.object().put("user_id", m.user().id()).put("email", m.user().email())
                .put("display_name", m.user().displayName()).put("role", m.role().wire())
                .put("capacity", m.capacity()).put("presence", m.online() ? "online"
                        : m.user().presence().equals("away") ? "away" : "offline")
                .put("open_conversations", open);
    }

    static ObjectNode invitation(Invitation i) {
        return Json.object().put("id", i.id()).put("email", i.email()).put("role", i.role().wire())
                .put("expires_at", Json.time(i.expiresAt())).put("created_at", Json.time(i.createdAt()));
    }

    static ObjectNode team(Team t) {
        ObjectNode n = Json.object().put("id", t.id()).put("name", t.name())
                .put("created_at", Json.time(t.createdAt()));
        ArrayNode ids = n.putArray("member_ids");
        t.memberIds().forEach(ids::add);
        return n;
    }
}
