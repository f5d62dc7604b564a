package dev.clawless.core.tool.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.clawless.core.knowledge.KnowledgeHit;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** {@code knowledge_search}: the tenant's knowledge chunks most similar to a query. Read-only. */
public final class KnowledgeSearchTool implements ToolExtension {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KnowledgeManagement knowledge;

    public KnowledgeSearchTool(KnowledgeManagement knowledge) {
        this.knowledge = knowledge;
    }

    @Override
    public ToolSpec spec() {
        return new ToolSpec("knowledge_search", "Search the company's knowledge base (FAQ, documents) for passages"
                + " relevant to a question. Use it before answering questions about the company, its products and"
                + " policies.", """
                {"type":"object","properties":{"query":{"type":"string","description":"what to look for"},
                 "k":{"type":"integer","description":"how many passages, 1-10"}},"required":["query"]}""", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        try {
            JsonNode args = JSON.readTree(call.argumentsJson());
            String query = args.path("query").asText("");
            if (query.isBlank()) {
                return ToolResult.error("query is required");
            }
            int k = Math.max(1, Math.min(10, args.path("k").asInt(3)));
            ArrayNode out = JSON.createArrayNode();
            for (KnowledgeHit hit : knowledge.search(context.tenantId(), query, k)) {
                out.addObject().put("title", hit.documentTitle()).put("section", hit.section().orElse(null))
                        .put("text", hit.text())
                        .put("answer", hit.answer().orElse(null)).put("score", Math.round(hit.score() * 1000) / 1000.0);
            }
            return ToolResult.ok(out.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ToolResult.error("arguments are not JSON");
        }
    }
}
