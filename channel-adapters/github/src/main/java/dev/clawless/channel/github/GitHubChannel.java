package dev.clawless.channel.github;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueComment;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.HttpException;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.SentCheck;
import dev.clawless.plugin.api.Signatures;

/**
 * GitHub as a channel: one conversation per issue, pull request or discussion. Webhooks are signed
 * ({@code X-Hub-Signature-256}) and parsed with plain Jackson (github-api's event objects fetch missing fields over
 * the network); the trigger rule decides which ones the assistant sees: mentions of the bot, a label, or all. The
 * bot's own comments and every other bot's are ignored, so bots never talk to each other. Replies are comments,
 * posted with github-api authenticated by a token or as a GitHub App (installation tokens cached until expiry);
 * discussion replies go through GraphQL, which github-api does not cover.
 */
public final class GitHubChannel implements ChannelExtension {

    public static final String TYPE = "github";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type": "object", "additionalProperties": false, "required": ["bot_login"],
             "properties": {
               "bot_login": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,39}(\\\\[bot\\\\])?$",
                             "description": "the account the bot comments as; mentions of it trigger replies"},
               "trigger": {"type": "string", "enum": ["mention", "label", "all"], "default": "mention"},
               "label": {"type": "string", "maxLength": 50, "description": "trigger=label: the label, default clawless"},
               "app_id": {"type": "string", "pattern": "^[0-9]{1,12}$", "description": "GitHub App auth"},
               "installation_id": {"type": "string", "pattern": "^[0-9]{1,15}$"},
               "api_base_url": {"type": "string", "format": "uri", "maxLength": 500,
                                "description": "default https://api.github.com; GitHub Enterprise: https://HOST/api/v3"}
             }}""";

    private final TimeoutGitHubConnector connector = new TimeoutGitHubConnector(Duration.ofSeconds(10),
            Duration.ofSeconds(30));
    private final AppTokens appTokens = new AppTokens();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema(SCHEMA, List.of("webhook_secret"), List.of("token", "app_private_key"));
    }

    @Override
    public int maxTextLength() {
        return 65_000; // GitHub's comment body limit is 65,536
    }

    @Override
    public void connect(ChannelConnection c) {
        boolean token = c.secret("token").isPresent();
        boolean app = c.secret("app_private_key").isPresent();
        if (token == app) {
            throw new ChannelException.Malformed("give exactly one of the secrets token or app_private_key", null);
        }
        if (app && (c.config("app_id").isEmpty() || c.config("installation_id").isEmpty())) {
            throw new ChannelException.Malformed("GitHub App auth needs config.app_id and config.installation_id",
                    null);
        }
    }

    // ---------------------------------------------------------------------------------------------- inbound

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        Signatures.requireSha256Body(request, "X-Hub-Signature-256", c.secret("webhook_secret"));
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        String event = request.header("X-GitHub-Event").orElseThrow(() ->
                new ChannelException.Malformed("missing X-GitHub-Event", null));
        String delivery = request.header("X-GitHub-Delivery").filter(d -> d.matches("[0-9a-fA-F-]{8,64}"))
                .orElseThrow(() -> new ChannelException.Malformed("missing or odd X-GitHub-Delivery", null));
        JsonNode p;
        try {
            p = JSON.readTree(request.body());
        } catch (IOException e) {
            throw new ChannelException.Malformed("not JSON", e);
        }
        if (p == null || !p.isObject()) {
            throw new ChannelException.Malformed("the payload must be a JSON object", null);
        }
        Event e = new Event(p, c, delivery);
        return switch (event) {
            case "ping" -> List.of();
            case "issues" -> e.issue("issue");
            case "pull_request" -> e.issue("pull_request");
            case "issue_comment" -> e.comment(p.path("issue"), "comment");
            case "pull_request_review_comment" -> e.comment(p.path("pull_request"), "review_comment");
            case "discussion_comment" -> e.discussionComment();
            default -> List.of(); // push, star, workflow_run…: nothing to answer
        };
    }

    /** One webhook payload, read strictly. */
    private record Event(JsonNode p, ChannelConnection c, String delivery) {

        String repo() {
            String full = str(p.path("repository"), "full_name", 200);
            if (full == null || !full.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
                throw new ChannelException.Malformed("repository.full_name is missing or odd", null);
            }
            return full;
        }

        String action() {
            String a = str(p, "action", 50);
            if (a == null) {
                throw new ChannelException.Malformed("action is missing", null);
            }
            return a;
        }

        boolean fromBot(JsonNode user) {
            String login = str(user, "login", 100);
            if (login == null) {
                throw new ChannelException.Malformed("a user without a login", null);
            }
            String type = str(user, "type", 20);
            String bot = c.config("bot_login").orElse("");
            return login.equalsIgnoreCase(bot) || "Bot".equals(type) || login.endsWith("[bot]");
        }

        boolean triggers(String body, JsonNode labels) {
            String rule = c.config("trigger").orElse("mention");
            return switch (rule) {
                case "all" -> true;
                case "label" -> {
                    String wanted = c.config("label").orElse("clawless");
                    for (JsonNode l : labels) {
                        if (wanted.equalsIgnoreCase(l.path("name").asText())) {
                            yield true;
                        }
                    }
                    yield false;
                }
                default -> mentions(body);
            };
        }

        boolean mentions(String body) {
            String bot = c.config("bot_login").orElse("").replace("[bot]", "");
            return !bot.isEmpty() && body.toLowerCase(Locale.ROOT).matches("(?s).*@" + java.util.regex.Pattern
                    .quote(bot.toLowerCase(Locale.ROOT)) + "(\\[bot\\])?\\b.*");
        }

        List<InboundEvent> issue(String field) {
            JsonNode issue = p.path(field);
            String action = action();
            long number = number(issue);
            if (fromBot(issue.path("user")) || fromBot(p.path("sender"))) {
                return List.of();
            }
            String title = Optional.ofNullable(str(issue, "title", 1024)).orElse("");
            String body = Optional.ofNullable(str(issue, "body", 65_536)).orElse("");
            String id = field + ":" + id(issue);
            boolean labeledNow = action.equals("labeled") && c.config("trigger").orElse("mention").equals("label")
                    && c.config("label").orElse("clawless").equalsIgnoreCase(p.path("label").path("name").asText());
            boolean opened = action.equals("opened") || action.equals("reopened");
            boolean edited = action.equals("edited");
            if (!(labeledNow || ((opened || edited) && triggers(title + "\n" + body, issue.path("labels"))))) {
                return List.of();
            }
            String text = (title + "\n\n" + body).strip();
            // a label start is keyed by what the signature covers (the label and the issue's update time), not by the
            // unsigned delivery header, so a replayed body is one message however it is re-labelled
            String labelKey = id + ":labeled:" + p.path("label").path("id").asText("") + ":"
                    + Optional.ofNullable(str(issue, "updated_at", 40)).orElse("");
            return List.of(message(labeledNow ? labelKey : id, repo() + "#" + number,
                    issue.path("user"), text, issue, edited, Optional.empty(), field));
        }

        List<InboundEvent> comment(JsonNode parent, String kind) {
            String action = action();
            JsonNode comment = p.path("comment");
            long number = number(parent);
            if (parent.has("user")) {
                str(parent.path("user"), "login", 100);
            }
            str(parent, "body", 65_536);
            str(parent, "title", 1024);
            id(parent);
            time(parent);
            if (!(action.equals("created") || action.equals("edited")) || fromBot(comment.path("user"))
                    || fromBot(p.path("sender"))) {
                return List.of();
            }
            String body = Optional.ofNullable(str(comment, "body", 65_536)).orElse("");
            if (!triggers(body, parent.path("labels"))) {
                return List.of();
            }
            Optional<String> replyTo = Optional.ofNullable(comment.get("in_reply_to_id"))
                    .filter(JsonNode::isIntegralNumber).map(n -> kind + ":" + n.asLong());
            return List.of(message(kind + ":" + id(comment), repo() + "#" + number, comment.path("user"), body,
                    comment, action.equals("edited"), replyTo, kind));
        }

        List<InboundEvent> discussionComment() {
            String action = action();
            JsonNode discussion = p.path("discussion");
            JsonNode comment = p.path("comment");
            long number = number(discussion);
            String nodeId = str(discussion, "node_id", 100);
            if (nodeId == null || !nodeId.matches("[A-Za-z0-9_=-]+")) {
                throw new ChannelException.Malformed("discussion.node_id is missing or odd", null);
            }
            if (!(action.equals("created") || action.equals("edited")) || fromBot(comment.path("user"))
                    || fromBot(p.path("sender"))) {
                return List.of();
            }
            String body = Optional.ofNullable(str(comment, "body", 65_536)).orElse("");
            if (!triggers(body, discussion.path("labels"))) {
                return List.of();
            }
            String commentNode = Optional.ofNullable(str(comment, "node_id", 100)).orElse("");
            return List.of(message("discussion_comment:" + id(comment), repo() + "/discussions/" + number + "/"
                    + nodeId, comment.path("user"), body, comment, action.equals("edited"),
                    Optional.of("discussion_comment:" + commentNode), "discussion_comment"));
        }

        InboundMessage message(String id, String thread, JsonNode user, String text, JsonNode node, boolean edited,
                               Optional<String> replyTo, String kind) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("github.delivery", delivery);
            meta.put("github.kind", kind);
            Optional.ofNullable(str(node, "html_url", 500)).ifPresent(u -> meta.put("github.url", u));
            String login = str(user, "login", 100);
            return new InboundMessage(TYPE, c.id(), id, thread, new Participant(login, Optional.empty(),
                    Optional.of(login)), text, List.of(), time(node), ChatType.GROUP, replyTo, edited, meta);
        }

        static long id(JsonNode node) {
            JsonNode id = node.get("id");
            if (id == null || !id.isIntegralNumber() || id.asLong() <= 0) {
                throw new ChannelException.Malformed("an object without a numeric id", null);
            }
            return id.asLong();
        }

        static long number(JsonNode node) {
            JsonNode n = node.get("number");
            if (n == null || !n.isIntegralNumber() || n.asLong() <= 0) {
                throw new ChannelException.Malformed("an issue, pull request or discussion without a number", null);
            }
            return n.asLong();
        }

        static Instant time(JsonNode node) {
            String at = str(node, "updated_at", 40);
            try {
                return at == null ? Instant.now() : Instant.parse(at);
            } catch (DateTimeParseException e) {
                throw new ChannelException.Malformed("updated_at is not a time", e);
            }
        }

        static String str(JsonNode node, String field, int max) {
            if (node == null || !node.isObject()) {
                throw new ChannelException.Malformed("expected an object holding " + field, null);
            }
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual() || v.asText().length() > max) {
                throw new ChannelException.Malformed(field + " must be a string of at most " + max + " characters",
                        null);
            }
            return v.asText();
        }
    }

    // ---------------------------------------------------------------------------------------------- outbound

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        String thread = message.externalThreadKey();
        try {
            String token = token(c);
            if (thread.contains("/discussions/")) {
                return discussionReply(message, c, token);
            }
            GHIssueComment comment = issue(c, token, thread).comment(message.text() + marker(message));
            return new SendResult(List.of("comment:" + comment.getId()), DeliveryStatus.SENT);
        } catch (IOException e) {
            throw apiFailure(e);
        }
    }

    /** A failed call to GitHub's REST API as the delivery job reads it: retryable or not, with GitHub's status. */
    private ChannelException.SendFailed apiFailure(IOException e) {
        if (e instanceof GHFileNotFoundException) {
            return new ChannelException.SendFailed("GitHub: not found (repository, issue or access)", 404, false,
                    Optional.empty(), Optional.of("404"), null);
        }
        if (e instanceof HttpException h) {
            return failed(h.getResponseCode(), h.getResponseHeaderFields(), firstLine(h.getMessage()));
        }
        return new ChannelException.SendFailed("GitHub unreachable: " + firstLine(e.getMessage()), 0, true,
                Optional.empty(), Optional.empty(), null);
    }

    /**
     * Every comment the hub writes ends with an invisible marker naming the hub's message part, so that after a send
     * whose answer was lost the hub can look for it in the thread instead of commenting twice.
     */
    private static String marker(OutboundMessage message) {
        return "\n\n<!-- clawless:" + message.messageId() + " -->";
    }

    private GHIssue issue(ChannelConnection c, String token, String thread) throws IOException {
        int hash = thread.lastIndexOf('#');
        String repo = thread.substring(0, hash);
        int number = Integer.parseInt(thread.substring(hash + 1));
        GitHub gh = new GitHubBuilder().withEndpoint(endpoint(c)).withAppInstallationToken(token)
                .withConnector(connector)
                .withRateLimitHandler(GitHubRateLimitHandler.FAIL)
                .withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL).build();
        return gh.getRepository(repo).getIssue(number);
    }

    /** An issue or pull request comment is found by its marker among the comments since the send started. */
    @Override
    public SentCheck findSent(OutboundMessage message, ChannelConnection c, Instant startedAt) {
        String thread = message.externalThreadKey();
        if (thread.contains("/discussions/")) {
            return SentCheck.unknown();
        }
        String marker = marker(message).strip();
        try {
            for (GHIssueComment comment : issue(c, token(c), thread).queryComments()
                    .since(java.util.Date.from(startedAt.minusSeconds(60))).list().withPageSize(100)) {
                if (comment.getBody() != null && comment.getBody().contains(marker)) {
                    return SentCheck.sent(new SendResult(List.of("comment:" + comment.getId()), DeliveryStatus.SENT));
                }
            }
            return SentCheck.notSent();
        } catch (IOException e) {
            throw apiFailure(e);
        }
    }

    private SendResult discussionReply(OutboundMessage message, ChannelConnection c, String token)
            throws IOException {
        String[] parts = message.externalThreadKey().split("/");
        String discussionNode = parts[parts.length - 1];
        ObjectNode body = JSON.createObjectNode();
        body.put("query", "mutation($d:ID!,$b:String!){addDiscussionComment(input:{discussionId:$d,body:$b})"
                + "{comment{id url}}}");
        body.putObject("variables").put("d", discussionNode).put("b", message.text());
        HttpRequest request = HttpRequest.newBuilder(URI.create(graphqlUrl(c))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, dev.clawless.plugin.api.HttpBodies.text(1024 * 1024));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw failed(response.statusCode(), response.headers().map(), "GraphQL HTTP " + response.statusCode());
        }
        JsonNode answer = JSON.readTree(response.body());
        if (answer.has("errors")) {
            throw new ChannelException.SendFailed("GitHub GraphQL: " + firstLine(answer.path("errors").path(0)
                    .path("message").asText()), 200, false, Optional.empty(), Optional.empty(), null);
        }
        String id = answer.path("data").path("addDiscussionComment").path("comment").path("id").asText("");
        return new SendResult(id.isEmpty() ? List.of() : List.of("discussion_comment:" + id), DeliveryStatus.SENT);
    }

    private String token(ChannelConnection c) throws IOException {
        Optional<String> token = c.secret("token");
        if (token.isPresent()) {
            return token.get();
        }
        String pem = c.secret("app_private_key").orElseThrow(() -> new ChannelException.SendFailed(
                "no token or app_private_key", 401, false, Optional.empty(), Optional.empty(), null));
        return appTokens.token(c.id() + "|" + c.config("app_id").orElse("") + "|" + endpoint(c), endpoint(c),
                c.config("app_id").orElse(""), Long.parseLong(c.config("installation_id").orElse("0")), pem,
                connector);
    }

    private static String endpoint(ChannelConnection c) {
        return c.config("api_base_url").orElse("https://api.github.com").replaceAll("/+$", "");
    }

    private static String graphqlUrl(ChannelConnection c) {
        String base = endpoint(c);
        return base.endsWith("/api/v3") ? base.substring(0, base.length() - 3) + "graphql" : base + "/graphql";
    }

    /** 429, 5xx and the rate-limit 403 are retried (after their reset or Retry-After); other refusals are final. */
    private static ChannelException.SendFailed failed(int status, Map<String, List<String>> headers, String message) {
        Optional<Duration> after = header(headers, "retry-after").flatMap(GitHubChannel::seconds)
                .or(() -> header(headers, "x-ratelimit-reset").flatMap(GitHubChannel::seconds)
                        .map(reset -> Duration.ofSeconds(Math.max(1, reset.getSeconds()
                                - Instant.now().getEpochSecond()))));
        boolean limited = status == 429 || (status == 403 && (header(headers, "retry-after").isPresent()
                || header(headers, "x-ratelimit-remaining").filter("0"::equals).isPresent()));
        boolean retryable = limited || status >= 500 || status <= 0;
        return new ChannelException.SendFailed("GitHub: " + message, Math.max(status, 0), retryable,
                limited ? after : Optional.empty(), Optional.of(String.valueOf(status)), null);
    }

    private static Optional<String> header(Map<String, List<String>> headers, String name) {
        if (headers == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return Optional.of(e.getValue().get(0));
            }
        }
        return Optional.empty();
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String firstLine(String s) {
        String line = s == null ? "" : s.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
