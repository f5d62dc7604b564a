package dev.clawless.server.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.knowledge.DocumentFixtures;
import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Knowledge from files over HTTP against a running hub: real PDF, DOCX, HTML, Markdown and text files uploaded as
 * multipart/form-data or fetched from a local web server, parsed by Tika, searched with the real model.
 */
class KnowledgeFilesServerTest {

    private static final String HTML = "<html><head><title>Help centre</title></head><body>"
            + "<h1>Accounts</h1><p>Sign in with your e-mail address and password.</p>"
            + "<h2>Two-factor sign-in</h2><p>Turn on two-factor authentication with an authenticator app"
            + " under Settings, Security.</p></body></html>";

    private static TestHub hub;
    private static TestHub guarded;
    private static HttpServer web;
    private static String key;

    @BeforeAll
    static void start() throws IOException {
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_KNOWLEDGE_MAX_FILE_SIZE", "256KiB"));
        guarded = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "false"));
        key = hub.key(hub.tenant("Files"), "[\"knowledge:admin\"]");
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/help/centre.html", x -> {
            byte[] body = HTML.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        web.createContext("/old-help", x -> {
            x.getResponseHeaders().add("Location", "/help/centre.html");
            x.sendResponseHeaders(301, -1);
            x.close();
        });
        web.createContext("/huge.txt", x -> {
            x.sendResponseHeaders(200, 0); // chunked, no length declared
            byte[] line = "all work and no play\n".getBytes(StandardCharsets.UTF_8);
            try {
                for (int i = 0; i < 20_000; i++) {
                    x.getResponseBody().write(line);
                }
            } catch (IOException e) {
                // the hub hung up once it had enough
            }
            x.close();
        });
        web.start();
    }

    @AfterAll
    static void stop() {
        web.stop(0);
        hub.close();
        guarded.close();
    }

    @Test
    void anUploadedDocxIsFoundWithItsTitleAndSection() {
        byte[] docx = DocumentFixtures.docx("# Shipping", "We ship worldwide from our warehouse in Lisbon.",
                "## Returns", "Send parcels back within 30 days and we refund the full price.");
        HttpResponse<String> added = upload("POST", "/v1/knowledge/documents", "policies.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx, "Store policies");
        assertEquals(201, added.statusCode(), added.body());
        JsonNode doc = json(added);
        assertEquals("Store policies", doc.get("title").asText());
        assertEquals("markdown", doc.get("format").asText());
        assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                doc.get("media_type").asText());
        assertEquals("policies.docx", doc.get("source").asText());
        assertEquals(2, doc.get("chunk_count").asInt());

        JsonNode hit = json(hub.call("POST", "/v1/knowledge/search", key,
                "{\"query\":\"how many days do I have to return a parcel\",\"k\":1}")).at("/data/0");
        assertEquals(doc.get("id").asText(), hit.get("document_id").asText());
        assertEquals("Store policies", hit.get("document_title").asText());
        assertEquals("Shipping > Returns", hit.get("section").asText());
        assertTrue(hit.get("text").asText().contains("within 30 days"), hit.toString());

        JsonNode chunks = json(hub.call("GET", "/v1/knowledge/documents/" + doc.get("id").asText() + "/chunks", key,
                null)).get("data");
        assertEquals("Shipping", chunks.at("/0/section").asText());
        assertEquals("Shipping > Returns", chunks.at("/1/section").asText());
    }

    @Test
    void pdfHtmlMarkdownAndTextUploadsAreSearchable() {
        String k = hub.key(hub.tenant("Kinds"), "[\"knowledge:admin\"]");
        HttpResponse<String> pdf = upload(k, "POST", "/v1/knowledge/documents", "warranty.pdf", "application/pdf",
                DocumentFixtures.pdf("Warranty terms", "Every espresso machine carries a two-year warranty."), null);
        assertEquals(201, pdf.statusCode(), pdf.body());
        assertEquals("Warranty terms", json(pdf).get("title").asText());
        assertEquals("application/pdf", json(pdf).get("media_type").asText());
        HttpResponse<String> html = upload(k, "POST", "/v1/knowledge/documents", "help.html", "text/html",
                HTML.getBytes(StandardCharsets.UTF_8), null);
        assertEquals(201, html.statusCode(), html.body());
        assertEquals("Help centre", json(html).get("title").asText());
        HttpResponse<String> md = upload(k, "POST", "/v1/knowledge/documents", "opening.md", "text/markdown",
                "# Store\n\nWe open at 9am.\n\n## Sundays\n\nOn Sundays we are closed.".getBytes(StandardCharsets.UTF_8),
                null);
        assertEquals(201, md.statusCode(), md.body());
        assertEquals("markdown", json(md).get("format").asText());
        HttpResponse<String> text = upload(k, "POST", "/v1/knowledge/documents", "parking.txt", "text/plain",
                "Customers park for free in the garage behind the store.".getBytes(StandardCharsets.UTF_8), null);
        assertEquals(201, text.statusCode(), text.body());
        assertEquals("text", json(text).get("format").asText());
        // a file name longer than the source column keeps its first 2,048 characters; the title its first 300
        String longName = "n".repeat(3_000) + ".txt";
        HttpResponse<String> named = upload(k, "POST", "/v1/knowledge/documents", longName, "text/plain",
                "Gift wrapping costs two euros.".getBytes(StandardCharsets.UTF_8), null);
        assertEquals(201, named.statusCode(), named.body());
        assertEquals(2_048, json(named).get("source").asText().length());
        assertEquals(300, json(named).get("title").asText().length());

        assertTop(k, "how long is the guarantee on a coffee machine", "Warranty terms", null);
        assertTop(k, "how do I enable 2FA", "Help centre", "Accounts > Two-factor sign-in");
        assertTop(k, "are you open on Sunday", "opening", "Store > Sundays");
        assertTop(k, "where can I leave my car", "parking", null);
    }

    @Test
    void badFilesGetProblemsAndNothingIsIndexed() {
        String k = hub.key(hub.tenant("Hostile"), "[\"knowledge:admin\"]");
        assertProblem(upload(k, "POST", "/v1/knowledge/documents", "secret.pdf", "application/pdf",
                DocumentFixtures.encryptedPdf("Top secret"), null), 422, "document-encrypted",
                "the document is encrypted");
        assertProblem(upload(k, "POST", "/v1/knowledge/documents", "cut.pdf", "application/pdf",
                DocumentFixtures.truncatedPdf(), null), 422, "document-unreadable", "could not be read as PDF");
        assertProblem(upload(k, "POST", "/v1/knowledge/documents", "bomb.docx", "application/octet-stream",
                DocumentFixtures.docxZipBomb(50), null), 422, "document-zip-bomb", "zip bomb");
        assertProblem(upload(k, "POST", "/v1/knowledge/documents", "big.txt", "text/plain",
                "a".repeat(300 * 1024).getBytes(StandardCharsets.UTF_8), null), 413, "payload-too-large", "bytes");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        assertProblem(upload(k, "POST", "/v1/knowledge/documents", "logo.png", "image/png", png, null), 415,
                "unsupported-media-type", "image/png");
        HttpResponse<String> noFile = hub.send(hub.request("/v1/knowledge/documents")
                .header("Authorization", "Bearer " + k)
                .header("Content-Type", "multipart/form-data; boundary=XyZ")
                .POST(HttpRequest.BodyPublishers.ofString("--XyZ\r\nContent-Disposition: form-data; name=\"title\""
                        + "\r\n\r\nOnly a title\r\n--XyZ--\r\n")));
        assertProblem(noFile, 400, "validation", "file");
        assertEquals(0, json(hub.call("GET", "/v1/knowledge/documents", k, null)).get("data").size());
        assertEquals(0, json(hub.call("POST", "/v1/knowledge/search", k, "{\"query\":\"secret\"}")).get("data").size());
    }

    @Test
    void replacingADocumentKeepsItsIdAndReindexesIt() {
        String k = hub.key(hub.tenant("Replace"), "[\"knowledge:admin\"]");
        String id = json(hub.call("POST", "/v1/knowledge/documents", k,
                "{\"title\":\"Hours\",\"format\":\"text\",\"content\":\"We open at 9am.\"}")).get("id").asText();
        HttpResponse<String> replaced = upload(k, "PUT", "/v1/knowledge/documents/" + id, "hours.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                DocumentFixtures.docx("# Opening hours", "From May we open at 10am every weekday."), null);
        assertEquals(200, replaced.statusCode(), replaced.body());
        assertEquals(id, json(replaced).get("id").asText());
        assertEquals("hours", json(replaced).get("title").asText());
        JsonNode hits = json(hub.call("POST", "/v1/knowledge/search", k, "{\"query\":\"when do you open\",\"k\":5}"))
                .get("data");
        assertEquals(1, hits.size(), hits.toString());
        assertTrue(hits.at("/0/text").asText().contains("10am"), hits.toString());
        assertEquals("Opening hours", hits.at("/0/section").asText());

        HttpResponse<String> json = hub.call("PUT", "/v1/knowledge/documents/" + id, k,
                "{\"title\":\"Hours\",\"format\":\"markdown\",\"content\":\"# Hours\\nWe open at 11am.\"}");
        assertEquals(200, json.statusCode(), json.body());
        assertTrue(json(hub.call("GET", "/v1/knowledge/documents/" + id, k, null)).get("content").asText()
                .contains("11am"));
        assertTrue(json(hub.call("GET", "/v1/knowledge/documents/" + id, k, null)).get("media_type").isNull());
        assertProblem(upload(k, "PUT", "/v1/knowledge/documents/" + id, "secret.pdf", "application/pdf",
                DocumentFixtures.encryptedPdf("x"), null), 422, "document-encrypted", "encrypted");
        assertTrue(json(hub.call("GET", "/v1/knowledge/documents/" + id, k, null)).get("content").asText()
                .contains("11am"), "a refused replacement leaves the document as it was");
        assertEquals(404, hub.call("PUT", "/v1/knowledge/documents/doc_00000000000000000000000000", k,
                "{\"title\":\"x\",\"format\":\"text\",\"content\":\"y\"}").statusCode());
    }

    @Test
    void aDocumentIsFetchedFromAUrlFollowingRedirects() {
        String k = hub.key(hub.tenant("Fetch"), "[\"knowledge:admin\"]");
        String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/old-help";
        HttpResponse<String> added = hub.call("POST", "/v1/knowledge/documents", k, "{\"url\":\"" + url + "\"}");
        assertEquals(201, added.statusCode(), added.body());
        assertEquals("Help centre", json(added).get("title").asText());
        assertEquals("text/html", json(added).get("media_type").asText());
        assertEquals("http://127.0.0.1:" + web.getAddress().getPort() + "/help/centre.html",
                json(added).get("source").asText());
        assertTop(k, "set up an authenticator app", "Help centre", "Accounts > Two-factor sign-in");

        assertProblem(hub.call("POST", "/v1/knowledge/documents", k, "{\"url\":\"http://127.0.0.1:"
                + web.getAddress().getPort() + "/huge.txt\"}"), 413, "payload-too-large", "larger than");
        assertProblem(hub.call("POST", "/v1/knowledge/documents", k, "{\"url\":\"http://127.0.0.1:"
                + web.getAddress().getPort() + "/missing\"}"), 422, "url-fetch-failed", "HTTP 404");
        assertProblem(hub.call("POST", "/v1/knowledge/documents", k, "{\"url\":\"ftp://example.com/x.pdf\"}"),
                400, "validation", "http");
        assertProblem(hub.call("POST", "/v1/knowledge/documents", k, "{\"url\":\"" + url
                + "\",\"format\":\"text\"}"), 400, "validation", "url");
    }

    @Test
    void aUrlToAPrivateAddressIsRefusedUnlessTheHubAllowsThem() {
        String k = guarded.key(guarded.tenant("Guarded"), "[\"knowledge:admin\"]");
        String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/help/centre.html";
        HttpResponse<String> refused = guarded.call("POST", "/v1/knowledge/documents", k, "{\"url\":\"" + url + "\"}");
        assertProblem(refused, 400, "validation", "loopback");
        assertEquals("url", json(refused).at("/errors/0/field").asText());
        assertEquals(0, json(guarded.call("GET", "/v1/knowledge/documents", k, null)).get("data").size());
    }

    private static void assertTop(String k, String query, String title, String section) {
        JsonNode hit = json(hub.call("POST", "/v1/knowledge/search", k,
                "{\"query\":\"" + query + "\",\"k\":1}")).at("/data/0");
        assertEquals(title, hit.get("document_title").asText(), query + " -> " + hit);
        if (section == null) {
            assertTrue(hit.get("section").isNull(), hit.toString());
        } else {
            assertEquals(section, hit.get("section").asText(), hit.toString());
        }
    }

    private static void assertProblem(HttpResponse<String> r, int status, String type, String detail) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                r.headers().toString());
        assertEquals("urn:clawless:problem:" + type, json(r).get("type").asText(), r.body());
        assertTrue(json(r).get("detail").asText().contains(detail), r.body());
    }

    private static HttpResponse<String> upload(String method, String path, String fileName, String type,
                                               byte[] bytes, String title) {
        return upload(key, method, path, fileName, type, bytes, title);
    }

    /** A multipart/form-data request as a browser's FormData sends it. */
    private static HttpResponse<String> upload(String k, String method, String path, String fileName, String type,
                                               byte[] bytes, String title) {
        String boundary = "----clawless" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            if (title != null) {
                body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + title
                        + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(bytes);
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hub.send(hub.request(path).header("Authorization", "Bearer " + k)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }
}
