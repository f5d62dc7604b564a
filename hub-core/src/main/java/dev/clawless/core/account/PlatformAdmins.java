package dev.clawless.core.account;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import dev.clawless.core.account.internal.AccountStore;
import dev.clawless.core.account.internal.Passwords;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;

/**
 * Platform admins made from the server's command line ({@code clawless create-admin}): whoever can run the hub's
 * command on its database may make one, as in peers' {@code rails console} or {@code flask reset-password}. An address
 * that has no account gets a new platform admin; one that has an account is made a platform admin with the new
 * password, unlocked, and signed out everywhere — the way back in when the only admin lost their password. Needs no
 * master key and no running hub; each use is in the audit log.
 */
public final class PlatformAdmins {

    private static final Logger LOG = Logger.getLogger(PlatformAdmins.class.getName());

    /** What {@link #createOrReset} did. */
    public record Outcome(String userId, String email, boolean created) {
    }

    private final Database database;
    private final AuditLog audit;
    private final Clock clock;
    private final Ids ids;
    private final AccountStore store = new AccountStore();

    public PlatformAdmins(Database database, AuditLog audit, Clock clock, Ids ids) {
        this.database = database;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    /**
     * Creates a platform admin with this address, or makes the account with this address one and sets its password.
     *
     * @throws ClawlessException.Validation an address, name or password that the console would refuse too
     */
    public Outcome createOrReset(String email, String displayName, String password) {
        String address = Accounts.normalize(email);
        List<FieldError> errors = new ArrayList<>();
        Accounts.checkEmail(address, errors);
        Accounts.checkName(displayName, errors);
        Accounts.checkPassword(password, "password", errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        String hash = Passwords.hash(password);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Actor actor = new Actor("system", "command-line");
        Outcome outcome = database.inTransaction(tx -> {
            Optional<AccountStore.Credentials> existing = store.credentialsByEmail(tx, address);
            if (existing.isPresent()) {
                String id = existing.get().user().id();
                store.setPassword(tx, id, hash, now);
                store.makePlatformAdmin(tx, id, now);
                store.revokeSessions(tx, id, Optional.empty(), now);
                audit.record(tx, actor, Optional.empty(), "account.platform_admin", Optional.of(id),
                        Map.of("via", "command line", "password", "reset"));
                return new Outcome(id, address, false);
            }
            User user = new User(ids.next("usr"), address, displayName.strip(), "en", true, false, "online",
                    Optional.empty(), now);
            store.insertUser(tx, user, Optional.of(hash));
            audit.record(tx, actor, Optional.empty(), "account.created", Optional.of(user.id()),
                    Map.of("platform_admin", "true", "via", "command line"));
            return new Outcome(user.id(), address, true);
        });
        LOG.info(() -> "platform admin " + outcome.userId() + (outcome.created() ? " created" : " reset")
                + " from the command line");
        return outcome;
    }
}
