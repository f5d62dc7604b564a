package dev.clawless.channel.telegram;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.OkHttpClient;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.ActionType;
import org.telegram.telegrambots.meta.api.methods.send.SendChatAction;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.updates.DeleteWebhook;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.methods.updates.SetWebhook;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.ReplyParameters;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.User;
import org.telegram.telegrambots.meta.api.objects.message.MaybeInaccessibleMessage;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.photo.PhotoSize;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

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
 * Telegram bots through the Bot API (telegrambots client). Webhook mode registers {@code setWebhook} with a secret
 * token that every update must carry in {@code X-Telegram-Bot-Api-Secret-Token}; polling mode (local development
 * without a public URL) removes the webhook and long-polls {@code getUpdates}. Messages are keyed
 * {@code <chat id>:<message id>} (Telegram numbers messages per chat), so a re-delivered update is stored once and an
 * {@code edited_message} updates the original. Messages of bots are ignored (Telegram never echoes the bot's own).
 */
public final class TelegramChannel implements ChannelExtension {

    public static final String TYPE = "telegram";
    static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";
    private static final int TEXT_LIMIT = 4096;
    private static final List<String> UPDATES = List.of("message", "edited_message", "callback_query");
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /**
     * The Bot API client's mapper, as the library makes it ({@code new ObjectMapper()}), made once: a client is built
     * per call (its token and server come from the connection), and a fresh mapper learns every method's class again
     * on its first use — measured, that was a third of a busy hub's CPU while it sent replies.
     */
    private static final ObjectMapper CLIENT_JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type": "object", "additionalProperties": false,
             "properties": {
               "mode": {"type": "string", "enum": ["webhook", "polling"], "default": "webhook",
                        "description": "webhook: Telegram posts to the hub (needs a public https URL); polling: the hub long-polls getUpdates"},
               "api_base_url": {"type": "string", "format": "uri", "maxLength": 500,
                                "description": "Bot API server; default https://api.telegram.org"}
             }}""";

    private final OkHttpClient http;
    private final SendLimits limits = new SendLimits();

    public TelegramChannel() {
        this.http = new OkHttpClient.Builder()
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(90, TimeUnit.SECONDS)
                .writeTimeout(30, TimeUnit.SECONDS)
                .build();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema(SCHEMA, List.of("bot_token"), List.of("webhook_secret"));
    }

    @Override
    public int maxTextLength() {
        return TEXT_LIMIT;
    }

    @Override
    public boolean uploadsMedia(ChannelConnection connection) {
        return true;
    }

    private static boolean polling(ChannelConnection c) {
        return c.config("mode").orElse("webhook").equals("polling");
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    @Override
    public void connect(ChannelConnection c) {
        TelegramClient client = client(c, http);
        try {
            if (polling(c)) {
                client.execute(DeleteWebhook.builder().dropPendingUpdates(false).build());
            } else {
                String secret = c.secret("webhook_secret").orElseThrow(() -> new ChannelException.Malformed(
                        "webhook mode needs the secret webhook_secret (1-256 of A-Z a-z 0-9 _ -)", null));
                if (!secret.matches("[A-Za-z0-9_-]{1,256}")) {
                    throw new ChannelException.Malformed("webhook_secret must be 1-256 of A-Z a-z 0-9 _ -", null);
                }
                client.execute(SetWebhook.builder().url(c.webhookUrl()).secretToken(secret)
                        .allowedUpdates(UPDATES).build());
            }
        } catch (TelegramApiException e) {
            throw sendFailed(e, polling(c) ? "deleteWebhook" : "setWebhook");
        }
    }

    @Override
    public void disconnect(ChannelConnection c) {
        if (!polling(c)) {
            try {
                client(c, http).execute(DeleteWebhook.builder().build());
            } catch (TelegramApiException e) {
                throw sendFailed(e, "deleteWebhook");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- inbound

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        String expected = c.secret("webhook_secret").orElseThrow(() -> new ChannelException.Unverified(
                "this connection has no webhook_secret, so it accepts no webhook requests"));
        String given = request.header(SECRET_HEADER).orElseThrow(() -> new ChannelException.Unverified(
                "missing " + SECRET_HEADER));
        if (!Signatures.constantTimeEquals(expected, given)) {
            throw new ChannelException.Unverified(SECRET_HEADER + " does not match");
        }
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        Update update;
        try {
            update = JSON.readValue(request.body(), Update.class);
        } catch (IOException | RuntimeException e) {
            throw new ChannelException.Malformed("not a Telegram Update: " + firstLine(e.getMessage()), e);
        }
        if (update == null || update.getUpdateId() == null) {
            throw new ChannelException.Malformed("not a Telegram Update: no update_id", null);
        }
        return events(update, c).map(List::<InboundEvent>of).orElse(List.of());
    }

    /** The message an update carries, if it is one the hub handles. */
    static Optional<InboundMessage> events(Update update, ChannelConnection c) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("telegram.update_id", String.valueOf(update.getUpdateId()));
        if (update.getMessage() != null) {
            return message(update.getMessage(), false, meta, c);
        }
        if (update.getEditedMessage() != null) {
            return message(update.getEditedMessage(), true, meta, c);
        }
        if (update.getCallbackQuery() != null) {
            return callback(update.getCallbackQuery(), meta, c);
        }
        return Optional.empty(); // my_chat_member, channel posts, polls, …: nothing to answer
    }

    private static Optional<InboundMessage> message(Message m, boolean edited, Map<String, String> meta,
                                                    ChannelConnection c) {
        if (m.getChat() == null || m.getChat().getId() == null || m.getMessageId() == null || m.getFrom() == null
                || m.getFrom().getId() == null) {
            throw new ChannelException.Malformed("a message needs chat.id, message_id and from.id", null);
        }
        withinLimits(m);
        if (Boolean.TRUE.equals(m.getFrom().getIsBot())) {
            return Optional.empty();
        }
        List<Attachment> attachments = attachments(m);
        String text = m.getText() != null ? m.getText() : m.getCaption() != null ? m.getCaption() : "";
        if (text.isEmpty() && attachments.isEmpty()) {
            return Optional.empty(); // service messages: members joined, pinned, title changed
        }
        String chat = String.valueOf(m.getChat().getId());
        String thread = Boolean.TRUE.equals(m.getIsTopicMessage()) && m.getMessageThreadId() != null
                ? chat + ":" + m.getMessageThreadId() : chat;
        Optional<String> replyTo = Optional.ofNullable(m.getReplyToMessage())
                .filter(r -> r.getMessageId() != null
                        && !(Boolean.TRUE.equals(m.getIsTopicMessage())
                        && r.getMessageId().equals(m.getMessageThreadId())))
                .map(r -> chat + ":" + r.getMessageId());
        if (m.getForwardOrigin() != null) {
            meta.put("telegram.forwarded", "true");
        }
        meta.put("telegram.chat_type", String.valueOf(m.getChat().getType()));
        Instant at = Instant.ofEpochSecond(edited && m.getEditDate() != null ? m.getEditDate()
                : m.getDate() == null ? 0 : m.getDate());
        return Optional.of(new InboundMessage(TYPE, c.id(), chat + ":" + m.getMessageId(), thread,
                participant(m.getFrom()), text, attachments, at,
                "private".equals(m.getChat().getType()) ? ChatType.DIRECT : ChatType.GROUP, replyTo, edited, meta));
    }

    private static Optional<InboundMessage> callback(CallbackQuery q, Map<String, String> meta, ChannelConnection c) {
        MaybeInaccessibleMessage origin = q.getMessage();
        if (q.getId() == null || q.getFrom() == null || q.getFrom().getId() == null || origin == null
                || origin.getChatId() == null || q.getData() == null || q.getData().isBlank()) {
            return Optional.empty(); // inline-mode or game callbacks: no chat to answer in
        }
        if (Boolean.TRUE.equals(q.getFrom().getIsBot())) {
            return Optional.empty();
        }
        if (q.getData().length() > 64 || (origin instanceof Message shown && shown.getText() != null
                && shown.getText().length() > TEXT_LIMIT)) {
            throw new ChannelException.Malformed("a callback query longer than Telegram allows", null);
        }
        String chat = String.valueOf(origin.getChatId());
        meta.put("telegram.callback_query", "true");
        return Optional.of(new InboundMessage(TYPE, c.id(), "cb:" + q.getId(), chat, participant(q.getFrom()),
                q.getData(), List.of(), Instant.ofEpochSecond(origin.getDate() == null ? 0 : origin.getDate()),
                origin.getChatId() > 0 ? ChatType.DIRECT : ChatType.GROUP,
                Optional.ofNullable(origin.getMessageId()).map(id -> chat + ":" + id), false, meta));
    }

    /** Telegram caps texts and captions at 4096 characters; anything longer did not come from it. */
    private static void withinLimits(Message m) {
        for (Message x = m; x != null; x = x.getReplyToMessage()) {
            if ((x.getText() != null && x.getText().length() > TEXT_LIMIT)
                    || (x.getCaption() != null && x.getCaption().length() > TEXT_LIMIT)) {
                throw new ChannelException.Malformed("a text longer than Telegram's 4096 characters", null);
            }
        }
    }

    private static Participant participant(User u) {
        String name = ((u.getFirstName() == null ? "" : u.getFirstName()) + " "
                + (u.getLastName() == null ? "" : u.getLastName())).strip();
        return new Participant(String.valueOf(u.getId()), Optional.of(name).filter(n -> !n.isEmpty()),
                Optional.ofNullable(u.getUserName()).map(n -> "@" + n));
    }

    /** Media as metadata: Telegram's {@code file_id}, fetched later through {@code getFile}, never at ingest. */
    private static List<Attachment> attachments(Message m) {
        List<Attachment> out = new ArrayList<>();
        if (m.getPhoto() != null && !m.getPhoto().isEmpty()) {
            PhotoSize largest = m.getPhoto().stream()
                    .max(Comparator.comparingLong(p -> (long) nz(p.getWidth()) * nz(p.getHeight()))).orElseThrow();
            out.add(file(Attachment.Kind.IMAGE, largest.getFileId(), "image/jpeg", null, largest.getFileSize()));
        }
        if (m.getDocument() != null) {
            out.add(file(Attachment.Kind.FILE, m.getDocument().getFileId(), m.getDocument().getMimeType(),
                    m.getDocument().getFileName(), m.getDocument().getFileSize()));
        }
        if (m.getVoice() != null) {
            out.add(file(Attachment.Kind.AUDIO, m.getVoice().getFileId(), m.getVoice().getMimeType(), null,
                    m.getVoice().getFileSize()));
        }
        if (m.getAudio() != null) {
            out.add(file(Attachment.Kind.AUDIO, m.getAudio().getFileId(), m.getAudio().getMimeType(),
                    m.getAudio().getFileName(), m.getAudio().getFileSize()));
        }
        if (m.getVideo() != null) {
            out.add(file(Attachment.Kind.VIDEO, m.getVideo().getFileId(), m.getVideo().getMimeType(),
                    m.getVideo().getFileName(), m.getVideo().getFileSize()));
        }
        if (m.getSticker() != null) {
            out.add(file(Attachment.Kind.STICKER, m.getSticker().getFileId(), null, null,
                    m.getSticker().getFileSize() == null ? null : m.getSticker().getFileSize().longValue()));
        }
        if (m.getLocation() != null && m.getLocation().getLatitude() != null
                && m.getLocation().getLongitude() != null) {
            out.add(new Attachment(Attachment.Kind.LOCATION, Optional.of("geo:" + m.getLocation().getLatitude() + ","
                    + m.getLocation().getLongitude()), Optional.empty(), Optional.empty(), OptionalLong.empty(),
                    Optional.empty()));
        }
        return out;
    }

    private static Attachment file(Attachment.Kind kind, String fileId, String mime, String name, Number size) {
        if (fileId == null || fileId.isBlank()) {
            throw new ChannelException.Malformed("media without a file_id", null);
        }
        return new Attachment(kind, Optional.empty(), Optional.ofNullable(mime), Optional.ofNullable(name),
                size == null ? OptionalLong.empty() : OptionalLong.of(size.longValue()), Optional.of(fileId));
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    // ---------------------------------------------------------------------------------------------- polling

    @Override
    public boolean polls(ChannelConnection c) {
        return polling(c);
    }

    @Override
    public Poll poll(ChannelConnection c, Optional<String> cursor, Duration maxWait) {
        int timeout = (int) Math.max(0, Math.min(50, maxWait.toSeconds()));
        GetUpdates.GetUpdatesBuilder request = GetUpdates.builder().timeout(timeout).limit(100)
                .allowedUpdates(UPDATES);
        cursor.ifPresent(offset -> request.offset(Integer.parseInt(offset)));
        List<Update> updates;
        try {
            updates = client(c, http.newBuilder().readTimeout(timeout + 15L, TimeUnit.SECONDS).build())
                    .execute(request.build());
        } catch (TelegramApiException e) {
            throw sendFailed(e, "getUpdates");
        }
        List<InboundEvent> events = new ArrayList<>();
        long next = cursor.map(Long::parseLong).orElse(0L);
        for (Update u : updates) {
            if (u.getUpdateId() == null) {
                continue;
            }
            next = Math.max(next, u.getUpdateId() + 1L);
            try {
                events(u, c).ifPresent(events::add);
            } catch (ChannelException.Malformed skipped) {
                // an update we cannot read would otherwise block the queue forever
            }
        }
        return new Poll(events, updates.isEmpty() ? Optional.empty() : Optional.of(String.valueOf(next)), List.of());
    }

    // ---------------------------------------------------------------------------------------------- outbound

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        String[] target = message.externalThreadKey().split(":", 2);
        String chat = target[0];
        Optional<Duration> wait = limits.acquire(c.id(), chat, chat.startsWith("-"),
                message.messageId() + "\u0000" + message.text().hashCode(), System.nanoTime());
        if (wait.isPresent()) {
            throw new ChannelException.Throttled("holding back to stay within Telegram's send rate for this chat",
                    wait.get());
        }
        SendMessage.SendMessageBuilder<?, ?> send = SendMessage.builder().chatId(chat).text(message.text());
        if (target.length == 2) {
            send.messageThreadId(Integer.valueOf(target[1]));
        }
        message.replyToExternalId().map(id -> id.substring(id.indexOf(':') + 1)).filter(id -> id.matches("\\d{1,10}"))
                .ifPresent(id -> send.replyParameters(ReplyParameters.builder().messageId(Integer.valueOf(id))
                        .allowSendingWithoutReply(true).build()));
        if (message.text().isBlank() && message.media().isEmpty()) {
            throw new ChannelException.SendFailed("Telegram cannot send an empty text", 400, false, Optional.empty(),
                    Optional.empty(), null);
        }
        TelegramClient client = client(c, http);
        List<String> ids = new ArrayList<>();
        try {
            if (!message.text().isBlank()) {
                ids.add(chat + ":" + client.execute(send.build()).getMessageId());
            }
            // media is uploaded (multipart), never passed as a URL Telegram might not reach
            for (Media m : message.media()) {
                org.telegram.telegrambots.meta.api.objects.InputFile file =
                        new org.telegram.telegrambots.meta.api.objects.InputFile(
                                new java.io.ByteArrayInputStream(m.bytes()), m.fileName());
                Message sent = m.contentType().startsWith("image/") && m.bytes().length <= 10 * 1024 * 1024
                        ? client.execute(org.telegram.telegrambots.meta.api.methods.send.SendPhoto.builder()
                        .chatId(chat).photo(file).build())
                        : client.execute(org.telegram.telegrambots.meta.api.methods.send.SendDocument.builder()
                        .chatId(chat).document(file).build());
                ids.add(chat + ":" + sent.getMessageId());
            }
            return new SendResult(ids, DeliveryStatus.SENT);
        } catch (TelegramApiException e) {
            throw sendFailed(e, "send");
        }
    }

    @Override
    public Media download(ChannelConnection c, Attachment attachment, long maxBytes) {
        String fileId = attachment.externalId().orElseThrow(() -> new ChannelException.Malformed(
                "this attachment has no Telegram file_id", null));
        TelegramClient client = client(c, http);
        try {
            org.telegram.telegrambots.meta.api.objects.File file = client.execute(
                    org.telegram.telegrambots.meta.api.methods.GetFile.builder().fileId(fileId).build());
            if (file.getFileSize() != null && file.getFileSize() > maxBytes) {
                throw new ChannelException.Malformed("the file is larger than " + maxBytes + " bytes", null);
            }
            if (file.getFilePath() == null || file.getFilePath().contains("..")) {
                throw new ChannelException.SendFailed("Telegram gave no file path", 502, true, Optional.empty(),
                        Optional.empty(), null);
            }
            // the client's own download ignores the configured Bot API server, so fetch from it directly
            String base = c.config("api_base_url").orElse("https://api.telegram.org").replaceAll("/+$", "");
            okhttp3.Request get = new okhttp3.Request.Builder().url(base + "/file/bot"
                    + c.secret("bot_token").orElseThrow() + "/" + file.getFilePath()).get().build();
            try (okhttp3.Response response = http.newCall(get).execute();
                 java.io.InputStream in = response.body().byteStream()) {
                if (!response.isSuccessful()) {
                    throw new ChannelException.SendFailed("Telegram file download answered " + response.code(),
                            response.code(), response.code() >= 500, Optional.empty(), Optional.empty(), null);
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw new ChannelException.Malformed("the file is larger than " + maxBytes + " bytes", null);
                }
                return new Media(attachment.mimeType().orElse("application/octet-stream"), bytes);
            }
        } catch (TelegramApiException e) {
            throw sendFailed(e, "getFile");
        } catch (IOException e) {
            throw new ChannelException.SendFailed("Telegram file download failed: " + e.getClass().getSimpleName(),
                    0, true, Optional.empty(), Optional.empty(), null);
        }
    }

    @Override
    public NewThread newThread(ChannelConnection c, String address) {
        if (!address.matches("-?[0-9]{1,20}")) {
            throw new ChannelException.Malformed("a Telegram address is a chat id (bots cannot write to @usernames"
                    + " or phone numbers first)", null);
        }
        return new NewThread(address, Participant.of(address), Map.of(), Optional.empty());
    }

    @Override
    public void typing(ChannelConnection c, String externalThreadKey) {
        String[] target = externalThreadKey.split(":", 2);
        SendChatAction.SendChatActionBuilder<?, ?> action = SendChatAction.builder().chatId(target[0])
                .action(ActionType.TYPING.toString());
        if (target.length == 2) {
            action.messageThreadId(Integer.valueOf(target[1]));
        }
        try {
            client(c, http).execute(action.build());
        } catch (TelegramApiException e) {
            throw sendFailed(e, "sendChatAction");
        }
    }

    // ---------------------------------------------------------------------------------------------- client

    private static TelegramClient client(ChannelConnection c, OkHttpClient http) {
        String token = c.secret("bot_token").orElseThrow(() -> new ChannelException.SendFailed(
                "the connection has no bot_token", 401, false, Optional.empty(), Optional.empty(), null));
        URI base = URI.create(c.config("api_base_url").orElse("https://api.telegram.org"));
        int port = base.getPort() > 0 ? base.getPort() : "http".equals(base.getScheme()) ? 80 : 443;
        return new OkHttpTelegramClient(CLIENT_JSON, http, token, TelegramUrl.builder().schema(base.getScheme())
                .host(base.getHost()).port(port).testServer(false).build());
    }

    /** Maps a Bot API failure: 429 and 5xx (and no answer) are retryable; 4xx refusals are final. */
    static ChannelException.SendFailed sendFailed(TelegramApiException e, String method) {
        if (e instanceof TelegramApiRequestException r && r.getErrorCode() != null && r.getErrorCode() > 0) {
            int code = r.getErrorCode();
            Optional<Duration> retryAfter = Optional.ofNullable(r.getParameters())
                    .map(p -> p.getRetryAfter()).map(Duration::ofSeconds);
            boolean retryable = code == 429 || code >= 500;
            return new ChannelException.SendFailed("Telegram " + method + ": " + r.getApiResponse(), code, retryable,
                    retryAfter, Optional.of(String.valueOf(code)), null);
        }
        return new ChannelException.SendFailed("Telegram " + method + " got no usable answer: "
                + firstLine(e.getCause() != null ? e.getCause().toString() : e.getMessage()), 0, true,
                Optional.empty(), Optional.empty(), null);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
