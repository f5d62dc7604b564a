package dev.clawless.server.console;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

import dev.clawless.server.Browser;
import dev.clawless.server.Chromium;
import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.console.Pages.accessibilityViolations;
import static dev.clawless.server.console.Pages.all;
import static dev.clawless.server.console.Pages.click;
import static dev.clawless.server.console.Pages.freePort;
import static dev.clawless.server.console.Pages.find;
import static dev.clawless.server.console.Pages.screenshot;
import static dev.clawless.server.console.Pages.select;
import static dev.clawless.server.console.Pages.type;
import static dev.clawless.server.console.Pages.value;
import static dev.clawless.server.console.Pages.waitFor;
import static dev.clawless.server.console.Pages.waitForText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every settings and administration screen in headless Chromium, each doing its job against a real hub: the
 * assistant and its playground, intents and their test box, knowledge chunks, API keys shown once and revoked, a
 * webhook's deliveries resent, a channel's dead letter retried and its deletion confirmed, a tenant's quotas and
 * suspension, the audit log, the system page, a rejected plugin kept out of every catalog — and an agent who gets
 * none of it, in the browser or from the API.
 */
class SettingsScreensBrowserTest {

    private static final String PASSWORD = Browser.PASSWORD;
    private static int port;
    private static TestHub hub;
    private static WireMockServer platform;
    private static Browser root;
    private static String tenant;
    private final List<ChromeDriver> drivers = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        Chromium.requireOrSkip();
        port = freePort();
        platform = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        platform.start();
        platform.stubFor(post(urlEqualTo("/hooks/crm")).willReturn(aResponse().withStatus(204)));
        hub = TestHub.start(Map.of("CLAWLESS_PORT", Integer.toString(port),
                "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true", "CLAWLESS_CHANNELS_DELIVERY_ATTEMPTS", "2",
                "CLAWLESS_JOBS_BACKOFF_BASE", "100ms", "CLAWLESS_JOBS_BACKOFF_MAX", "200ms"));
        root = Browser.firstAdmin(hub, "root@acme.example");
        HttpResponse<String> created = root.call("POST", "/admin/tenants", "{\"name\":\"Acme\"}");
        assertEquals(201, created.statusCode(), created.body());
        tenant = json(created).get("id").asText();
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (platform != null) {
            platform.stop();
        }
    }

    @AfterEach
    void quit() {
        drivers.forEach(ChromeDriver::quit);
    }

    private ChromeDriver signedIn(String email) {
        ChromeDriver d = Chromium.start(1280, 1000);
        drivers.add(d);
        d.get("http://localhost:" + port + "/console#/login");
        type(d, "login-email", email);
        type(d, "login-password", PASSWORD);
        click(d, "login-submit");
        find(d, "nav-inbox");
        return d;
    }

    /** Picks the tenant in the top bar and waits for the inbox the switch opens, so a later navigation sticks. */
    private static void switchTenant(ChromeDriver d, String id) {
        Pages.js(d, "location.hash = '#/profile'");
        find(d, "profile-form");
        if (id.equals(find(d, "tenant-switcher").getDomProperty("value"))) {
            return;
        }
        new Select(find(d, "tenant-switcher")).selectByValue(id);
        waitFor(d, "the inbox of " + id, () -> Pages.js(d, "return location.hash").equals("#/inbox")
                && !all(d, "inbox-filters").isEmpty());
    }

    private static void open(ChromeDriver d, String hash) {
        d.get("http://localhost:" + port + "/console" + hash);
    }



    private static HttpResponse<String> withKey(String method, String path, String key, String body) {
        return hub.call(method, path, key, body);
    }

    @Test
    void theAssistantIntentsAndKnowledgeAreSetAndTriedFromTheirScreens() throws Exception {
        ChromeDriver d = signedIn("root@acme.example");
        switchTenant(d, tenant);
        open(d, "#/settings/knowledge");
        click(d, "knowledge-tab-faq");
        type(d, "faq-title", "Shop FAQ");
        type(d, "faq-q-0", "How long does shipping take?");
        type(d, "faq-a-0", "Shipping takes 3 to 5 business days.");
        click(d, "faq-add-row");
        type(d, "faq-q-1", "Do you ship abroad?");
        type(d, "faq-a-1", "We ship to 40 countries.");
        click(d, "faq-save");
        waitForText(d, "knowledge-add-status", "2 chunks");
        click(d, "document-open");
        waitForText(d, "document-chunks", "Do you ship abroad?");
        assertEquals(2, all(d, "document-chunk").size());

        // the assistant: a system prompt and a sales mode, saved; the playground answers from the FAQ
        open(d, "#/settings/assistant");
        type(d, "assistant-system-prompt", "You are Acme's helpful assistant.");
        type(d, "assistant-mode-prompts", "## sales\nOffer the yearly plan.");
        waitForText(d, "assistant-no-llm", "system prompt"); // this hub has no LLM: the page says what that means
        type(d, "assistant-model-aliases", "support-bot = retrieval");
        d.executeScript("window.scrollTo(0, 0)");
        screenshot(d, "console-settings-assistant-form.png");
        click(d, "assistant-save");
        waitForText(d, "assistant-status", "Saved");
        JsonNode settings = json(root.actingFor(tenant).call("GET", "/v1/tenant", null)).get("settings");
        assertEquals("You are Acme's helpful assistant.", settings.get("system_prompt").asText());
        assertEquals("Offer the yearly plan.", settings.get("mode_prompts").get("sales").asText());
        assertEquals("retrieval", settings.at("/assistant/model_aliases/support-bot").asText());
        type(d, "playground-input", "how long will shipping take");
        click(d, "playground-send");
        waitForText(d, "playground-log", "3 to 5 business days");
        screenshot(d, "console-settings-assistant.png");
        assertEquals(List.of(), accessibilityViolations(d), "the assistant page");

        // an intent with its mode, tried in the test box, then deleted after confirming
        open(d, "#/settings/intents");
        type(d, "intent-name", "purchase");
        type(d, "intent-examples", "I want to buy this\nHow do I order?\nI'd like to purchase a plan");
        type(d, "intent-mode", "sales");
        click(d, "intent-save");
        waitForText(d, "intent-status", "purchase");
        type(d, "intent-test-text", "I would like to buy the yearly plan");
        click(d, "intent-test-run");
        waitForText(d, "intent-test-result", "purchase");
        click(d, "intent-delete");
        click(d, "intent-delete-confirm-yes");
        waitFor(d, "the intent gone", () -> all(d, "intent-row").isEmpty());

        // deleting the document asks first
        open(d, "#/settings/knowledge");
        click(d, "document-open");
        click(d, "document-delete");
        waitForText(d, "document-delete-confirm", "Shop FAQ");
        click(d, "document-delete-confirm-yes");
        waitFor(d, "the empty document list", () -> find(d, "documents-table").getText().contains("No documents"));

        // a help page fetched from a URL: read by Tika, its headings kept as the sections the assistant cites
        platform.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/help/returns.html"))
                .willReturn(aResponse().withHeader("Content-Type", "text/html; charset=utf-8").withBody(
                        "<html><head><title>Returns</title></head><body><h1>Returns</h1><h2>Refunds</h2>"
                                + "<p>Refunds reach your card within 10 days of the parcel arriving.</p>"
                                + "</body></html>")));
        click(d, "knowledge-tab-url");
        type(d, "knowledge-url", platform.baseUrl() + "/help/returns.html");
        click(d, "knowledge-fetch");
        waitForText(d, "knowledge-add-status", "1 chunk");
        click(d, "document-open");
        waitForText(d, "document-chunks", "Returns > Refunds");
        screenshot(d, "console-settings-knowledge-url.png");
        assertEquals(List.of(), accessibilityViolations(d), "the knowledge page");

        // Claude's thinking budget is the tenant's own when it sets one; emptied, it is the hub's again
        open(d, "#/settings/assistant");
        select(d, "assistant-provider", "anthropic");
        type(d, "assistant-thinking", "4000");
        click(d, "assistant-save");
        waitForText(d, "assistant-status", "Saved");
        JsonNode anthropic = json(root.actingFor(tenant).call("GET", "/v1/tenant", null)).at("/settings/assistant");
        assertEquals("anthropic", anthropic.get("provider").asText());
        assertEquals(4000, anthropic.get("thinking_budget_tokens").asInt());
        find(d, "assistant-thinking").sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"),
                org.openqa.selenium.Keys.BACK_SPACE);
        select(d, "assistant-provider", "auto");
        click(d, "assistant-save");
        waitForText(d, "assistant-status", "Saved");
        JsonNode back = json(root.actingFor(tenant).call("GET", "/v1/tenant", null)).at("/settings/assistant");
        assertEquals("auto", back.get("provider").asText());
        assertTrue(back.get("thinking_budget_tokens").isNull(), back.toString());
    }

    @Test
    void keysWebhooksAndChannelsShowWhatHappenedAndAskBeforeDestroying() throws Exception {
        ChromeDriver d = signedIn("root@acme.example");
        switchTenant(d, tenant);

        // a key: shown once, it works, then it is revoked after a confirmation and stops working
        open(d, "#/settings/api-keys");
        type(d, "key-name", "CRM sync");
        click(d, "key-scope-usage:read");
        click(d, "key-create");
        String key = value(d, "key-secret-value");
        assertTrue(key.startsWith("ck_live_"), key);
        assertEquals(200, withKey("GET", "/v1/usage", key, null).statusCode());
        click(d, "key-secret-done");
        assertFalse(d.getPageSource().contains(key), "the key is shown once");
        click(d, "key-revoke");
        waitForText(d, "key-revoke-confirm", "CRM sync");
        click(d, "key-revoke-confirm-yes");
        waitForText(d, "keys-table", "Revoked");
        assertEquals(401, withKey("GET", "/v1/usage", key, null).statusCode());

        // a webhook to the CRM: its deliveries listed and one resent
        open(d, "#/settings/webhooks");
        type(d, "webhook-url", platform.baseUrl() + "/hooks/crm");
        click(d, "webhook-create");
        assertTrue(value(d, "webhook-secret-value").startsWith("whsec_"));
        String chat = hub.key(tenant, "[\"chat\"]");
        HttpResponse<String> session = withKey("POST", "/v1/sessions", chat, "{}");
        assertEquals(201, session.statusCode(), session.body());
        HttpResponse<String> answer = withKey("POST", "/v1/chat/completions", chat, "{\"session_id\":\""
                + json(session).get("id").asText() + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        assertEquals(200, answer.statusCode(), answer.body());
        TestHub.await("the webhook called", () -> !platform.findAll(postRequestedFor(urlEqualTo("/hooks/crm")))
                .isEmpty());
        click(d, "webhook-deliveries-toggle");
        find(d, "webhook-delivery");
        int before = platform.findAll(postRequestedFor(urlEqualTo("/hooks/crm"))).size();
        click(d, "webhook-resend");
        TestHub.await("the delivery resent", () -> platform.findAll(postRequestedFor(urlEqualTo("/hooks/crm"))).size()
                > before);
        screenshot(d, "console-settings-webhooks.png");

        // a WhatsApp connection whose platform is down: the test message dies, is retried once it is back
        String account = "AC" + "fedcba9876543210".repeat(2);
        String messages = "/2010-04-01/Accounts/" + account + "/Messages.json";
        platform.stubFor(post(urlEqualTo(messages)).willReturn(aResponse().withStatus(503)));
        HttpResponse<String> con = root.actingFor(tenant).call("POST", "/v1/channels", "{\"type\":\"whatsapp\","
                + "\"name\":\"WhatsApp\",\"config\":{\"provider\":\"twilio\",\"from\":\"whatsapp:+14155238886\","
                + "\"api_base_url\":\"" + platform.baseUrl() + "\"},\"secrets\":{\"account_sid\":\"" + account
                + "\",\"auth_token\":\"0123456789abcdef0123456789abcdef\"}}");
        assertEquals(201, con.statusCode(), con.body());
        String id = json(con).get("id").asText();
        open(d, "#/settings/channels/" + id);
        type(d, "channel-test-to", "whatsapp:+573001234567");
        type(d, "channel-test-template", "HX" + "0".repeat(32));
        click(d, "channel-test-send");
        waitForText(d, "channel-test-status", "queued");
        waitFor(d, "the dead letter", () -> {
            click(d, "channel-health-reload");
            return !all(d, "dead-letter").isEmpty();
        });
        platform.stubFor(post(urlEqualTo(messages)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"sid\":\"SM" + "1".repeat(32)
                        + "\",\"status\":\"queued\"}")));
        click(d, "dead-letter-retry");
        waitFor(d, "the retried delivery", () -> {
            click(d, "channel-health-reload");
            return all(d, "dead-letter").isEmpty() && !find(d, "health-last-delivery").getText().contains("Never");
        });
        assertTrue(platform.findAll(postRequestedFor(urlPathMatching(messages))).stream()
                .anyMatch(r -> r.getBodyAsString().contains("573001234567")));
        click(d, "channel-delete");
        String warning = waitForText(d, "channel-delete-confirm", "1 open conversation");
        assertTrue(warning.contains("cannot be undone"), warning);
        click(d, "channel-delete-confirm-yes");
        waitFor(d, "the channel list without it", () -> find(d, "channels-table") != null && all(d, "channel-row")
                .stream().noneMatch(r -> id.equals(r.getAttribute("data-channel-id"))));
        assertEquals(404, root.actingFor(tenant).call("GET", "/v1/channels/" + id, null).statusCode());
    }

    @Test
    void thePlatformAdminRunsTenantsAuditSystemAndReview() throws Exception {
        String other = root.call("POST", "/admin/tenants", "{\"name\":\"Bolt\"}").body();
        String bolt = json(other).get("id").asText();
        String boltKey = hub.key(bolt, "[\"plugins:admin\",\"usage:read\"]");
        ChromeDriver d = signedIn("root@acme.example");

        // quotas and suspension of a tenant
        open(d, "#/admin/tenants/" + bolt);
        type(d, "tenant-admin-messages_per_month", "500");
        click(d, "tenant-admin-save");
        waitForText(d, "tenant-admin-status", "Saved");
        assertEquals(500, json(hub.admin("GET", "/admin/tenants/" + bolt, null)).get("quotas")
                .get("messages_per_month").asLong());
        click(d, "tenant-suspend");
        waitForText(d, "tenant-suspend-confirm", "Nothing is deleted");
        click(d, "tenant-suspend-confirm-yes");
        waitForText(d, "tenant-admin-status-value", "Suspended");
        assertEquals(403, withKey("GET", "/v1/usage", boltKey, null).statusCode());
        click(d, "tenant-reactivate");
        waitForText(d, "tenant-admin-status-value", "Active");
        assertEquals(200, withKey("GET", "/v1/usage", boltKey, null).statusCode());

        // the audit log, filtered
        open(d, "#/admin/audit");
        type(d, "audit-action", "tenant.suspended");
        click(d, "audit-apply");
        waitFor(d, "the suspension in the log", () -> all(d, "audit-row").size() == 1);
        screenshot(d, "console-admin-audit.png");

        // the system
        open(d, "#/admin/system");
        waitForText(d, "system-database", "up");
        assertFalse(find(d, "system-version").getText().isBlank());
        // a backup taken from the page, listed with a link to download it
        click(d, "backup-now");
        waitForText(d, "backup-made", "clawless-backup-");
        waitFor(d, "the backup in the list", () -> all(d, "backup-row").size() == 1);
        assertTrue(find(d, "backup-row").getText().contains(".zip"));
        assertEquals(1, json(hub.admin("GET", "/admin/backups", null)).get("data").size());
        screenshot(d, "console-admin-system.png");
        assertEquals(List.of(), accessibilityViolations(d), "the system page");

        // a plugin rejected with a reason never reaches a catalog
        byte[] jar = Files.readAllBytes(Path.of("..", "plugins", "http-tools", "target",
                "http-tools-0.1.0-SNAPSHOT.jar"));
        HttpResponse<String> up = hub.send(hub.request("/v1/marketplace/plugins").header("Authorization", "Bearer "
                + boltKey).header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jar)));
        assertEquals(201, up.statusCode(), up.body());
        open(d, "#/admin/marketplace");
        find(d, "review-item");
        click(d, "review-reject");
        waitForText(d, "review-error", "reason");
        type(d, "review-reason", "It asks for every host (*); name the hosts it calls.");
        click(d, "review-reject");
        find(d, "review-empty");
        new Select(find(d, "review-status-filter")).selectByValue("rejected");
        waitForText(d, "review-list", "name the hosts it calls");
        JsonNode catalog = json(withKey("GET", "/v1/marketplace/plugins", boltKey, null)).get("data");
        assertEquals(0, catalog.size(), catalog.toString());
        switchTenant(d, bolt);
        open(d, "#/settings/plugins");
        waitForText(d, "catalog", "No approved plugins");
    }

    @Test
    void teamsLabelsRepliesRoutingAndTheSecondFactorRuleAreSetFromTheBrowser() throws Exception {
        String token = root.invite(tenant, "sam@acme.example", "agent");
        Browser.accept(hub, token, "Sam Support");
        ChromeDriver d = signedIn("root@acme.example");
        switchTenant(d, tenant);

        // a team with Sam
        open(d, "#/team");
        type(d, "team-name", "Billing");
        click(d, "team-member-sam@acme.example");
        click(d, "team-create");
        waitForText(d, "teams-list", "Sam Support");
        String teamId = find(d, "team-row").getAttribute("data-team-id");

        // labels and a canned reply
        open(d, "#/settings/replies");
        type(d, "label-name", "vip");
        click(d, "label-create");
        waitForText(d, "labels-list", "vip");
        type(d, "canned-shortcut", "/refund");
        type(d, "canned-text", "Refunds reach your card within 5 days.");
        click(d, "canned-create");
        waitForText(d, "canned-list", "/refund");
        assertEquals("Refunds reach your card within 5 days.", json(root.actingFor(tenant).call("GET",
                "/v1/canned-responses", null)).at("/data/0/text").asText());
        click(d, "label-delete");
        waitForText(d, "label-delete-confirm", "taken off every conversation");
        click(d, "label-delete-confirm-yes");
        waitForText(d, "labels-list", "No labels");

        // hand-offs of a connection routed to the team
        HttpResponse<String> con = root.actingFor(tenant).call("POST", "/v1/channels", "{\"type\":\"webchat\","
                + "\"name\":\"Site\",\"config\":{\"allowed_origins\":[\"https://acme.example\"]}}");
        assertEquals(201, con.statusCode(), con.body());
        String id = json(con).get("id").asText();
        open(d, "#/settings/channels/" + id);
        click(d, "routing-auto-assign");
        waitForText(d, "routing-status", "Saved");
        new Select(find(d, "routing-team")).selectByValue(teamId);
        waitFor(d, "the team saved", () -> json(root.actingFor(tenant).call("GET", "/v1/channels/" + id + "/routing",
                null)).path("team_id").asText("").equals(teamId));
        assertTrue(json(root.actingFor(tenant).call("GET", "/v1/channels/" + id + "/routing", null))
                .get("auto_assign").asBoolean());

        // the owner's rule: a second factor for everyone
        open(d, "#/team");
        click(d, "require-totp");
        waitForText(d, "require-totp-status", "Saved");
        assertTrue(json(root.actingFor(tenant).call("GET", "/v1/tenant/security", null)).get("require_totp")
                .asBoolean());
        click(d, "require-totp");
        waitFor(d, "the rule off again", () -> !json(root.actingFor(tenant).call("GET", "/v1/tenant/security", null))
                .get("require_totp").asBoolean());
        screenshot(d, "console-team.png");
    }

    @Test
    void anAgentGetsNoSettingsInTheBrowserNorFromTheApi() throws Exception {
        String token = root.invite(tenant, "agent@acme.example", "agent");
        Browser agent = Browser.accept(hub, token, "Agent Ana");
        ChromeDriver d = signedIn("agent@acme.example");
        assertTrue(all(d, "nav-settings").isEmpty() && all(d, "nav-usage").isEmpty() && all(d, "nav-admin").isEmpty());
        open(d, "#/settings/channels");
        find(d, "settings-forbidden");
        open(d, "#/usage");
        find(d, "usage-forbidden");
        open(d, "#/admin/system");
        find(d, "admin-forbidden");
        for (String[] call : List.of(new String[] {"PATCH", "/v1/tenant", "{\"name\":\"x\"}"},
                new String[] {"GET", "/v1/channel-types", null}, new String[] {"POST", "/v1/channels", "{}"},
                new String[] {"GET", "/v1/reports/usage", null}, new String[] {"POST", "/v1/api-keys", "{}"},
                new String[] {"POST", "/v1/webhooks", "{}"}, new String[] {"POST", "/v1/knowledge/documents", "{}"},
                new String[] {"POST", "/v1/plugins/installations", "{}"}, new String[] {"PATCH",
                        "/v1/inbox/settings", "{}"}, new String[] {"GET", "/admin/system", null})) {
            HttpResponse<String> r = agent.call(call[0], call[1], call[2]);
            assertEquals(403, r.statusCode(), call[0] + " " + call[1] + ": " + r.body());
        }
    }
}
