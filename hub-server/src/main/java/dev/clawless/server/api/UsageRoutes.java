package dev.clawless.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.sales.Leads;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.core.usage.UsageRow;
import dev.clawless.core.usage.UsageSummary;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;

/** {@code GET /v1/usage} (scope {@code usage:read}) and {@code GET /admin/tenants/{id}/usage}. */
public final class UsageRoutes {

    private final UsageMeter usage;
    private final TenantManagement tenants;
    private final Leads leads;

    public UsageRoutes(UsageMeter usage, TenantManagement tenants, Leads leads) {
        this.usage = usage;
        this.tenants = tenants;
        this.leads = leads;
    }

    public void register(Routes routes) {
        routes.get("/v1/usage", this::own)
                .get("/admin/tenants/{id}/usage", this::ofTenant);
    }

    private void own(ServerRequest req, ServerResponse res) {
        Tenant t = Auth.require(req, Scope.USAGE_READ).tenant();
        Json.send(res, Status.OK_200, view(t, usage.summary(t.id(), period(req))));
    }

    private void ofTenant(ServerRequest req, ServerResponse res) {
        Tenant t = tenants.get(Inputs.pathId(req, "ten", "tenant"));
        Json.send(res, Status.OK_200, view(t, usage.summary(t.id(), period(req))));
    }

    private String period(ServerRequest req) {
        return Inputs.query(req, "period").orElse(usage.currentPeriod());
    }

    private ObjectNode view(Tenant t, UsageSummary s) {
        Quotas q = tenants.effectiveQuotas(t);
        ObjectNode node = Json.object();
        node.put("tenant_id", t.id());
        node.put("period", s.period());
        node.put("messages", s.messages());
        node.put("tokens_in", s.tokensIn());
        node.put("tokens_out", s.tokensOut());
        node.put("cost_usd", s.costMicros() / 1_000_000.0);
        node.set("quotas", Views.quotas(q));
        ObjectNode remaining = node.putObject("remaining");
        remaining.put("messages", q.messagesPerMonth() < 0 ? -1 : Math.max(0, q.messagesPerMonth() - s.messages()));
        remaining.put("tokens", q.tokensPerMonth() < 0 ? -1 : Math.max(0, q.tokensPerMonth() - s.tokens()));
        // the sales funnel of the period: conversations started → leads (a form field filled) → qualified →
        // moved to WhatsApp (and pushed to the CRM)
        java.time.YearMonth month = java.time.YearMonth.parse(s.period());
        java.time.Instant from = month.atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        dev.clawless.core.sales.Funnel f = leads.funnel(t.id(), from, month.plusMonths(1).atDay(1)
                .atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        node.putObject("funnel").put("conversations", f.conversations()).put("leads", f.leads())
                .put("qualified", f.qualified()).put("transferred", f.transferred()).put("pushed", f.pushed());
        ArrayNode models = node.putArray("by_model");
        for (UsageRow r : s.byModel()) {
            models.addObject().put("provider", r.provider()).put("model", r.model()).put("messages", r.messages())
                    .put("tokens_in", r.tokensIn()).put("tokens_out", r.tokensOut())
                    .put("cost_usd", r.costMicros() / 1_000_000.0);
        }
        return node;
    }
}
