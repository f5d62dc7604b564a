package dev.clawless.core.conversation;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.helidon.dbclient.DbRow;

import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Cursors;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.common.Texts;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;

/**
 * The people a tenant talks to: a contact is one person across channels, with an identity per channel address.
 * Operators list and search them, see every identity and conversation of one, rename them, and merge two contacts
 * the hub could not tell were the same person. Ids of another tenant's contacts are not found. Thread-safe.
 */
public final class Contacts {

    private final Database database;
    private final AuditLog audit;
    private final Clock clock;

    public Contacts(Database database, AuditLog audit, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.clock = clock;
    }

    /** A contact as listed. */
    public record Contact(String id, String tenantId, Optional<String> displayName, Instant createdAt) {
    }

    /**
     * One of a contact's channel addresses.
     *
     * @param verifiedKey what the platform verified ({@code phone:+…}, {@code email:…}), if anything
     */
    public record Identity(String id, String channelType, String connectionId, String externalId,
                           Optional<String> displayName, Optional<String> username, Optional<String> verifiedKey,
                           Instant createdAt) {
    }

    /** A contact with everything the console shows about them. */
    public record Profile(Contact contact, List<Identity> identities, List<String> conversationIds) {
    }

    private static final String COLUMNS = "c.id, c.tenant_id, c.display_name, c.created_at";

    /** The tenant's contacts, newest first; {@code query} matches names, handles and addresses. */
    public Page<Contact> list(String tenantId, Optional<String> query, PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM contacts c WHERE c.tenant_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(tenantId);
        query.map(String::strip).filter(q -> !q.isEmpty()).ifPresent(q -> {
            String like = "%" + escapeLike(q.toLowerCase(Locale.ROOT)) + "%";
            sql.append(" AND (LOWER(c.display_name) LIKE ? ESCAPE '!' OR EXISTS (SELECT 1 FROM contact_identities i"
                    + " WHERE i.contact_id = c.id AND (LOWER(i.display_name) LIKE ? ESCAPE '!' OR LOWER(i.username)"
                    + " LIKE ? ESCAPE '!' OR LOWER(i.external_id) LIKE ? ESCAPE '!' OR LOWER(i.verified_key) LIKE ?"
                    + " ESCAPE '!')))");
            for (int i = 0; i < 5; i++) {
                params.add(like);
            }
        });
        page.cursor().ifPresent(c -> {
            sql.append(" AND c.id < ?");
            params.add(Cursors.decode(c));
        });
        sql.append(" ORDER BY c.id DESC LIMIT ").append(page.limit() + 1);
        List<Contact> rows = database.execute().createQuery(sql.toString()).params(params).execute()
                .map(Contacts::contact).toList();
        return Page.of(rows, page.limit(), c -> Cursors.encode(c.id()));
    }

