package dev.clawless.server.console;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.clawless.server.Chromium;
import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.console.Pages.accessibilityViolations;
import static dev.clawless.server.console.Pages.all;
import static dev.clawless.server.console.Pages.find;
import static dev.clawless.server.console.Pages.js;
import static dev.clawless.server.console.Pages.screenshot;
import static dev.clawless.server.console.Pages.type;
import static dev.clawless.server.console.Pages.waitFor;
import static dev.clawless.server.console.Pages.widgetLog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in real headless Chromium against a hub with its demo, as people use it: the first admin from the
 * printed link, a tenant created and an agent invited from the browser, the invitation accepted in another browser;
 * a visitor on the demo page asks what the FAQ cannot answer and accepts a person; the conversation appears in the
 * agent's inbox without a reload, the agent takes it and replies, the visitor sees the reply and never the private
 * note; a tool call's approval is approved from the console and runs once; another tenant's agent sees none of it.
 * Screenshots go to {@code target/console-*.png} (copied into docs/). Skipped where Chromium is missing, unless
 * {@code CLAWLESS_REQUIRE_BROWSER=1}.
 */
class ConsoleBrowserTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static int port;
    private static TestHub hub;
    private static WireMockServer llm;
    private final List<ChromeDriver> drivers = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        Chromium.requireOrSkip();
        port = Pages.freePort();
        llm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        llm.start();
        Map<String, String> env = new HashMap<>(Map.of("CLAWLESS_DEMO_ENABLED", "true", "CLAWLESS_PORT",
                Integer.toString(port), "CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-test",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", llm.baseUrl() + "/v1", "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL",
                "gpt-test", "CLAWLESS_TOOLS_HTTP_ALLOWED_URLS", llm.baseUrl() + "/crm/",
                "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
        hub = TestHub.start(env);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (llm != null) {
            llm.stop();
        }
    }

    @AfterEach
    void quit() {
        drivers.forEach(ChromeDriver::quit);
    }

    /** A new browser: its own profile, so its own cookies (a second person, or the visitor). */
    private ChromeDriver browser(int width, int height) {
        ChromeDriver d = Chromium.start(width, height);
        drivers.add(d);
        return d;
    }

    private static String base() {
        return "http://localhost:" + port;
    }

    private void signIn(ChromeDriver d, String email) {
        d.get(base() + "/console#/login");
        type(d, "login-email", email);
        type(d, "login-password", PASSWORD);
        find(d, "login-submit").click();
        find(d, "nav-inbox");
    }

    @Test
    void fromTheFirstAdminToAnAnsweredHandOffAndAnApprovedToolCall() throws Exception {
        // the first admin, from the link ./hub run prints
        ChromeDriver admin = browser(1280, 900);
        admin.get(base() + "/console");
        find(admin, "login-form");
        screenshot(admin, "console-login.png");
        assertEquals(List.of(), accessibilityViolations(admin), "the sign-in page");
        String link = hub.hub().setupLink().orElseThrow();
        admin.get(link);
        type(admin, "setup-email", "root@demo.example");
        type(admin, "setup-display-name", "Root");
        type(admin, "setup-password", PASSWORD);
        type(admin, "setup-confirm", PASSWORD);
        find(admin, "setup-submit").click();
        find(admin, "nav-admin").click();

        // a tenant created from the browser, then an agent invited into the demo tenant
        type(admin, "tenant-create-name", "Acme <b>Corp</b>");
        find(admin, "tenant-create-submit").click();
        waitFor(admin, "the new tenant", () -> admin.findElements(By.cssSelector("[data-test=tenant-row]")).stream()
                .anyMatch(r -> r.getText().contains("Acme <b>Corp</b>")));
        String demoTenant = tenantId("Demo");
        String acme = tenantId("Acme <b>Corp</b>");
        WebElement demoRow = admin.findElements(By.cssSelector("[data-test=tenant-row]")).stream()
                .filter(r -> demoTenant.equals(r.getAttribute("data-tenant-id"))).findFirst().orElseThrow();
        demoRow.findElement(By.cssSelector("[data-test=tenant-open]")).click();
        find(admin, "nav-team").click();
        type(admin, "team-invite-email", "alex@demo.example");
        new Select(find(admin, "team-invite-role")).selectByValue("agent");
        find(admin, "team-invite-submit").click();
        String invitation = find(admin, "team-invite-link").getAttribute("value");
        if (invitation == null || invitation.isBlank()) {
            invitation = find(admin, "team-invite-link").getText();
        }
        assertTrue(invitation.contains("/console#/invite/"), invitation);

        // the agent accepts in another browser and lands in the inbox
        ChromeDriver agent = browser(1280, 900);
        agent.get(invitation);
        waitFor(agent, "the invitation names the tenant", () -> find(agent, "invite-tenant").getText().contains("Demo"));
        type(agent, "invite-display-name", "Alex Agent");
        type(agent, "invite-password", PASSWORD);
        type(agent, "invite-confirm", PASSWORD);
        find(agent, "invite-submit").click();
        find(agent, "inbox-rows");

        // a visitor on the demo page asks what the FAQ cannot answer, and accepts a person
        ChromeDriver visitor = browser(1000, 800);
        visitor.get(base() + "/");
        new WebDriverWait(visitor, Duration.ofSeconds(20)).until(d -> !d.findElements(By.cssSelector(
                "[data-clawless]")).isEmpty());
        js(visitor, "document.querySelector('[data-clawless]').shadowRoot.querySelector('.launcher').click()");
        WebElement box = (WebElement) ((JavascriptExecutor) visitor).executeScript(
                "return document.querySelector('[data-clawless]').shadowRoot.querySelector('textarea')");
        box.sendKeys("Zxqv blorf wumple, can you grommit my frabble?", Keys.ENTER);
        waitFor(visitor, "the offer of a person", () -> widgetLog(visitor).contains("connect you with a person"));
        box.sendKeys("Yes please", Keys.ENTER);
        waitFor(visitor, "the hand-off message", () -> widgetLog(visitor).contains("colleague"));

        // it appears in the agent's inbox live, with a notice; no reload
        WebElement notice = find(agent, "handoff-notice");
        String conversation = notice.getAttribute("data-conversation-id");
        waitFor(agent, "the conversation in the list", () -> all(agent, "inbox-row").stream()
                .anyMatch(r -> conversation.equals(r.getAttribute("data-conversation-id"))));
        all(agent, "inbox-row").stream().filter(r -> conversation.equals(r.getAttribute("data-conversation-id")))
                .findFirst().orElseThrow().click();
        find(agent, "take-over").click();
        waitFor(agent, "taken over", () -> find(agent, "conversation-status").getText().toLowerCase().contains("human")
                || !all(agent, "hand-back").isEmpty());
        // a private note first: it must never reach the visitor
        find(agent, "composer-mode-note").click();
        find(agent, "reply-box").sendKeys("Internal: <script>alert(1)</script> VIP customer", Keys.ENTER);
        waitFor(agent, "the note in the transcript", () -> all(agent, "note").stream()
                .anyMatch(n -> n.getText().contains("<script>alert(1)</script> VIP customer")));
        find(agent, "composer-mode-reply").click();
        find(agent, "reply-box").sendKeys("Hi! Alex here, a person. How can I help?", Keys.ENTER);
        waitFor(visitor, "the agent's reply in the widget", () -> widgetLog(visitor).contains("Alex here"));
        screenshot(agent, "console-conversation.png");
        assertEquals(List.of(), accessibilityViolations(agent), "the inbox with a conversation open");
        assertFalse(widgetLog(visitor).contains("VIP customer"), widgetLog(visitor));
        assertEquals("", js(agent, "return window.__xss||''"), "no script from a note ran");
        find(agent, "nav-inbox").click();
        find(agent, "inbox-rows");
        screenshot(agent, "console-inbox.png");
        find(agent, "nav-profile").click();
        find(agent, "profile-form");
        assertEquals(List.of(), accessibilityViolations(agent), "the profile");
        find(agent, "nav-team").click();
        find(agent, "members-table");
        assertEquals(List.of(), accessibilityViolations(agent), "the team");

        // a tool call asks for approval: approved from the console, it runs once
        String key = hub.key(acme, "[\"chat\",\"tenant:admin\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"provider\":"
                + "\"openai\"}}}").statusCode());
        modelCallsToolThenAnswers();
        String session = json(hub.call("POST", "/v1/sessions", key, "{\"title\":\"Lead from the API\"}")).get("id")
                .asText();
        int asked = hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Register me as a lead\"}]}").statusCode();
        assertEquals(2, asked / 100, "the question was taken: " + asked);
        long until = System.currentTimeMillis() + 20_000;
        while (json(hub.call("GET", "/v1/approvals?status=pending", hub.key(acme, "[\"conversations:read\"]"), null))
                .get("data").isEmpty() && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        admin.get(base() + "/console#/inbox/" + session);
        js(admin, "localStorage.setItem('clawless:tenant','" + acme + "')");
        admin.navigate().refresh();
        WebElement approve = find(admin, "approve");
        assertTrue(find(admin, "approval-tool").getText().contains("http_request"));
        screenshot(admin, "console-approval.png");
        approve.click();
        waitFor(admin, "the approval gone", () -> all(admin, "approve").isEmpty());
        until = System.currentTimeMillis() + 20_000;
        while (llm.findAll(anyRequestedFor(urlPathMatching("/crm/.*"))).isEmpty() && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
        assertEquals(1, llm.findAll(anyRequestedFor(urlPathMatching("/crm/.*"))).size(), "the tool ran once");

        // another tenant's agent sees none of it
        ChromeDriver stranger = browser(1280, 900);
        String strangerInvite = json(hub.send(hub.request("/v1/invitations").header("Authorization", "Bearer "
                + hub.key(acme, "[\"members:admin\"]")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"email\":\"sam@acme.example\",\"role\":"
                        + "\"agent\"}")))).get("link").asText();
        stranger.get(strangerInvite);
        type(stranger, "invite-display-name", "Sam Stranger");
        type(stranger, "invite-password", PASSWORD);
        type(stranger, "invite-confirm", PASSWORD);
        find(stranger, "invite-submit").click();
        find(stranger, "inbox-rows");
        assertFalse(all(stranger, "inbox-row").stream().anyMatch(r -> conversation.equals(
                r.getAttribute("data-conversation-id"))), "another tenant's conversation is not listed");
        stranger.get(base() + "/console#/inbox/" + conversation);
        waitFor(stranger, "refused", () -> !all(stranger, "conversation-error").isEmpty()
                && all(stranger, "message").isEmpty());
        assertFalse(stranger.getPageSource().contains("VIP customer"));

        // someone with an account joins a second tenant signed in as that account, never by a password typed here
        String second = json(hub.send(hub.request("/v1/invitations").header("Authorization", "Bearer "
                + hub.key(acme, "[\"members:admin\"]")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"email\":\"alex@demo.example\",\"role\":"
                        + "\"agent\"}")))).get("link").asText();
        stranger.get(second);
        find(stranger, "invite-other-account");
        assertTrue(all(stranger, "invite-submit").isEmpty(), "Sam cannot accept Alex's invitation");
        agent.get(second);
        find(agent, "invite-accept-signed-in");
        screenshot(agent, "console-invite-signed-in.png");
        assertEquals(List.of(), accessibilityViolations(agent), "accepting an invitation signed in");
        find(agent, "invite-submit").click();
        find(agent, "inbox-rows");
        String members = hub.call("GET", "/v1/members", hub.key(acme, "[\"conversations:read\"]"), null).body();
        assertTrue(members.contains("alex@demo.example"), "Alex is a member of Acme now: " + members);
    }

    private static String tenantId(String name) {
        for (JsonNode t : json(hub.admin("GET", "/admin/tenants?limit=200", null)).get("data")) {
            if (t.get("name").asText().equals(name)) {
                return t.get("id").asText();
            }
        }
        throw new AssertionError("no tenant " + name);
    }

    /** The model first calls the mutating http_request tool, then answers. */
    private static void modelCallsToolThenAnswers() {
        String args = ("{\"method\":\"POST\",\"url\":\"" + llm.baseUrl() + "/crm/leads\",\"body\":\"{}\"}")
                .replace("\"", "\\\"");
        String call = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                + "\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"http_request\","
                + "\"arguments\":\"" + args + "\"}}]},\"finish_reason\":null}]}\n\ndata: {\"id\":\"c\",\"object\":"
                + "\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":"
                + "{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
        String answer = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"You are registered.\"},"
                + "\"finish_reason\":null}]}\n\ndata: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n";
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("turn").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("called").willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(call)));
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("turn").whenScenarioStateIs("called")
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(answer)));
        llm.stubFor(any(urlPathMatching("/crm/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true}")));
    }

    @Test
    void aPhoneSizedScreenIsOneColumnAndTheLoginWorksWithTheKeyboard() throws Exception {
        ChromeDriver phone = browser(375, 812);
        phone.manage().window().setSize(new Dimension(375, 812));
        phone.get(base() + "/console#/login");
        find(phone, "login-form");
        assertEquals("true", js(phone, "return String(document.documentElement.scrollWidth<=window.innerWidth+1)"),
                "nothing wider than the screen");
        // every control has a label, every button a name
        assertEquals("0", js(phone, "return String([...document.querySelectorAll('input,select,textarea')].filter("
                + "e=>!(e.labels&&e.labels.length)&&!e.getAttribute('aria-label')).length)"));
        assertEquals("0", js(phone, "return String([...document.querySelectorAll('button')].filter(b=>!(b.innerText"
                + "||'').trim()&&!b.getAttribute('aria-label')).length)"));
        screenshot(phone, "console-375.png");
        assertEquals(List.of(), accessibilityViolations(phone), "the sign-in page at 375 px");
        // the checker itself finds what it should: an image without a text alternative
        phone.get(base() + "/console/assets/none");
        ((JavascriptExecutor) phone).executeScript("document.body.innerHTML = '<img src=\\'x.png\\'>'");
        assertTrue(accessibilityViolations(phone).stream().anyMatch(v -> v.startsWith("image-alt")),
                "axe-core ran and reports a missing alt text");
    }
}
