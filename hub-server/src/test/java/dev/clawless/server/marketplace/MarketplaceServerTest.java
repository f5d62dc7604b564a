package dev.clawless.server.marketplace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plugin uploads: verification of hostile JARs, content addressing, signatures, review and the catalog. */
class MarketplaceServerTest {

    private static final String DESCRIPTOR = "{\"display_name\":\"Hello tools\",\"description\":\"Says hello.\","
            + "\"config_schema\":{\"type\":\"object\"},\"secrets\":[\"api_key\"],\"hosts\":[\"api.example.com\"],"
            + "\"mutating_tools\":[]}";
    private static KeyPair publisher;
    private static TestHub hub;
    private static TestHub strict;
    private static String key;

    @BeforeAll
    static void start() throws Exception {
        publisher = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        hub = TestHub.start(Map.of("CLAWLESS_MARKETPLACE_MAX_UPLOAD_SIZE", "2MiB",
                "CLAWLESS_MARKETPLACE_MAX_EXPANDED_SIZE", "4MiB", "CLAWLESS_MARKETPLACE_MAX_ENTRIES", "500"));
        strict = TestHub.start(Map.of("CLAWLESS_MARKETPLACE_REQUIRE_SIGNED", "true",
                "CLAWLESS_MARKETPLACE_TRUSTED_PUBLISHERS", "acme=" + Base64.getEncoder().encodeToString(
                        publisher.getPublic().getEncoded())));
        key = hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]");
    }

    @AfterAll
    static void stop() {
        hub.close();
        strict.close();
    }

    /** A plugin JAR: manifest attributes, then entries (name → bytes). */
    static byte[] jar(Map<String, String> manifest, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            if (manifest != null) {
                StringBuilder mf = new StringBuilder("Manifest-Version: 1.0\r\n");
                manifest.forEach((k, v) -> mf.append(k).append(": ").append(v).append("\r\n"));
                zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
                zip.write(mf.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
            }
        }
        return bytes.toByteArray();
    }

    static Map<String, String> manifest(String id, String version) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Plugin-Id", id);
        m.put("Plugin-Version", version);
        m.put("Plugin-Requires", ">=1.0.0 & <2.0.0");
        m.put("Plugin-Provider", "Acme");
        return m;
    }

    static Map<String, byte[]> entries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("META-INF/extensions.idx", "com.example.hello.HelloTool\n".getBytes(StandardCharsets.UTF_8));
        e.put("com/example/hello/HelloTool.class", new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
        e.put("clawless-plugin.json", DESCRIPTOR.getBytes(StandardCharsets.UTF_8));
        return e;
    }

    private static HttpResponse<String> upload(TestHub h, String k, byte[] jar, String... headers) {
        HttpRequest.Builder b = h.request("/v1/marketplace/plugins").header("Authorization", "Bearer " + k)
                .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofByteArray(jar));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return h.send(b);
    }

    @Test
    void aPluginIsUploadedReviewedAndListed() throws Exception {
        byte[] jar = jar(manifest("hello-tools", "1.0.0"), entries());
        HttpResponse<String> r = upload(hub, key, jar);
        assertEquals(201, r.statusCode(), r.body());
        JsonNode up = json(r);
        assertEquals("pending_review", up.get("status").asText());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar)),
                up.get("sha256").asText());
        assertEquals(200, upload(hub, key, jar).statusCode()); // the same bytes again: the same upload
        byte[] other = jar(manifest("hello-tools", "1.0.0"), Map.of("META-INF/extensions.idx",
                "com.example.hello.HelloTool\n".getBytes(StandardCharsets.UTF_8), "com/example/hello/HelloTool.class",
                new byte[] {1, 2}, "clawless-plugin.json", DESCRIPTOR.getBytes(StandardCharsets.UTF_8)));
        assertEquals(409, upload(hub, key, other).statusCode());
        assertEquals(0, json(hub.call("GET", "/v1/marketplace/plugins", key, null)).get("data").size());

        assertEquals(400, hub.admin("POST", "/admin/marketplace/plugins/hello-tools/versions/1.0.0/reject", "{}")
                .statusCode()); // a rejection needs a reason
        HttpResponse<String> approved = hub.admin("POST",
                "/admin/marketplace/plugins/hello-tools/versions/1.0.0/approve", "{\"reason\":\"reviewed the code\"}");
        assertEquals(200, approved.statusCode(), approved.body());
        assertEquals(409, hub.admin("POST", "/admin/marketplace/plugins/hello-tools/versions/1.0.0/reject",
                "{\"reason\":\"late\"}").statusCode());
        JsonNode catalog = json(hub.call("GET", "/v1/marketplace/plugins", key, null));
        assertEquals(1, catalog.get("data").size());
        JsonNode plugin = catalog.get("data").get(0);
        assertEquals("Hello tools", plugin.get("display_name").asText());
        assertEquals("[\"api.example.com\"]", plugin.get("permissions").get("hosts").toString());
        assertEquals("1.0.0", plugin.get("versions").get(0).get("version").asText());
        assertEquals("[\"api.example.com\"]", plugin.at("/versions/0/permissions/hosts").toString());
        assertTrue(plugin.at("/versions/0/config_schema").isObject(), plugin.toString());
        assertEquals(200, hub.call("GET", "/v1/marketplace/plugins/hello-tools", key, null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/marketplace/plugins/nope", key, null).statusCode());
        String audit = hub.admin("GET", "/admin/audit?action=plugin.approved", null).body();
        assertTrue(audit.contains("hello-tools@1.0.0"), audit);
    }

    private static byte[] reviewJar(String version, String descriptor, boolean withLib) throws IOException {
        Map<String, byte[]> e = entries();
        e.put("clawless-plugin.json", descriptor.getBytes(StandardCharsets.UTF_8));
        e.put("assets/data.bin", new byte[20_000]);
        if (withLib) {
            e.put("lib/helper.jar", jar(null, Map.of("com/example/helper/Util.class", new byte[] {(byte) 0xCA, 1, 2},
                    "com/example/helper/Other.class", new byte[] {(byte) 0xCA, 3})));
        }
        return jar(manifest("review-tools", version), e);
    }

    @Test
    void aReviewerSeesTheArchiveAndWhatAVersionAsksForAnewAndARejectionStaysWithItsPublisher() throws Exception {
        String first = "{\"display_name\":\"Review tools\",\"description\":\"Files.\",\"secrets\":[\"api_key\"],"
                + "\"hosts\":[\"api.example.com\"],\"mutating_tools\":[]}";
        String second = "{\"display_name\":\"Review tools\",\"description\":\"Files.\",\"secrets\":[],"
                + "\"hosts\":[\"api.example.com\",\"files.example.com\"],\"mutating_tools\":[\"delete_file\"]}";
        byte[] v1 = reviewJar("1.0.0", first, false);
        byte[] v2 = reviewJar("1.1.0", second, true);
        assertEquals(201, upload(hub, key, v1).statusCode());
        assertEquals(200, hub.admin("POST", "/admin/marketplace/plugins/review-tools/versions/1.0.0/approve", "{}")
                .statusCode());
        assertEquals(201, upload(hub, key, v2).statusCode());

        HttpResponse<String> r = hub.admin("GET", "/admin/marketplace/plugins/review-tools/versions/1.1.0", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode review = json(r);
        assertEquals("pending_review", review.get("status").asText());
        JsonNode inspection = review.get("inspection");
        // what the JAR holds, counted independently here
        long total = 0;
        int entries = 0;
        try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(v2))) {
            while (zip.getNextEntry() != null) {
                entries++;
                total += zip.readAllBytes().length;
            }
        }
        assertEquals(entries + 2, inspection.get("entries").asInt(), "the top level and the nested JAR's two");
        assertEquals(total, inspection.get("total_uncompressed_bytes").asLong());
        assertEquals("[\"com.example.hello\",\"com.example.helper\"]", inspection.get("packages").toString());
        assertEquals("lib/helper.jar", inspection.at("/nested_jars/0/name").asText());
        assertTrue(inspection.at("/nested_jars/0/size_bytes").asLong() > 0);
        assertEquals("assets/data.bin", inspection.at("/largest/0/name").asText());
        assertEquals(20_000, inspection.at("/largest/0/size_bytes").asLong());
        assertTrue(inspection.get("largest").size() <= 10);
        JsonNode diff = review.get("permissions_diff");
        assertEquals("1.0.0", diff.get("previous_version").asText());
        assertEquals("[\"files.example.com\"]", diff.at("/added/hosts").toString());
        assertEquals("[]", diff.at("/added/secrets").toString());
        assertEquals("[\"delete_file\"]", diff.at("/added/mutating_tools").toString());
        assertEquals("[\"api_key\"]", diff.at("/removed/secrets").toString());
        assertEquals("[]", diff.at("/removed/hosts").toString());
        // the first version adds everything it asks for; the list carries the same review data
        JsonNode listed = null;
        for (JsonNode v : json(hub.admin("GET", "/admin/marketplace/plugins", null)).get("data")) {
            if (v.get("plugin_id").asText().equals("review-tools") && v.get("version").asText().equals("1.0.0")) {
                listed = v;
            }
        }
        assertTrue(listed.at("/permissions_diff/previous_version").isNull(), listed.toString());
        assertEquals("[\"api.example.com\"]", listed.at("/permissions_diff/added/hosts").toString());
        assertEquals("[]", listed.at("/inspection/nested_jars").toString());
        assertEquals(404, hub.admin("GET", "/admin/marketplace/plugins/review-tools/versions/9.9.9", null)
                .statusCode());

        // rejected: never in anyone's catalog; its publisher reads why
        assertEquals(200, hub.admin("POST", "/admin/marketplace/plugins/review-tools/versions/1.1.0/reject",
                "{\"reason\":\"delete_file needs a narrower host list\"}").statusCode());
        String other = hub.key(hub.tenant("Shopper"), "[\"plugins:admin\"]");
        for (String k : List.of(key, other)) {
            for (JsonNode p : json(hub.call("GET", "/v1/marketplace/plugins", k, null)).get("data")) {
                if (p.get("plugin_id").asText().equals("review-tools")) {
                    assertEquals(1, p.get("versions").size(), p.toString());
                    assertEquals("1.0.0", p.at("/versions/0/version").asText());
                }
            }
            JsonNode plugin = json(hub.call("GET", "/v1/marketplace/plugins/review-tools", k, null));
            assertEquals(1, plugin.get("versions").size(), plugin.toString());
            assertEquals("[\"api.example.com\"]", plugin.at("/permissions/hosts").toString(),
                    "the catalog describes the approved version");
        }
        JsonNode mine = json(hub.call("GET", "/v1/marketplace/plugins/review-tools", key, null));
        assertEquals(2, mine.get("uploads").size(), mine.toString());
        assertEquals("rejected", mine.at("/uploads/1/status").asText());
        assertEquals("delete_file needs a narrower host list", mine.at("/uploads/1/review_reason").asText());
        assertEquals(0, json(hub.call("GET", "/v1/marketplace/plugins/review-tools", other, null)).get("uploads")
                .size(), "another tenant's uploads are not shown");
        String chatOnly = hub.key(json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText(), "[\"chat\"]");
        assertEquals(0, json(hub.call("GET", "/v1/marketplace/plugins/review-tools", chatOnly, null)).get("uploads")
                .size(), "reviewers' reasons are for whoever manages the tenant's plugins");
        assertEquals(404, hub.call("POST", "/v1/plugins/installations", other,
                "{\"plugin_id\":\"review-tools\",\"version\":\"1.1.0\"}").statusCode());

        // a plugin with only a rejected version: its publisher sees it, nobody else does
        byte[] lone = jar(manifest("lonely-tools", "1.0.0"), entries());
        assertEquals(201, upload(hub, key, lone).statusCode());
        assertEquals(200, hub.admin("POST", "/admin/marketplace/plugins/lonely-tools/versions/1.0.0/reject",
                "{\"reason\":\"no\"}").statusCode());
        assertEquals(404, hub.call("GET", "/v1/marketplace/plugins/lonely-tools", other, null).statusCode());
        HttpResponse<String> own = hub.call("GET", "/v1/marketplace/plugins/lonely-tools", key, null);
        assertEquals(200, own.statusCode(), own.body());
        assertEquals(0, json(own).get("versions").size());
        assertEquals("no", json(own).at("/uploads/0/review_reason").asText());
        assertFalse(hub.call("GET", "/v1/marketplace/plugins", other, null).body().contains("lonely-tools"));

        // installed once: the system view counts it
        assertEquals(201, hub.call("POST", "/v1/plugins/installations", other,
                "{\"plugin_id\":\"review-tools\",\"version\":\"1.0.0\"}").statusCode());
        boolean counted = false;
        for (JsonNode p : json(hub.admin("GET", "/admin/system", null)).get("plugins")) {
            if (p.get("plugin_id").asText().equals("review-tools")) {
                assertEquals("1.0.0", p.get("version").asText(), "only approved versions");
                assertEquals(1, p.get("installations").asLong());
                counted = true;
            }
        }
        assertTrue(counted);
    }

    @Test
    void hostileJarsAreRefusedWithTheExactReason() throws Exception {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        Map<String, byte[]> slip = entries();
        slip.put("../../etc/cron.d/evil", new byte[] {1});
        cases.put("zip slip", jar(manifest("slip", "1.0.0"), slip));
        Map<String, byte[]> absolute = entries();
        absolute.put("/etc/passwd", new byte[] {1});
        cases.put("zip slip", jar(manifest("abs", "1.0.0"), absolute));
        Map<String, byte[]> bomb = entries();
        bomb.put("zeros.bin", new byte[5 * 1024 * 1024]); // compresses to a few KB, expands past 4 MiB
        cases.put("zip bomb", jar(manifest("bomb", "1.0.0"), bomb));
        Map<String, byte[]> many = entries();
        for (int i = 0; i < 600; i++) {
            many.put("f/" + i, new byte[0]);
        }
        cases.put("entries", jar(manifest("many", "1.0.0"), many));
        Map<String, byte[]> nested = entries();
        nested.put("lib/inner.jar", jar(null, Map.of("big.bin", new byte[5 * 1024 * 1024])));
        cases.put("zip bomb", jar(manifest("nested", "1.0.0"), nested));
        Map<String, byte[]> deep = entries();
        deep.put("inner.zip", jar(null, Map.of("a", new byte[1])));
        cases.put("nested archive", jar(manifest("deep", "1.0.0"), deep));
        Map<String, byte[]> hub1 = entries();
        hub1.put("dev/clawless/core/Evil.class", new byte[] {1});
        cases.put("dev.clawless", jar(manifest("evil", "1.0.0"), hub1));
        Map<String, byte[]> jdk = entries();
        jdk.put("java/lang/Evil.class", new byte[] {1});
        cases.put("java.", jar(manifest("jdk", "1.0.0"), jdk));
        cases.put("MANIFEST.MF is missing", jar(null, entries()));
        Map<String, String> noId = manifest("x", "1.0.0");
        noId.remove("Plugin-Id");
        cases.put("no Plugin-Id", jar(noId, entries()));
        cases.put("Plugin-Id", jar(manifest("Bad_Id!", "1.0.0"), entries()));
        cases.put("semantic version", jar(manifest("badver", "one"), entries()));
        Map<String, String> future = manifest("future", "1.0.0");
        future.put("Plugin-Requires", ">=2.0.0");
        cases.put("does not include this hub's plugin API", jar(future, entries()));
        Map<String, byte[]> noIndex = entries();
        noIndex.remove("META-INF/extensions.idx");
        cases.put("extensions.idx is missing", jar(manifest("noidx", "1.0.0"), noIndex));
        Map<String, byte[]> ghost = entries();
        ghost.put("META-INF/extensions.idx", "com.example.Missing\n".getBytes(StandardCharsets.UTF_8));
        cases.put("does not contain", jar(manifest("ghost", "1.0.0"), ghost));
        Map<String, byte[]> noDescriptor = entries();
        noDescriptor.remove("clawless-plugin.json");
        cases.put("clawless-plugin.json is missing", jar(manifest("nodesc", "1.0.0"), noDescriptor));
        Map<String, byte[]> badDescriptor = entries();
        badDescriptor.put("clawless-plugin.json", "{\"display_name\":7,\"hosts\":[\"http://x\"]}"
                .getBytes(StandardCharsets.UTF_8));
        cases.put("display_name", jar(manifest("baddesc", "1.0.0"), badDescriptor));
        cases.put("not a readable JAR", "this is not a zip file at all".getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> hiddenEntries = entries();
        hiddenEntries.put("dev/clawless/core/Hidden.class", new byte[] {1});
        byte[] innocent = jar(manifest("twofaced", "1.0.0"), entries());
        byte[] hidden = jar(manifest("twofaced", "1.0.0"), hiddenEntries);
        byte[] appended = java.util.Arrays.copyOf(innocent, innocent.length + hidden.length);
        System.arraycopy(hidden, 0, appended, innocent.length, hidden.length);
        cases.put("disagree", appended);
        Map<String, byte[]> versioned = entries();
        versioned.put("META-INF/versions/21/dev/clawless/core/Evil.class", new byte[] {1});
        cases.put("dev.clawless", jar(manifest("versioned", "1.0.0"), versioned));
        byte[] valid = jar(manifest("cut", "1.0.0"), entries());
        cases.put("JAR", java.util.Arrays.copyOf(valid, valid.length / 2));

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            HttpResponse<String> r = upload(hub, key, c.getValue());
            if (!(r.statusCode() == 422 || r.statusCode() == 400) || !r.body().contains(c.getKey())) {
                problems.add(c.getKey() + " -> " + r.statusCode() + " " + r.body());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        // too large: refused while streaming (declared) and as a form upload
        HttpResponse<String> big = upload(hub, key, new byte[3 * 1024 * 1024]);
        assertEquals(413, big.statusCode(), big.body());
        HttpResponse<String> form = hub.send(hub.request("/v1/marketplace/plugins").header("Authorization",
                "Bearer " + key).header("Content-Type", "multipart/form-data; boundary=x")
                .POST(HttpRequest.BodyPublishers.ofString("--x--")));
        assertEquals(415, form.statusCode());
        assertEquals(403, upload(hub, hub.key(hub.tenant("No scope"), "[\"chat\"]"), valid).statusCode());
        assertEquals(0, json(hub.admin("GET", "/admin/marketplace/plugins", null)).get("data").findValues("plugin_id")
                .stream().filter(n -> !java.util.Set.of("hello-tools", "hello-template", "review-tools", "lonely-tools")
                        .contains(n.asText())).count(), "only the other tests' plugins, none of these");
        assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
    }

    @Test
    void underRequireSignedOnlyTrustedPublishersGetIn() throws Exception {
        String k = strict.key(strict.tenant("Signed"), "[\"plugins:admin\"]");
        byte[] jar = jar(manifest("signed-tools", "1.0.0"), entries());
        HttpResponse<String> unsigned = upload(strict, k, jar);
        assertEquals(422, unsigned.statusCode());
        assertTrue(unsigned.body().contains("plugin-unsigned"), unsigned.body());
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(publisher.getPrivate());
        signer.update(hash.getBytes(StandardCharsets.US_ASCII));
        String sig = Base64.getEncoder().encodeToString(signer.sign());
        assertEquals(422, upload(strict, k, jar, "X-Plugin-Signature", "mallory:" + sig).statusCode());
        byte[] otherJar = jar(manifest("signed-tools", "1.0.1"), entries());
        assertEquals(422, upload(strict, k, otherJar, "X-Plugin-Signature", "acme:" + sig).statusCode());
        HttpResponse<String> ok = upload(strict, k, jar, "X-Plugin-Signature", "acme:" + sig);
        assertEquals(201, ok.statusCode(), ok.body());
        JsonNode listed = json(strict.admin("GET", "/admin/marketplace/plugins?status=pending_review", null));
        assertEquals("acme", listed.get("data").get(0).get("signed_by").asText());
    }

    @Test
    void theTemplatePluginBuiltByTheReactorPassesVerification() throws Exception {
        java.nio.file.Path built = java.nio.file.Path.of(System.getProperty("clawless.template.jar",
                "../plugins/plugin-template/target/plugin-template-0.1.0-SNAPSHOT.jar"));
        assertTrue(java.nio.file.Files.exists(built), "build the reactor first: " + built.toAbsolutePath());
        HttpResponse<String> r = upload(hub, key, java.nio.file.Files.readAllBytes(built));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("hello-template", json(r).get("plugin_id").asText());
        JsonNode pending = json(hub.admin("GET", "/admin/marketplace/plugins?status=pending_review", null));
        JsonNode template = null;
        for (JsonNode v : pending.get("data")) {
            if (v.get("plugin_id").asText().equals("hello-template")) {
                template = v;
            }
        }
        assertEquals("[\"com.example.clawless.hello.HelloTool\"]", template.get("extensions").toString());
        assertEquals("Hello (template)", template.get("descriptor").get("display_name").asText());
    }
}
