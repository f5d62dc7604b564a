package clawless.plugins.githubtools;

import java.util.List;

import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** Adds labels to an issue or pull request. */
@Extension
public final class AddLabelsTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("github_add_labels", "Add labels to an issue or pull request of the team's GitHub"
                + " repository.", """
                {"type":"object","required":["number","labels"],"properties":{"number":{"type":"integer"},
                "labels":{"type":"array","minItems":1,"items":{"type":"string"}}}}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        return GitHubTools.run(call, context, (repo, args) -> {
            try {
                int number = GitHubTools.number(args, "number");
                List<String> labels = GitHubTools.labels(args);
                if (labels.isEmpty()) {
                    return ToolResult.error("labels is required (at least one label)");
                }
                repo.getIssue(number).addLabels(labels.toArray(String[]::new));
                return ToolResult.ok(GitHubTools.JSON.createObjectNode().put("number", number)
                        .set("added", GitHubTools.JSON.valueToTree(labels)).toString());
            } catch (IllegalArgumentException e) {
                return ToolResult.error(e.getMessage());
            }
        });
    }
}
