package dev.clawless.core.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.tika.detect.AutoDetectReader;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.EmptyParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.sax.WriteOutContentHandler;
import org.xml.sax.SAXException;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Texts;
import dev.clawless.core.knowledge.internal.MarkdownHandler;

/**
 * Reads a file — PDF, DOCX, DOC, HTML, Markdown or plain text — into a {@link NewDocument} with Apache Tika: the
 * type is detected from the bytes (the name and declared type are hints), Markdown and text are decoded as they
 * are, the rest is parsed to Markdown whose headings are the document's, so its chunks keep their section. Files
 * are read whole and never written to disk; embedded documents are not parsed. Refusals, each before anything is
 * stored: over the file size or expanding to more text than a document may hold (413), an unsupported type (415),
 * an encrypted, corrupt, zip-bomb or textless file (422). Thread-safe.
 */
public final class DocumentReader {

    /** The longest source (file name or URL) kept. */
    private static final int MAX_SOURCE_CHARS = DocumentFetcher.MAX_URL_CHARS;

    /** The types read, by base media type, with the name a person knows them by. */
    private static final Map<String, String> PARSED = Map.of(
            "application/pdf", "PDF",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX",
            "application/vnd.ms-word.document.macroenabled.12", "DOCX",
            "application/msword", "DOC",
            "text/html", "HTML",
            "application/xhtml+xml", "HTML");
    private static final Set<String> MARKDOWN = Set.of("text/markdown", "text/x-markdown",
            "text/x-web-markdown");
    /** What Tika calls a password-protected Office file (an OLE2 container holding the encrypted package). */
    private static final String OOXML_PROTECTED = "application/x-tika-ooxml-protected";
    private static final String KINDS = "PDF, DOCX, DOC, HTML, Markdown or plain text";

    /**
     * Tika's parser, made when the first file is read: building it loads every parser module's classes, a few
     * hundred milliseconds the hub's start does not pay (a reader that comes first waits for it).
     */
    private static final class Tika {
        static final AutoDetectParser PARSER = new AutoDetectParser();
    }

    private final long maxFileBytes;
    private final int maxChars;

    /**
     * @param config {@code maxFileBytes} bounds the file, {@code maxDocumentBytes} the text it may expand to
     */
    public DocumentReader(KnowledgeConfig config) {
        this.maxFileBytes = config.maxFileBytes();
        this.maxChars = (int) Math.min(Integer.MAX_VALUE - 1, config.maxDocumentBytes());
    }

    public long maxFileBytes() {
        return maxFileBytes;
    }

    /**
     * A file to read.
     *
     * @param bytes        its content
     * @param fileName     its name, a hint to its type
     * @param declaredType the media type the sender declared, a hint
     * @param title        the title to give it; else the document's own, else its file name
     * @param source       where it came from, recorded with it (a file name or URL)
     */
    public record File(byte[] bytes, Optional<String> fileName, Optional<String> declaredType, Optional<String> title,
                       Optional<String> source) {
    }

