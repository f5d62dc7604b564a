package dev.clawless.core.account;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import dev.clawless.core.account.internal.AccountStore;
import dev.clawless.core.account.internal.Passwords;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.security.Actor;
import dev.clawless.core.store.Database;
import dev.clawless.core.security.Secrets;

/**
 * Who belongs to a tenant and as what: members and their roles and capacities, invitations by single-use link (shown
 * to the inviter, mailed when the hub has SMTP settings), teams, and whether the tenant requires a second factor.
 * Every invitation, acceptance, role change and removal is audited. Thread-safe.
 */
public final class Memberships {

    private static final String HAS_ACCOUNT = "an account with this address exists: sign in, then open the invitation"
            + " again";

    private static final Logger LOG = Logger.getLogger(Memberships.class.getName());

    private final Accounts accounts;
    private final AccountStore store;

    public Memberships(Accounts accounts) {
        this.accounts = accounts;
        this.store = accounts.store();
    }

    /**
     * An invitation just made: the link's token is in it, once.
     *
     * @param url     the console's page for accepting it
     * @param emailed true when the hub mailed the link
     */
    public record Invited(Invitation invitation, IssuedLink link, String url, boolean emailed) {
        @Override
        public String toString() {
            return "Invited[" + invitation + ", emailed=" + emailed + "]";
        }
    }

    /** Called with (tenant, user) after a member is removed, e.g. to put their conversations back in the queue. */
    public void onMemberRemoved(java.util.function.BiConsumer<String, String> listener) {
        this.memberRemovedListener = listener;
    }

    private volatile java.util.function.BiConsumer<String, String> memberRemovedListener = (t, u) -> { };

    // ---------------------------------------------------------------------------------------------- members

    public List<Member> members(String tenantId) {
        return members(accounts.database().execute(), tenantId);
    }

    /** The members as the caller's transaction sees them. */
    public List<Member> members(io.helidon.dbclient.DbExecute exec, String tenantId) {
        return store.members(exec, tenantId, accounts.now().minus(Accounts.ONLINE_WINDOW));
    }

    /** A team's member ids as the caller's transaction sees them; none when the team is gone. */
    public List<String> teamMemberIds(io.helidon.dbclient.DbExecute exec, String tenantId, String teamId) {
        return store.team(exec, tenantId, teamId).map(Team::memberIds).orElse(List.of());
    }

    public Member member(String tenantId, String userId) {
        return store.member(accounts.database().execute(), tenantId, userId,
                        accounts.now().minus(Accounts.ONLINE_WINDOW))
                .orElseThrow(() -> new ClawlessException.NotFound("no member " + userId));
    }

    /** Changes a member's role or capacity; the last owner cannot stop being one. */
    public Member update(Actor actor, String tenantId, String userId, Optional<Role> role, Optional<Integer> capacity) {
        capacity.filter(c -> c < 0 || c > 1000).ifPresent(c -> {
            throw ClawlessException.Validation.of("capacity", "must be 0-1000");
        });
        Member before = member(tenantId, userId);
        accounts.database().inTransaction(tx -> {
            if (before.role() == Role.OWNER && role.isPresent() && role.get() != Role.OWNER
                    && store.owners(tx, tenantId) <= 1) {
                throw new ClawlessException.Conflict("a tenant needs an owner: make someone else owner first");
            }
            store.updateMember(tx, tenantId, userId, role, capacity);
            if (role.isPresent() && role.get() != before.role()) {
                accounts.audit().record(tx, actor, Optional.of(tenantId), "member.role_changed", Optional.of(userId),
                        Map.of("from", before.role().wire(), "to", role.get().wire()));
            }
            return null;
        });
        return member(tenantId, userId);
    }

    /** Removes a member: their sessions lose the tenant at once; the last owner cannot go. */
    public void remove(Actor actor, String tenantId, String userId) {
        Member before = member(tenantId, userId);
        accounts.database().inTransaction(tx -> {
            if (before.role() == Role.OWNER && store.owners(tx, tenantId) <= 1) {
                throw new ClawlessException.Conflict("a tenant needs an owner: make someone else owner first");
            }
            store.deleteMember(tx, tenantId, userId);
            if (store.memberships(tx, userId).isEmpty() && !before.user().platformAdmin()) {
                // a member of nothing any more: signed out everywhere at once
                store.revokeSessions(tx, userId, Optional.empty(), accounts.now());
            }
            accounts.audit().record(tx, actor, Optional.of(tenantId), "member.removed", Optional.of(userId),
                    Map.of("role", before.role().wire()));
            return null;
        });
        memberRemovedListener.accept(tenantId, userId);
    }

