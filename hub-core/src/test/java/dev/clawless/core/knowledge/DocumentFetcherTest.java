package dev.clawless.core.knowledge;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.security.NetworkGuard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real local web server behind a network guard whose resolver pins names: 127.0.0.1 passes as a public address,
 * so the guard's check of each redirect is what is tested.
 */
class DocumentFetcherTest {

    private HttpServer web;
    private String base;
    private final NetworkGuard guard = new NetworkGuard(host -> host.equals("127.0.0.1")
            ? List.of(InetAddress.getByName("93.184.216.34")) : List.of(InetAddress.getByName("127.0.0.1")), false);

    @BeforeEach
    void start() throws IOException {
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/doc.txt", x -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/plain");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        web.createContext("/inward", x -> {
            x.getResponseHeaders().add("Location", "http://localhost:" + web.getAddress().getPort() + "/doc.txt");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        web.createContext("/loop", x -> {
            x.getResponseHeaders().add("Location", "/loop");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        web.start();
        base = "http://127.0.0.1:" + web.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        web.stop(0);
    }

    @Test
    void aPublicUrlIsFetchedWithItsTypeAndName() {
        DocumentFetcher.Fetched f = new DocumentFetcher(guard, 1024).fetch(base + "/doc.txt", "url");
        assertEquals("hello", new String(f.bytes(), StandardCharsets.UTF_8));
        assertEquals("text/plain", f.contentType().orElseThrow());
        assertEquals("doc.txt", f.fileName().orElseThrow());
    }

    @Test
    void aRedirectToAPrivateAddressIsRefusedBeforeItIsFollowed() {
        ClawlessException e = assertThrows(ClawlessException.class,
                () -> new DocumentFetcher(guard, 1024).fetch(base + "/inward", "url"));
        assertEquals(400, e.status());
        assertTrue(e.detail().contains("redirects to localhost") && e.detail().contains("loopback"), e.detail());
    }

    @Test
    void endlessRedirectsAndOversizedDocumentsAreRefused() {
        ClawlessException loop = assertThrows(ClawlessException.class,
                () -> new DocumentFetcher(guard, 1024).fetch(base + "/loop", "url"));
        assertEquals(422, loop.status());
        assertTrue(loop.detail().contains("redirects more than 5 times"), loop.detail());
        assertEquals(413, assertThrows(ClawlessException.class,
                () -> new DocumentFetcher(guard, 3).fetch(base + "/doc.txt", "url")).status());
        assertEquals(400, assertThrows(ClawlessException.class,
                () -> new DocumentFetcher(guard, 1024).fetch("not a url", "url")).status());
    }
}
