package dev.clawless.core.knowledge;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.clawless.core.common.ClawlessException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real files, made on the spot, through the real Tika parsers. */
class DocumentReaderTest {

    private final DocumentReader reader = new DocumentReader(new KnowledgeConfig(512 * 1024, 800, 5L << 20));

    private NewDocument read(byte[] bytes, String name) {
        return reader.read(new DocumentReader.File(bytes, Optional.of(name), Optional.empty(), Optional.empty(),
                Optional.of(name)));
    }

    @Test
    void aPdfIsReadWithItsOwnTitleAndMediaType() {
        NewDocument doc = read(DocumentFixtures.pdf("Refund policy", "Refunds are paid within 14 days.",
                "Gift cards cannot be refunded."), "refunds.pdf");
        assertEquals("Refund policy", doc.title());
        assertEquals(Optional.of("application/pdf"), doc.mediaType());
        assertEquals(DocumentFormat.MARKDOWN, doc.format());
        assertTrue(doc.content().contains("Refunds are paid within 14 days."), doc.content());
        assertTrue(doc.content().contains("Gift cards cannot be refunded."), doc.content());
    }

    @Test
    void docxHeadingsBecomeMarkdownHeadings() {
        NewDocument doc = read(DocumentFixtures.docx("# Shipping", "We ship worldwide.", "## Europe",
                "Parcels to Europe take 3 days."), "guide.docx");
        assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                doc.mediaType().orElseThrow());
        assertEquals("guide", doc.title());
        assertTrue(doc.content().contains("# Shipping\n\nWe ship worldwide.\n\n## Europe\n\nParcels to Europe take 3"
                + " days."), doc.content());
    }

    @Test
    void htmlKeepsHeadingsAndDropsScriptsAndTheHead() {
        String html = "<html><head><title>Help centre</title><style>p{color:red}</style></head><body>"
                + "<h1>Accounts</h1><p>Sign in with   your e-mail.</p><script>alert('x')</script>"
                + "<h2>Passwords</h2><p># not a heading</p><ul><li>Use 12 characters</li></ul></body></html>";
        NewDocument doc = read(html.getBytes(StandardCharsets.UTF_8), "help.html");
        assertEquals("Help centre", doc.title());
        assertEquals("text/html", doc.mediaType().orElseThrow());
        assertEquals("# Accounts\n\nSign in with your e-mail.\n\n## Passwords\n\n\\# not a heading\n\n"
                + "- Use 12 characters", doc.content());
    }

    @Test
    void markdownAndTextAreKeptAsWritten() {
        NewDocument md = read("# FAQ\n\nAsk us anything.".getBytes(StandardCharsets.UTF_8), "faq.md");
        assertEquals(DocumentFormat.MARKDOWN, md.format());
        assertEquals("# FAQ\n\nAsk us anything.", md.content());
        NewDocument text = read("Plain words.\n\nMore words.".getBytes(StandardCharsets.UTF_8), "notes.txt");
        assertEquals(DocumentFormat.TEXT, text.format());
        assertEquals(Optional.of("text/plain"), text.mediaType());
    }

    @Test
    void anEncryptedPdfIsRefusedAsEncrypted() {
        ClawlessException e = assertThrows(ClawlessException.class,
                () -> read(DocumentFixtures.encryptedPdf("Top secret"), "secret.pdf"));
        assertEquals(422, e.status());
        assertEquals("document-encrypted", e.type());
    }

    @Test
    void aTruncatedPdfIsRefusedAsUnreadable() {
        ClawlessException e = assertThrows(ClawlessException.class,
                () -> read(DocumentFixtures.truncatedPdf(), "cut.pdf"));
        assertEquals(422, e.status(), e.detail());
        assertEquals("document-unreadable", e.type());
        assertEquals("the file could not be read as PDF; it may be corrupt or truncated", e.detail());
    }

    @Test
    void aZipBombIsRefusedBeforeItExpands() {
        byte[] bomb = DocumentFixtures.docxZipBomb(50);
        assertTrue(bomb.length < 1_000_000, "the bomb is small on the wire: " + bomb.length);
        ClawlessException e = assertThrows(ClawlessException.class, () -> read(bomb, "bomb.docx"));
        assertEquals(422, e.status(), e.detail());
        assertEquals("document-zip-bomb", e.type());
    }

    @Test
    void aFileWhoseTextIsOverTheDocumentLimitIsRefusedWith413() {
        DocumentReader small = new DocumentReader(new KnowledgeConfig(2048, 800, 5L << 20));
        byte[] docx = DocumentFixtures.docx("# Long", "word ".repeat(1000));
        ClawlessException e = assertThrows(ClawlessException.class, () -> small.read(new DocumentReader.File(docx,
                Optional.of("long.docx"), Optional.empty(), Optional.empty(), Optional.empty())));
        assertEquals(413, e.status());
        assertTrue(e.detail().contains("2048 characters"), e.detail());
    }

    @Test
    void aFileOverTheLimitAndAnUnsupportedTypeAreRefused() {
        assertEquals(413, assertThrows(ClawlessException.class,
                () -> read(new byte[(5 << 20) + 1], "big.txt")).status());
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        ClawlessException e = assertThrows(ClawlessException.class, () -> read(png, "logo.png"));
        assertEquals(415, e.status());
        assertTrue(e.detail().contains("image/png"), e.detail());
    }
}
