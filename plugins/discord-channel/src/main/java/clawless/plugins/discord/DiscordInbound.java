package clawless.plugins.discord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.User;
import net.dv8tion.jda.api.entities.channel.ChannelType;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

/**
 * A message the gateway delivered, as the hub's {@link InboundMessage}: direct messages always; in a server's
 * channel only those that mention the bot (or all, with {@code trigger: all}); never a bot's (the bot's own echo
 * included) or a webhook's. The conversation is the channel: {@code dm:<channel>} or {@code ch:<channel>} (a thread
 * is a channel of its own). The bot's mention is taken off the text.
 */
final class DiscordInbound {

    static final int MAX_TEXT = 4000;

    private DiscordInbound() {
    }

    static Optional<InboundMessage> map(Message m, User self, boolean everything, String connectionId,
                                        boolean edited) {
        User author = m.getAuthor();
        if (author.isBot() || author.isSystem() || m.isWebhookMessage() || author.getIdLong() == self.getIdLong()) {
            return Optional.empty();
        }
        boolean direct = m.getChannelType() == ChannelType.PRIVATE;
        boolean mentioned = m.getMentions().getUsers().stream().anyMatch(u -> u.getIdLong() == self.getIdLong())
                || m.getContentRaw().contains("<@" + self.getId() + ">") || m.getContentRaw().contains("<@!"
                + self.getId() + ">");
        if (!direct && !mentioned && !everything) {
            return Optional.empty();
        }
        String text = m.getContentRaw().replace("<@" + self.getId() + ">", "").replace("<@!" + self.getId() + ">", "")
                .strip();
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT);
        }
        List<Attachment> attachments = new ArrayList<>();
        for (Message.Attachment a : m.getAttachments()) {
            Attachment.Kind kind = a.isImage() ? Attachment.Kind.IMAGE : a.isVideo() ? Attachment.Kind.VIDEO
                    : Optional.ofNullable(a.getContentType()).filter(t -> t.startsWith("audio/")).isPresent()
                    ? Attachment.Kind.AUDIO : Attachment.Kind.FILE;
            attachments.add(new Attachment(kind, Optional.of(a.getUrl()).filter(u -> u.startsWith("https://")),
                    Optional.ofNullable(a.getContentType()), Optional.of(a.getFileName()),
                    OptionalLong.of(a.getSize()), Optional.of(a.getId())));
        }
        if (text.isEmpty() && attachments.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> metadata = new HashMap<>();
        if (!direct) {
            metadata.put("discord.guild", m.getGuildIdLong() == 0 ? "" : Long.toUnsignedString(m.getGuildIdLong()));
        }
        metadata.put("discord.channel", m.getChannelId());
        String name = author.getGlobalName() != null ? author.getGlobalName() : author.getName();
        Participant sender = new Participant(author.getId(), Optional.of(name), Optional.of(author.getName()));
        Optional<String> replyTo = Optional.ofNullable(m.getMessageReference()).map(r -> r.getMessageId());
        String thread = (direct ? "dm:" : "ch:") + m.getChannelId();
        // an edit keeps the message's id: the hub updates the stored text
        return Optional.of(new InboundMessage(DiscordChannel.TYPE, connectionId, m.getId(), thread,
                sender, text, attachments, m.getTimeCreated().toInstant(), direct ? ChatType.DIRECT : ChatType.GROUP,
                replyTo, edited, metadata));
    }
}
