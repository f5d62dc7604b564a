package clawless.plugins.githubtools;

import org.kohsuke.github.GHIssueBuilder;
import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** Creates an issue in the configured repository. */
@Extension
public final class CreateIssueTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("github_create_issue", "Create an issue in the team's GitHub repository, e.g. to report a"
                + " bug a customer found. Answers the issue's number and URL.", """
                {"type":"object","required":["title"],"properties":{"title":{"type":"string","maxLength":256},
                "body":{"type":"string"},"labels":{"type":"array","items":{"type":"string"}}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return GitHubTools.run(call, context, (repo, args) -> {
            try {
                GHIssueBuilder b = GitHubTools.withBody(repo.createIssue(GitHubTools.text(args, "title")), args);
                for (String label : GitHubTools.labels(args)) {
                    b = b.label(label);
                }
                return GitHubTools.issue(b.create());
            } catch (IllegalArgumentException e) {
                return ToolResult.error(e.getMessage());
            }
        });
    }
}
