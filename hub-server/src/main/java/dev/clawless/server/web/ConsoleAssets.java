package dev.clawless.server.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.server.http.Routes;

/**
 * Serves the console built by {@code console/}: {@code /console} (its page, never cached, with a strict Content
 * Security Policy — scripts, styles and connections only from the hub itself, no framing) and
 * {@code /console/assets/<name-hash>.<ext>} (content-hashed, cached for a year, gzip-encoded when the browser takes
 * it, from bytes compressed once at start).
 */
public final class ConsoleAssets {

    static final String ROOT = "clawless-console/";
    private static final Pattern ASSET = Pattern.compile("/console/assets/([A-Za-z0-9._-]{1,120})");
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
            + " form-action 'self'";

    private final Optional<byte[]> page;
    private final Map<String, Asset> assets = new LinkedHashMap<>();

    record Asset(String type, byte[] plain, byte[] gzip) {
    }

    public ConsoleAssets() {
        this.page = read(ROOT + "index.html");
        page.ifPresent(html -> {
            Matcher m = ASSET.matcher(new String(html, StandardCharsets.UTF_8));
            while (m.find()) {
                String name = m.group(1);
                read(ROOT + "assets/" + name).ifPresent(bytes -> assets.put(name, new Asset(type(name), bytes,
                        gzip(bytes))));
            }
        });
    }

    /** True when the hub was built with the console. */
    public boolean present() {
        return page.isPresent();
    }

    public void register(Routes routes) {
        routes.get("/console", this::page)
                .get("/console/", this::page)
                .get("/console/assets/{name}", this::asset);
    }

    private void page(ServerRequest req, ServerResponse res) {
        byte[] html = page.orElseThrow(() -> new ClawlessException.NotFound("this hub was built without the console"
                + " (console/ needs node and npm at build time)"));
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.send(html);
    }

    private void asset(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Asset a = assets.get(name);
        if (a == null) {
            throw new ClawlessException.NotFound("no console asset " + name.replaceAll("[^A-Za-z0-9._-]", "?"));
        }
        boolean gzip = WidgetAssets.acceptsGzip(req.headers().first(HeaderNames.ACCEPT_ENCODING).orElse(""));
        res.header(HeaderNames.CONTENT_TYPE, a.type());
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=31536000, immutable");
        res.header(HeaderNames.VARY, "Accept-Encoding");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        if (gzip) {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
        }
        res.status(Status.OK_200).send(gzip ? a.gzip() : a.plain());
    }

    private static String type(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        if (name.endsWith(".png")) {
            return "image/png";
        }
        if (name.endsWith(".woff2")) {
            return "font/woff2";
        }
        return "application/octet-stream";
    }

    private static Optional<byte[]> read(String resource) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
