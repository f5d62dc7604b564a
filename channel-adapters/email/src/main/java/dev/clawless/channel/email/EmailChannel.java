package dev.clawless.channel.email;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.Poll;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.Signatures;

/**
 * E-mail: an IMAP mailbox polled per connection (waiting with IDLE where the server has it), fetched mail marked
 * seen (and moved to {@code processed_folder} when set) only after the hub stored it; or inbound-parse webhooks of
 * providers that POST the raw MIME message (SendGrid raw mode {@code email}, Mailgun {@code body-mime}). One
 * conversation per thread: the first of {@code References}, else {@code In-Reply-To}, else the message's own
 * {@code Message-ID}; a reply without those headers falls back to its subject and sender. Quoted history and
 * signatures are stripped, HTML becomes text, auto-replies and bounces are ignored (no mail loops), and replies go
 * out over SMTP with {@code In-Reply-To}/{@code References} so mail clients keep the thread.
 */
public final class EmailChannel implements ChannelExtension {

    public static final String TYPE = "email";
    private static final int MAX_BATCH = 50;
    private static final String SCHEMA = """
            {"type": "object", "additionalProperties": false, "required": ["address"],
             "properties": {
               "mode": {"type": "string", "enum": ["imap", "webhook"], "default": "imap"},
               "address": {"type": "string", "maxLength": 254, "pattern": "^[^@\\\\s]+@[^@\\\\s]+$",
                           "description": "the mailbox's address: replies come from it, mail from it is ignored"},
               "imap_host": {"type": "string", "maxLength": 255}, "imap_port": {"type": "integer", "minimum": 1,
                             "maximum": 65535},
               "smtp_host": {"type": "string", "maxLength": 255}, "smtp_port": {"type": "integer", "minimum": 1,
                             "maximum": 65535},
               "tls": {"type": "string", "enum": ["none", "starttls", "ssl"], "default": "ssl"},
               "folder": {"type": "string", "maxLength": 200, "default": "INBOX"},
               "processed_folder": {"type": "string", "maxLength": 200,
                                    "description": "move handled mail here (else it is only marked seen)"},
               "api_base_url": {"type": "string", "format": "uri", "description": "unused"}
             }}""";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema(SCHEMA, List.of(), List.of("username", "password", "webhook_secret"));
    }

    @Override
    public int maxTextLength() {
        return 100_000;
    }

    private static boolean imap(ChannelConnection c) {
        return c.config("mode").orElse("imap").equals("imap");
    }

    @Override
    public void connect(ChannelConnection c) {
        if (imap(c)) {
            if (c.config("imap_host").isEmpty() || c.config("smtp_host").isEmpty()) {
                throw new ChannelException.Malformed("imap mode needs config.imap_host and config.smtp_host", null);
            }
        } else if (c.secret("webhook_secret").isEmpty()) {
            throw new ChannelException.Malformed("webhook mode needs the secret webhook_secret", null);
        }
    }

    // ---------------------------------------------------------------------------------------------- IMAP

    @Override
    public boolean polls(ChannelConnection c) {
        return imap(c);
    }

    @Override
    public Poll poll(ChannelConnection c, Optional<String> cursor, Duration maxWait) {
        try (Store store = openStore(c)) {
            IMAPFolder folder = (IMAPFolder) store.getFolder(c.config("folder").orElse("INBOX"));
            folder.open(Folder.READ_WRITE);
            try {
                long validity = folder.getUIDValidity();
                long last = cursor.filter(s -> s.startsWith(validity + ":"))
                        .map(s -> Long.parseLong(s.substring(s.indexOf(':') + 1))).orElse(0L);
                List<Message> fresh = newer(folder, last);
                long floor = last;
                if (cursor.isEmpty()) {
                    // a mailbox connected with history: answer only what is unread and from the last day
                    java.util.Date since = java.util.Date.from(Instant.now().minus(Duration.ofDays(1)));
                    List<Message> recent = new ArrayList<>();
                    for (Message m : fresh) {
                        java.util.Date received = m.getReceivedDate() != null ? m.getReceivedDate() : m.getSentDate();
                        if (!m.isSet(Flags.Flag.SEEN) && (received == null || received.after(since))) {
                            recent.add(m);
                        }
                    }
                    if (!fresh.isEmpty()) {
                        floor = folder.getUID(fresh.get(fresh.size() - 1)); // skipped mail is not fetched again
                    }
                    fresh = recent;
                }
                if (fresh.isEmpty() && ((IMAPStore) store).hasCapability("IDLE") && !maxWait.isZero()) {
                    idle(folder, maxWait);
                    fresh = newer(folder, last);
                }
                List<InboundEvent> events = new ArrayList<>();
                List<String> receipts = new ArrayList<>();
                long next = last;
                for (Message m : fresh.subList(0, Math.min(MAX_BATCH, fresh.size()))) {
                    long uid = folder.getUID(m);
                    next = Math.max(next, uid);
                    receipts.add(String.valueOf(uid));
                    try {
                        read((MimeMessage) m, c).ifPresent(events::add);
                    } catch (ChannelException.Malformed unreadable) {
                        // a mail we cannot read is skipped (and still acknowledged), never retried forever
                    }
                }
                if (fresh.size() <= MAX_BATCH) {
                    next = Math.max(next, floor);
                }
                return new Poll(events, next == last ? Optional.empty() : Optional.of(validity + ":" + next),
                        receipts);
            } finally {
                folder.close(false);
            }
        } catch (MessagingException e) {
            throw new ChannelException.SendFailed("IMAP: " + e.getMessage(), 0, true, Optional.empty(),
                    Optional.empty(), e);
        }
    }

    private static Store openStore(ChannelConnection c) throws MessagingException {
        Store store = session(c).getStore(c.config("tls").orElse("ssl").equals("ssl") ? "imaps" : "imap");
        store.connect(c.config("imap_host").orElseThrow(), port(c, "imap_port", 993, 143),
                c.secret("username").orElse(c.config("address").orElseThrow()), c.secret("password").orElse(""));
        return store;
    }

    private static List<Message> newer(IMAPFolder folder, long last) throws MessagingException {
        List<Message> out = new ArrayList<>();
        for (Message m : folder.getMessagesByUID(last + 1, UIDFolder.LASTUID)) {
            if (m != null && folder.getUID(m) > last) {
                out.add(m);
            }
        }
        return out;
    }

    /** IDLE until mail arrives or {@code maxWait} passes (a NOOP from another thread ends the IDLE). */
    private static void idle(IMAPFolder folder, Duration maxWait) {
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(maxWait);
                folder.getMessageCount();
            } catch (InterruptedException | MessagingException | IllegalStateException e) {
                // woken by mail, or the folder closed: nothing to do
            }
        });
        try {
            folder.idle(true);
        } catch (MessagingException | IllegalStateException e) {
            // the server ended the IDLE; the caller looks for mail again
        } finally {
            watchdog.interrupt();
        }
    }

    @Override
    public void acknowledge(ChannelConnection c, Poll poll) {
        if (poll.receipts().isEmpty()) {
            return;
        }
        try (Store store = openStore(c)) {
            IMAPFolder folder = (IMAPFolder) store.getFolder(c.config("folder").orElse("INBOX"));
            folder.open(Folder.READ_WRITE);
            try {
                long[] uids = poll.receipts().stream().mapToLong(Long::parseLong).toArray();
                Message[] done = Arrays.stream(folder.getMessagesByUID(uids)).filter(m -> m != null)
                        .toArray(Message[]::new);
                folder.setFlags(done, new Flags(Flags.Flag.SEEN), true);
                Optional<String> target = c.config("processed_folder");
                if (target.isPresent() && done.length > 0) {
                    Folder processed = store.getFolder(target.get());
                    if (!processed.exists()) {
                        processed.create(Folder.HOLDS_MESSAGES);
                    }
                    folder.moveMessages(done, processed);
                }
            } finally {
                folder.close(true);
            }
        } catch (MessagingException e) {
            throw new ChannelException.SendFailed("IMAP: " + e.getMessage(), 0, true, Optional.empty(),
                    Optional.empty(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------- webhooks

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        String secret = c.secret("webhook_secret").orElseThrow(() -> new ChannelException.Unverified(
                "this connection takes no webhooks (set webhook_secret and mode webhook)"));
        Optional<String> key = request.queryParam("key");
        if (key.isPresent()) {
            if (!Signatures.constantTimeEquals(secret, key.get())) {
                throw new ChannelException.Unverified("the key does not match");
            }
            return;
        }
        Map<String, String> fields = formFields(request, false);
        String timestamp = fields.getOrDefault("timestamp", "");
        String token = fields.getOrDefault("token", "");
        String signature = fields.getOrDefault("signature", "");
        if (!timestamp.matches("[0-9]{9,12}") || token.length() < 20 || token.length() > 200) {
            throw new ChannelException.Unverified("sign with Mailgun's timestamp/token/signature, or append ?key=");
        }
        if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            throw new ChannelException.Unverified("the signature is older than 5 minutes (a replay?)");
        }
        if (!Signatures.constantTimeEquals(Signatures.hmacSha256Hex(secret,
                (timestamp + token).getBytes(StandardCharsets.UTF_8)), signature)) {
            throw new ChannelException.Unverified("the Mailgun signature does not match");
        }
    }

    /**
     * Mailgun signs timestamp and token, not the body: the hub accepts a token once (on every node, across restarts),
     * so a captured signature cannot carry another body within its five minutes.
     */
    @Override
    public Optional<ReplayKey> replayKey(InboundRequest request, ChannelConnection c) {
        if (request.queryParam("key").isPresent()) {
            return Optional.empty();
        }
        String token = formFields(request, false).getOrDefault("token", "");
        return token.isEmpty() ? Optional.empty() : Optional.of(new ReplayKey("mailgun:" + token,
                Duration.ofMinutes(10)));
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        Map<String, String> fields = formFields(request, true);
        String raw = fields.containsKey("email") ? fields.get("email") : fields.get("body-mime");
        if (raw == null || raw.isBlank()) {
            throw new ChannelException.Malformed("post the raw MIME message as 'email' (SendGrid raw mode) or "
                    + "'body-mime' (Mailgun)", null);
        }
        try {
            MimeMessage m = new MimeMessage(session(c), new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
            return read(m, c).<List<InboundEvent>>map(List::of).orElse(List.of());
        } catch (MessagingException e) {
            throw new ChannelException.Malformed("not a MIME message", e);
        }
    }

    /** The text fields of a multipart/form-data body (files are left out unless they are the raw message). */
    private static Map<String, String> formFields(InboundRequest request, boolean withRaw) {
        String type = request.header("Content-Type").orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new ChannelException.Malformed("inbound-parse webhooks are multipart/form-data", null);
        }
        Map<String, String> out = new LinkedHashMap<>();
        try {
            String boundary = new jakarta.mail.internet.ContentType(type).getParameter("boundary");
            String tail = new String(request.body(), Math.max(0, request.body().length - 200),
                    Math.min(200, request.body().length), StandardCharsets.ISO_8859_1).stripTrailing();
            if (boundary == null || !tail.endsWith("--" + boundary + "--")) {
                throw new ChannelException.Malformed("the multipart body is cut short (no closing boundary)", null);
            }
            MimeMultipart multipart = new MimeMultipart(new ByteArrayDataSource(request.body(), type));
            int count = multipart.getCount();
            if (count > 200) {
                throw new ChannelException.Malformed("too many form fields", null);
            }
            for (int i = 0; i < count; i++) {
                BodyPart part = multipart.getBodyPart(i);
                String[] dispositions = part.getHeader("Content-Disposition");
                String disposition = dispositions == null || dispositions.length == 0 ? null : dispositions[0];
                String name = disposition == null ? null
                        : new jakarta.mail.internet.ContentDisposition(disposition).getParameter("name");
                if (name == null || (!withRaw && (name.equals("email") || name.equals("body-mime")))) {
                    continue;
                }
                try (InputStream in = part.getInputStream()) {
                    out.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (MessagingException | IOException e) {
            throw new ChannelException.Malformed("an unreadable multipart body", e);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- reading

    /** A mail as an inbound message; empty for our own mail, auto-replies and bounces. */
    static Optional<InboundMessage> read(MimeMessage m, ChannelConnection c) {
        try {
            Address[] from = m.getFrom();
            if (from == null || from.length == 0 || !(from[0] instanceof InternetAddress sender)
                    || sender.getAddress() == null || !sender.getAddress().contains("@")) {
                throw new ChannelException.Malformed("a mail without a From address", null);
            }
            String address = sender.getAddress().toLowerCase(Locale.ROOT);
            String ours = c.config("address").orElse("").toLowerCase(Locale.ROOT);
            String auto = Optional.ofNullable(m.getHeader("Auto-Submitted", null)).orElse("no").strip();
            if (address.equals(ours) || !auto.equalsIgnoreCase("no") || m.isMimeType("multipart/report")
                    || address.startsWith("mailer-daemon@") || address.startsWith("postmaster@")
                    || m.getHeader("X-Autoreply") != null) {
                return Optional.empty();
            }
            String messageId = Optional.ofNullable(m.getMessageID()).map(String::strip).filter(id -> !id.isEmpty())
                    .orElseThrow(() -> new ChannelException.Malformed("a mail without a Message-ID", null));
            if (messageId.length() > 250) {
                throw new ChannelException.Malformed("a Message-ID longer than 250 characters", null);
            }
            List<String> references = ids(m.getHeader("References", " "));
            List<String> inReplyTo = ids(m.getHeader("In-Reply-To", " "));
            String subject = Optional.ofNullable(m.getSubject()).orElse("").strip();
            String thread;
            if (!references.isEmpty()) {
                thread = references.get(0);
            } else if (!inReplyTo.isEmpty()) {
                thread = inReplyTo.get(0);
            } else if (subject.matches("(?i)^(re|aw|sv|antw|fwd?|wg)\\s*:.*")) {
                thread = "subject:" + normalized(subject) + "|" + address;
            } else {
                thread = messageId;
            }
            Body body = new Body();
            body.walk(m, 0);
            String text = body.plain != null ? body.plain : body.html != null ? MailText.htmlToText(body.html) : "";
            text = MailText.stripQuotesAndSignature(text);
            if (text.length() > 100_000) {
                text = text.substring(0, 100_000);
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("email.from", address);
            meta.put("contact.verified", "email:" + address);
            meta.put("email.subject", subject.length() > 500 ? subject.substring(0, 500) : subject);
            meta.put("email.message_id", messageId);
            meta.put("email.references", String.join(" ", references.isEmpty() ? List.of(thread.startsWith("<")
                    ? thread : messageId) : references));
            Instant sent = m.getSentDate() == null ? Instant.now() : m.getSentDate().toInstant();
            return Optional.of(new InboundMessage(TYPE, c.id(), messageId, thread,
                    new Participant(address, Optional.ofNullable(sender.getPersonal()).filter(p -> !p.isBlank()),
                            Optional.empty()),
                    subject.isEmpty() || !references.isEmpty() || !inReplyTo.isEmpty() ? text
                            : (subject + "\n\n" + text).strip(),
                    body.attachments, sent, ChatType.DIRECT,
                    inReplyTo.isEmpty() ? Optional.empty() : Optional.of(inReplyTo.get(inReplyTo.size() - 1)),
                    false, meta));
        } catch (MessagingException | IOException | RuntimeException e) {
            if (e instanceof ChannelException ce) {
                throw ce;
            }
            throw new ChannelException.Malformed("an unreadable mail: " + e.getClass().getSimpleName(), e);
        }
    }

    private static List<String> ids(String header) {
        if (header == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : header.trim().split("\\s+")) {
            if (s.startsWith("<") && s.endsWith(">") && s.length() <= 250) {
                out.add(s);
            }
        }
        return out.size() > 100 ? out.subList(out.size() - 100, out.size()) : out;
    }

    private static String normalized(String subject) {
        return subject.replaceAll("(?i)^((re|aw|sv|antw|fwd?|wg)\\s*:\\s*)+", "").strip().toLowerCase(Locale.ROOT);
    }

    /** The text, HTML and attachments of a MIME tree. */
    private static final class Body {
        String plain;
        String html;
        final List<Attachment> attachments = new ArrayList<>();

        void walk(Part p, int depth) throws MessagingException, IOException {
            if (depth > 10) {
                return;
            }
            String disposition = p.getDisposition();
            String fileName = p.getFileName() == null ? null : MimeUtility.decodeText(p.getFileName());
            if (p.isMimeType("multipart/*")) {
                Multipart mp = (Multipart) p.getContent();
                for (int i = 0; i < Math.min(mp.getCount(), 100); i++) {
                    walk(mp.getBodyPart(i), depth + 1);
                }
            } else if (Part.ATTACHMENT.equalsIgnoreCase(disposition) || fileName != null) {
                if (attachments.size() >= 100) {
                    return; // the rest is not listed: the hub keeps at most 100 attachments of a message
                }
                long size;
                try (InputStream in = p.getInputStream()) {
                    size = in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                String type = p.getContentType() == null ? "application/octet-stream"
                        : p.getContentType().split(";")[0].strip().toLowerCase(Locale.ROOT);
                attachments.add(new Attachment(type.startsWith("image/") ? Attachment.Kind.IMAGE
                        : Attachment.Kind.FILE, Optional.empty(), Optional.of(type), Optional.ofNullable(fileName),
                        OptionalLong.of(size), Optional.empty()));
            } else if (p.isMimeType("text/plain") && plain == null) {
                plain = String.valueOf(p.getContent());
            } else if (p.isMimeType("text/html") && html == null) {
                html = String.valueOf(p.getContent());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- sending

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        String to = message.metadata().getOrDefault("email.to", message.metadata().get("reply_to.email.from"));
        if (to == null) {
            throw new ChannelException.SendFailed("no address to reply to in this conversation", 0, false,
                    Optional.empty(), Optional.empty(), null);
        }
        if (c.config("smtp_host").isEmpty()) {
            // a webhook-only connection receives mail; retrying cannot make it send
            throw new ChannelException.SendFailed("this connection has no config.smtp_host, so it cannot send replies",
                    0, false, Optional.empty(), Optional.of("no_smtp"), null);
        }
        Session session = session(c);
        String ours = c.config("address").orElseThrow();
        boolean opensThread = message.metadata().containsKey("email.to") && message.replyToExternalId().isEmpty()
                && message.externalThreadKey().startsWith("<thread-");
        String messageId = opensThread ? message.externalThreadKey() : "<" + message.messageId() + "." + c.id() + "@"
                + ours.substring(ours.indexOf('@') + 1) + ">";
        try {
            MimeMessage mail = new MimeMessage(session) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    setHeader("Message-ID", messageId);
                }
            };
            mail.setFrom(new InternetAddress(ours));
            mail.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to, true));
            String subject = message.metadata().getOrDefault("reply_to.email.subject", "");
            mail.setSubject(message.metadata().containsKey("email.subject") ? message.metadata().get("email.subject")
                    : subject.matches("(?i)^re\\s*:.*") ? subject : ("Re: " + subject).strip(), "UTF-8");
            message.replyToExternalId().filter(id -> id.startsWith("<")).ifPresent(id -> {
                try {
                    mail.setHeader("In-Reply-To", id);
                    String refs = message.metadata().getOrDefault("reply_to.email.references", "");
                    mail.setHeader("References", MimeUtility.fold(12, (refs.contains(id) ? refs : (refs + " " + id))
                            .strip()));
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            });
            mail.setHeader("Auto-Submitted", "auto-replied");
            mail.setText(message.text(), "UTF-8");
            mail.saveChanges();
            try (Transport transport = session.getTransport(c.config("tls").orElse("ssl").equals("ssl") ? "smtps"
                    : "smtp")) {
                transport.connect(c.config("smtp_host").orElseThrow(), port(c, "smtp_port", 465, 587),
                        c.secret("username").orElse(null), c.secret("password").orElse(null));
                transport.sendMessage(mail, mail.getAllRecipients());
            }
            return new SendResult(List.of(messageId), DeliveryStatus.SENT);
        } catch (jakarta.mail.AuthenticationFailedException e) {
            throw new ChannelException.SendFailed("SMTP refused the credentials", 401, false, Optional.empty(),
                    Optional.of("auth"), null);
        } catch (jakarta.mail.SendFailedException e) {
            throw new ChannelException.SendFailed("SMTP refused the recipient: " + e.getMessage(), 550, false,
                    Optional.empty(), Optional.empty(), null);
        } catch (MessagingException e) {
            throw new ChannelException.SendFailed("SMTP: " + e.getMessage(), 0, true, Optional.empty(),
                    Optional.empty(), null);
        }
    }

    @Override
    public NewThread newThread(ChannelConnection c, String address) {
        String to = address.strip().toLowerCase(Locale.ROOT);
        try {
            new InternetAddress(to, true);
        } catch (jakarta.mail.internet.AddressException e) {
            throw new ChannelException.Malformed("not an e-mail address", e);
        }
        if (!to.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new ChannelException.Malformed("not an e-mail address", null);
        }
        String ours = c.config("address").orElse("hub@localhost");
        String root = "<thread-" + java.util.UUID.randomUUID() + "@" + ours.substring(ours.indexOf('@') + 1) + ">";
        return new NewThread(root, new Participant(to, Optional.empty(), Optional.empty()),
                Map.of("email.to", to, "email.subject", "Continuing our conversation"), Optional.of("email:" + to));
    }

    // ---------------------------------------------------------------------------------------------- session

    private static int port(ChannelConnection c, String key, int ssl, int plain) {
        return c.config(key).map(Integer::parseInt)
                .orElse(c.config("tls").orElse("ssl").equals("ssl") ? ssl : plain);
    }

    private static Session session(ChannelConnection c) {
        Properties p = new Properties();
        String tls = c.config("tls").orElse("ssl");
        for (String proto : List.of("imap", "imaps", "smtp", "smtps")) {
            p.put("mail." + proto + ".connectiontimeout", "10000");
            p.put("mail." + proto + ".timeout", "60000");
            p.put("mail." + proto + ".writetimeout", "30000");
        }
        p.put("mail.imap.peek", "true");
        p.put("mail.imaps.peek", "true");
        if (tls.equals("starttls")) {
            p.put("mail.imap.starttls.enable", "true");
            p.put("mail.imap.starttls.required", "true");
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (c.secret("username").isPresent()) {
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtps.auth", "true");
        }
        return Session.getInstance(p);
    }
}
