package dev.clawless.channel.email;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Turns a mail body into what the person wrote: HTML to text, quoted history and signatures removed. */
final class MailText {

    private static final Pattern WROTE = Pattern.compile("(?i)^\\s*(on .{4,200}wrote:|am .{4,200}schrieb .{0,100}:"
            + "|le .{4,200}a écrit :|el .{4,200}escribió:)\\s*$");
    private static final Pattern OUTLOOK = Pattern.compile("(?i)^\\s*(-{2,}\\s*original message\\s*-{2,}"
            + "|_{10,})\\s*$");
    private static final Pattern OUTLOOK_FROM = Pattern.compile("(?i)^\\s*(from|von|de):\\s.+$");
    private static final Pattern OUTLOOK_SENT = Pattern.compile("(?i)^\\s*(sent|gesendet|envoyé|enviado):\\s.+$");

    private MailText() {
    }

    /** Text of an HTML body: scripts and styles dropped, block ends as line breaks, entities decoded. */
    static String htmlToText(String html) {
        String s = html.replaceAll("(?is)<(script|style|head)[^>]*>.*?</\\1>", "")
                .replaceAll("(?is)<br\\s*/?>", "\n")
                .replaceAll("(?is)</(p|div|li|tr|h[1-6]|blockquote)>", "\n")
                .replaceAll("(?is)<li[^>]*>", "- ")
                .replaceAll("(?s)<[^>]*>", "");
        s = s.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&apos;", "'").replace("&amp;", "&");
        return s.replaceAll("[ \\t]+\n", "\n").replaceAll("\n{3,}", "\n\n").strip();
    }

    /** The new part of a reply: stops at the quoted history or the signature. */
    static String stripQuotesAndSignature(String text) {
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.equals("-- ") || line.equals("--") || WROTE.matcher(line).matches()
                    || OUTLOOK.matcher(line).matches()
                    || (OUTLOOK_FROM.matcher(line).matches() && i + 1 < lines.length
                    && (OUTLOOK_SENT.matcher(lines[i + 1]).matches() || lines[i + 1].toLowerCase(Locale.ROOT)
                    .startsWith("date:")))) {
                break;
            }
            if (line.startsWith(">")) {
                continue;
            }
            kept.add(line);
        }
        String out = String.join("\n", kept).strip();
        return out.isEmpty() ? text.strip() : out;
    }
}
