package dev.clawless.core.account.internal;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * Password hashes: Argon2id (password4j) with OWASP's parameters — 19 MiB of memory, two passes, one lane — and a
 * random 16-byte salt, stored as the PHC string ({@code $argon2id$v=19$m=19456,t=2,p=1$…}). A check reads the
 * parameters from the stored hash, so stronger parameters later still verify old hashes. Thread-safe.
 */
public final class Passwords {

    private static final Argon2Function ARGON2ID = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID, 19);
    /** Checked against when an address has no account, so a wrong e-mail costs as long as a wrong password. */
    private static final String DUMMY = hash("a password nobody has, for timing only");

    private Passwords() {
    }

    public static String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2ID).getResult();
    }

    /** True when {@code password} matches {@code stored}; a malformed stored hash never matches. */
    public static boolean matches(String password, String stored) {
        try {
            return Password.check(password, stored).with(Argon2Function.getInstanceFromHash(stored));
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    /** Spends the time of one check, for an address without an account. */
    public static void spendCheck(String password) {
        matches(password, DUMMY);
    }
}
