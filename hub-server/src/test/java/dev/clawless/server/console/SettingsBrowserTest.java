package dev.clawless.server.console;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.clawless.server.Chromium;
import dev.clawless.server.TestHub;
import dev.clawless.server.channels.WhatsAppServerTestSignatures;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.clawless.server.console.Pages.accessibilityViolations;
import static dev.clawless.server.console.Pages.all;
import static dev.clawless.server.console.Pages.click;
import static dev.clawless.server.console.Pages.freePort;
import static dev.clawless.server.console.Pages.find;
import static dev.clawless.server.console.Pages.js;
import static dev.clawless.server.console.Pages.screenshot;
import static dev.clawless.server.console.Pages.select;
import static dev.clawless.server.console.Pages.setChecked;
import static dev.clawless.server.console.Pages.type;
import static dev.clawless.server.console.Pages.value;
import static dev.clawless.server.console.Pages.waitFor;
import static dev.clawless.server.console.Pages.waitForText;
import static dev.clawless.server.console.Pages.widgetLog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new business sets itself up with nothing but a browser, as the settings issue will be checked: the first admin
 * creates a tenant with its owner; the owner connects WhatsApp (Twilio, a local fake platform), uploads an FAQ, sets
 * business hours, creates a widget and pastes its snippet into a local page; a visitor's and a WhatsApp contact's
 * messages are answered; the reports show them; a plugin uploaded by the owner is reviewed and approved by the
 * platform admin and installed by the owner. Screenshots go to {@code target/console-settings-*.png}.
 */
class SettingsBrowserTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String AUTH_TOKEN = "5b4a39281706f5e4d3c2b1a09f8e7d6c";
    private static final String ACCOUNT = "AC" + "0123456789abcdef".repeat(2);
    private static int port;
    private static TestHub hub;
    private static WireMockServer twilio;
    private static HttpServer site;
    private static final AtomicReference<String> SNIPPET = new AtomicReference<>("");
    private final List<ChromeDriver> drivers = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        Chromium.requireOrSkip();
        port = freePort();
        twilio = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        twilio.start();
        twilio.stubFor(post(urlPathMatching("/2010-04-01/Accounts/.+/Messages.json")).willReturn(aResponse()
                .withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        // the business's own site: a page that holds whatever snippet the owner copied from the console
        site = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        site.createContext("/", x -> {
            byte[] page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sol shop</title></head>"
                    + "<body><h1>Sol shop</h1>" + SNIPPET.get() + "</body></html>").getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            x.sendResponseHeaders(200, page.length);
            x.getResponseBody().write(page);
            x.close();
        });
        site.start();
        hub = TestHub.start(Map.of("CLAWLESS_PORT", Integer.toString(port),
                "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (twilio != null) {
            twilio.stop();
        }
        if (site != null) {
            site.stop(0);
        }
    }

    @AfterEach
    void quit() {
        drivers.forEach(ChromeDriver::quit);
    }

    private ChromeDriver browser() {
        ChromeDriver d = Chromium.start(1280, 1000);
        drivers.add(d);
        return d;
    }

    private static String base() {
        return "http://localhost:" + port;
    }





    @Test
    void aNewBusinessIsSetUpAnsweredAndReportedWithOnlyABrowser() throws Exception {
        // the platform admin, from the link ./hub run prints, creates the tenant and invites its owner
        ChromeDriver admin = browser();
        admin.get(hub.hub().setupLink().orElseThrow());
        type(admin, "setup-email", "root@hub.example");
        type(admin, "setup-display-name", "Root");
        type(admin, "setup-password", PASSWORD);
        type(admin, "setup-confirm", PASSWORD);
        click(admin, "setup-submit");
        click(admin, "nav-admin");
        type(admin, "tenant-create-name", "Tienda Sol");
        type(admin, "tenant-create-owner", "owner@sol.example");
        click(admin, "tenant-create-submit");
        String invitation = value(admin, "tenant-owner-link");
        assertTrue(invitation.contains("#/invite/"), invitation);

        // the owner accepts in their own browser
        ChromeDriver owner = browser();
        owner.get(invitation);
        type(owner, "invite-display-name", "Sol Owner");
        type(owner, "invite-password", PASSWORD);
        type(owner, "invite-confirm", PASSWORD);
        click(owner, "invite-submit");
        click(owner, "nav-settings");

        // WhatsApp through Twilio: a wrong sender first — the error sits by its field and nothing typed is lost
        select(owner, "channel-new-type", "whatsapp");
        click(owner, "channel-new-go");
        type(owner, "channel-name", "WhatsApp Sol");
        select(owner, "channel-config-provider", "twilio");
        type(owner, "channel-config-from", "+57 300");
        type(owner, "channel-config-api_base_url", twilio.baseUrl());
        type(owner, "channel-secret-account_sid", ACCOUNT);
        type(owner, "channel-secret-auth_token", AUTH_TOKEN);
        click(owner, "channel-save");
        waitFor(owner, "the field error next to config.from", () -> !owner.findElements(By.cssSelector(
                "[data-test=channel-config-from][aria-invalid=true]")).isEmpty());
        String fromError = owner.findElement(By.id(find(owner, "channel-config-from").getAttribute("id") + "-err"))
                .getText();
        assertTrue(fromError.contains("pattern") || fromError.contains("match"), fromError);
        assertEquals("WhatsApp Sol", value(owner, "channel-name"));
        assertEquals(twilio.baseUrl(), value(owner, "channel-config-api_base_url"));
        type(owner, "channel-config-from", "whatsapp:+14155238886");
        click(owner, "channel-save");
        String webhookUrl = value(owner, "channel-webhook-url");
        assertTrue(webhookUrl.startsWith(base() + "/hooks/con_"), webhookUrl);
        String whatsapp = webhookUrl.substring(webhookUrl.lastIndexOf('/') + 1);
        assertFalse(owner.getPageSource().contains(AUTH_TOKEN), "a stored secret is never put back into the page");
        assertEquals("", value(owner, "channel-secret-auth_token"));
        screenshot(owner, "console-settings-channel.png");
        assertEquals(List.of(), accessibilityViolations(owner), "the channel page");

        // an FAQ uploaded as CSV, then tried
        click(owner, "settings-nav-knowledge");
        Path csv = Files.createTempDirectory("sol").resolve("Shop FAQ.csv");
        Files.writeString(csv, "question,answer\n"
                + "How long does shipping take?,\"Shipping takes 3 to 5 business days, tracked.\"\n"
                + "Can I return an item?,You can return any item within 30 days for a full refund.\n");
        find(owner, "knowledge-file").sendKeys(csv.toAbsolutePath().toString());
        click(owner, "knowledge-upload");
        waitForText(owner, "knowledge-add-status", "2 chunks");
        type(owner, "knowledge-query", "how long is shipping?");
        click(owner, "knowledge-search");
        waitForText(owner, "knowledge-hits", "3 to 5 business days");
        screenshot(owner, "console-settings-knowledge.png");

        // business hours in Bogotá, weekdays 09:00-17:00
        click(owner, "settings-nav-inbox");
        setChecked(owner, "hours-enabled", true);
        select(owner, "hours-timezone", "America/Bogota");
        for (String day : List.of("mon", "tue", "wed", "thu", "fri")) {
            setChecked(owner, "hours-" + day + "-open", true);
        }
        click(owner, "inbox-settings-save");
        waitForText(owner, "inbox-settings-status", "Saved");

        // the widget, allowed on the shop's site; its snippet pasted into the shop's page
        String shop = "http://localhost:" + site.getAddress().getPort();
        click(owner, "settings-nav-channels");
        select(owner, "channel-new-type", "webchat");
        click(owner, "channel-new-go");
        type(owner, "channel-name", "Website");
        type(owner, "channel-config-allowed_origins", shop);
        click(owner, "channel-save");
        find(owner, "widget-designer");
        type(owner, "widget-opt-title", "Sol <b>help</b>");
        waitForText(owner, "widget-preview-header", "Sol <b>help</b>");
        String snippet = value(owner, "widget-snippet");
        assertTrue(snippet.contains("data-title=\"Sol &lt;b&gt;help&lt;/b&gt;\""), snippet);
        screenshot(owner, "console-settings-widget.png");
        assertEquals(List.of(), accessibilityViolations(owner), "the widget page");
        SNIPPET.set(snippet);

        ChromeDriver visitor = browser();
        visitor.get(shop + "/");
        new WebDriverWait(visitor, Duration.ofSeconds(20)).until(d -> !d.findElements(By.cssSelector(
                "[data-clawless]")).isEmpty());
        js(visitor, "document.querySelector('[data-clawless]').shadowRoot.querySelector('.launcher').click()");
        WebElement box = (WebElement) ((JavascriptExecutor) visitor).executeScript(
                "return document.querySelector('[data-clawless]').shadowRoot.querySelector('textarea')");
        box.sendKeys("How long does shipping take?", Keys.ENTER);
        waitFor(visitor, "the FAQ's answer in the widget", () -> widgetLog(visitor).contains("3 to 5 business days"));

        // a WhatsApp message arrives through the fake Twilio and is answered through it
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("MessageSid", "SM" + "7".repeat(32));
        fields.put("AccountSid", ACCOUNT);
        fields.put("From", "whatsapp:+573001234567");
        fields.put("To", "whatsapp:+14155238886");
        fields.put("Body", "Can I return an item?");
        fields.put("NumMedia", "0");
        fields.put("ProfileName", "Camila");
        StringBuilder form = new StringBuilder();
        fields.forEach((k, v) -> form.append(form.isEmpty() ? "" : "&").append(URLEncoder.encode(k,
                StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpResponse<String> hook = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(webhookUrl))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", WhatsAppServerTestSignatures.twilio(AUTH_TOKEN, webhookUrl,
                        form.toString()))
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, hook.statusCode(), hook.body());
        waitFor(owner, "the answer sent through Twilio", () -> twilio.findAll(postRequestedFor(urlPathMatching(
                "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json"))).stream().map(LoggedRequest::getBodyAsString)
                .anyMatch(b -> b.contains("30+days")));

        // the channel's health shows the traffic
        owner.get(base() + "/console#/settings/channels/" + whatsapp);
        waitFor(owner, "the last inbound message", () -> {
            click(owner, "channel-health-reload");
            return !find(owner, "health-last-inbound").getText().contains("Never")
                    && !find(owner, "health-last-delivery").getText().contains("Never");
        });

        // the reports count both conversations and their messages
        click(owner, "nav-usage");
        waitForText(owner, "total-conversations", "2");
        assertEquals("2", find(owner, "total-in").getText());
        assertEquals("2", find(owner, "total-out").getText());
        find(owner, "chart-activity").findElement(By.cssSelector("canvas"));
        screenshot(owner, "console-usage.png");
        assertEquals(List.of(), accessibilityViolations(owner), "the reports");

        // a plugin: uploaded by the owner, reviewed and approved by the platform admin, installed by the owner
        click(owner, "nav-settings");
        click(owner, "settings-nav-plugins");
        Path jar = Path.of("..", "plugins", "http-tools", "target", "http-tools-0.1.0-SNAPSHOT.jar").toAbsolutePath()
                .normalize();
        find(owner, "plugin-jar").sendKeys(jar.toString());
        click(owner, "plugin-publish");
        waitForText(owner, "plugin-publish-status", "Waiting for review");
        assertTrue(all(owner, "catalog-plugin").isEmpty(), "not in the catalog before its review");

        admin.navigate().refresh();
        click(admin, "admin-nav-marketplace");
        WebElement item = find(admin, "review-item");
        assertEquals("http-tools", item.getAttribute("data-plugin-id"));
        assertTrue(item.getText().contains("basic_password"), "declared secrets are shown: " + item.getText());
        screenshot(admin, "console-admin-review.png");
        assertEquals(List.of(), accessibilityViolations(admin), "the review page");
        click(admin, "review-approve");
        find(admin, "review-empty");

        owner.navigate().refresh();
        click(owner, "plugin-install-open");
        type(owner, "plugin-config-tools", "[{\"name\": \"order_status\", \"description\": \"Looks up an order\","
                + " \"url\": \"https://shop.example/orders/{id}\"}]");
        type(owner, "plugin-secret-api_key", "sk-shop-0123456789abcdef");
        click(owner, "plugin-install");
        waitForText(owner, "installation-status", "Active");
        assertFalse(owner.getPageSource().contains("sk-shop-0123456789abcdef"), "granted secrets are not echoed");
        js(owner, "document.getElementById('main').scrollTop = 0");
        screenshot(owner, "console-settings-plugins.png");
    }
}