    /** Makes a person a member directly (a platform admin creating a tenant's first owner, say). */
    public void add(Actor actor, String tenantId, String userId, Role role) {
        accounts.database().inTransaction(tx -> {
            if (store.upsertMembership(tx, tenantId, userId, role, accounts.now())) {
                accounts.audit().record(tx, actor, Optional.of(tenantId), "member.added", Optional.of(userId),
                        Map.of("role", role.wire()));
            }
            return null;
        });
    }

    public boolean requireTotp(String tenantId) {
        return store.requireTotp(accounts.database().execute(), tenantId);
    }

    public void requireTotp(Actor actor, String tenantId, boolean required) {
        accounts.database().inTransaction(tx -> {
            store.requireTotp(tx, tenantId, required);
            accounts.audit().record(tx, actor, Optional.of(tenantId), "tenant.totp_required", Optional.of(tenantId),
                    Map.of("required", String.valueOf(required)));
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------- invitations

    /** Invites an address to the tenant with a role: the link is in the answer (once) and mailed when possible. */
    public Invited invite(Actor actor, String tenantId, String email, Role role) {
        String address = Accounts.normalize(email);
        List<FieldError> errors = new ArrayList<>();
        Accounts.checkEmail(address, errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        String tenantName = store.tenantName(accounts.database().execute(), tenantId)
                .orElseThrow(() -> new ClawlessException.NotFound("no tenant " + tenantId));
        Optional<AccountStore.Credentials> existing = store.credentialsByEmail(accounts.database().execute(), address);
        if (existing.isPresent() && store.role(accounts.database().execute(), tenantId, existing.get().user().id())
                .isPresent()) {
            throw new ClawlessException.Conflict(address + " is a member already");
        }
        Instant now = accounts.now();
        String token = Secrets.randomBase62(40);
        AccountStore.Link link = new AccountStore.Link(accounts.ids().next("lnk"), "invite", Optional.of(address),
                Optional.of(tenantId), Optional.of(role), Optional.empty(), actor.id(), now,
                now.plus(accounts.settings().invitationLifetime()), Optional.empty(), Optional.empty());
        accounts.database().inTransaction(tx -> {
            store.insertLink(tx, link, Secrets.sha256Hex(token));
            accounts.audit().record(tx, actor, Optional.of(tenantId), "member.invited", Optional.of(link.id()),
                    Map.of("email", address, "role", role.wire()));
            return null;
        });
        String url = accounts.consoleUrl().get() + "#/invite/" + token;
        boolean emailed = accounts.mailer().send(address, "You are invited to " + tenantName + " on Clawless",
                "You are invited to join " + tenantName + " on Clawless as " + role.wire() + ".\n\nOpen this link"
                        + " within " + accounts.settings().invitationLifetime().toDays() + " days to accept:\n" + url
                        + "\n");
        if (!emailed) {
            LOG.fine(() -> "invitation " + link.id() + " not mailed (no SMTP settings); the inviter has the link");
        }
        Invitation invitation = new Invitation(link.id(), tenantId, tenantName, address, role, link.expiresAt(), now);
        return new Invited(invitation, new IssuedLink(link.id(), token, link.expiresAt()), url, emailed);
    }

    public List<Invitation> invitations(String tenantId) {
        return store.pendingInvitations(accounts.database().execute(), tenantId, accounts.now());
    }

    public void revokeInvitation(Actor actor, String tenantId, String invitationId) {
        Instant now = accounts.now();
        accounts.database().inTransaction(tx -> {
            AccountStore.Link link = store.link(tx, tenantId, invitationId).filter(l -> l.kind().equals("invite"))
                    .orElseThrow(() -> new ClawlessException.NotFound("no invitation " + invitationId));
            if (!store.revokeLink(tx, tenantId, link.id(), now)) {
                throw new ClawlessException.Conflict("the invitation was accepted or withdrawn already");
            }
            accounts.audit().record(tx, actor, Optional.of(tenantId), "member.invitation_revoked",
                    Optional.of(link.id()), Map.of());
            return null;
        });
    }

    /** What an invitation link offers; 410 when used, withdrawn or expired. */
    public Invitation invitation(String token) {
        return accounts.database().inTransaction(tx -> {
            AccountStore.Link link = accounts.usableLink(tx, token, "invite");
            String tenantId = link.tenantId().orElseThrow();
            return new Invitation(link.id(), tenantId, store.tenantName(tx, tenantId).orElse(""),
                    link.email().orElseThrow(), link.role().orElseThrow(), link.expiresAt(), link.createdAt());
        });
    }

    /**
     * Accepts an invitation as a new person: creates the account with the address the invitation names and signs
     * them in. The link is checked before the password is hashed.
     *
     * @throws ClawlessException.Conflict when the address has an account: its owner signs in, then accepts
     */
    public SignedIn acceptAsNew(String token, String displayName, String password, Optional<String> locale,
                                Accounts.Client client) {
        Invitation invitation = invitation(token);
        List<FieldError> errors = new ArrayList<>();
        Accounts.checkName(displayName, errors);
        Accounts.checkPassword(password, "password", errors);
        locale.filter(l -> !Accounts.LOCALES.contains(l)).ifPresent(l -> errors.add(new FieldError("locale",
                "must be one of " + Accounts.LOCALES)));
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        if (store.credentialsByEmail(accounts.database().execute(), invitation.email()).isPresent()) {
            throw new ClawlessException.Conflict(HAS_ACCOUNT);
        }
        Instant now = accounts.now();
        User user = new User(accounts.ids().next("usr"), invitation.email(), displayName.strip(), locale.orElse("en"),
                false, false, "online", Optional.empty(), now);
        String hash = Passwords.hash(password);
        try {
            accounts.database().inTransaction(tx -> {
                AccountStore.Link link = accounts.usableLink(tx, token, "invite");
                if (!store.useLink(tx, link.id(), now)) {
                    throw new ClawlessException.Gone("this link was used already");
                }
                if (store.credentialsByEmail(tx, invitation.email()).isPresent()) {
                    throw new ClawlessException.Conflict(HAS_ACCOUNT);
                }
                store.insertUser(tx, user, Optional.of(hash));
                accounts.audit().record(tx, new Actor(user.id(), client.requestId()), Optional.empty(),
                        "account.created", Optional.of(user.id()), Map.of("via", "invitation"));
                join(tx, link, invitation, user, client);
                return null;
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) { // another acceptance made the account a moment before
                throw new ClawlessException.Conflict(HAS_ACCOUNT);
            }
            throw e;
        }
        return accounts.signIn(user, client, "invitation");
    }

    /**
     * Accepts an invitation as the signed-in person, whose address it must name: someone with an account signs in
     * the usual way (password, second factor, lockout) before joining another tenant.
     *
     * @throws ClawlessException.Forbidden when the invitation is for another address
     */
    public void acceptAsSignedIn(String token, User user, Accounts.Client client) {
        Invitation invitation = invitation(token);
        if (!invitation.email().equalsIgnoreCase(user.email())) {
            throw new ClawlessException.Forbidden("other-address", "this invitation is for another address; sign"
                    + " out, then open it again");
        }
        Instant now = accounts.now();
        accounts.database().inTransaction(tx -> {
            AccountStore.Link link = accounts.usableLink(tx, token, "invite");
            if (!store.useLink(tx, link.id(), now)) {
                throw new ClawlessException.Gone("this link was used already");
            }
            join(tx, link, invitation, user, client);
            return null;
        });
    }

    /** Makes the person a member with the invitation's role; a member already keeps the role they have. */
    private void join(io.helidon.dbclient.DbExecute tx, AccountStore.Link link, Invitation invitation, User user,
                      Accounts.Client client) {
        if (store.role(tx, invitation.tenantId(), user.id()).isPresent()) {
            return;
        }
        store.upsertMembership(tx, invitation.tenantId(), user.id(), invitation.role(), accounts.now());
        accounts.audit().record(tx, new Actor(user.id(), client.requestId()), Optional.of(invitation.tenantId()),
                "member.joined", Optional.of(user.id()), Map.of("role", invitation.role().wire(),
                        "invitation", link.id()));
    }

    // ---------------------------------------------------------------------------------------------- teams

    public List<Team> teams(String tenantId) {
        return store.teams(accounts.database().execute(), tenantId);
    }

    public Team team(String tenantId, String teamId) {
        return store.team(accounts.database().execute(), tenantId, teamId)
                .orElseThrow(() -> new ClawlessException.NotFound("no team " + teamId));
    }

    /** Creates a team; a name another team of the tenant has (in any case) is 409. */
    public Team createTeam(Actor actor, String tenantId, String name, List<String> memberIds) {
        List<String> members = distinct(memberIds);
        checkTeam(tenantId, Optional.of(name), members);
        Team team = new Team(accounts.ids().next("tm"), tenantId, name.strip(), members, accounts.now());
        accounts.database().inTransaction(tx -> {
            requireFreeName(tx, tenantId, Optional.empty(), team.name());
            store.insertTeam(tx, team);
            accounts.audit().record(tx, actor, Optional.of(tenantId), "team.created", Optional.of(team.id()),
                    Map.of("name", team.name()));
            return null;
        });
        return team(tenantId, team.id());
    }

    public Team updateTeam(Actor actor, String tenantId, String teamId, Optional<String> name,
                           Optional<List<String>> memberIds) {
        team(tenantId, teamId);
        Optional<List<String>> members = memberIds.map(Memberships::distinct);
        checkTeam(tenantId, name, members.orElse(List.of()));
        accounts.database().inTransaction(tx -> {
            if (name.isPresent()) {
                requireFreeName(tx, tenantId, Optional.of(teamId), name.get().strip());
                store.renameTeam(tx, tenantId, teamId, name.get().strip());
            }
            members.ifPresent(ids -> store.setTeamMembers(tx, teamId, ids));
            accounts.audit().record(tx, actor, Optional.of(tenantId), "team.updated", Optional.of(teamId), Map.of());
            return null;
        });
        return team(tenantId, teamId);
    }

    public void deleteTeam(Actor actor, String tenantId, String teamId) {
        accounts.database().inTransaction(tx -> {
            if (!store.deleteTeam(tx, tenantId, teamId)) {
                throw new ClawlessException.NotFound("no team " + teamId);
            }
            accounts.audit().record(tx, actor, Optional.of(tenantId), "team.deleted", Optional.of(teamId), Map.of());
            return null;
        });
    }

    /** Each id once, in the order first given. */
    private static List<String> distinct(List<String> ids) {
        return List.copyOf(new java.util.LinkedHashSet<>(ids));
    }

    /**
     * 409 when another team of the tenant has the name (in any case). The tenant's team-names lock is taken first,
     * so two requests naming teams at once are judged one after the other.
     */
    private void requireFreeName(io.helidon.dbclient.DbExecute tx, String tenantId, Optional<String> self,
                                 String name) {
        dev.clawless.core.store.TenantLocks.lock(tx, tenantId, "team-names");
        if (store.teams(tx, tenantId).stream().anyMatch(t -> t.name().equalsIgnoreCase(name)
                && !Optional.of(t.id()).equals(self))) {
            throw new ClawlessException.Conflict("a team named " + name + " exists");
        }
    }

    private void checkTeam(String tenantId, Optional<String> name, List<String> memberIds) {
        List<FieldError> errors = new ArrayList<>();
        name.filter(n -> n.isBlank() || n.strip().length() > 100).ifPresent(n -> errors.add(
                new FieldError("name", "must be 1-100 characters")));
        if (memberIds.size() > 500) {
            errors.add(new FieldError("member_ids", "must have at most 500 members"));
        }
        List<String> members = members(tenantId).stream().map(m -> m.user().id()).toList();
        for (int i = 0; i < memberIds.size(); i++) {
            if (!members.contains(memberIds.get(i))) {
                errors.add(new FieldError("member_ids[" + i + "]", "is not a member of this tenant"));
            }
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
    }
}
