package dev.clawless.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium for the browser tests: skipped where it is not installed, unless
 * {@code CLAWLESS_REQUIRE_BROWSER=1} (set by {@code .ci/run}, which installs it) makes its absence a failure.
 */
public final class Chromium {

    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** Skips the calling test class where Chromium is missing (fails it under CLAWLESS_REQUIRE_BROWSER=1). */
    public static void requireOrSkip() {
        boolean present = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
        if (!present && "1".equals(System.getenv("CLAWLESS_REQUIRE_BROWSER"))) {
            throw new IllegalStateException("CLAWLESS_REQUIRE_BROWSER=1 but /usr/bin/chromium or /usr/bin/chromedriver"
                    + " is missing (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(present, "Chromium is not installed (apt-get install chromium chromium-driver)");
    }

    /** A new browser with its own empty profile (its own cookies and storage), with a window of that size. */
    public static ChromeDriver start(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        try {
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=" + width + "," + height, "--lang=en-US",
                    "--user-data-dir=" + Files.createTempDirectory("clawless-chromium-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
