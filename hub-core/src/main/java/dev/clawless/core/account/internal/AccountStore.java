package dev.clawless.core.account.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.account.BrowserSession;
import dev.clawless.core.account.Invitation;
import dev.clawless.core.account.Member;
import dev.clawless.core.account.Membership;
import dev.clawless.core.account.Role;
import dev.clawless.core.account.Team;
import dev.clawless.core.account.User;
import dev.clawless.core.store.Database;

/**
 * JDBC access to {@code users}, {@code memberships}, {@code browser_sessions}, {@code account_links}, {@code teams}
 * and {@code tenant_security}. Only hashes of session secrets and link tokens are written.
 */
public final class AccountStore {

    static final String USER_COLUMNS = "u.id, u.email, u.display_name, u.locale, u.platform_admin, u.totp_enabled,"
            + " u.presence, u.last_seen_at, u.created_at";

    /** A user with what sign-in needs. */
    public record Credentials(User user, Optional<String> passwordHash, Optional<String> sealedTotpSecret,
                              Optional<Long> totpLastStep, int failedLogins, Optional<Instant> lockedUntil) {
        @Override
        public String toString() {
            return "Credentials[" + user.id() + "]";
        }
    }

    /** A session row with its secret's hash and its user. */
    public record StoredSession(BrowserSession session, String secretHash, Optional<Instant> revokedAt, User user) {
        @Override
        public String toString() {
            return "StoredSession[" + session.id() + "]";
        }
    }

    /** A single-use link as stored. */
    public record Link(String id, String kind, Optional<String> email, Optional<String> tenantId, Optional<Role> role,
                       Optional<String> userId, String createdBy, Instant createdAt, Instant expiresAt,
                       Optional<Instant> usedAt, Optional<Instant> revokedAt) {
    }

    // ------------------------------------------------------------------------------------------------ users

    public void insertUser(DbExecute tx, User u, Optional<String> passwordHash) {
        tx.createInsert("INSERT INTO users (id, email, display_name, locale, password_hash, platform_admin,"
                        + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(u.id(), u.email(), u.displayName(), u.locale(), passwordHash.orElse(null), u.platformAdmin(),
                        Database.timestamp(u.createdAt()), Database.timestamp(u.createdAt()))
                .execute();
    }

    public Optional<User> user(DbExecute exec, String id) {
        return exec.createGet("SELECT " + USER_COLUMNS + " FROM users u WHERE u.id = ?").params(id).execute()
                .map(r -> user(r, 1));
    }

    public Optional<Credentials> credentialsByEmail(DbExecute exec, String email) {
        return credentials(exec, "u.email = ?", email);
    }

    public Optional<Credentials> credentials(DbExecute exec, String userId) {
        return credentials(exec, "u.id = ?", userId);
    }

    private Optional<Credentials> credentials(DbExecute exec, String where, String value) {
        return exec.createGet("SELECT " + USER_COLUMNS + ", u.password_hash, u.totp_secret, u.totp_last_step,"
                        + " u.failed_logins, u.locked_until FROM users u WHERE " + where)
                .params(value).execute()
                .map(r -> new Credentials(user(r, 1), Database.optionalString(r.column(10)),
                        Database.optionalString(r.column(11)), Database.optionalLong(r.column(12)),
                        ((Number) r.column(13).get(Object.class)).intValue(), Database.instant(r.column(14))));
    }

    public boolean anyPlatformAdmin(DbExecute exec) {
        return exec.createGet("SELECT COUNT(*) FROM users WHERE platform_admin = TRUE").execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue() > 0).orElse(false);
    }

    public void makePlatformAdmin(DbExecute tx, String userId, Instant now) {
        tx.createUpdate("UPDATE users SET platform_admin = TRUE, updated_at = ? WHERE id = ?")
                .params(Database.timestamp(now), userId).execute();
    }

    public void setPassword(DbExecute tx, String userId, String hash, Instant now) {
        tx.createUpdate("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ?"
                        + " WHERE id = ?")
                .params(hash, Database.timestamp(now), userId).execute();
    }

