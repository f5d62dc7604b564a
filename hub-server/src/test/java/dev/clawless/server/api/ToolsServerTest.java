package dev.clawless.server.api;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tools in a turn: mutating calls wait for an operator's approval, read-only ones run at once, internal hosts never. */
class ToolsServerTest {

    private static WireMockServer fake;
    private static TestHub hub;
    private static TestHub strictHub;

    @BeforeAll
    static void start() {
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        Map<String, String> env = new HashMap<>(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-x",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fake.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test",
                "CLAWLESS_TOOLS_HTTP_ALLOWED_URLS", fake.baseUrl() + "/crm/"));
        env.put("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true");
        hub = TestHub.start(env);
        env.put("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "false");
        strictHub = TestHub.start(env);
    }

    @AfterAll
    static void stop() {
        hub.close();
        strictHub.close();
        fake.stop();
    }

    @BeforeEach
    void reset() {
        fake.resetAll();
        fake.stubFor(any(urlPathMatching("/crm/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"lead_id\":77}")));
    }

    private static String toolCallStream(String method, String path) {
        String args = ("{\"method\":\"" + method + "\",\"url\":\"" + fake.baseUrl() + path + "\",\"body\":\"{}\"}")
                .replace("\"", "\\\"");
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"http_request\",\"arguments\":\"\"}}]},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"" + args
                + "\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
    }

    private static String textStream(String text) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    }

    /** The model first calls the tool, then (given the tool's result) answers {@code answer}. */
    private static void modelCallsThenAnswers(String method, String path, String answer) {
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("turn")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("called")
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(toolCallStream(method, path))));
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("turn").whenScenarioStateIs("called")
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(textStream(answer))));
    }

    private static String[] tenantKeySession(TestHub h) {
        String key = h.key(h.tenant("Tools"), "[\"chat\",\"tenant:admin\",\"conversations:read\",\"conversations:write\"]");
        assertEquals(200, h.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"provider\":\"openai\"}}}")
                .statusCode());
        return new String[] {key, json(h.call("POST", "/v1/sessions", key, null)).get("id").asText()};
    }

    private static HttpResponse<String> ask(TestHub h, String key, String session, String text) {
        return h.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
    }

    private static String lastAssistantText(TestHub h, String key, String session) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end) {
            JsonNode data = json(h.call("GET", "/v1/sessions/" + session + "/messages", key, null)).get("data");
            JsonNode last = data.get(data.size() - 1);
            if (last.get("role").asText().equals("assistant")) {
                return last.get("text").asText();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no reply appeared in the session");
    }

    @Test
    void aMutatingCallWaitsForApprovalThenRunsOnce() throws Exception {
        modelCallsThenAnswers("POST", "/crm/leads", "Lead created.");
        String[] ks = tenantKeySession(hub);
        HttpResponse<String> paused = ask(hub, ks[0], ks[1], "Please create a lead for Ann");
        assertEquals(202, paused.statusCode(), paused.body());
        String approvalId = json(paused).get("approval_id").asText();
        fake.verify(0, postRequestedFor(urlEqualTo("/crm/leads")));

        JsonNode pending = json(hub.call("GET", "/v1/approvals?status=pending", ks[0], null)).get("data");
        assertEquals(approvalId, pending.get(0).get("id").asText());
        assertEquals("POST", pending.get(0).at("/arguments/method").asText());
        String other = hub.key(hub.tenant("Other"), "[\"conversations:read\",\"conversations:write\"]");
        assertEquals(404, hub.call("POST", "/v1/approvals/" + approvalId + "/approve", other, null).statusCode());

        HttpResponse<String> approved = hub.call("POST", "/v1/approvals/" + approvalId + "/approve", ks[0], null);
        assertEquals(200, approved.statusCode(), approved.body());
        assertEquals("Lead created.", lastAssistantText(hub, ks[0], ks[1]));
        fake.verify(1, postRequestedFor(urlEqualTo("/crm/leads")));
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("lead_id")));
        assertEquals(409, hub.call("POST", "/v1/approvals/" + approvalId + "/deny", ks[0], null).statusCode());
        assertTrue(hub.admin("GET", "/admin/audit?action=approval.approved", null).body().contains(approvalId));
    }

    @Test
    void aDeniedCallIsReportedToTheModelAndNeverRuns() throws Exception {
        modelCallsThenAnswers("DELETE", "/crm/leads/77", "Understood, I won't delete it.");
        String[] ks = tenantKeySession(hub);
        String approvalId = json(ask(hub, ks[0], ks[1], "delete lead 77")).get("approval_id").asText();
        assertEquals(200, hub.call("POST", "/v1/approvals/" + approvalId + "/deny", ks[0],
                "{\"reason\":\"not allowed\"}").statusCode());
        assertEquals("Understood, I won't delete it.", lastAssistantText(hub, ks[0], ks[1]));
        fake.verify(0, com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(urlPathMatching("/crm/.*")));
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("denied")));
    }

    @Test
    void aReadOnlyCallRunsWithoutApproval() {
        modelCallsThenAnswers("GET", "/crm/status", "All systems go.");
        String[] ks = tenantKeySession(hub);
        HttpResponse<String> r = ask(hub, ks[0], ks[1], "is the CRM up?");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("All systems go.", json(r).at("/choices/0/message/content").asText());
        fake.verify(1, getRequestedFor(urlEqualTo("/crm/status")));
    }

    @Test
    void aCallToAnInternalAddressIsAToolErrorAndNoRequestIsSent() throws Exception {
        modelCallsThenAnswers("GET", "/crm/status", "I could not reach it.");
        String[] ks = tenantKeySession(strictHub);
        HttpResponse<String> r = ask(strictHub, ks[0], ks[1], "is the CRM up?");
        assertEquals(200, r.statusCode(), r.body());
        fake.verify(0, getRequestedFor(urlEqualTo("/crm/status")));
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("refused")));
    }
}
