package dev.clawless.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import dev.clawless.server.api.OpsRoutes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/openapi.yaml and the router stay in step: every route documented, every documented route served. */
class OpenApiRoutesTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    /** Served but not documented on purpose: the console's page also answers at /console/ for browsers that add the
     * slash (OpenAPI linters refuse a trailing slash, and /console documents the page). */
    private static final Set<String> ALIASES = Set.of("GET /console/");

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws IOException {
        JsonNode doc;
        try (InputStream in = OpenApiRoutesTest.class.getResourceAsStream(OpsRoutes.OPENAPI)) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> ops = doc.get("paths").get(path).fieldNames(); ops.hasNext(); ) {
                String op = ops.next();
                if (METHODS.contains(op)) {
                    documented.add(op.toUpperCase() + " " + path);
                }
            }
        }
        try (TestHub hub = TestHub.start()) {
            Set<String> served = new TreeSet<>();
            hub.hub().routes().all().forEach(r -> served.add(r.method().text() + " " + r.template()));
            served.removeAll(ALIASES);
            assertEquals(served, documented, "docs/openapi.yaml differs from the router");

            HttpResponse<String> r = hub.call("GET", "/openapi.yaml", null, null);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().startsWith("openapi: 3.1"), "the document is served as written");
        }
    }
}
