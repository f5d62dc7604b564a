package dev.clawless.core.knowledge.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.Cursors;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.knowledge.DocumentFormat;
import dev.clawless.core.knowledge.KnowledgeDocument;
import dev.clawless.core.knowledge.KnowledgeChunk;
import dev.clawless.core.knowledge.Vectors;
import dev.clawless.core.store.Database;

/** JDBC access to knowledge documents, chunks and per-tenant versions. */
public final class KnowledgeStore {

    private static final String DOC_COLUMNS = "id, tenant_id, title, format, size_bytes, chunk_count, created_at, media_type,"
            + " source";

    /** A chunk as indexed: its vector and what a hit shows. */
    public record IndexedChunk(String id, String documentId, String documentTitle, String text,
                               Optional<String> answer, float[] vector, Optional<String> section) {
    }

    public void insertDocument(DbExecute tx, KnowledgeDocument d, String content) {
        tx.createInsert("INSERT INTO knowledge_documents (id, tenant_id, title, format, content, size_bytes,"
                        + " chunk_count, created_at, media_type, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(d.id(), d.tenantId(), d.title(), d.format().wire(), content, d.sizeBytes(), d.chunkCount(),
                        Database.timestamp(d.createdAt()), d.mediaType().orElse(null), d.source().orElse(null))
                .execute();
    }

    /** Replaces a document's title, format, content and origin, keeping its id and creation time; false if absent. */
    public boolean updateDocument(DbExecute tx, KnowledgeDocument d, String content) {
        return tx.createUpdate("UPDATE knowledge_documents SET title = ?, format = ?, content = ?, size_bytes = ?,"
                        + " chunk_count = ?, media_type = ?, source = ? WHERE tenant_id = ? AND id = ?")
                .params(d.title(), d.format().wire(), content, d.sizeBytes(), d.chunkCount(),
                        d.mediaType().orElse(null), d.source().orElse(null), d.tenantId(), d.id())
                .execute() > 0;
    }

    public void deleteChunks(DbExecute tx, String tenantId, String documentId) {
        tx.createDelete("DELETE FROM knowledge_chunks WHERE tenant_id = ? AND document_id = ?")
                .params(tenantId, documentId).execute();
    }

    public void insertChunk(DbExecute tx, String id, String tenantId, String documentId, int ordinal, String text,
                            Optional<String> answer, Optional<String> section, float[] vector, String model) {
        tx.createInsert("INSERT INTO knowledge_chunks (id, tenant_id, document_id, ordinal, text, answer, section,"
                        + " embedding, embedding_model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, tenantId, documentId, ordinal, text, answer.orElse(null), section.orElse(null),
                        Vectors.toBytes(vector), model)
                .execute();
    }

    public boolean deleteDocument(DbExecute tx, String tenantId, String id) {
        return tx.createDelete("DELETE FROM knowledge_documents WHERE tenant_id = ? AND id = ?").params(tenantId, id)
                .execute() > 0;
    }

    public Optional<KnowledgeDocument> find(DbExecute exec, String tenantId, String id) {
        return exec.createGet("SELECT " + DOC_COLUMNS + " FROM knowledge_documents WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(KnowledgeStore::document);
    }

    public Optional<String> content(DbExecute exec, String tenantId, String id) {
        return exec.createGet("SELECT content FROM knowledge_documents WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(r -> r.column(1).get(String.class));
    }

    public Page<KnowledgeDocument> list(DbExecute exec, String tenantId, PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + DOC_COLUMNS + " FROM knowledge_documents WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        page.cursor().ifPresent(c -> {
            sql.append(" AND id > ?");
            params.add(Cursors.decode(c));
        });
        sql.append(" ORDER BY id LIMIT ").append(page.limit() + 1);
        List<KnowledgeDocument> rows = exec.createQuery(sql.toString()).params(params).execute()
                .map(KnowledgeStore::document).toList();
        return Page.of(rows, page.limit(), d -> Cursors.encode(d.id()));
    }

    /** Bumps the tenant's knowledge version, so every node rebuilds its index of the tenant. */
    public void bumpVersion(DbExecute tx, String tenantId) {
        long updated = tx.createUpdate("UPDATE knowledge_versions SET version = version + 1 WHERE tenant_id = ?")
                .params(tenantId).execute();
        if (updated == 0) {
            tx.createInsert("INSERT INTO knowledge_versions (tenant_id, version) VALUES (?, 1) ON CONFLICT DO NOTHING")
                    .params(tenantId).execute();
        }
    }

    public long version(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT version FROM knowledge_versions WHERE tenant_id = ?").params(tenantId)
                .execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    public List<KnowledgeChunk> documentChunks(DbExecute exec, String tenantId, String documentId) {
        return exec.createQuery("SELECT id, ordinal, text, answer, section FROM knowledge_chunks"
                        + " WHERE tenant_id = ? AND document_id = ? ORDER BY ordinal")
                .params(tenantId, documentId)
                .execute()
                .map(r -> new KnowledgeChunk(r.column(1).get(String.class),
                        ((Number) r.column(2).get(Object.class)).intValue(), r.column(3).get(String.class),
                        Database.optionalString(r.column(4)), Database.optionalString(r.column(5))))
                .toList();
    }

    public List<IndexedChunk> chunks(DbExecute exec, String tenantId) {
        return exec.createQuery("SELECT c.id, c.document_id, d.title, c.text, c.answer, c.embedding, c.section"
                        + " FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id"
                        + " WHERE c.tenant_id = ? ORDER BY c.document_id, c.ordinal")
                .params(tenantId)
                .execute()
                .map(r -> new IndexedChunk(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), r.column(4).get(String.class),
                        Database.optionalString(r.column(5)), Vectors.fromBytes(r.column(6).get(byte[].class)),
                        Database.optionalString(r.column(7))))
                .toList();
    }

    private static KnowledgeDocument document(DbRow r) {
        return new KnowledgeDocument(r.column(1).get(String.class), r.column(2).get(String.class),
                r.column(3).get(String.class), DocumentFormat.fromWire(r.column(4).get(String.class)).orElseThrow(),
                ((Number) r.column(5).get(Object.class)).longValue(),
                ((Number) r.column(6).get(Object.class)).intValue(),
                Database.instant(r.column(7)).orElseThrow(), Database.optionalString(r.column(8)),
                Database.optionalString(r.column(9)));
    }

}
