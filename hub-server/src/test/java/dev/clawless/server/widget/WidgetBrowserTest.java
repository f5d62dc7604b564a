package dev.clawless.server.widget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.clawless.server.Chromium;
import dev.clawless.server.TestHub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The widget in real headless Chromium (Debian's chromium and chromium-driver) against a running hub with its demo:
 * ask and see the answer, reload and see the history, survive a hub restart with a message typed while it was down,
 * be refused on a foreign origin, and be used with the keyboard alone. Skipped where Chromium is not installed,
 * unless {@code CLAWLESS_REQUIRE_BROWSER=1} (set by {@code .ci/run}, which installs it).
 */
class WidgetBrowserTest {

    private static Path data;
    private static int port;
    private static TestHub hub;
    private ChromeDriver driver;

    @BeforeAll
    static void start() throws IOException {
        Chromium.requireOrSkip();
        data = Files.createTempDirectory("clawless-widget-");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        hub = startHub();
    }

    private static TestHub startHub() {
        return TestHub.start(Map.of("CLAWLESS_DEMO_ENABLED", "true", "CLAWLESS_PORT", Integer.toString(port),
                "CLAWLESS_DATA_DIR", data.toString()));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @AfterEach
    void quit() {
        if (driver != null) {
            driver.quit();
        }
    }

    private ChromeDriver browser() {
        driver = Chromium.start(1200, 900);
        return driver;
    }

    private static String demo() {
        return "http://127.0.0.1:" + port + "/";
    }

    private SearchContext widget() {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        return wait.until(d -> {
            List<WebElement> hosts = d.findElements(By.cssSelector("[data-clawless]"));
            return hosts.isEmpty() ? null : hosts.get(0).getShadowRoot();
        });
    }

    private String js(String script) {
        Object r = ((JavascriptExecutor) driver).executeScript(script);
        return r == null ? "" : r.toString();
    }

    /** Text of the widget's message log, read through its shadow root. */
    private String log() {
        return js("const r=document.querySelector('[data-clawless]');"
                + "return r&&r.shadowRoot.querySelector('.log')?r.shadowRoot.querySelector('.log').innerText:''");
    }

    private void waitFor(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(driver, Duration.ofSeconds(30)).withMessage(what).until(d -> condition.getAsBoolean());
    }

    @Test
    void askSeeTheAnswerReloadAndSurviveAHubRestart() throws Exception {
        browser().get(demo());
        SearchContext w = widget();
        w.findElement(By.cssSelector(".launcher")).click();
        // remember every streamed draft the log shows before the final answer replaces it
        js("window.__drafts=[];new MutationObserver(rs=>rs.forEach(r=>r.addedNodes.forEach(n=>{if(n.dataset&&"
                + "(n.dataset.id||'').startsWith('draft-'))window.__drafts.push(n.textContent)})))"
                + ".observe(document.querySelector('[data-clawless]').shadowRoot,{childList:true,subtree:true})");
        WebElement input = w.findElement(By.cssSelector("textarea"));
        input.sendKeys("Which channels do you support?", Keys.ENTER);
        waitFor("the FAQ's answer", () -> log().contains("WhatsApp (Twilio or Meta Cloud API)"));
        assertTrue(log().contains("Which channels do you support?"), log());
        assertTrue(Integer.parseInt(js("return window.__drafts.length")) > 0, "the answer was streamed as it came");
        assertEquals(1, log().split("WhatsApp \\(Twilio", -1).length - 1, "the answer shows once: " + log());
        Path shot = Path.of("target", "widget-screenshot.png");
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);

        driver.navigate().refresh();
        widget();
        waitFor("the history after a reload", () -> log().contains("WhatsApp (Twilio or Meta Cloud API)")
                && log().contains("Which channels do you support?"));
        assertEquals("false", js("return document.querySelector('[data-clawless]').shadowRoot"
                + ".querySelector('.panel').hidden"), "the panel stays open across reloads");

        // the hub goes away; a message typed meanwhile waits, and goes out once the hub is back
        hub.close();
        hub = null;
        waitFor("the offline banner", () -> "false".equals(js("return document.querySelector('[data-clawless]')"
                + ".shadowRoot.querySelector('.banner').hidden")));
        widget().findElement(By.cssSelector("textarea")).sendKeys("Do I need an OpenAI API key?", Keys.ENTER);
        waitFor("the queued message", () -> log().contains("Do I need an OpenAI API key?"));
        Thread.sleep(1500);
        hub = startHub();
        waitFor("the answer to the message typed while the hub was down",
                () -> log().contains("Out of the box the assistant answers from your own knowledge"));
        assertTrue(js("return document.querySelector('[data-clawless]').shadowRoot.querySelector('.banner').hidden")
                .equals("true"));
    }

    @Test
    void twoTabsStayInSyncAndSmallScreensGetTheWholeScreen() throws Exception {
        browser().get(demo());
        widget().findElement(By.cssSelector(".launcher")).click();
        String first = driver.getWindowHandle();
        driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        driver.get(demo());
        widget();
        waitFor("the second tab opens with the first (shared open state)", () -> "false".equals(js(
                "return document.querySelector('[data-clawless]').shadowRoot.querySelector('.panel').hidden")));
        driver.switchTo().window(first);
        widget().findElement(By.cssSelector("textarea")).sendKeys("Where is my data stored?", Keys.ENTER);
        waitFor("the answer in the first tab", () -> log().contains("In your own database"));
        driver.switchTo().window(driver.getWindowHandles().stream().filter(h -> !h.equals(first)).findFirst()
                .orElseThrow());
        waitFor("the question and answer in the second tab", () -> log().contains("Where is my data stored?")
                && log().contains("In your own database"));

        driver.manage().window().setSize(new org.openqa.selenium.Dimension(400, 800));
        waitFor("the panel fills a small screen", () -> js("const p=document.querySelector('[data-clawless]')"
                + ".shadowRoot.querySelector('.panel');return String(Math.abs(p.getBoundingClientRect().width"
                + "-window.innerWidth)<2)").equals("true"));
    }

    @Test
    void aPageOnAnotherOriginIsRefused() throws Exception {
        String key = js0();
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // a page with hostile CSS: it must neither reach into the widget nor be changed by it
        byte[] page = ("<!doctype html><html><head><style>* { font-family: serif !important; color: rgb(255, 0, 0); }"
                + " div, clawless-widget { display: none !important; transform: rotate(10deg) !important; }"
                + " button { background: rgb(0, 255, 0); }</style></head><body><h1>Someone else's site</h1>"
                + "<button id=\"own\">page button</button><script src=\"http://127.0.0.1:" + port
                + "/widget.js\" data-key=\"" + key + "\" async></script></body></html>").getBytes(StandardCharsets.UTF_8);
        other.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        other.start();
        try {
            browser().get("http://localhost:" + other.getAddress().getPort() + "/");
            SearchContext w = widget();
            assertTrue(js("const l=document.querySelector('[data-clawless]').shadowRoot.querySelector('.launcher');"
                    + "const r=l.getBoundingClientRect();return String(r.width>40&&r.height>40)").equals("true"),
                    "the page's CSS cannot hide the widget");
            assertTrue(js("return getComputedStyle(document.querySelector('[data-clawless]').shadowRoot"
                    + ".querySelector('.root')).fontFamily").contains("system-ui"), "nor change its font");
            assertEquals("rgb(0, 255, 0)", js("return getComputedStyle(document.getElementById('own'))"
                    + ".backgroundColor"), "the widget's CSS does not reach the page");
            w.findElement(By.cssSelector(".launcher")).click();
            waitFor("the refusal", () -> js("return document.querySelector('[data-clawless]').shadowRoot"
                    + ".querySelector('.banner').innerText").contains("not available on this site"));
            assertEquals("true", js("return document.querySelector('[data-clawless]').shadowRoot"
                    + ".querySelector('textarea').disabled"));
        } finally {
            other.stop(0);
        }
    }

    /** The demo's publishable key, read off the demo page. */
    private String js0() throws IOException {
        String html = hub.send(hub.request("/")).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-key=\"(pk_[a-z0-9]+)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1);
    }

    @Test
    void theKeyboardAloneIsEnough() throws Exception {
        browser().get(demo());
        widget();
        String active = "const r=document.querySelector('[data-clawless]').shadowRoot;const a=r.activeElement;"
                + "return a?(a.className||a.tagName.toLowerCase()):'outside'";
        Actions keys = new Actions(driver);
        for (int i = 0; i < 10 && !js(active).equals("launcher"); i++) {
            keys.sendKeys(Keys.TAB).perform();
        }
        assertEquals("launcher", js(active), "Tab reaches the launcher");
        keys.sendKeys(Keys.ENTER).perform();
        assertEquals("textarea", js(active), "opening moves focus into the input");
        keys.sendKeys("How much does it cost?").sendKeys(Keys.ENTER).perform();
        waitFor("the answer", () -> log().contains("free to self-host"));
        for (int i = 0; i < 8; i++) {
            keys.sendKeys(Keys.TAB).perform();
            assertTrue(js("const r=document.querySelector('[data-clawless]').shadowRoot;"
                    + "return r.querySelector('.panel').contains(r.activeElement)").equals("true"),
                    "focus stays in the open panel (" + js(active) + ")");
        }
        assertTrue(js("const r=document.querySelector('[data-clawless]').shadowRoot;"
                + "return getComputedStyle(r.activeElement).outlineStyle").matches("solid|auto"), "focus is visible");
        keys.sendKeys(Keys.ESCAPE).perform();
        assertEquals("true", js("return document.querySelector('[data-clawless]').shadowRoot"
                + ".querySelector('.panel').hidden"));
        assertEquals("launcher", js(active), "closing returns focus to the launcher");
    }
}
