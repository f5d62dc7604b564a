package dev.clawless.server.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.server.http.Routes;

/**
 * Serves the widget script built by {@code sdk-js-widget}: {@code /widget.js} (the one-tag embed; revalidated
 * every five minutes, with an ETag) and {@code /widget/<hash>/widget.js} (content-addressed: cached for a year,
 * immutable). Both gzip-encoded when the browser accepts it, from bytes compressed once at start.
 */
public final class WidgetAssets {

    static final String RESOURCE = "clawless-widget/widget.js";

    private final Optional<Asset> asset;

    /** The script and its precomputed gzip form. */
    record Asset(byte[] plain, byte[] gzip, String hash) {
    }

    public WidgetAssets() {
        this.asset = load();
    }

    /** The content-addressed path of the script, when the hub was built with it. */
    public Optional<String> versionedPath() {
        return asset.map(a -> "/widget/" + a.hash + "/widget.js");
    }

    public void register(Routes routes) {
        routes.get("/widget.js", (req, res) -> serve(req, res, false))
                .get("/widget/{hash}/widget.js", (req, res) -> {
                    String hash = req.path().pathParameters().get("hash");
                    if (asset.isEmpty() || !asset.get().hash.equals(hash)) {
                        throw new ClawlessException.NotFound("no widget version " + hash.replaceAll("[^0-9a-f]", "?")
                                + "; load /widget.js");
                    }
                    serve(req, res, true);
                });
    }

    private void serve(ServerRequest req, ServerResponse res, boolean immutable) {
        Asset a = asset.orElseThrow(() -> new ClawlessException.NotFound("this hub was built without the widget"
                + " (sdk-js-widget needs node and npm at build time)"));
        boolean gzip = acceptsGzip(req.headers().first(HeaderNames.ACCEPT_ENCODING).orElse(""));
        // one ETag per representation: the compressed bytes are another entity than the plain ones
        String etag = "\"" + a.hash + (gzip ? "-gz" : "") + "\"";
        res.header(HeaderNames.CONTENT_TYPE, "text/javascript; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, immutable ? "public, max-age=31536000, immutable"
                : "public, max-age=300, must-revalidate");
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.VARY, "Accept-Encoding");
        res.header(HeaderNames.create("Cross-Origin-Resource-Policy"), "cross-origin");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(v -> v.contains(etag)).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        if (gzip) {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
        }
        res.status(Status.OK_200).send(gzip ? a.gzip : a.plain);
    }

    /** Whether {@code Accept-Encoding} takes gzip with a non-zero weight. */
    static boolean acceptsGzip(String header) {
        for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
            String[] p = part.strip().split(";");
            if (p[0].strip().equals("gzip") || p[0].strip().equals("x-gzip")) {
                for (int i = 1; i < p.length; i++) {
                    String q = p[i].strip();
                    if (q.startsWith("q=")) {
                        try {
                            return Double.parseDouble(q.substring(2)) > 0;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    }
                }
                return true;
            }
        }
        return false;
    }

    private static Optional<Asset> load() {
        try (InputStream in = WidgetAssets.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] plain = in.readAllBytes();
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(plain);
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain)).substring(0, 16);
            return Optional.of(new Asset(plain, gz.toByteArray(), hash));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the widget script", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
