package dev.clawless.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.backup.Backups;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /admin/backups}: take a backup of the whole hub now, list the backups kept, download one (admin token).
 * Restoring is done with the hub stopped ({@code clawless restore}).
 */
public final class BackupRoutes {

    private final Backups backups;
    private final Database database;
    private final AuditLog audit;

    public BackupRoutes(Backups backups, Database database, AuditLog audit) {
        this.backups = backups;
        this.database = database;
        this.audit = audit;
    }

    public void register(Routes routes) {
        routes.post("/admin/backups", this::create)
                .get("/admin/backups", this::list)
                .get("/admin/backups/{name}", this::download);
    }

    private static ObjectNode view(Backups.Stored b) {
        return Json.object().put("name", b.name()).put("size", b.size()).put("created_at", Json.time(b.createdAt()))
                .put("download", "/admin/backups/" + b.name());
    }

    private void create(ServerRequest req, ServerResponse res) {
        Backups.Stored made = backups.create();
        database.inTransaction(tx -> {
            audit.record(tx, RequestState.of(req).actor(), Optional.empty(), "backup.created",
                    Optional.of(made.name()), Map.of("size", made.size()));
            return null;
        });
        res.header(HeaderNames.LOCATION, "/admin/backups/" + made.name());
        Json.send(res, Status.CREATED_201, view(made));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.object();
        var data = body.putArray("data");
        backups.list().forEach(b -> data.add(view(b)));
        Json.send(res, Status.OK_200, body);
    }

    private void download(ServerRequest req, ServerResponse res) throws IOException {
        String name = req.path().pathParameters().get("name");
        Path file = backups.file(name).orElseThrow(() -> new ClawlessException.NotFound("no backup " + name));
        res.header(HeaderNames.CONTENT_TYPE, "application/zip");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.contentLength(Files.size(file));
        if (req.prologue().method() == io.helidon.http.Method.HEAD) {
            res.send(); // the headers alone: the archive is not read
            return;
        }
        // every tenant's data leaves the hub: on record
        database.inTransaction(tx -> {
            audit.record(tx, RequestState.of(req).actor(), Optional.empty(), "backup.downloaded", Optional.of(name),
                    Map.of("size", file.toFile().length()));
            return null;
        });
        try (InputStream in = Files.newInputStream(file); OutputStream out = res.outputStream()) {
            in.transferTo(out);
        }
    }
}