    /** The contact with its identities on every channel and its conversations. */
    public Profile get(String tenantId, String contactId) {
        Contact contact = find(tenantId, contactId);
        List<Identity> identities = database.execute().createQuery("SELECT id, channel_type, connection_id,"
                        + " external_id, display_name, username, verified_key, created_at FROM contact_identities"
                        + " WHERE tenant_id = ? AND contact_id = ? ORDER BY created_at, id")
                .params(tenantId, contactId).execute()
                .map(r -> new Identity(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), r.column(4).get(String.class),
                        Database.optionalString(r.column(5)), Database.optionalString(r.column(6)),
                        Database.optionalString(r.column(7)), Database.instant(r.column(8)).orElseThrow()))
                .toList();
        List<String> conversations = database.execute().createQuery("SELECT id FROM conversations WHERE tenant_id = ?"
                        + " AND contact_id = ? ORDER BY COALESCE(last_message_at, created_at) DESC, id DESC LIMIT 200")
                .params(tenantId, contactId).execute().map(r -> r.column(1).get(String.class)).toList();
        return new Profile(contact, identities, conversations);
    }

    /** Renames a contact (what operators see; the platform's own names stay on the identities). */
    public Profile rename(Actor actor, String tenantId, String contactId, String displayName) {
        String name = Texts.clean(displayName).strip();
        if (name.isEmpty() || name.length() > 200 || !Texts.hasContent(name)) {
            throw ClawlessException.Validation.of("display_name", "must be 1-200 characters");
        }
        find(tenantId, contactId);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            tx.createUpdate("UPDATE contacts SET display_name = ?, updated_at = ? WHERE tenant_id = ? AND id = ?")
                    .params(name, Database.timestamp(now), tenantId, contactId).execute();
            audit.record(tx, actor, Optional.of(tenantId), "contact.renamed", Optional.of(contactId), Map.of());
            return null;
        });
        return get(tenantId, contactId);
    }

    /** Told of a merge inside its transaction, so other modules move what they keep per contact. */
    @FunctionalInterface
    public interface MergeListener {
        void merged(DbExecute tx, String tenantId, String fromContactId, String intoContactId);
    }

    private volatile MergeListener mergeListener = (tx, tenantId, from, into) -> { };

    /** Who moves its rows when two contacts merge (the sales module's leads and CRM links); set once while wiring. */
    public void onMerge(MergeListener listener) {
        this.mergeListener = listener;
    }

    /**
     * Names a contact that has no name yet, in {@code tx} (the name a contact gave the sales mode's lead form); a
     * contact an operator or a platform named keeps its name.
     */
    public void nameIfUnnamed(DbExecute tx, String tenantId, String contactId, String displayName) {
        String name = Texts.clean(displayName).strip();
        if (name.isEmpty() || name.length() > 200 || !Texts.hasContent(name)) {
            return;
        }
        tx.createUpdate("UPDATE contacts SET display_name = ?, updated_at = ? WHERE tenant_id = ? AND id = ?"
                        + " AND display_name IS NULL")
                .params(name, Database.timestamp(clock.instant().truncatedTo(ChronoUnit.MICROS)), tenantId, contactId)
                .execute();
    }

    /**
     * Merges {@code otherId} into {@code contactId}: the other contact's identities and conversations move over and
     * the other contact is deleted, in one transaction. The kept contact keeps its name, or takes the other's when
     * it has none.
     */
    public Profile merge(Actor actor, String tenantId, String contactId, String otherId) {
        if (contactId.equals(otherId)) {
            throw ClawlessException.Validation.of("contact_id", "is this contact; name the other one");
        }
        Contact keep = find(tenantId, contactId);
        Contact other = find(tenantId, otherId);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            tx.createUpdate("UPDATE contact_identities SET contact_id = ? WHERE tenant_id = ? AND contact_id = ?")
                    .params(contactId, tenantId, otherId).execute();
            tx.createUpdate("UPDATE conversations SET contact_id = ? WHERE tenant_id = ? AND contact_id = ?")
                    .params(contactId, tenantId, otherId).execute();
            if (keep.displayName().isEmpty() && other.displayName().isPresent()) {
                tx.createUpdate("UPDATE contacts SET display_name = ? WHERE id = ?")
                        .params(other.displayName().get(), contactId).execute();
            }
            tx.createUpdate("UPDATE contacts SET updated_at = ? WHERE id = ?").params(Database.timestamp(now),
                    contactId).execute();
            mergeListener.merged(tx, tenantId, otherId, contactId);
            tx.createDelete("DELETE FROM contacts WHERE tenant_id = ? AND id = ?").params(tenantId, otherId).execute();
            audit.record(tx, actor, Optional.of(tenantId), "contact.merged", Optional.of(contactId),
                    Map.of("merged", otherId));
            return null;
        });
        return get(tenantId, contactId);
    }

    private Contact find(String tenantId, String contactId) {
        return database.execute().createGet("SELECT " + COLUMNS + " FROM contacts c WHERE c.tenant_id = ? AND c.id = ?")
                .params(tenantId, contactId).execute().map(Contacts::contact)
                .orElseThrow(() -> new ClawlessException.NotFound("no contact " + contactId));
    }

    private static Contact contact(DbRow r) {
        return new Contact(r.column(1).get(String.class), r.column(2).get(String.class),
                Database.optionalString(r.column(3)), Database.instant(r.column(4)).orElseThrow());
    }

    /** {@code text} for a {@code LIKE … ESCAPE '!'} pattern: its own {@code %}, {@code _} and {@code !} literal. */
    public static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}