    public void failedLogin(DbExecute tx, String userId, int max, Instant lockUntil) {
        tx.createUpdate("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?").params(userId).execute();
        tx.createUpdate("UPDATE users SET locked_until = ?, failed_logins = 0 WHERE id = ? AND failed_logins >= ?")
                .params(Database.timestamp(lockUntil), userId, max).execute();
    }

    public void succeededLogin(DbExecute tx, String userId, Optional<Long> totpStep) {
        if (totpStep.isPresent()) {
            tx.createUpdate("UPDATE users SET failed_logins = 0, locked_until = NULL, totp_last_step = ? WHERE id = ?")
                    .params(totpStep.get(), userId).execute();
        } else {
            tx.createUpdate("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?").params(userId)
                    .execute();
        }
    }

    public void updateProfile(DbExecute tx, String userId, String displayName, String locale, Instant now) {
        tx.createUpdate("UPDATE users SET display_name = ?, locale = ?, updated_at = ? WHERE id = ?")
                .params(displayName, locale, Database.timestamp(now), userId).execute();
    }

    public void setTotp(DbExecute tx, String userId, Optional<String> sealedSecret, boolean enabled, Instant now) {
        tx.createUpdate("UPDATE users SET totp_secret = ?, totp_enabled = ?, totp_last_step = NULL, updated_at = ?"
                        + " WHERE id = ?")
                .params(sealedSecret.orElse(null), enabled, Database.timestamp(now), userId).execute();
    }

    public void setTotpStep(DbExecute tx, String userId, long step) {
        tx.createUpdate("UPDATE users SET totp_last_step = ? WHERE id = ?").params(step, userId).execute();
    }

    public void presence(DbExecute exec, String userId, String presence, Instant now) {
        exec.createUpdate("UPDATE users SET presence = ?, last_seen_at = ? WHERE id = ?")
                .params(presence, Database.timestamp(now), userId).execute();
    }

    public void seen(DbExecute exec, String userId, Instant now) {
        exec.createUpdate("UPDATE users SET last_seen_at = ? WHERE id = ?").params(Database.timestamp(now), userId)
                .execute();
    }

    static User user(DbRow r, int first) {
        return new User(r.column(first).get(String.class), r.column(first + 1).get(String.class),
                r.column(first + 2).get(String.class), r.column(first + 3).get(String.class),
                Boolean.TRUE.equals(r.column(first + 4).get(Boolean.class)),
                Boolean.TRUE.equals(r.column(first + 5).get(Boolean.class)), r.column(first + 6).get(String.class),
                Database.instant(r.column(first + 7)), Database.instant(r.column(first + 8)).orElseThrow());
    }

    // ------------------------------------------------------------------------------------------------ memberships

    public List<Membership> memberships(DbExecute exec, String userId) {
        return exec.createQuery("SELECT m.tenant_id, t.name, m.role, COALESCE(s.require_totp, FALSE) FROM memberships m"
                        + " JOIN tenants t ON t.id = m.tenant_id LEFT JOIN tenant_security s ON s.tenant_id = m.tenant_id"
                        + " WHERE m.user_id = ? ORDER BY t.name, m.tenant_id")
                .params(userId).execute()
                .map(r -> new Membership(r.column(1).get(String.class), r.column(2).get(String.class),
                        Role.fromWire(r.column(3).get(String.class)).orElseThrow(),
                        Boolean.TRUE.equals(r.column(4).get(Boolean.class))))
                .toList();
    }

    public Optional<Role> role(DbExecute exec, String tenantId, String userId) {
        return exec.createGet("SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ?")
                .params(tenantId, userId).execute()
                .flatMap(r -> Role.fromWire(r.column(1).get(String.class)));
    }

    /** Inserts a membership, or changes the role of an existing one; true when it is new. */
    public boolean upsertMembership(DbExecute tx, String tenantId, String userId, Role role, Instant now) {
        long updated = tx.createUpdate("UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ?")
                .params(role.wire(), tenantId, userId).execute();
        if (updated > 0) {
            return false;
        }
        tx.createInsert("INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?, ?, ?, ?)")
                .params(tenantId, userId, role.wire(), Database.timestamp(now)).execute();
        return true;
    }

