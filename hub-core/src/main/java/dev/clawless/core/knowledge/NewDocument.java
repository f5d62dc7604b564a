package dev.clawless.core.knowledge;

import java.util.List;
import java.util.Optional;

/**
 * A document to add.
 *
 * @param title     1–300 characters
 * @param format    markdown, text or faq
 * @param content   the text, for markdown and text
 * @param faq       the entries, for faq
 * @param mediaType for a document read from a file, the media type detected
 * @param source    for a document read from a file, its file name or URL
 */
public record NewDocument(String title, DocumentFormat format, String content, List<FaqEntry> faq,
                          Optional<String> mediaType, Optional<String> source) {

    public NewDocument {
        faq = List.copyOf(faq);
    }

    public NewDocument(String title, DocumentFormat format, String content, List<FaqEntry> faq) {
        this(title, format, content, faq, Optional.empty(), Optional.empty());
    }

    public static NewDocument text(String title, DocumentFormat format, String content) {
        return new NewDocument(title, format, content, List.of());
    }

    public static NewDocument faq(String title, List<FaqEntry> entries) {
        return new NewDocument(title, DocumentFormat.FAQ, "", entries);
    }
}
