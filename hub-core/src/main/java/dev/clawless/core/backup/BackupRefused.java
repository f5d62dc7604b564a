package dev.clawless.core.backup;

/** A backup that cannot be restored (or a restore that cannot start), with the reason; nothing was changed. */
public final class BackupRefused extends RuntimeException {

    public BackupRefused(String reason) {
        super(reason);
    }

    public BackupRefused(String reason, Throwable cause) {
        super(reason, cause);
    }
}
