package clawless.plugins.githubtools;

import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** Opens a pull request from a branch. */
@Extension
public final class OpenPullRequestTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("github_open_pull_request", "Open a pull request in the team's GitHub repository from an"
                + " existing branch (head) into base (the default branch when omitted).", """
                {"type":"object","required":["title","head"],"properties":{"title":{"type":"string"},
                "head":{"type":"string"},"base":{"type":"string"},"body":{"type":"string"},
                "draft":{"type":"boolean"}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return GitHubTools.run(call, context, (repo, args) -> {
            try {
                String title = GitHubTools.text(args, "title");
                String head = GitHubTools.text(args, "head");
                String base = args.path("base").isTextual() ? args.get("base").asText() : repo.getDefaultBranch();
                return GitHubTools.pull(repo.createPullRequest(title, head, base, args.path("body").asText(""),
                        true, args.path("draft").asBoolean(false)));
            } catch (IllegalArgumentException e) {
                return ToolResult.error(e.getMessage());
            }
        });
    }
}
