package dev.clawless.core.knowledge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFStyle;
import org.apache.poi.xwpf.usermodel.XWPFStyles;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTString;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTStyle;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.STStyleType;

/**
 * Real documents made on the spot for tests: PDFs with PDFBox (plain, password-protected, truncated) and DOCX files
 * with Apache POI (with heading styles, and a zip bomb whose body expands a thousandfold).
 */
public final class DocumentFixtures {

    private DocumentFixtures() {
    }

    /** A one-page PDF titled {@code title}, one line of text per element of {@code lines}. */
    public static byte[] pdf(String title, String... lines) {
        try (PDDocument doc = pdfDocument(title, lines)) {
            return save(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PDF that opens only with the password {@code secret} (AES-128). */
    public static byte[] encryptedPdf(String... lines) {
        try (PDDocument doc = pdfDocument("Secret", lines)) {
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", "secret",
                    new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            return save(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first third of a real PDF: its header, part of a page, no cross-reference table, no trailer. */
    public static byte[] truncatedPdf() {
        byte[] whole = pdf("Cut", "This PDF was cut short in transit.");
        return Arrays.copyOf(whole, whole.length / 3);
    }

    /**
     * A DOCX: each element of {@code blocks} starting with {@code "# "} or {@code "## "} is a Heading 1 or 2
     * paragraph, the rest body paragraphs.
     */
    public static byte[] docx(String... blocks) {
        try (XWPFDocument doc = new XWPFDocument()) {
            XWPFStyles styles = doc.createStyles();
            heading(styles, "Heading1", "heading 1");
            heading(styles, "Heading2", "heading 2");
            for (String block : blocks) {
                var p = doc.createParagraph();
                if (block.startsWith("## ")) {
                    p.setStyle("Heading2");
                    p.createRun().setText(block.substring(3));
                } else if (block.startsWith("# ")) {
                    p.setStyle("Heading1");
                    p.createRun().setText(block.substring(2));
                } else {
                    p.createRun().setText(block);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A valid DOCX whose {@code word/document.xml} holds {@code megabytes} MB of one repeated word: a few kilobytes
     * on the wire that expand a thousandfold.
     */
    public static byte[] docxZipBomb(int megabytes) {
        byte[] base = docx("# Bomb", "tick");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(base));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                zip.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals("word/document.xml")) {
                    String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    int at = xml.indexOf("tick");
                    zip.write(xml.substring(0, at).getBytes(StandardCharsets.UTF_8));
                    byte[] word = "tock ".repeat(200_000).getBytes(StandardCharsets.US_ASCII); // 1 MB
                    for (int i = 0; i < megabytes; i++) {
                        zip.write(word);
                    }
                    zip.write(xml.substring(at + 4).getBytes(StandardCharsets.UTF_8));
                } else {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void heading(XWPFStyles styles, String id, String name) {
        CTStyle style = CTStyle.Factory.newInstance();
        style.setStyleId(id);
        style.setType(STStyleType.PARAGRAPH);
        CTString n = CTString.Factory.newInstance();
        n.setVal(name);
        style.setName(n);
        styles.addStyle(new XWPFStyle(style));
    }

    private static PDDocument pdfDocument(String title, String... lines) throws IOException {
        PDDocument doc = new PDDocument();
        PDPage page = new PDPage();
        doc.addPage(page);
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
            cs.beginText();
            cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
            cs.newLineAtOffset(72, 700);
            for (String line : lines) {
                cs.showText(line);
                cs.newLineAtOffset(0, -24);
            }
            cs.endText();
        }
        doc.getDocumentInformation().setTitle(title);
        return doc;
    }

    private static byte[] save(PDDocument doc) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        doc.save(out);
        return out.toByteArray();
    }
}