    /**
     * The file as a document to add.
     *
     * @throws ClawlessException.PayloadTooLarge      the file, or its text, is over the limit
     * @throws ClawlessException.UnsupportedMediaType not a kind of document the knowledge base reads
     * @throws ClawlessException.Unprocessable        encrypted, corrupt, a zip bomb, or without text
     */
    public NewDocument read(File file) {
        if (file.bytes().length > maxFileBytes) {
            throw new ClawlessException.PayloadTooLarge("the file is " + file.bytes().length + " bytes; at most "
                    + maxFileBytes + " are accepted");
        }
        if (file.bytes().length == 0) {
            throw new ClawlessException.Unprocessable("document-empty", "the file is empty");
        }
        Metadata metadata = new Metadata();
        file.fileName().ifPresent(n -> metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, n));
        file.declaredType().ifPresent(t -> metadata.set(Metadata.CONTENT_TYPE, t));
        String type = detect(file.bytes(), metadata);
        String content;
        DocumentFormat format;
        if (MARKDOWN.contains(type) || type.equals("text/plain")) {
            content = decode(file.bytes(), metadata);
            format = MARKDOWN.contains(type) ? DocumentFormat.MARKDOWN : DocumentFormat.TEXT;
        } else if (type.equals(OOXML_PROTECTED)) {
            throw encrypted();
        } else if (PARSED.containsKey(type)) {
            content = parse(file.bytes(), metadata, PARSED.get(type));
            format = DocumentFormat.MARKDOWN;
        } else {
            throw new ClawlessException.UnsupportedMediaType("the file is " + type + "; the knowledge base reads "
                    + KINDS);
        }
        content = Texts.clean(content).strip();
        if (!Texts.hasContent(content)) {
            throw new ClawlessException.Unprocessable("document-empty", "the " + name(type)
                    + " has no text to index (a scanned document needs OCR, which the hub does not do)");
        }
        String title = file.title().filter(Texts::hasContent)
                .or(() -> Optional.ofNullable(metadata.get(TikaCoreProperties.TITLE)).filter(Texts::hasContent))
                .or(() -> file.fileName().map(DocumentReader::baseName).filter(Texts::hasContent))
                .orElse("Untitled document").strip().replaceAll("\\s+", " ");
        title = Texts.clean(title.length() > 300 ? title.substring(0, 300) : title);
        // the source is a file name or a URL: its first 2,048 characters are kept (the column's size)
        Optional<String> source = file.source().map(String::strip)
                .map(s -> s.length() > MAX_SOURCE_CHARS ? s.substring(0, MAX_SOURCE_CHARS) : s);
        return new NewDocument(title, format, content, List.of(), Optional.of(type), source);
    }

    private String detect(byte[] bytes, Metadata metadata) {
        try (TikaInputStream in = TikaInputStream.get(bytes)) {
            MediaType type = Tika.PARSER.getDetector().detect(in, metadata);
            return type.getBaseType().toString().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw unreadable("file");
        }
    }

    private String parse(byte[] bytes, Metadata metadata, String kind) {
        MarkdownHandler markdown = new MarkdownHandler();
        ParseContext context = new ParseContext();
        context.set(Parser.class, EmptyParser.INSTANCE); // attachments and embedded files are not read
        try (InputStream in = TikaInputStream.get(bytes)) {
            Tika.PARSER.parse(in, new WriteOutContentHandler(markdown, maxChars), metadata, context);
        } catch (EncryptedDocumentException e) {
            throw encrypted();
        } catch (SAXException | TikaException | IOException | RuntimeException e) {
            if (WriteLimitReachedException.isWriteLimitReached(e)) {
                throw new ClawlessException.PayloadTooLarge("the " + kind + " expands to more than " + maxChars
                        + " characters of text; at most " + maxChars + " are accepted");
            }
            if (causedBy(e, EncryptedDocumentException.class)) {
                throw encrypted();
            }
            if (mentionsZipBomb(e)) {
                throw new ClawlessException.Unprocessable("document-zip-bomb", "the " + kind
                        + " expands far beyond its size, like a zip bomb; it was not read");
            }
            throw unreadable(kind);
        }
        return markdown.markdown();
    }

    private static String decode(byte[] bytes, Metadata metadata) {
        try (AutoDetectReader reader = new AutoDetectReader(TikaInputStream.get(bytes), metadata)) {
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[8192];
            for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                text.append(buffer, 0, n);
            }
            return text.toString();
        } catch (IOException | TikaException e) {
            throw unreadable("text");
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentionsZipBomb(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("zip bomb")) {
                return true;
            }
        }
        return false;
    }

    private static ClawlessException encrypted() {
        return new ClawlessException.Unprocessable("document-encrypted",
                "the document is encrypted; upload it without a password");
    }

    private static ClawlessException unreadable(String kind) {
        return new ClawlessException.Unprocessable("document-unreadable", "the file could not be read as " + kind
                + "; it may be corrupt or truncated");
    }

    private static String name(String type) {
        return PARSED.getOrDefault(type, MARKDOWN.contains(type) ? "Markdown" : "text");
    }

    private static String baseName(String fileName) {
        String last = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
        int dot = last.lastIndexOf('.');
        return dot > 0 ? last.substring(0, dot) : last;
    }
}
