package dev.clawless.server.api;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.LangChainProvider;
import dev.clawless.core.assistant.RoutingRules;
import dev.clawless.core.tenant.AssistantSettings;
import dev.clawless.core.tenant.Scope;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;

/**
 * {@code GET /v1/assistant/providers} (scope {@code tenant:admin}): the providers a tenant's assistant may name, and which of them this hub has
 * configured (with the model used when none is named), so the console can offer only what will answer.
 */
public final class AssistantRoutes {

    private final Set<String> configured;
    private final List<LangChainProvider.Settings> llms;
    private final RoutingRules routing;

    public AssistantRoutes(Set<String> configured, List<LangChainProvider.Settings> llms, RoutingRules routing) {
        this.configured = Set.copyOf(configured);
        this.llms = List.copyOf(llms);
        this.routing = routing;
    }

    public void register(Routes routes) {
        routes.get("/v1/assistant/providers", this::providers);
    }

    private void providers(ServerRequest req, ServerResponse res) {
        Auth.require(req, Scope.TENANT_ADMIN);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        for (String name : AssistantSettings.PROVIDERS) {
            ObjectNode p = data.addObject().put("name", name).put("configured", configured.contains(name)
                    || name.equals(AssistantSettings.AUTO));
            p.put("default_model", llms.stream().filter(s -> s.name().equals(name)).map(
                    LangChainProvider.Settings::defaultModel).findFirst().orElse(null));
        }
        body.putNull("next_cursor");
        // the operator's routing rules (clawless.assistant.routing): they apply before the tenant's own choice
        ArrayNode rules = body.putArray("routing");
        routing.rules().forEach(r -> rules.addObject().put("condition", r.condition()).put("target", r.target()));
        Json.send(res, Status.OK_200, body);
    }
}
