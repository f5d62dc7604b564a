package dev.clawless.server.api;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.sales.Lead;
import dev.clawless.core.sales.LeadForm;
import dev.clawless.core.sales.LeadForms;
import dev.clawless.core.sales.Leads;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * The sales mode: {@code /v1/sales/lead-form} (read: conversations:read; change: tenant:admin), {@code /v1/leads}
 * and a conversation's lead (conversations:read), a push to the CRM again (conversations:write).
 */
public final class SalesRoutes {

    private final LeadForms forms;
    private final Leads leads;
    private final Bodies bodies;

    public SalesRoutes(LeadForms forms, Leads leads, Bodies bodies) {
        this.forms = forms;
        this.leads = leads;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.get("/v1/sales/lead-form", this::form)
                .put("/v1/sales/lead-form", this::saveForm)
                .get("/v1/leads", this::list)
                .get("/v1/leads/{id}", this::get)
                .post("/v1/leads/{id}/push", this::push)
                .get("/v1/conversations/{id}/lead", this::ofConversation);
    }

    private void form(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        LeadForm form = forms.form(p.tenantId());
        Json.send(res, Status.OK_200, form == LeadForm.NONE ? Json.object().putNull("form") : form.toJson());
    }

    private void saveForm(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        LeadForm form = LeadForm.parse(bodies.object(req));
        Json.send(res, Status.OK_200, forms.save(RequestState.of(req).actor(), p.tenantId(), form).toJson());
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        boolean qualified = Inputs.query(req, "qualified").map(v -> {
            if (!v.equals("true") && !v.equals("false")) {
                throw ClawlessException.Validation.of("qualified", "must be true or false");
            }
            return v.equals("true");
        }).orElse(false);
        int limit = Inputs.query(req, "limit").map(v -> {
            if (!v.matches("\\d{1,3}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 200) {
                throw ClawlessException.Validation.of("limit", "must be 1-200");
            }
            return Integer.parseInt(v);
        }).orElse(50);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        leads.list(p.tenantId(), qualified, limit).forEach(l -> data.add(view(l)));
        Json.send(res, Status.OK_200, body);
    }

    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, view(leads.get(p.tenantId(), Inputs.pathId(req, "lead", "lead"))));
    }

    private void push(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        Json.send(res, Status.ACCEPTED_202, view(leads.push(RequestState.of(req).actor(), p.tenantId(),
                Inputs.pathId(req, "lead", "lead"))));
    }

    private void ofConversation(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        String id = Inputs.pathId(req, "cnv", "conversation");
        Lead lead = leads.ofConversation(p.tenantId(), id)
                .orElseThrow(() -> new ClawlessException.NotFound("the conversation " + id + " has no lead"));
        Json.send(res, Status.OK_200, view(lead));
    }

    static ObjectNode view(Lead l) {
        ObjectNode n = Json.object().put("id", l.id()).put("conversation_id", l.conversationId())
                .put("contact_id", l.contactId().isEmpty() ? null : l.contactId());
        n.set("answers", Json.MAPPER.valueToTree(l.answers()));
        ArrayNode intents = n.putArray("intents");
        l.intents().forEach(intents::add);
        n.put("score", l.score()).put("qualified", l.qualified())
                .put("asking", l.asking().map(a -> a.equals(Lead.OFFER) ? "whatsapp_offer" : a).orElse(null));
        Json.putTime(n, "offered_at", l.offeredAt());
        Json.putTime(n, "qualified_at", l.qualifiedAt());
        Json.putTime(n, "transferred_at", l.transferredAt());
        n.put("transferred_to", l.transferredTo().orElse(null));
        ObjectNode push = n.putObject("push").put("status", l.pushStatus()).put("attempts", l.pushAttempts())
                .put("error", l.pushError().orElse(null));
        Json.putTime(push, "pushed_at", l.pushedAt());
        n.set("crm_records", records(l.crmRecords()));
        n.put("created_at", Json.time(l.createdAt())).put("updated_at", Json.time(l.updatedAt()));
        return n;
    }

    static ArrayNode records(List<Lead.CrmRecord> records) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        records.forEach(r -> out.addObject().put("crm", r.crm()).put("object_type", r.objectType())
                .put("id", r.recordId()).put("url", r.url().orElse(null)).put("linked_at", Json.time(r.linkedAt())));
        return out;
    }
}
