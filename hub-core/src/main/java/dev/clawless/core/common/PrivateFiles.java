package dev.clawless.core.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files only the hub's own user may read: folders {@code 0700}, files {@code 0600}. The data folder holds the
 * database, the master key, the admin token and plugin JARs; nothing in it is for other users of the machine. On
 * file systems without POSIX permissions these methods do nothing.
 */
public final class PrivateFiles {

    private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** Creates {@code folder} (and missing parents) owner-only, or tightens it when it exists. */
    public static Path folder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder, e);
        }
        ownerOnly(folder);
        return folder;
    }

    /** Takes group and other permissions away from one file or folder (not following links). */
    public static void ownerOnly(Path path) {
        if (!posix()) {
            return;
        }
        try {
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            boolean folder = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> wanted = folder ? FOLDER : FILE;
            if (!now.equals(wanted)) {
                Files.setPosixFilePermissions(path, wanted);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + path + " private", e);
        }
    }

    /**
     * Makes {@code root} and everything under it owner-only (symbolic links are left alone, and not followed).
     *
     * @return how many files and folders had permissions for group or others and were tightened
     */
    public static int secure(Path root) {
        if (!posix() || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int[] tightened = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    tighten(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() || attrs.isDirectory()) {
                        tighten(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed meanwhile (an H2 temporary file, say)
                }

                private void tighten(Path p) throws IOException {
                    Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                    if (now.stream().anyMatch(OTHERS::contains)) {
                        tightened[0]++;
                    }
                    ownerOnly(p);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + root + " private", e);
        }
        return tightened[0];
    }
}
