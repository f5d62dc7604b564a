package dev.clawless.server.channels;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.channels.ChannelKit.await;
import static dev.clawless.server.channels.ChannelKit.conversations;
import static dev.clawless.server.channels.ChannelKit.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GitHub end to end: signed webhooks of each event type in, comments out through a fake GitHub API. */
class GitHubServerTest {

    private static final String SECRET = "It's a Secret to Everybody";
    private static WireMockServer github;
    private static TestHub hub;
    private static int repos;

    @BeforeAll
    static void start() {
        github = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        github.start();
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_JOBS_BACKOFF_BASE", "200ms", "CLAWLESS_JOBS_BACKOFF_MAX", "1s"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        github.stop();
    }

    /** A tenant whose repository is its own (so late comments of one test never reach another's counts). */
    private static String[] connected(String name, String trigger, String auth) {
        String repo = "acme" + (++repos) + "/widgets";
        String api = github.baseUrl();
        github.stubFor(get(urlEqualTo("/repos/" + repo)).willReturn(okJson("{\"id\":" + repos + ",\"name\":\"widgets\","
                + "\"full_name\":\"" + repo + "\",\"url\":\"" + api + "/repos/" + repo + "\",\"owner\":{\"login\":\""
                + repo.split("/")[0] + "\",\"id\":1,\"type\":\"Organization\"}}")));
        for (int n : new int[] {42, 43}) {
            github.stubFor(get(urlEqualTo("/repos/" + repo + "/issues/" + n)).willReturn(okJson("{\"id\":" + (900 + n)
                    + ",\"number\":" + n + ",\"title\":\"t\",\"state\":\"open\",\"url\":\"" + api + "/repos/" + repo
                    + "/issues/" + n + "\",\"user\":{\"login\":\"alice-dev\",\"id\":2}}")));
            github.stubFor(post(urlEqualTo("/repos/" + repo + "/issues/" + n + "/comments")).willReturn(aResponse()
                    .withStatus(201).withHeader("Content-Type", "application/json")
                    .withBody("{\"id\":{{randomInt lower=100000 upper=900000000}},\"body\":\"ok\",\"user\":"
                            + "{\"login\":\"clawless-bot\",\"id\":3}}")));
        }
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"github\",\"config\":{\"bot_login\":\"clawless-bot\","
                + "\"trigger\":\"" + trigger + "\",\"api_base_url\":\"" + api + "\"" + auth);
        return new String[] {key, c.get("id").asText(), repo};
    }

    private static String[] connected(String name, String trigger) {
        return connected(name, trigger, "},\"secrets\":{\"webhook_secret\":\"" + SECRET
                + "\",\"token\":\"ghp_test\"}}");
    }

    private static String signature(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    /** A fixture moved to the test's own repository. */
    private static byte[] event(String fixture, String repo) {
        return ChannelKit.text("github", fixture + ".json").replace("acme/widgets", repo)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> deliver(String connectionId, String event, byte[] body, String delivery)
            throws Exception {
        return ChannelKit.hook(hub, connectionId, "application/json", body, "X-GitHub-Event", event,
                "X-GitHub-Delivery", delivery, "X-Hub-Signature-256", signature(body));
    }

    private static int comments(String repo, int n) {
        return github.findAll(postRequestedFor(urlEqualTo("/repos/" + repo + "/issues/" + n + "/comments"))).size();
    }

    @Test
    void aMentionIsAnsweredOnceAndBotsNeverTrigger() throws Exception {
        String[] t = connected("Gh mention", "mention");
        byte[] created = event("issue_comment_created", t[2]);
        String delivery = UUID.randomUUID().toString();
        assertEquals(200, deliver(t[1], "issue_comment", created, delivery).statusCode());
        assertEquals(200, deliver(t[1], "issue_comment", created, delivery).statusCode()); // redelivered
        await("the reply comment", () -> comments(t[2], 42) == 1);
        JsonNode sent = json(github.findAll(postRequestedFor(urlEqualTo("/repos/" + t[2] + "/issues/42/comments")))
                .get(0).getBodyAsString());
        assertTrue(sent.get("body").asText().length() > 0);
        assertEquals("token ghp_test", github.findAll(postRequestedFor(urlEqualTo("/repos/" + t[2]
                + "/issues/42/comments"))).get(0).getHeader("Authorization"));

        // the bot's own comment (the reply, as GitHub echoes it) and another bot's never trigger anything
        assertEquals(200, deliver(t[1], "issue_comment", event("issue_comment_by_self", t[2]),
                UUID.randomUUID().toString()).statusCode());
        assertEquals(200, deliver(t[1], "issue_comment", event("issue_comment_by_other_bot", t[2]),
                UUID.randomUUID().toString()).statusCode());
        // an issue opened without a mention is not for the bot; a ping is acknowledged
        assertEquals(200, deliver(t[1], "issues", event("issues_opened", t[2]), UUID.randomUUID().toString())
                .statusCode());
        assertEquals(200, deliver(t[1], "ping", event("ping", t[2]), UUID.randomUUID().toString()).statusCode());
        // an edit of the comment is not answered again
        assertEquals(200, deliver(t[1], "issue_comment", event("issue_comment_edited", t[2]),
                UUID.randomUUID().toString()).statusCode());
        Thread.sleep(500);
        assertEquals(1, comments(t[2], 42));
        List<JsonNode> convs = conversations(hub, t[0], "github");
        assertEquals(1, convs.size());
        List<JsonNode> ms = messages(hub, t[0], convs.get(0).get("id").asText());
        assertEquals(2, ms.size(), ms.toString());
        assertTrue(ms.get(0).get("text").asText().startsWith("@clawless-bot can you take a look?"), ms.toString());
        assertEquals("sent", ms.get(1).get("status").asText());
    }

    @Test
    void everyEventTypeBecomesOneConversationPerIssueOrPullRequest() throws Exception {
        String[] t = connected("Gh all", "all");
        String graphql = "/graphql";
        github.stubFor(post(urlEqualTo(graphql)).willReturn(okJson("{\"data\":{\"addDiscussionComment\":{\"comment\":"
                + "{\"id\":\"DC_reply1\",\"url\":\"https://github.com/x\"}}}}")));
        for (String[] e : List.of(new String[] {"issues", "issues_opened"}, new String[] {"issues", "issues_labeled"},
                new String[] {"issue_comment", "issue_comment_created"},
                new String[] {"pull_request", "pull_request_opened"},
                new String[] {"pull_request_review_comment", "pull_request_review_comment_created"},
                new String[] {"discussion_comment", "discussion_comment_created"})) {
            assertEquals(200, deliver(t[1], e[0], event(e[1], t[2]), UUID.randomUUID().toString()).statusCode(),
                    e[1]);
        }
        List<JsonNode> convs = conversations(hub, t[0], "github");
        assertEquals(3, convs.size(), convs.toString()); // issue 42, pull request 43, discussion 44
        await("a reply in each", () -> comments(t[2], 42) >= 1 && comments(t[2], 43) >= 1
                && github.findAll(postRequestedFor(urlEqualTo(graphql))).size() == 1);
        JsonNode mutation = json(github.findAll(postRequestedFor(urlEqualTo(graphql))).get(0).getBodyAsString());
        assertEquals("D_kwDOI9bVh84AdZ5s", mutation.get("variables").get("d").asText());
    }

    @Test
    void appAuthMintsAnInstallationTokenOnceAndRateLimitsAreWaitedOut() throws Exception {
        // a throwaway App key, made here, in the PKCS#1 PEM form GitHub hands out (the PKCS#8 DER the JDK writes
        // for a 2048-bit RSA key carries the PKCS#1 key after a fixed 26-byte header)
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        byte[] pkcs8 = rsa.generateKeyPair().getPrivate().getEncoded();
        byte[] pkcs1 = java.util.Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        // lines joined with a JSON "\n" escape, as the PEM travels inside the request's JSON string
        String pem = "-----BEGIN RSA PRIVATE KEY-----\\n" + String.join("\\n",
                java.util.Base64.getEncoder().encodeToString(pkcs1).split("(?<=\\G.{64})"))
                + "\\n-----END RSA PRIVATE KEY-----";
        String[] t = connected("Gh app", "mention", ",\"app_id\":\"123456\",\"installation_id\":\"777\"},"
                + "\"secrets\":{\"webhook_secret\":\"" + SECRET + "\",\"app_private_key\":\"" + pem + "\"}}");
        github.stubFor(get(urlEqualTo("/app")).willReturn(okJson("{\"id\":123456,\"slug\":\"clawless\","
                + "\"name\":\"Clawless\",\"owner\":{\"login\":\"acme\",\"id\":1}}")));
        github.stubFor(get(urlEqualTo("/app/installations/777")).willReturn(okJson("{\"id\":777,\"app_id\":123456,"
                + "\"access_tokens_url\":\"" + github.baseUrl() + "/app/installations/777/access_tokens\","
                + "\"account\":{\"login\":\"acme\",\"id\":1}}")));
        github.stubFor(post(urlEqualTo("/app/installations/777/access_tokens")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"token\":\"ghs_installation\",\"expires_at\":\"2099-01-01T00:00:00Z\"}")));
        String path = "/repos/" + t[2] + "/issues/42/comments";
        github.stubFor(post(urlEqualTo(path)).inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("ok").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"You have exceeded a secondary rate limit.\"}")));
        github.stubFor(post(urlEqualTo(path)).inScenario("limited").whenScenarioStateIs("ok")
                .withHeader("Authorization", equalTo("token ghs_installation"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":{{randomInt lower=100000 upper=900000000}},\"body\":\"ok\"}")));
        assertEquals(200, deliver(t[1], "issue_comment", event("issue_comment_created", t[2]),
                UUID.randomUUID().toString()).statusCode());
        String cid = conversations(hub, t[0], "github").get(0).get("id").asText();
        await("sent after the limit", () -> messages(hub, t[0], cid).stream()
                .anyMatch(m -> m.get("status").asText().equals("sent")));
        assertEquals(2, comments(t[2], 42));
        JsonNode jwtCall = json("{}");
        String auth = github.findAll(postRequestedFor(urlEqualTo("/app/installations/777/access_tokens"))).get(0)
                .getHeader("Authorization");
        assertTrue(auth.startsWith("Bearer ey") && auth.split("\\.").length == 3, auth + jwtCall);
        // a second reply reuses the cached installation token
        assertEquals(201, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"Following up.\"}").statusCode());
        await("the second comment", () -> comments(t[2], 42) == 3);
        assertEquals(1, github.findAll(postRequestedFor(urlEqualTo("/app/installations/777/access_tokens"))).size());
    }

    @Test
    void hostileDeliveriesGet4xx() throws Exception {
        String[] t = connected("Gh hostile", "all");
        List<String> valid = new ArrayList<>();
        for (String f : List.of("issue_comment_created", "issues_opened", "pull_request_opened",
                "pull_request_review_comment_created", "discussion_comment_created")) {
            valid.add(new String(event(f, t[2]), StandardCharsets.UTF_8));
        }
        String[] kinds = {"issue_comment", "issues", "pull_request", "pull_request_review_comment",
            "discussion_comment"};
        // wrong types and sizes at the fields a reply depends on, set in the parsed tree; plus the generic corpus
        List<Map.Entry<String, Object>> breaks = List.of(
                Map.entry("/repository/full_name", "../../etc"), Map.entry("/repository/full_name", 7),
                Map.entry("/action", List.of()), Map.entry("/sender/login", Map.of("x", 1)),
                Map.entry("/comment/id", "one"), Map.entry("/comment/body", "z".repeat(70_000)),
                Map.entry("/comment/user/login", 5), Map.entry("/comment/updated_at", "last tuesday"),
                Map.entry("/issue/number", "42"), Map.entry("/issue/number", -1),
                Map.entry("/issue/title", "t".repeat(2000)), Map.entry("/pull_request/number", 0),
                Map.entry("/pull_request/body", List.of(1)), Map.entry("/discussion/node_id", "<script>"),
                Map.entry("/discussion/number", "44"));
        List<byte[]> bodies = new ArrayList<>();
        List<String> events = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (int i = 0; i < valid.size(); i++) {
            for (byte[] b : ChannelKit.hostileJson(List.of(valid.get(i)), List.of())) {
                bodies.add(b);
                events.add(kinds[i]);
            }
            for (Map.Entry<String, Object> b : breaks) {
                JsonNode tree = mapper.readTree(valid.get(i));
                com.fasterxml.jackson.core.JsonPointer at = com.fasterxml.jackson.core.JsonPointer.compile(b.getKey());
                if (tree.at(at).isMissingNode()) {
                    continue;
                }
                ((com.fasterxml.jackson.databind.node.ObjectNode) tree.at(at.head()))
                        .set(at.last().getMatchingProperty(), mapper.valueToTree(b.getValue()));
                bodies.add(mapper.writeValueAsBytes(tree));
                events.add(kinds[i]);
            }
        }
        int[] k = {0};
        int n = ChannelKit.assertAll4xx(hub, bodies, b -> {
            try {
                return deliver(t[1], events.get(k[0]++), b, UUID.randomUUID().toString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        byte[] good = valid.get(0).getBytes(StandardCharsets.UTF_8);
        byte[] other = valid.get(1).getBytes(StandardCharsets.UTF_8);
        List<String[]> headers = List.of(new String[] {"X-GitHub-Event", "issue_comment", "X-GitHub-Delivery", "a-b"},
                new String[] {"X-GitHub-Event", "issue_comment", "X-Hub-Signature-256", signature(good)},
                new String[] {"X-GitHub-Delivery", UUID.randomUUID().toString(), "X-Hub-Signature-256", signature(good)},
                new String[] {"X-GitHub-Event", "issue_comment", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                    "X-Hub-Signature-256", signature(other)},
                new String[] {"X-GitHub-Event", "issue_comment", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                    "X-Hub-Signature-256", signature(good).toUpperCase()},
                new String[] {"X-GitHub-Event", "issue_comment", "X-GitHub-Delivery", "<script>",
                    "X-Hub-Signature-256", signature(good)});
        int[] h = {0};
        n += ChannelKit.assertAll4xx(hub, List.of(good, good, good, good, good, good),
                b -> ChannelKit.hook(hub, t[1], "application/json", b, headers.get(h[0]++)));
        assertTrue(n >= 100, "corpus of " + n);
        assertEquals(0, conversations(hub, t[0], "github").size());
    }
}
