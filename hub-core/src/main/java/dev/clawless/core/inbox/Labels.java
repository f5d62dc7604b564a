package dev.clawless.core.inbox;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;

/** A tenant's labels and which conversations carry them. Thread-safe. */
public final class Labels {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
    public static final int MAX_LABELS = 200;

    private final Database database;
    private final ConversationManagement conversations;
    private final AuditLog audit;
    private final Clock clock;

    public Labels(Database database, ConversationManagement conversations, AuditLog audit, Clock clock) {
        this.database = database;
        this.conversations = conversations;
        this.audit = audit;
        this.clock = clock;
    }

    /** A label: a short name (shown as typed) and a colour. */
    public record Label(String name, String color, Instant createdAt) {
    }

    public List<Label> list(String tenantId) {
        return database.execute().createQuery("SELECT name, color, created_at FROM labels WHERE tenant_id = ?"
                        + " ORDER BY LOWER(name)")
                .params(tenantId).execute()
                .map(r -> new Label(r.column(1).get(String.class), r.column(2).get(String.class),
                        Database.instant(r.column(3)).orElseThrow()))
                .toList();
    }

    public Label create(Actor actor, String tenantId, String name, Optional<String> color) {
        String n = checkName(name, "name");
        color.filter(c -> !COLOR.matcher(c).matches()).ifPresent(c -> {
            throw ClawlessException.Validation.of("color", "must be #RRGGBB");
        });
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Label label = new Label(n, color.orElse("#5b6b7b"), now);
        database.inTransaction(tx -> {
            long count = tx.createGet("SELECT COUNT(*) FROM labels WHERE tenant_id = ?").params(tenantId).execute()
                    .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
            if (count >= MAX_LABELS) {
                throw new ClawlessException.Conflict("a tenant may have at most " + MAX_LABELS + " labels");
            }
            if (tx.createInsert("INSERT INTO labels (tenant_id, name, color, created_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING")
                    .params(tenantId, n, label.color(), Database.timestamp(now)).execute() == 0) {
                throw new ClawlessException.Conflict("a label named " + n + " exists");
            }
            audit.record(tx, actor, Optional.of(tenantId), "label.created", Optional.of(n), Map.of());
            return null;
        });
        return label;
    }

    public void delete(Actor actor, String tenantId, String name) {
        database.inTransaction(tx -> {
            if (tx.createDelete("DELETE FROM labels WHERE tenant_id = ? AND name = ?").params(tenantId, name)
                    .execute() == 0) {
                throw new ClawlessException.NotFound("no label " + name);
            }
            audit.record(tx, actor, Optional.of(tenantId), "label.deleted", Optional.of(name), Map.of());
            return null;
        });
    }

    /** Sets a conversation's labels (each must exist); publishes {@code conversation.labels_changed}. */
    public List<String> set(String tenantId, String conversationId, List<String> names) {
        conversations.get(tenantId, conversationId);
        List<String> wanted = new ArrayList<>(new LinkedHashSet<>(names));
        List<String> known = list(tenantId).stream().map(Label::name).toList();
        List<FieldError> errors = new ArrayList<>();
        if (wanted.size() > 20) {
            errors.add(new FieldError("labels", "must have at most 20 labels"));
        }
        for (int i = 0; i < wanted.size(); i++) {
            if (!known.contains(wanted.get(i))) {
                errors.add(new FieldError("labels[" + i + "]", "is not a label of this tenant (create it first)"));
            }
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        database.inTransaction(tx -> {
            tx.createDelete("DELETE FROM conversation_labels WHERE conversation_id = ?").params(conversationId)
                    .execute();
            for (String l : wanted) {
                tx.createInsert("INSERT INTO conversation_labels (conversation_id, tenant_id, label) VALUES (?, ?, ?)")
                        .params(conversationId, tenantId, l).execute();
            }
            conversations.publish(tx, tenantId, conversationId, "conversation.labels_changed",
                    JSON.createObjectNode().put("conversation_id", conversationId)
                            .set("labels", JSON.valueToTree(wanted)).toString());
            return null;
        });
        return wanted;
    }

    /** The labels of each conversation. */
    static Map<String, List<String>> of(DbExecute exec, List<String> conversationIds) {
        Map<String, List<String>> out = new HashMap<>();
        if (conversationIds.isEmpty()) {
            return out;
        }
        exec.createQuery("SELECT conversation_id, label FROM conversation_labels WHERE conversation_id IN ("
                        + String.join(", ", java.util.Collections.nCopies(conversationIds.size(), "?"))
                        + ") ORDER BY label")
                .params(new ArrayList<Object>(conversationIds)).execute()
                .forEach(r -> out.computeIfAbsent(r.column(1).get(String.class), k -> new ArrayList<>())
                        .add(r.column(2).get(String.class)));
        return out;
    }

    static String checkName(String name, String field) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty() || n.length() > 50 || !dev.clawless.core.common.Texts.hasContent(n)) {
            throw ClawlessException.Validation.of(field, "must be 1-50 characters");
        }
        return n;
    }
}
