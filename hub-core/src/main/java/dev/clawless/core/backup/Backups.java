package dev.clawless.core.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.store.Database;

/**
 * The backups of a running hub: taken on request (the admin API) or every {@link BackupSettings#interval()}, one at a
 * time, kept in {@link BackupSettings#folder()}, the oldest removed beyond {@link BackupSettings#keep()}.
 */
public final class Backups implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Backups.class.getName());

    /** One backup in the folder. */
    public record Stored(String name, long size, Instant createdAt) {
    }

    private final Database database;
    private final Path pluginStore;
    private final Path dataDir;
    private final BackupSettings settings;
    private final String hubVersion;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();
    private ScheduledExecutorService schedule;

    public Backups(Database database, Path pluginStore, Path dataDir, BackupSettings settings, String hubVersion,
                   Clock clock) {
        this.database = database;
        this.pluginStore = pluginStore;
        this.dataDir = dataDir;
        this.settings = settings;
        this.hubVersion = hubVersion;
        this.clock = clock;
    }

    /** Removes what interrupted backups left (their hidden partial files), then starts the schedule, if any. */
    public void start() {
        if (Files.isDirectory(settings.folder())) {
            try (DirectoryStream<Path> partial = Files.newDirectoryStream(settings.folder(),
                    ".clawless-backup-*.zip.partial")) {
                for (Path p : partial) {
                    Files.deleteIfExists(p);
                    LOG.info(() -> "removed " + p.getFileName() + ", left by an interrupted backup");
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "could not clean " + settings.folder(), e);
            }
        }
        if (settings.interval().isZero()) {
            return;
        }
        schedule = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("clawless-backups")
                .factory());
        long every = settings.interval().toMillis();
        schedule.scheduleWithFixedDelay(() -> {
            try {
                Stored made = create();
                LOG.info(() -> "scheduled backup " + made.name() + " written (" + made.size() + " bytes)");
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "the scheduled backup failed; the next is in " + settings.interval(), e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes a backup now and prunes the oldest beyond the number kept.
     *
     * @throws ClawlessException.Conflict while another backup is being written
     */
    public Stored create() {
        if (!running.tryLock()) {
            throw new ClawlessException.Conflict("a backup is being written; try again when it is done");
        }
        try {
            Path archive = BackupArchive.write(database, pluginStore, dataDir, settings.folder(), hubVersion,
                    clock.instant());
            prune(archive);
            return stored(archive);
        } catch (IOException e) {
            throw new IllegalStateException("the backup could not be written: " + e.getMessage(), e);
        } finally {
            running.unlock();
        }
    }

    /** The backups in the folder, newest first. */
    public List<Stored> list() {
        List<Stored> all = new ArrayList<>();
        if (!Files.isDirectory(settings.folder())) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.folder())) {
            for (Path p : files) {
                if (BackupArchive.NAME.matcher(p.getFileName().toString()).matches()) {
                    all.add(stored(p));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + settings.folder() + ": " + e.getMessage(), e);
        }
        all.sort(Comparator.comparing(Stored::name).reversed());
        return all;
    }

    /** The archive of one listed backup (a name that is not a backup's is empty, never a path elsewhere). */
    public Optional<Path> file(String name) {
        if (!BackupArchive.NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        Path p = settings.folder().resolve(name);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** Removes the oldest beyond the number kept; never {@code made}, the one just written. */
    private void prune(Path made) throws IOException {
        List<Stored> all = new ArrayList<>(list());
        all.removeIf(b -> b.name().equals(made.getFileName().toString()));
        int keepOthers = Math.max(0, settings.keep() - 1);
        for (Stored old : all.subList(Math.min(keepOthers, all.size()), all.size())) {
            Files.deleteIfExists(settings.folder().resolve(old.name()));
            LOG.info(() -> "backup " + old.name() + " removed (" + settings.keep() + " are kept)");
        }
    }

    private static Stored stored(Path archive) {
        try {
            return new Stored(archive.getFileName().toString(), Files.size(archive),
                    Files.getLastModifiedTime(archive).toInstant());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.shutdownNow();
        }
    }

    /** Where backups go, how often one is taken on schedule ({@link Duration#ZERO}: never), and how many are kept. */
    public record BackupSettings(Path folder, Duration interval, int keep) {
    }
}