    public void updateMember(DbExecute tx, String tenantId, String userId, Optional<Role> role,
                             Optional<Integer> capacity) {
        role.ifPresent(r -> tx.createUpdate("UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ?")
                .params(r.wire(), tenantId, userId).execute());
        capacity.ifPresent(c -> tx.createUpdate("UPDATE memberships SET capacity = ? WHERE tenant_id = ? AND"
                + " user_id = ?").params(c, tenantId, userId).execute());
    }

    public boolean deleteMember(DbExecute tx, String tenantId, String userId) {
        tx.createDelete("DELETE FROM team_members WHERE user_id = ? AND team_id IN (SELECT id FROM teams WHERE"
                + " tenant_id = ?)").params(userId, tenantId).execute();
        return tx.createDelete("DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?")
                .params(tenantId, userId).execute() == 1;
    }

    public long owners(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT COUNT(*) FROM memberships WHERE tenant_id = ? AND role = 'owner'")
                .params(tenantId).execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    /** The tenant's members; {@code onlineSince}: a member seen after it who set {@code online} counts as online. */
    public List<Member> members(DbExecute exec, String tenantId, Instant onlineSince) {
        return exec.createQuery("SELECT " + USER_COLUMNS + ", m.role, m.capacity FROM memberships m JOIN users u"
                        + " ON u.id = m.user_id WHERE m.tenant_id = ? ORDER BY u.display_name, u.id")
                .params(tenantId).execute()
                .map(r -> member(r, onlineSince)).toList();
    }

    public Optional<Member> member(DbExecute exec, String tenantId, String userId, Instant onlineSince) {
        return exec.createGet("SELECT " + USER_COLUMNS + ", m.role, m.capacity FROM memberships m JOIN users u"
                        + " ON u.id = m.user_id WHERE m.tenant_id = ? AND m.user_id = ?")
                .params(tenantId, userId).execute().map(r -> member(r, onlineSince));
    }

    private static Member member(DbRow r, Instant onlineSince) {
        User u = user(r, 1);
        boolean online = u.presence().equals("online") && u.lastSeenAt().map(t -> t.isAfter(onlineSince))
                .orElse(false);
        return new Member(u, Role.fromWire(r.column(10).get(String.class)).orElseThrow(),
                ((Number) r.column(11).get(Object.class)).intValue(), online);
    }

    public boolean requireTotp(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT require_totp FROM tenant_security WHERE tenant_id = ?").params(tenantId)
                .execute().map(r -> Boolean.TRUE.equals(r.column(1).get(Boolean.class))).orElse(false);
    }

    public void requireTotp(DbExecute tx, String tenantId, boolean required) {
        tx.createDelete("DELETE FROM tenant_security WHERE tenant_id = ?").params(tenantId).execute();
        tx.createInsert("INSERT INTO tenant_security (tenant_id, require_totp) VALUES (?, ?)")
                .params(tenantId, required).execute();
    }

    // ------------------------------------------------------------------------------------------------ sessions

    public void insertSession(DbExecute tx, BrowserSession s, String secretHash) {
        tx.createInsert("INSERT INTO browser_sessions (id, user_id, secret_hash, user_agent, ip, created_at,"
                        + " last_used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(s.id(), s.userId(), secretHash, s.userAgent().orElse(null), s.ip().orElse(null),
                        Database.timestamp(s.createdAt()), Database.timestamp(s.lastUsedAt()),
                        Database.timestamp(s.expiresAt()))
                .execute();
    }

    private static final String SESSION_COLUMNS = "s.id, s.user_id, s.created_at, s.last_used_at, s.expires_at,"
            + " s.user_agent, s.ip";

    public Optional<StoredSession> session(DbExecute exec, String id) {
        return exec.createGet("SELECT " + SESSION_COLUMNS + ", s.secret_hash, s.revoked_at, " + USER_COLUMNS
                        + " FROM browser_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?")
                .params(id).execute()
                .map(r -> new StoredSession(session(r), r.column(8).get(String.class).strip(),
                        Database.instant(r.column(9)), user(r, 10)));
    }

    private static BrowserSession session(DbRow r) {
        return new BrowserSession(r.column(1).get(String.class), r.column(2).get(String.class),
                Database.instant(r.column(3)).orElseThrow(), Database.instant(r.column(4)).orElseThrow(),
                Database.instant(r.column(5)).orElseThrow(), Database.optionalString(r.column(6)),
                Database.optionalString(r.column(7)));
    }

    /** The user's sessions that are neither revoked nor expired, newest first. */
    public List<BrowserSession> sessions(DbExecute exec, String userId, Instant now) {
        return exec.createQuery("SELECT " + SESSION_COLUMNS + " FROM browser_sessions s WHERE s.user_id = ? AND"
                        + " s.revoked_at IS NULL AND s.expires_at > ? ORDER BY s.created_at DESC")
                .params(userId, Database.timestamp(now)).execute().map(AccountStore::session).toList();
    }

    public void touchSession(DbExecute exec, String id, Instant now) {
        exec.createUpdate("UPDATE browser_sessions SET last_used_at = ? WHERE id = ?")
                .params(Database.timestamp(now), id).execute();
    }

    public boolean revokeSession(DbExecute tx, String userId, String id, Instant now) {
        return tx.createUpdate("UPDATE browser_sessions SET revoked_at = ? WHERE user_id = ? AND id = ? AND"
                        + " revoked_at IS NULL")
                .params(Database.timestamp(now), userId, id).execute() == 1;
    }

    /** Revokes every session of the user but {@code keep} (empty: all). */
    public void revokeSessions(DbExecute tx, String userId, Optional<String> keep, Instant now) {
        tx.createUpdate("UPDATE browser_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ?")
                .params(Database.timestamp(now), userId, keep.orElse("")).execute();
    }

    // ------------------------------------------------------------------------------------------------ links

    public void insertLink(DbExecute tx, Link l, String tokenHash) {
        tx.createInsert("INSERT INTO account_links (id, kind, token_hash, email, tenant_id, role, user_id, created_by,"
                        + " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(l.id(), l.kind(), tokenHash, l.email().orElse(null), l.tenantId().orElse(null),
                        l.role().map(Role::wire).orElse(null), l.userId().orElse(null), l.createdBy(),
                        Database.timestamp(l.createdAt()), Database.timestamp(l.expiresAt()))
                .execute();
    }

    private static final String LINK_COLUMNS = "id, kind, email, tenant_id, role, user_id, created_by, created_at,"
            + " expires_at, used_at, revoked_at";

    public Optional<Link> linkByToken(DbExecute exec, String tokenHash, boolean forUpdate) {
        return exec.createGet("SELECT " + LINK_COLUMNS + " FROM account_links WHERE token_hash = ?"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .params(tokenHash).execute().map(AccountStore::link);
    }

    public Optional<Link> link(DbExecute exec, String tenantId, String id) {
        return exec.createGet("SELECT " + LINK_COLUMNS + " FROM account_links WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(AccountStore::link);
    }

    /** Marks a link used; false when it was used or revoked meanwhile. */
    public boolean useLink(DbExecute tx, String id, Instant now) {
        return tx.createUpdate("UPDATE account_links SET used_at = ? WHERE id = ? AND used_at IS NULL AND"
                        + " revoked_at IS NULL")
                .params(Database.timestamp(now), id).execute() == 1;
    }

    public boolean revokeLink(DbExecute tx, String tenantId, String id, Instant now) {
        return tx.createUpdate("UPDATE account_links SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND"
                        + " used_at IS NULL AND revoked_at IS NULL")
                .params(Database.timestamp(now), tenantId, id).execute() == 1;
    }

    /** Revokes the unused links of a kind for a user (an older reset link when a new one is made). */
    public void revokeLinks(DbExecute tx, String kind, String userId, Instant now) {
        tx.createUpdate("UPDATE account_links SET revoked_at = ? WHERE kind = ? AND user_id = ? AND used_at IS NULL"
                        + " AND revoked_at IS NULL")
                .params(Database.timestamp(now), kind, userId).execute();
    }

    /** Revokes every unused setup link (there is one first admin). */
    public void revokeSetupLinks(DbExecute tx, Instant now) {
        tx.createUpdate("UPDATE account_links SET revoked_at = ? WHERE kind = 'setup' AND used_at IS NULL AND"
                        + " revoked_at IS NULL")
                .params(Database.timestamp(now)).execute();
    }

    public List<Invitation> pendingInvitations(DbExecute exec, String tenantId, Instant now) {
        return exec.createQuery("SELECT l.id, l.tenant_id, t.name, l.email, l.role, l.expires_at, l.created_at"
                        + " FROM account_links l JOIN tenants t"
                        + " ON t.id = l.tenant_id WHERE l.tenant_id = ? AND l.kind = 'invite' AND l.used_at IS NULL"
                        + " AND l.revoked_at IS NULL AND l.expires_at > ? ORDER BY l.created_at DESC")
                .params(tenantId, Database.timestamp(now)).execute()
                .map(r -> new Invitation(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), r.column(4).get(String.class),
                        Role.fromWire(r.column(5).get(String.class)).orElseThrow(),
                        Database.instant(r.column(6)).orElseThrow(), Database.instant(r.column(7)).orElseThrow()))
                .toList();
    }

    public Optional<String> tenantName(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT name FROM tenants WHERE id = ?").params(tenantId).execute()
                .map(r -> r.column(1).get(String.class));
    }

    private static Link link(DbRow r) {
        return new Link(r.column(1).get(String.class), r.column(2).get(String.class),
                Database.optionalString(r.column(3)), Database.optionalString(r.column(4)),
                Database.optionalString(r.column(5)).flatMap(Role::fromWire), Database.optionalString(r.column(6)),
                r.column(7).get(String.class), Database.instant(r.column(8)).orElseThrow(),
                Database.instant(r.column(9)).orElseThrow(), Database.instant(r.column(10)),
                Database.instant(r.column(11)));
    }

    // ------------------------------------------------------------------------------------------------ teams

    public void insertTeam(DbExecute tx, Team t) {
        tx.createInsert("INSERT INTO teams (id, tenant_id, name, created_at) VALUES (?, ?, ?, ?)")
                .params(t.id(), t.tenantId(), t.name(), Database.timestamp(t.createdAt())).execute();
        setTeamMembers(tx, t.id(), t.memberIds());
    }

    public void setTeamMembers(DbExecute tx, String teamId, List<String> userIds) {
        tx.createDelete("DELETE FROM team_members WHERE team_id = ?").params(teamId).execute();
        for (String u : userIds) {
            tx.createInsert("INSERT INTO team_members (team_id, user_id) VALUES (?, ?)").params(teamId, u).execute();
        }
    }

    public void renameTeam(DbExecute tx, String tenantId, String teamId, String name) {
        tx.createUpdate("UPDATE teams SET name = ? WHERE tenant_id = ? AND id = ?").params(name, tenantId, teamId)
                .execute();
    }

    public boolean deleteTeam(DbExecute tx, String tenantId, String teamId) {
        return tx.createDelete("DELETE FROM teams WHERE tenant_id = ? AND id = ?").params(tenantId, teamId)
                .execute() == 1;
    }

    public List<Team> teams(DbExecute exec, String tenantId) {
        List<Team> out = new ArrayList<>();
        exec.createQuery("SELECT id, tenant_id, name, created_at FROM teams WHERE tenant_id = ? ORDER BY name")
                .params(tenantId).execute()
                .forEach(r -> out.add(new Team(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), teamMembers(exec, r.column(1).get(String.class)),
                        Database.instant(r.column(4)).orElseThrow())));
        return out;
    }

    public Optional<Team> team(DbExecute exec, String tenantId, String teamId) {
        return teams(exec, tenantId).stream().filter(t -> t.id().equals(teamId)).findFirst();
    }

    private List<String> teamMembers(DbExecute exec, String teamId) {
        return exec.createQuery("SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id")
                .params(teamId).execute().map(r -> r.column(1).get(String.class)).toList();
    }
}
