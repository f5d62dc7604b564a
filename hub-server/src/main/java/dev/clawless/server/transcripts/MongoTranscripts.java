package dev.clawless.server.transcripts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.mongodb.ConnectionString;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;

import dev.clawless.core.conversation.TranscriptOutbox;

/**
 * Copies every conversation event to MongoDB, after it committed, from the {@link TranscriptOutbox}: collection
 * {@code events} (one document per event, {@code _id} the event's id) and {@code messages} (one document per message,
 * {@code _id} the message's id, its state as of its newest copied event: {@code event_id}), both with {@code
 * tenant_id} and indexed by tenant and conversation. A batch leaves the outbox only once MongoDB acknowledged it; writes replace by {@code _id}, so a batch
 * copied again (a node stopped in between, two nodes at once) changes nothing. While MongoDB does not answer the
 * events wait in the outbox; the outage is logged once, and the copy catches up when it answers.
 *
 * <p>An archive and analytics copy: the hub never reads it back; the database stays the source of truth.
 */
public final class MongoTranscripts implements AutoCloseable {

    static final int BATCH = 500;
    private static final int DUPLICATE_KEY = 11000;
    private static final Duration IDLE = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(MongoTranscripts.class.getName());

    private final MongoClient client;
    private final MongoCollection<Document> events;
    private final MongoCollection<Document> messages;
    private final TranscriptOutbox outbox;
    private final String where;
    private volatile boolean up = true;
    private volatile long backlog;
    private volatile Thread loop;
    private boolean indexed;

    public MongoTranscripts(String uri, TranscriptOutbox outbox) {
        ConnectionString connection = new ConnectionString(uri);
        this.where = String.join(",", connection.getHosts());
        this.client = MongoClients.create(MongoClientSettings.builder().applyConnectionString(connection)
                .applyToClusterSettings(b -> b.serverSelectionTimeout(5, TimeUnit.SECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS).readTimeout(30, TimeUnit.SECONDS))
                .build());
        var database = client.getDatabase(connection.getDatabase() == null ? "clawless" : connection.getDatabase());
        this.events = database.getCollection("events");
        this.messages = database.getCollection("messages");
        this.outbox = outbox;
    }

    /** Events waiting in the outbox, as counted after the last batch (no query of its own). */
    public long backlog() {
        return backlog;
    }

    private void countBacklog() {
        try {
            backlog = outbox.backlog();
        } catch (RuntimeException e) {
            // the database is down: the last count stays
        }
    }

    /** Whether the last attempt to reach MongoDB succeeded. */
    public boolean up() {
        return up;
    }

    public void start() {
        loop = Thread.ofVirtual().name("clawless-transcripts").start(this::run);
    }

    private void run() {
        Duration backoff = IDLE;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                int copied = copyOnce();
                if (!up) {
                    up = true;
                    LOG.info(() -> "the transcript store at " + where + " answers again; catching up");
                }
                backoff = IDLE;
                if (copied == 0) {
                    countBacklog();
                    Thread.sleep(IDLE);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (up) {
                    up = false;
                    LOG.log(Level.WARNING, "the transcript store at " + where + " cannot be written; events wait in"
                            + " the outbox until it answers (logged once per outage): " + e.getMessage());
                }
                countBacklog();
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Copies one batch from the outbox and removes it there; the number of events handled (0: none waiting). */
    int copyOnce() {
        if (!indexed) {
            events.createIndex(Indexes.ascending("tenant_id", "conversation_id", "_id"),
                    new IndexOptions().name("tenant_conversation"));
            messages.createIndex(Indexes.ascending("tenant_id", "conversation_id", "created_at"),
                    new IndexOptions().name("tenant_conversation"));
            indexed = true;
        }
        List<TranscriptOutbox.Entry> batch = outbox.next(BATCH);
        if (batch.isEmpty()) {
            List<Long> orphans = outbox.orphans(BATCH);
            outbox.done(orphans);
            return orphans.size();
        }
        List<WriteModel<Document>> eventWrites = new ArrayList<>(batch.size());
        List<WriteModel<Document>> messageWrites = new ArrayList<>();
        List<WriteModel<Document>> statusWrites = new ArrayList<>();
        List<Long> ids = new ArrayList<>(batch.size());
        ReplaceOptions upsert = new ReplaceOptions().upsert(true);
        for (TranscriptOutbox.Entry e : batch) {
            Object data = parsed(e.data());
            eventWrites.add(new ReplaceOneModel<>(Filters.eq("_id", e.eventId()), new Document("_id", e.eventId())
                    .append("tenant_id", e.tenantId()).append("conversation_id", e.conversationId())
                    .append("type", e.type()).append("data", data).append("created_at", Date.from(e.createdAt())),
                    upsert));
            if (e.type().startsWith("message.") && data instanceof Document d && d.get("id") instanceof String id) {
                // the message as this event has it, unless a later event's copy is there already
                Document message = new Document(d);
                message.put("_id", id);
                message.put("tenant_id", e.tenantId());
                message.put("conversation_id", e.conversationId());
                message.put("event_id", e.eventId());
                messageWrites.add(new ReplaceOneModel<>(Filters.and(Filters.eq("_id", id),
                        Filters.lt("event_id", e.eventId())), message, upsert));
            } else if (e.type().equals("message.status_changed") && data instanceof Document d
                    && d.get("message_id") instanceof String id) {
                statusWrites.add(new UpdateOneModel<>(Filters.and(Filters.eq("_id", id),
                        Filters.lt("event_id", e.eventId())), Updates.combine(Updates.set("status", d.get("status")),
                        Updates.set("error", d.get("error")), Updates.set("event_id", e.eventId()))));
            }
            ids.add(e.eventId());
        }
        events.bulkWrite(eventWrites, new BulkWriteOptions().ordered(true));
        // a message's state: created first, then its status changes, each applied only over an older event's copy
        // (two nodes may copy the same batch, or a slow node an older one: the newest event wins)
        writeNewest(messageWrites);
        writeNewest(statusWrites);
        outbox.done(ids);
        return batch.size();
    }

    /**
     * Writes guarded by {@code event_id < this event's}: where a newer copy is there already, a replace with upsert
     * fails as a duplicate key (the filter did not match, the insert clashes) — which means "already newer".
     */
    private void writeNewest(List<WriteModel<Document>> writes) {
        if (writes.isEmpty()) {
            return;
        }
        try {
            messages.bulkWrite(writes, new BulkWriteOptions().ordered(true));
        } catch (MongoBulkWriteException e) {
            boolean onlyNewer = e.getWriteErrors().stream().allMatch(w -> w.getCode() == DUPLICATE_KEY);
            if (!onlyNewer) {
                throw e;
            }
            // ordered: the writes after the first clash did not run; run them one by one
            for (WriteModel<Document> w : writes.subList(e.getWriteErrors().get(0).getIndex() + 1, writes.size())) {
                writeNewest(List.of(w));
            }
        }
    }

    private static Object parsed(String json) {
        try {
            return json.startsWith("{") ? Document.parse(json) : json;
        } catch (RuntimeException e) {
            return json;
        }
    }

    @Override
    public void close() {
        Thread t = loop;
        if (t != null) {
            t.interrupt();
        }
        client.close();
    }
}
