package dev.clawless.server.api;

import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.conversation.Contacts;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/** The people a tenant talks to: list, search, profile with every identity, rename, merge. */
public final class ContactRoutes {

    private final Contacts contacts;
    private final Bodies bodies;
    private final java.util.function.BiFunction<String, String, java.util.List<dev.clawless.core.sales.Lead.CrmRecord>>
            crmRecords;

    /** @param crmRecords a contact's records in CRMs, by tenant and contact id */
    public ContactRoutes(Contacts contacts, Bodies bodies, java.util.function.BiFunction<String, String,
            java.util.List<dev.clawless.core.sales.Lead.CrmRecord>> crmRecords) {
        this.contacts = contacts;
        this.bodies = bodies;
        this.crmRecords = crmRecords;
    }

    public void register(Routes routes) {
        routes.get("/v1/contacts", this::list)
                .get("/v1/contacts/{id}", this::get)
                .patch("/v1/contacts/{id}", this::rename)
                .post("/v1/contacts/{id}/merge", this::merge);
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, Views.page(contacts.list(p.tenantId(), Inputs.query(req, "q"),
                Inputs.page(req)), ContactRoutes::contact));
    }

    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, withCrm(p.tenantId(), profile(contacts.get(p.tenantId(),
                Inputs.pathId(req, "ctc", "contact")))));
    }

    private void rename(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        String id = Inputs.pathId(req, "ctc", "contact");
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("display_name"));
        String name = in.requiredString("display_name", 200);
        in.done();
        Json.send(res, Status.OK_200, withCrm(p.tenantId(), profile(contacts.rename(RequestState.of(req).actor(),
                p.tenantId(), id, name))));
    }

    private void merge(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        String id = Inputs.pathId(req, "ctc", "contact");
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("contact_id"));
        String other = Inputs.id(in.requiredString("contact_id", 60), "ctc", "contact");
        in.done();
        Json.send(res, Status.OK_200, withCrm(p.tenantId(), profile(contacts.merge(RequestState.of(req).actor(),
                p.tenantId(), id, other))));
    }

    /** The profile with the contact's records in CRMs ({@code crm_records}). */
    private ObjectNode withCrm(String tenantId, ObjectNode profile) {
        profile.set("crm_records", SalesRoutes.records(crmRecords.apply(tenantId, profile.get("id").asText())));
        return profile;
    }

    static ObjectNode contact(Contacts.Contact c) {
        return Json.object().put("id", c.id()).put("display_name", c.displayName().orElse(null))
                .put("created_at", Json.time(c.createdAt()));
    }

    static ObjectNode profile(Contacts.Profile p) {
        ObjectNode n = contact(p.contact());
        ArrayNode identities = n.putArray("identities");
        p.identities().forEach(i -> identities.addObject().put("id", i.id()).put("channel", i.channelType())
                .put("connection_id", i.connectionId()).put("external_id", i.externalId())
                .put("display_name", i.displayName().orElse(null)).put("username", i.username().orElse(null))
                .put("verified_key", i.verifiedKey().orElse(null)).put("created_at", Json.time(i.createdAt())));
        ArrayNode conversations = n.putArray("conversation_ids");
        p.conversationIds().forEach(conversations::add);
        return n;
    }
}
