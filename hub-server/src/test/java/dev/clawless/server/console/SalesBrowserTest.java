package dev.clawless.server.console;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.clawless.server.Browser;
import dev.clawless.server.Chromium;
import dev.clawless.server.TestHub;
import dev.clawless.server.marketplace.PluginKit;
import dev.clawless.server.sales.SalesServerTest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.console.Pages.accessibilityViolations;
import static dev.clawless.server.console.Pages.find;
import static dev.clawless.server.console.Pages.js;
import static dev.clawless.server.console.Pages.openConversation;
import static dev.clawless.server.console.Pages.screenshot;
import static dev.clawless.server.console.Pages.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sales flow as a visitor and an operator see it, in headless Chromium: on the agency's site the visitor asks
 * about a service in the widget, gives a name and an e-mail address when asked, is offered to continue on WhatsApp
 * and takes it; the lead reaches a fake HubSpot through its 429 and 503; the operator opens the conversation in the
 * console and sees the lead, qualified and sent, with its HubSpot records.
 */
class SalesBrowserTest {

    private static final String ADMIN = "root@agencia.example";
    private static WireMockServer platforms;
    private static TestHub hub;
    private static HttpServer site;

    @BeforeAll
    static void start() {
        Chromium.requireOrSkip();
        platforms = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platforms.start();
        SalesServerTest.hubSpot(platforms);
        platforms.stubFor(post(urlEqualTo(SalesServerTest.MESSAGES)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
        PluginKit.publish(hub, hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]"), PluginKit.built("hubspot"));
        Browser.firstAdmin(hub, ADMIN);
    }

    @AfterAll
    static void stop() {
        if (site != null) {
            site.stop(0);
        }
        if (hub != null) {
            hub.close();
        }
        if (platforms != null) {
            platforms.stop();
        }
    }

    @Test
    void aVisitorBecomesAQualifiedLeadInHubSpotAndTheOperatorSeesIt() throws Exception {
        int sitePort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            sitePort = s.getLocalPort();
        }
        // the origin must be known before the web chat connection is made; the page is served from it below
        SalesServerTest.Agency a = SalesServerTest.agency(hub, "Agencia Web", platforms.baseUrl(), platforms.baseUrl(),
                false, "http://localhost:" + sitePort);
        String origin = siteOn(sitePort, a.publishableKey());

        ChromeDriver d = Chromium.start(1100, 860);
        try {
            d.get(origin + "/");
            SearchContext w = widget(d);
            w.findElement(By.cssSelector(".launcher")).click();
            say(d, w, "Hola, ¿cuánto cuesta una tienda online?", "¿con quién tengo el gusto?");
            assertTrue(log(d).contains("4.000.000 COP"), log(d));
            say(d, w, "Me llamo Ana Gómez", "¿A qué correo te enviamos la propuesta?");
            say(d, w, "ana.gomez@tienda.co", "¿Seguimos por WhatsApp?");
            screenshot(d, "widget-sales.png");
            say(d, w, "Sí, al 300 123 4567", "te escribimos por WhatsApp");

            TestHub.await("the lead in HubSpot", () -> platforms.findAll(postRequestedFor(
                    urlEqualTo("/crm/v3/objects/notes"))).size() == 1);
            TestHub.await("the template on WhatsApp", () -> platforms.findAll(postRequestedFor(
                    urlEqualTo(SalesServerTest.MESSAGES))).size() == 1);
            assertTrue(platforms.findAll(postRequestedFor(urlEqualTo(SalesServerTest.MESSAGES))).get(0)
                    .getBodyAsString().contains("whatsapp%3A%2B573001234567"));
            String cid = json(hub.call("GET", "/v1/conversations?channel=webchat", a.key(), null)).get("data").get(0)
                    .get("id").asText();

            openConversation(d, hub, ADMIN, a.tenant(), cid);
            waitFor(d, "the lead, sent to HubSpot", () -> "pushed".equals(find(d, "lead-push")
                    .getAttribute("data-status")));
            assertEquals("Qualified", find(d, "lead-state").getText());
            assertTrue(find(d, "lead-answers").getText().contains("ana.gomez@tienda.co"), find(d, "lead-answers")
                    .getText());
            Pages.waitForText(d, "lead-answers", "Correo");
            assertTrue(find(d, "lead-transferred").isDisplayed());
            List<WebElement> records = Pages.all(d, "crm-record");
            assertEquals(2, records.size());
            assertEquals("https://app.hubspot.com/contacts/4242/record/0-1/1501", records.get(0).getAttribute("href"));
            js(d, "document.querySelector('[data-test=lead]').scrollIntoView()");
            screenshot(d, "console-lead.png");
            assertEquals(List.of(), accessibilityViolations(d), "a conversation with its lead");
        } finally {
            d.quit();
        }
    }

    @Test
    void anAdminEditsTheLeadFormAndImportsTheOwnerTenantsContextPack() throws Exception {
        SalesServerTest.Agency a = SalesServerTest.agency(hub, "Agencia Ventas", platforms.baseUrl(),
                platforms.baseUrl(), false);
        ChromeDriver d = Chromium.start(1100, 1400);
        try {
            openConversationList(d, ADMIN, a.tenant());
            d.get(hub.base() + "/console#/settings/sales");
            d.navigate().refresh();
            find(d, "lead-form");
            assertEquals(3, Pages.all(d, "lead-field").size());
            assertEquals(a.whatsapp(), Pages.value(d, "lead-whatsapp"));
            Pages.type(d, "lead-qualify-at", "60");
            Pages.click(d, "lead-form-save");
            Pages.waitForText(d, "lead-form-status", "saved");
            assertEquals(60, json(hub.call("GET", "/v1/sales/lead-form", a.key(), null)).get("qualify_at").asInt());
            js(d, "document.querySelector('[data-test=lead-form]').scrollIntoView()");
            screenshot(d, "console-settings-sales.png");
            assertEquals(List.of(), accessibilityViolations(d), "the sales settings");
            // the owner tenant's context pack, from docs/, through the file picker
            find(d, "pack-file").sendKeys(java.nio.file.Path.of("..", "docs", "examples",
                    "agencia-web.context-pack.json").toAbsolutePath().normalize().toString());
            String status = Pages.waitForText(d, "pack-status", "Imported");
            assertTrue(status.contains("2 documents added"), status);
            assertEquals(4, json(hub.call("GET", "/v1/intents", hub.key(a.tenant(), "[\"knowledge:admin\"]"), null))
                    .get("data").size());
        } finally {
            d.quit();
        }
    }

    /** Signs in and picks the tenant (the inbox is the first screen). */
    private static void openConversationList(ChromeDriver d, String email, String tenant) {
        d.get(hub.base() + "/console#/login");
        Pages.type(d, "login-email", email);
        Pages.type(d, "login-password", Browser.PASSWORD);
        find(d, "login-submit").click();
        find(d, "nav-inbox");
        js(d, "localStorage.setItem('clawless:tenant','" + tenant + "')");
    }

    /** The agency's own page, with the widget on it, served on {@code port}. */
    private static String siteOn(int port, String publishableKey) throws java.io.IOException {
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        byte[] page = ("<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>Agencia Web</title></head>"
                + "<body><h1>Agencia Web: páginas y tiendas online</h1><p>Hablemos de tu proyecto.</p>"
                + "<script src=\"" + hub.base() + "/widget.js\" data-key=\"" + publishableKey + "\" async></script>"
                + "</body></html>").getBytes(StandardCharsets.UTF_8);
        site.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        site.start();
        return "http://localhost:" + port;
    }

    private static SearchContext widget(ChromeDriver d) {
        return new WebDriverWait(d, Duration.ofSeconds(15)).until(x -> {
            List<WebElement> hosts = x.findElements(By.cssSelector("[data-clawless]"));
            return hosts.isEmpty() ? null : hosts.get(0).getShadowRoot();
        });
    }

    private static String log(ChromeDriver d) {
        return js(d, "const r=document.querySelector('[data-clawless]');"
                + "return r&&r.shadowRoot.querySelector('.log')?r.shadowRoot.querySelector('.log').innerText:''");
    }

    /** Types {@code text} into the widget and waits for an answer containing {@code expected}. */
    private static void say(ChromeDriver d, SearchContext w, String text, String expected) {
        w.findElement(By.cssSelector("textarea")).sendKeys(text, Keys.ENTER);
        waitFor(d, "the widget to show '" + expected + "' after '" + text + "'", () -> log(d).contains(expected));
    }
}
