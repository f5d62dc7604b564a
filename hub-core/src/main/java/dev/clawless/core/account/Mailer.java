package dev.clawless.core.account;

/**
 * Sends the hub's own mail (invitations, password resets) through the SMTP settings of the hub, when there are any.
 * Implementations never throw for a refused or unreachable server: they log and answer false.
 */
public interface Mailer {

    /** A mailer for a hub without SMTP settings: nothing is sent. */
    Mailer NONE = (to, subject, text) -> false;

    /** Sends a plain-text mail; true when the server accepted it. */
    boolean send(String to, String subject, String text);
}
