package dev.clawless.server.channels;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clawless.server.Bubblewrap;
import dev.clawless.server.TestHub;
import dev.clawless.server.marketplace.PluginKit;
import dev.clawless.server.workspace.GitHttpServer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * From a labelled GitHub issue to a pull request, end to end: the GitHub channel hands the issue to the assistant;
 * in its workspace it clones the repository (a real git remote over smart HTTP, reached only through the hub's
 * egress guard), fixes the bug, runs the repository's tests, pushes a branch, and opens a pull request that links
 * the issue with {@code github-tools} (a fake GitHub API); then answers on the issue. Each of the five mutating
 * steps waits for an operator's approval, and nothing happens before it.
 */
class IssueToPullRequestServerTest {

    private static final String SECRET = "a webhook secret for widgets";
    private static final String REPO = "acme/widgets";
    private static final String BRANCH = "clawless/issue-42";
    @TempDir
    static Path remotes;
    private static WireMockServer fake;
    private static GitHttpServer git;
    private static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        Bubblewrap.requireOrSkip();
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        hub = TestHub.start(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-x",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fake.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test", "CLAWLESS_WORKSPACE_ENABLED", "true",
                "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
        // the repository: a slug script with the issue's bug, and its test
        Path work = remotes.resolve("work");
        Files.createDirectories(work);
        Files.writeString(work.resolve("slug.sh"), "#!/bin/sh\n# a widget's name as a URL path segment\n"
                + "printf '%s\\n' \"$1\" | tr ' ' '-'\n");
        Files.writeString(work.resolve("test.sh"), "#!/bin/sh\nset -e\n[ \"$(sh slug.sh 'big box')\" = big-box ]\n"
                + "[ \"$(sh slug.sh 'a/b')\" = a-b ] || { echo 'FAIL: a/b gave' \"$(sh slug.sh 'a/b')\"; exit 1; }\n"
                + "echo '2 tests passed'\n");
        run(work, "git", "init", "-q", "-b", "main");
        run(work, "git", "add", "-A");
        run(work, "git", "-c", "user.name=Alice", "-c", "user.email=alice@example.com", "commit", "-qm", "Slugs");
        run(remotes, "git", "clone", "-q", "--bare", "work", "widgets.git");
        run(remotes.resolve("widgets.git"), "git", "config", "http.receivepack", "true");
        git = GitHttpServer.serve(remotes);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (git != null) {
            git.close();
        }
        if (fake != null) {
            fake.stop();
        }
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out.strip();
    }

    private static String signature(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Test
    void aLabelledIssueBecomesAPullRequestThroughTheWorkspaceWithEachStepApproved() throws Exception {
        String api = fake.baseUrl();
        fake.stubFor(get(urlEqualTo("/repos/" + REPO)).willReturn(okJson("{\"id\":1,\"name\":\"widgets\","
                + "\"full_name\":\"" + REPO + "\",\"default_branch\":\"main\",\"url\":\"" + api + "/repos/" + REPO
                + "\",\"owner\":{\"login\":\"acme\",\"id\":1,\"type\":\"Organization\"}}")));
        fake.stubFor(get(urlEqualTo("/repos/" + REPO + "/issues/42")).willReturn(okJson("{\"id\":942,\"number\":42,"
                + "\"title\":\"t\",\"state\":\"open\",\"url\":\"" + api + "/repos/" + REPO + "/issues/42\","
                + "\"user\":{\"login\":\"alice-dev\",\"id\":2}}")));
        fake.stubFor(post(urlEqualTo("/repos/" + REPO + "/issues/42/comments")).willReturn(aResponse()
                .withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"id\":5001,\"body\":\"ok\",\"user\":{\"login\":\"clawless-bot\",\"id\":3}}")));
        fake.stubFor(post(urlEqualTo("/repos/" + REPO + "/pulls")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":7043,\"number\":43,\"title\":"
                        + "\"Accept a slash in widget names\",\"state\":\"open\",\"html_url\":"
                        + "\"https://github.com/acme/widgets/pull/43\",\"url\":\"" + api + "/repos/" + REPO
                        + "/pulls/43\"}")));

