package dev.clawless.server;

import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import dev.clawless.core.account.Mailer;
import dev.clawless.server.config.HubConfig;

/**
 * The hub's own mail (invitations, password resets) over SMTP with Jakarta Mail, with the {@code clawless.mail.*}
 * settings. A refused or unreachable server is logged, never thrown: the console shows the link either way.
 */
final class SmtpMailer implements Mailer {

    private static final Logger LOG = Logger.getLogger(SmtpMailer.class.getName());

    private final HubConfig.MailSettings settings;

    SmtpMailer(HubConfig.MailSettings settings) {
        this.settings = settings;
    }

    @Override
    public boolean send(String to, String subject, String text) {
        Properties p = new Properties();
        String protocol = settings.tls().equals("ssl") ? "smtps" : "smtp";
        p.put("mail.transport.protocol", protocol);
        p.put("mail." + protocol + ".host", settings.host());
        p.put("mail." + protocol + ".port", String.valueOf(settings.port()));
        p.put("mail." + protocol + ".connectiontimeout", "10000");
        p.put("mail." + protocol + ".timeout", "20000");
        p.put("mail." + protocol + ".writetimeout", "20000");
        if (settings.tls().equals("starttls")) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        boolean auth = !settings.username().isEmpty();
        p.put("mail." + protocol + ".auth", String.valueOf(auth));
        Session session = Session.getInstance(p);
        try {
            MimeMessage mail = new MimeMessage(session);
            mail.setFrom(new InternetAddress(settings.from()));
            mail.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
            mail.setSubject(subject, "UTF-8");
            mail.setText(text, "UTF-8");
            try (Transport transport = session.getTransport(protocol)) {
                if (auth) {
                    transport.connect(settings.host(), settings.port(), settings.username(), settings.password());
                } else {
                    transport.connect();
                }
                transport.sendMessage(mail, mail.getAllRecipients());
            }
            return true;
        } catch (MessagingException | RuntimeException e) {
            LOG.log(Level.WARNING, "the hub's mail to " + to.replaceAll("(?<=.).(?=[^@]*@)", "*")
                    + " could not be sent: " + e.getMessage());
            return false;
        }
    }
}
