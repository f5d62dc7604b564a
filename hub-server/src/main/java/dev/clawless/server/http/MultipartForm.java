package dev.clawless.server.http;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;

import dev.clawless.core.common.ClawlessException;

/**
 * A {@code multipart/form-data} body (RFC 7578) read with Jakarta Mail's MIME parser: its named parts, each with
 * its file name and declared type when it is a file. Only the fields a route names are accepted (400 for others,
 * and for a field sent twice).
 */
public final class MultipartForm {

    /** One field: its bytes, and for a file its name and declared media type. */
    public record Part(String name, byte[] bytes, Optional<String> fileName, Optional<String> contentType) {

        public String text() {
            return dev.clawless.core.common.Texts.clean(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private final Map<String, Part> parts;

    private MultipartForm(Map<String, Part> parts) {
        this.parts = parts;
    }

    /** True when {@code contentType} is {@code multipart/form-data}. */
    public static boolean is(String contentType) {
        return contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip().equals("multipart/form-data");
    }

    /**
     * @param body        the whole body, already within the route's size limit
     * @param contentType the request's Content-Type, with its boundary
     * @param allowed     the field names the route reads
     */
    public static MultipartForm parse(byte[] body, String contentType, Set<String> allowed) {
        if (!contentType.toLowerCase(Locale.ROOT).contains("boundary=")) {
            throw ClawlessException.Validation.of("body", "multipart/form-data needs a boundary parameter");
        }
        Map<String, Part> parts = new LinkedHashMap<>();
        try {
            MimeMultipart multipart = new MimeMultipart(new ByteArrayDataSource(body, contentType));
            if (!multipart.isComplete()) {
                throw ClawlessException.Validation.of("body", "the multipart body ends before its closing boundary");
            }
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                String[] disposition = part.getHeader("Content-Disposition");
                if (disposition == null || disposition.length == 0) {
                    throw ClawlessException.Validation.of("body", "part " + i + " has no Content-Disposition");
                }
                ContentDisposition d = new ContentDisposition(disposition[0]);
                String name = d.getParameter("name");
                if (name == null || !allowed.contains(name)) {
                    throw ClawlessException.Validation.of(name == null ? "body" : printable(name),
                            "is not a field of this form; send " + String.join(", ", allowed));
                }
                if (parts.containsKey(name)) {
                    throw ClawlessException.Validation.of(name, "is sent more than once");
                }
                Optional<String> fileName = Optional.ofNullable(d.getParameter("filename")).filter(n -> !n.isBlank());
                Optional<String> type = Optional.ofNullable(part.getContentType())
                        .filter(t -> fileName.isPresent() && !t.isBlank());
                parts.put(name, new Part(name, part.getInputStream().readAllBytes(), fileName, type));
            }
        } catch (ParseException e) {
            throw ClawlessException.Validation.of("body", "a part's Content-Disposition is malformed");
        } catch (MessagingException | IOException e) {
            throw ClawlessException.Validation.of("body", "not a readable multipart/form-data body");
        }
        return new MultipartForm(parts);
    }

    private static String printable(String value) {
        String p = value.replaceAll("[^\\x21-\\x7e]", "?");
        return p.length() <= 60 ? p : p.substring(0, 60) + "…";
    }

    public Optional<Part> part(String name) {
        return Optional.ofNullable(parts.get(name));
    }
}
