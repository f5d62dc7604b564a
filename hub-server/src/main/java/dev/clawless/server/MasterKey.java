package dev.clawless.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Logger;

import dev.clawless.core.security.SecretVault;

/**
 * The master key secrets are sealed under: {@code CLAWLESS_MASTER_KEY} when configured, else one generated on the
 * first run and kept in {@code <data-dir>/master-key} (owner-readable only) — fine for the embedded default, with a
 * warning, since whoever copies the data folder gets the key with the secrets.
 */
final class MasterKey {

    static final String FILE_NAME = "master-key";
    private static final Logger LOG = Logger.getLogger(MasterKey.class.getName());

    private MasterKey() {
    }

    static byte[] resolve(Optional<byte[]> configured, Path dataDir) {
        if (configured.isPresent()) {
            return configured.get();
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                return decode(Files.readString(file, StandardCharsets.UTF_8).strip(), file.toString());
            }
            Files.createDirectories(dataDir);
            byte[] key = SecretVault.newKey();
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return resolve(configured, dataDir);
            }
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
            LOG.warning(() -> "generated a master key in " + file + "; secrets are sealed under it. Back it up with"
                    + " the database, and set CLAWLESS_MASTER_KEY (base64, 32 bytes) in production");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the master key in " + file, e);
        }
    }

    static byte[] decode(String base64, String origin) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(origin + " does not hold a base64 master key");
        }
        if (key.length != 32) {
            throw new IllegalStateException(origin + " holds " + key.length + " bytes; a master key is 32");
        }
        return key;
    }
}