        String tenant = hub.tenant("Widgets team");
        String key = hub.key(tenant, "[\"plugins:admin\",\"chat\",\"tenant:admin\",\"conversations:read\","
                + "\"conversations:write\",\"channels:admin\"]");
        // the assistant with its workspace (its network: only the git remote's host), under the default approval
        // policy: every step that changes something waits for an operator
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"provider\":"
                + "\"openai\"},\"workspace\":{\"enabled\":true,\"hosts\":[\"127.0.0.1\"]}}}").statusCode());
        PluginKit.publish(hub, hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]"), PluginKit.built("github-tools"));
        PluginKit.install(hub, key, "github-tools", "1.0.0", "{\"repository\":\"" + REPO + "\",\"api_base_url\":\""
                + api + "\"}", "{\"token\":\"ghp_tools\"}");
        JsonNode connection = ChannelKit.connect(hub, key, "{\"type\":\"github\",\"config\":{\"bot_login\":"
                + "\"clawless-bot\",\"trigger\":\"label\",\"api_base_url\":\"" + api + "\"},\"secrets\":{"
                + "\"webhook_secret\":\"" + SECRET + "\",\"token\":\"ghp_channel\"}}");

        String fix = "#!/bin/sh\n# a widget's name as a URL path segment\nprintf '%s\\n' \"$1\" | tr ' /' '--'\n";
        String remote = git.url("widgets.git");
        PluginKit.modelScript(fake, List.of(
                new String[] {"workspace_shell", "{\"command\":" + quoted("git clone -q " + remote + " widgets && cd"
                        + " widgets && git checkout -q -b " + BRANCH + " && git log --oneline") + "}"},
                new String[] {"workspace_write", "{\"path\":\"widgets/slug.sh\",\"content\":" + quoted(fix) + "}"},
                new String[] {"workspace_shell", "{\"command\":\"sh test.sh\"}"},
                new String[] {"workspace_shell", "{\"command\":" + quoted("git add -A && git -c user.name=Clawless -c"
                        + " user.email=bot@clawless.dev commit -qm 'Accept a slash in widget names (#42)' && git push"
                        + " -q origin " + BRANCH + " && git log --oneline -1") + "}"},
                new String[] {"github_open_pull_request", "{\"title\":\"Accept a slash in widget names\",\"head\":\""
                        + BRANCH + "\",\"base\":\"main\",\"body\":\"Fixes #42: slug.sh turns a slash into a dash;"
                        + " the repository's tests pass.\"}"}),
                "I opened https://github.com/acme/widgets/pull/43, which fixes this; the tests pass.");

        // the issue, labelled for the assistant
        byte[] labelled = ChannelKit.text("github", "issues_labeled.json").replace("acme/widgets", REPO)
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(200, ChannelKit.hook(hub, connection.get("id").asText(), "application/json", labelled,
                "X-GitHub-Event", "issues", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                "X-Hub-Signature-256", signature(labelled)).statusCode());

        // each mutating step waits; the operator approves them one by one
        List<String> approved = new ArrayList<>();
        long end = System.currentTimeMillis() + 120_000;
        while (fake.findAll(postRequestedFor(urlEqualTo("/repos/" + REPO + "/issues/42/comments"))).isEmpty()
                && System.currentTimeMillis() < end) {
            JsonNode pending = json(hub.call("GET", "/v1/approvals?status=pending", key, null)).get("data");
            for (JsonNode a : pending) {
                String tool = a.get("tool").asText();
                if (tool.equals("github_open_pull_request")) {
                    assertTrue(run(remotes.resolve("widgets.git"), "git", "branch", "--list", BRANCH).contains(BRANCH),
                            "the branch is pushed before the pull request is asked for");
                    fake.verify(0, postRequestedFor(urlEqualTo("/repos/" + REPO + "/pulls")));
                }
                if (approved.isEmpty()) {
                    // the clone waits for its approval: the conversation has no workspace yet
                    String conversation = a.get("conversation_id").asText();
                    assertFalse(Files.exists(hub.hub().config().dataDir().resolve("workspaces").resolve(tenant)
                            .resolve(conversation).resolve("widgets")), "nothing is cloned before the approval");
                }
                if (approved.size() == 3) {
                    // the push waits for its approval: the remote has no branch yet
                    assertEquals("", run(remotes.resolve("widgets.git"), "git", "branch", "--list", BRANCH));
                }
                assertEquals(200, hub.call("POST", "/v1/approvals/" + a.get("id").asText() + "/approve", key, null)
                        .statusCode());
                approved.add(tool);
            }
            Thread.sleep(100);
        }
        assertEquals(List.of("workspace_shell", "workspace_write", "workspace_shell", "workspace_shell",
                "github_open_pull_request"), approved);

        // the remote has the branch with the fix, in one commit that names the issue
        Path bare = remotes.resolve("widgets.git");
        assertEquals("Accept a slash in widget names (#42)", run(bare, "git", "log", "-1", "--format=%s", BRANCH));
        assertEquals(fix.strip(), run(bare, "git", "show", BRANCH + ":slug.sh"));
        assertEquals("Slugs", run(bare, "git", "log", "-1", "--format=%s", "main"), "main is untouched");
        // the repository's tests ran in the workspace, and the model was told they passed
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("exit 0\\n2 tests passed")));
        // the pull request links the issue, with the tools' own token
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> pulls = fake.findAll(
                postRequestedFor(urlEqualTo("/repos/" + REPO + "/pulls")));
        assertEquals(1, pulls.size());
        JsonNode pr = json(pulls.get(0).getBodyAsString());
        assertEquals(BRANCH, pr.get("head").asText());
        assertEquals("main", pr.get("base").asText());
        assertTrue(pr.get("body").asText().startsWith("Fixes #42"), pr.toString());
        assertEquals("token ghp_tools", pulls.get(0).getHeader("Authorization"));
        // the answer goes back on the issue
        JsonNode comment = json(fake.findAll(postRequestedFor(urlEqualTo("/repos/" + REPO + "/issues/42/comments")))
                .get(0).getBodyAsString());
        assertTrue(comment.get("body").asText().contains("pull/43"), comment.toString());
        // every workspace step is on the record
        String conversation = ChannelKit.conversations(hub, key, "github").get(0).get("id").asText();
        JsonNode commands = json(hub.call("GET", "/v1/conversations/" + conversation + "/workspace/commands", key,
                null)).get("data");
        assertEquals(3, commands.size(), commands.toString());
        for (JsonNode c : commands) {
            assertEquals("finished", c.get("status").asText(), c.toString());
            assertEquals(0, c.get("exit_code").asInt(), c.toString());
        }
        JsonNode audit = json(hub.admin("GET", "/admin/audit?action=workspace.command", null));
        assertTrue(audit.toString().contains("git push") && audit.toString().contains("widgets/slug.sh"),
                audit.toString());
    }
}
