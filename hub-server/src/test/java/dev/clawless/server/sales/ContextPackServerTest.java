package dev.clawless.server.sales;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Context packs: the owner tenant's pack in docs/ imported into a tenant answers its customers from it, exports back
 * to the same pack, imports again without duplicates, goes to a tenant without WhatsApp with the offer left out, and
 * a wrong pack changes nothing.
 */
class ContextPackServerTest {

    static final String SCOPES = "[\"tenant:admin\",\"knowledge:admin\",\"channels:admin\",\"conversations:read\"]";
    static TestHub hub;
    static String pack;

    @BeforeAll
    static void start() throws Exception {
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
        pack = Files.readString(Path.of("..", "docs", "examples", "agencia-web.context-pack.json"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theOwnerTenantsPackImportsExportsTheSameAndImportsAgainWithoutDuplicates() {
        String key = hub.key(hub.tenant("Agencia"), SCOPES);
        String whatsapp = json(hub.call("POST", "/v1/channels", key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":"
                + "\"twilio\",\"from\":\"whatsapp:+14155238886\"},\"secrets\":{\"account_sid\":\"AC" + "e".repeat(32)
                + "\",\"auth_token\":\"tok\"}}")).get("id").asText();
        HttpResponse<String> imported = hub.call("POST", "/v1/context-pack", key, pack);
        assertEquals(200, imported.statusCode(), imported.body());
        JsonNode done = json(imported);
        assertEquals(2, done.get("documents_added").asInt());
        assertEquals(4, done.get("intents").asInt());
        assertTrue(done.get("lead_form").asBoolean() && done.get("settings").asBoolean());
        assertTrue(done.get("notes").toString().contains(whatsapp), done.toString());
        assertTrue(done.get("notes").toString().contains("no plugin installed here offers"), done.toString());

        // the knowledge answers, in Spanish
        JsonNode hit = json(hub.call("POST", "/v1/knowledge/search", key, "{\"query\":\"¿cuánto vale una tienda"
                + " virtual?\",\"k\":1}")).get("data").get(0);
        assertTrue(hit.toString().contains("4.000.000 COP"), hit.toString());
        assertEquals(whatsapp, json(hub.call("GET", "/v1/sales/lead-form", key, null)).at("/whatsapp/connection_id")
                .asText());
        assertEquals("sales", json(hub.call("GET", "/v1/tenant", key, null)).at("/settings/mode").asText());

        // exported: the same pack (its connection left out again)
        HttpResponse<String> exported = hub.call("GET", "/v1/context-pack", key, null);
        assertEquals(200, exported.statusCode());
        assertTrue(exported.headers().firstValue("Content-Disposition").orElse("").contains("context-pack.json"));
        ObjectNode out = (ObjectNode) json(exported);
        ObjectNode original = (ObjectNode) json(pack);
        for (String part : List.of("format", "version", "assistant", "knowledge", "intents", "lead_form")) {
            assertEquals(original.get(part), out.get(part), part);
        }

        // again: replaced in place, nothing doubled
        JsonNode again = json(hub.call("POST", "/v1/context-pack", key, out.toString()));
        assertEquals(0, again.get("documents_added").asInt());
        assertEquals(2, again.get("documents_replaced").asInt());
        assertEquals(2, json(hub.call("GET", "/v1/knowledge/documents", key, null)).get("data").size());
        assertEquals(4, json(hub.call("GET", "/v1/intents", key, null)).get("data").size());

        // into a tenant without WhatsApp: the offer is left out, and it says so
        String other = hub.key(hub.tenant("Otra agencia"), SCOPES);
        JsonNode elsewhere = json(hub.call("POST", "/v1/context-pack", other, out.toString()));
        assertTrue(elsewhere.get("notes").toString().contains("no WhatsApp connection"), elsewhere.toString());
        assertTrue(json(hub.call("GET", "/v1/sales/lead-form", other, null)).get("whatsapp").isNull());
    }

    @Test
    void aWrongPackChangesNothing() {
        String key = hub.key(hub.tenant("Recelosa"), SCOPES);
        assertEquals(200, hub.call("POST", "/v1/context-pack", key, pack).statusCode());
        String before = hub.call("GET", "/v1/context-pack", key, null).body().replaceAll("\"exported_at\":\"[^\"]*\"", "");
        ObjectNode good = (ObjectNode) json(pack);
        List<String> bad = List.of("[]", "{}", "not json",
                good.deepCopy().put("format", "something-else").toString(),
                good.deepCopy().put("version", 2).toString(),
                good.deepCopy().put("extra", 1).toString(),
                ((ObjectNode) good.deepCopy()).set("knowledge", json("[{\"title\":\"\",\"format\":\"faq\",\"content\":[]}]"))
                        .toString(),
                ((ObjectNode) good.deepCopy()).set("knowledge", json("[{\"title\":\"x\",\"format\":\"pdf\"}]")).toString(),
                ((ObjectNode) good.deepCopy()).set("intents", json("[{\"name\":\"Bad Name\",\"examples\":[]}]")).toString(),
                ((ObjectNode) good.deepCopy()).set("lead_form", json("{\"fields\":[]}")).toString(),
                ((ObjectNode) good.deepCopy()).set("assistant", json("{\"provider\":\"skynet\"}")).toString());
        for (String body : bad) {
            HttpResponse<String> r = hub.call("POST", "/v1/context-pack", key, body);
            assertEquals(400, r.statusCode(), body.length() > 200 ? body.substring(0, 200) : body);
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        }
        String after = hub.call("GET", "/v1/context-pack", key, null).body().replaceAll("\"exported_at\":\"[^\"]*\"", "");
        assertEquals(before, after);
        String reader = hub.key(hub.tenant("Lectora"), "[\"tenant:admin\"]");
        assertEquals(403, hub.call("POST", "/v1/context-pack", reader, pack).statusCode());
        assertEquals(403, hub.call("GET", "/v1/context-pack", hub.key(hub.tenant("Sin permiso"),
                "[\"knowledge:admin\"]"), null).statusCode());
    }
}
