package dev.clawless.core.knowledge;

import java.util.List;

/**
 * A document to add.
 *
 * @param title   1–300 characters
 * @param format  markdown, text or faq
 * @param content the text, for markdown and text
 * @param faq     the entries, for faq
 */
public record NewDocument(String title, DocumentFormat format, String content, List<FaqEntry> faq) {

    public NewDocument {
        faq = List.copyOf(faq);
    }

    public static NewDocument text(String title, DocumentFormat format, String content) {
        return new NewDocument(title, format, content, List.of());
    }

    public static NewDocument faq(String title, List<FaqEntry> entries) {
        return new NewDocument(title, DocumentFormat.FAQ, "", entries);
    }
}
