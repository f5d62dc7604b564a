package clawless.plugins.githubtools;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueBuilder;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;
import org.kohsuke.github.RateLimitHandler;
import org.kohsuke.github.AbuseLimitHandler;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolResult;

/**
 * What the four GitHub tools share: the configured repository, a github-api client that talks through the hub's
 * guarded HTTP client with the granted {@code token}, argument parsing and turning GitHub's refusals into error
 * results the model can read (rate limits fail fast instead of sleeping inside a turn).
 */
final class GitHubTools {

    static final ObjectMapper JSON = new ObjectMapper();

    private GitHubTools() {
    }

    /** One tool's work against the repository. */
    interface Work {
        ToolResult run(GHRepository repository, JsonNode args) throws IOException;
    }

    static ToolResult run(ToolCall call, ToolContext context, Work work) {
        JsonNode args;
        try {
            args = JSON.readTree(call.argumentsJson());
        } catch (JsonProcessingException e) {
            return ToolResult.error("the arguments are not JSON");
        }
        if (args == null || !args.isObject()) {
            return ToolResult.error("the arguments must be a JSON object");
        }
        String token = context.secret("token").orElse(null);
        if (token == null) {
            return ToolResult.error("this installation was not granted the secret 'token' (a GitHub token with"
                    + " access to the repository)");
        }
        String repository = context.config().get("repository");
        if (repository == null || !repository.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
                || java.util.Arrays.stream(repository.split("/")).anyMatch(p -> p.matches("\\.+"))) {
            return ToolResult.error("the installation's repository must be owner/name");
        }
        try {
            GitHub github = new GitHubBuilder()
                    .withEndpoint(context.config().getOrDefault("api_base_url", "https://api.github.com"))
                    .withOAuthToken(token)
                    .withConnector(new ContextConnector(context))
                    .withRateLimitHandler(RateLimitHandler.FAIL)
                    .withAbuseLimitHandler(AbuseLimitHandler.FAIL)
                    .build();
            return work.run(github.getRepository(repository), args);
        } catch (GHFileNotFoundException e) {
            return ToolResult.error("GitHub answered 404: " + repository + " or the issue does not exist, or the"
                    + " token cannot see it");
        } catch (HttpException e) {
            return ToolResult.error("GitHub answered " + e.getResponseCode() + ": " + first(e.getMessage()));
        } catch (IOException e) {
            return ToolResult.error("GitHub could not be reached: " + first(e.getMessage()));
        }
    }

    static String text(JsonNode args, String field) {
        JsonNode v = args.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(field + " is required (a non-empty string)");
        }
        return v.asText();
    }

    static int number(JsonNode args, String field) {
        JsonNode v = args.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new IllegalArgumentException(field + " is required (a positive issue or pull request number)");
        }
        return v.asInt();
    }

    static List<String> labels(JsonNode args) {
        List<String> out = new ArrayList<>();
        args.path("labels").forEach(l -> {
            if (l.isTextual() && !l.asText().isBlank()) {
                out.add(l.asText());
            }
        });
        return out;
    }

    static ToolResult issue(GHIssue issue) {
        return ToolResult.ok(JSON.createObjectNode().put("number", issue.getNumber())
                .put("url", String.valueOf(issue.getHtmlUrl())).put("title", issue.getTitle()).toString());
    }

    static ToolResult pull(GHPullRequest pr) {
        return ToolResult.ok(JSON.createObjectNode().put("number", pr.getNumber())
                .put("url", String.valueOf(pr.getHtmlUrl())).put("title", pr.getTitle()).toString());
    }

    static GHIssueBuilder withBody(GHIssueBuilder b, JsonNode args) {
        JsonNode body = args.get("body");
        return body != null && body.isTextual() ? b.body(body.asText()) : b;
    }

    private static String first(String message) {
        if (message == null) {
            return "no details";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
