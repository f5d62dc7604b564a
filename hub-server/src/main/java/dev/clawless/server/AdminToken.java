package dev.clawless.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import dev.clawless.core.security.Secrets;

/**
 * The platform admin token: the configured one, else the one generated on a first run and kept in
 * {@code <data-dir>/admin-token} (owner-readable only) so later runs reuse it.
 *
 * @param value     the token
 * @param generated true when this run created it (the launcher prints it once)
 * @param file      where a generated token is kept
 */
public record AdminToken(String value, boolean generated, Optional<Path> file) {

    static final String FILE_NAME = "admin-token";

    static AdminToken resolve(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) {
            return new AdminToken(configured.get(), false, Optional.empty());
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (stored.length() >= 24) {
                    return new AdminToken(stored, false, Optional.of(file));
                }
                throw new IllegalStateException(file + " does not hold an admin token; delete it to generate one");
            }
            Files.createDirectories(dataDir);
            String token = "cla_admin_" + Secrets.randomBase62(40);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return resolve(configured, dataDir);
            }
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return new AdminToken(token, true, Optional.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the admin token in " + file, e);
        }
    }

    @Override
    public String toString() {
        return "AdminToken[****, generated=" + generated + ", file=" + file + "]";
    }
}
