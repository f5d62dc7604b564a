package clawless.plugins.githubtools;

import org.kohsuke.github.GHIssueComment;
import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** Comments on an issue or pull request. */
@Extension
public final class CommentTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("github_comment", "Comment on an issue or pull request of the team's GitHub repository.",
                """
                {"type":"object","required":["number","body"],"properties":{"number":{"type":"integer"},
                "body":{"type":"string"}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return GitHubTools.run(call, context, (repo, args) -> {
            try {
                int number = GitHubTools.number(args, "number");
                String body = GitHubTools.text(args, "body");
                GHIssueComment comment = repo.getIssue(number).comment(body);
                return ToolResult.ok(GitHubTools.JSON.createObjectNode().put("id", comment.getId())
                        .put("url", String.valueOf(comment.getHtmlUrl())).toString());
            } catch (IllegalArgumentException e) {
                return ToolResult.error(e.getMessage());
            }
        });
    }
}
