package dev.clawless.core.sandbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Folders for a sandbox's Unix sockets. A socket's path has at most 107 bytes on Linux, so a sandbox's folder is
 * named by a short hash of its key, under the hub's run folder — or, when even that is too long (a deep data
 * folder), in a fresh folder of the system's temporary folder.
 */
public final class SocketFolders {

    private static final int MAX_SOCKET_PATH = 100;

    private SocketFolders() {
    }

    /** The folder for the sandbox {@code key}, short enough for {@code egress.sock} inside it. */
    public static Path of(Path base, String key) {
        String name = hash(key);
        Path folder = base.toAbsolutePath().resolve(name);
        if (folder.resolve("egress.sock").toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return folder;
        }
        return FALLBACK.computeIfAbsent(base.toAbsolutePath() + "/" + key, k -> {
            try {
                // a fresh, unguessable, owner-only folder: nobody else on the machine can have made it first
                return java.nio.file.Files.createTempDirectory("clawless-");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static final java.util.Map<String, Path> FALLBACK = new java.util.concurrent.ConcurrentHashMap<>();

    private static String hash(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
