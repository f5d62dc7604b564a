package clawless.plugins.githubtools;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.testkit.TestToolContext;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GitHub tools against a fake GitHub REST API, through the test kit's guarded context. */
class GitHubToolsTest {

    static final String REPO = "{\"id\":1,\"name\":\"app\",\"full_name\":\"acme/app\",\"default_branch\":\"main\","
            + "\"owner\":{\"login\":\"acme\",\"id\":2},\"html_url\":\"https://github.com/acme/app\","
            + "\"url\":\"%s/repos/acme/app\"}";
    private static WireMockServer fake;

    @BeforeAll
    static void start() {
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
    }

    @AfterAll
    static void stop() {
        fake.stop();
    }

    @BeforeEach
    void stubs() {
        fake.resetAll();
        fake.stubFor(get(urlEqualTo("/repos/acme/app")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(REPO.formatted(fake.baseUrl()))));
        fake.stubFor(get(urlEqualTo("/repos/acme/app/issues/5")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":50,\"number\":5,\"title\":\"Crash\","
                        + "\"url\":\"" + fake.baseUrl() + "/repos/acme/app/issues/5\",\"html_url\":"
                        + "\"https://github.com/acme/app/issues/5\",\"labels\":[],\"state\":\"open\"}")));
    }

    private static TestToolContext context() {
        return TestToolContext.builder().config("repository", "acme/app").config("api_base_url", fake.baseUrl())
                .secret("token", "ghp_test").hosts("api.github.com", "127.0.0.1", "localhost")
                .allowPrivateAddresses().build();
    }

    @Test
    void createsAnIssueWithLabels() {
        fake.stubFor(post(urlEqualTo("/repos/acme/app/issues")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":70,\"number\":7,\"title\":\"Login"
                        + " fails\",\"html_url\":\"https://github.com/acme/app/issues/7\"}")));
        ToolResult r = new CreateIssueTool().invoke(new ToolCall("1", "github_create_issue",
                "{\"title\":\"Login fails\",\"body\":\"Reported in chat\",\"labels\":[\"bug\"]}"), context());
        assertFalse(r.error(), r.content());
        assertTrue(r.content().contains("\"number\":7"), r.content());
        fake.verify(postRequestedFor(urlEqualTo("/repos/acme/app/issues"))
                .withHeader("Authorization", equalTo("token ghp_test"))
                .withRequestBody(equalToJson("{\"title\":\"Login fails\",\"body\":\"Reported in chat\","
                        + "\"labels\":[\"bug\"]}", true, true)));
    }

    @Test
    void commentsAndLabels() {
        fake.stubFor(post(urlEqualTo("/repos/acme/app/issues/5/comments")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":900,\"body\":\"Thanks\","
                        + "\"html_url\":\"https://github.com/acme/app/issues/5#issuecomment-900\"}")));
        fake.stubFor(post(urlEqualTo("/repos/acme/app/issues/5/labels")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("[{\"name\":\"triage\"}]")));
        ToolResult c = new CommentTool().invoke(new ToolCall("1", "github_comment",
                "{\"number\":5,\"body\":\"Thanks\"}"), context());
        assertFalse(c.error(), c.content());
        ToolResult l = new AddLabelsTool().invoke(new ToolCall("2", "github_add_labels",
                "{\"number\":5,\"labels\":[\"triage\"]}"), context());
        assertFalse(l.error(), l.content());
        fake.verify(postRequestedFor(urlEqualTo("/repos/acme/app/issues/5/comments"))
                .withRequestBody(equalToJson("{\"body\":\"Thanks\"}")));
        fake.verify(postRequestedFor(urlEqualTo("/repos/acme/app/issues/5/labels"))
                .withRequestBody(equalToJson("{\"labels\":[\"triage\"]}", true, true)));
    }

    @Test
    void opensAPullRequestIntoTheDefaultBranch() {
        fake.stubFor(post(urlEqualTo("/repos/acme/app/pulls")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":80,\"number\":8,\"title\":\"Fix"
                        + " login\",\"html_url\":\"https://github.com/acme/app/pull/8\"}")));
        ToolResult r = new OpenPullRequestTool().invoke(new ToolCall("1", "github_open_pull_request",
                "{\"title\":\"Fix login\",\"head\":\"fix-login\"}"), context());
        assertFalse(r.error(), r.content());
        fake.verify(postRequestedFor(urlEqualTo("/repos/acme/app/pulls")).withRequestBody(equalToJson(
                "{\"title\":\"Fix login\",\"head\":\"fix-login\",\"base\":\"main\"}", true, true)));
    }

    @Test
    void refusalsBecomeErrorResults() {
        fake.stubFor(post(urlEqualTo("/repos/acme/app/issues")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Resource not accessible\"}")));
        ToolResult r = new CreateIssueTool().invoke(new ToolCall("1", "github_create_issue", "{\"title\":\"x\"}"),
                context());
        assertTrue(r.error() && r.content().contains("403"), r.content());
        ToolResult missing = new CommentTool().invoke(new ToolCall("1", "github_comment", "{\"body\":\"x\"}"),
                context());
        assertTrue(missing.error() && missing.content().contains("number"), missing.content());
        ToolResult noToken = new CreateIssueTool().invoke(new ToolCall("1", "github_create_issue",
                "{\"title\":\"x\"}"), TestToolContext.builder().config("repository", "acme/app").build());
        assertTrue(noToken.error() && noToken.content().contains("token"), noToken.content());
    }
}
