package dev.clawless.core.account;

import java.util.List;

/**
 * A person who just signed in (or is known by a session cookie).
 *
 * @param user        the account
 * @param session     the browser session
 * @param cookie      the cookie value, {@code <session id>.<secret>}; only in the answer that created the session
 * @param memberships the person's tenants
 */
public record SignedIn(User user, BrowserSession session, String cookie, List<Membership> memberships) {

    public SignedIn {
        memberships = List.copyOf(memberships);
    }

    @Override
    public String toString() {
        return "SignedIn[" + user.id() + ", " + session.id() + ", cookie=****]";
    }
}
