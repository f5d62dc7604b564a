package dev.clawless.server.console;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** What the console's browser tests do to a page: find by {@code data-test}, type, wait, run script, check, shoot. */
final class Pages {

    private Pages() {
    }

    /** The first visible element with {@code data-test=test}, waiting up to 20 s for it. */
    static WebElement find(ChromeDriver d, String test) {
        return new WebDriverWait(d, Duration.ofSeconds(20)).withMessage("[data-test=" + test + "] on " + d
                .getCurrentUrl()).until(x -> {
                    List<WebElement> found = x.findElements(By.cssSelector("[data-test=\"" + test + "\"]"));
                    return found.stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
                });
    }

    /** Scrolls the element into the middle of the window, then clicks it (a sticky bar may cover the edges). */
    static void click(ChromeDriver d, String test) {
        WebElement e = find(d, test);
        ((JavascriptExecutor) d).executeScript("arguments[0].scrollIntoView({block: 'center'})", e);
        e.click();
    }

    /** Ticks or unticks a checkbox. */
    static void setChecked(ChromeDriver d, String test, boolean checked) {
        if (find(d, test).isSelected() != checked) {
            click(d, test);
        }
    }

    static void select(ChromeDriver d, String test, String value) {
        new Select(find(d, test)).selectByValue(value);
    }

    /** The current value of an input, select or textarea. */
    static String value(ChromeDriver d, String test) {
        return find(d, test).getDomProperty("value");
    }

    /** A TCP port nothing listens on now, for a hub whose address must be known before it starts. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<WebElement> all(ChromeDriver d, String test) {
        return d.findElements(By.cssSelector("[data-test=\"" + test + "\"]"));
    }

    static void type(ChromeDriver d, String test, String text) {
        WebElement e = find(d, test);
        e.clear();
        e.sendKeys(text);
    }

    static void waitFor(ChromeDriver d, String what, BooleanSupplier condition) {
        new WebDriverWait(d, Duration.ofSeconds(30)).withMessage(what).until(x -> condition.getAsBoolean());
    }

    /** Waits until the element's text contains {@code text}; answers the element's text. */
    static String waitForText(ChromeDriver d, String test, String text) {
        String[] seen = {""};
        new WebDriverWait(d, Duration.ofSeconds(30)).withMessage(() -> "[data-test=" + test + "] to contain '" + text
                + "', was '" + seen[0] + "'").until(x -> {
                    List<WebElement> found = x.findElements(By.cssSelector("[data-test=\"" + test + "\"]"));
                    seen[0] = found.isEmpty() ? "" : found.get(0).getText();
                    return seen[0].contains(text);
                });
        return seen[0];
    }

    static String js(ChromeDriver d, String script) {
        Object r = ((JavascriptExecutor) d).executeScript(script);
        return r == null ? "" : r.toString();
    }

    /**
     * Signs the platform admin made by {@code Browser.firstAdmin(hub, email)} in, acting for {@code tenant}, and opens
     * the conversation {@code conversationId} in the inbox, its timeline shown.
     */
    static void openConversation(ChromeDriver d, dev.clawless.server.TestHub hub, String email, String tenant,
                                 String conversationId) {
        d.get(hub.base() + "/console#/login");
        type(d, "login-email", email);
        type(d, "login-password", dev.clawless.server.Browser.PASSWORD);
        find(d, "login-submit").click();
        find(d, "nav-inbox");
        js(d, "localStorage.setItem('clawless:tenant','" + tenant + "')");
        d.get(hub.base() + "/console#/inbox/" + conversationId);
        d.navigate().refresh();
        find(d, "timeline");
    }

    /** Saves a screenshot as {@code target/<name>} (copied into docs/ by hand after looking at it). */
    static void screenshot(ChromeDriver d, String name) throws IOException {
        Files.copy(((TakesScreenshot) d).getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", name),
                StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The WCAG 2.1 A and AA violations axe-core (the console's dev dependency) finds on the page as it is now:
     * contrast, labels, names, roles; empty when none.
     */
    @SuppressWarnings("unchecked")
    static List<String> accessibilityViolations(ChromeDriver d) throws IOException {
        String axe = Files.readString(Path.of("..", "console", "node_modules", "axe-core", "axe.min.js"));
        ((JavascriptExecutor) d).executeScript(axe);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        Object result = ((JavascriptExecutor) d).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
                + ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n =>"
                + " n.target.join(' ')).slice(0, 5).join(', '))))");
        return (List<String>) result;
    }

    /** The text of the widget's message log on a page that embeds it. */
    static String widgetLog(ChromeDriver d) {
        return js(d, "const r=document.querySelector('[data-clawless]');"
                + "return r&&r.shadowRoot.querySelector('.log')?r.shadowRoot.querySelector('.log').innerText:''");
    }
}
