package dev.clawless.core.knowledge.internal;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.NewDocument;

/**
 * Cuts documents into chunks small enough to embed well: markdown by section (each chunk starts with its heading
 * path, so a chunk keeps its context), plain text by paragraph, anything longer by sentence, FAQ one entry each.
 * Pure and thread-safe.
 */
public final class Chunker {

    /** A chunk: the text to embed and show, for FAQ entries the answer, for markdown its section's heading path. */
    public record Chunk(String text, Optional<String> answer, Optional<String> section) {

        Chunk(String text) {
            this(text, Optional.empty(), Optional.empty());
        }
    }

    private final int maxChars;

    public Chunker(int maxChars) {
        this.maxChars = maxChars;
    }

    public List<Chunk> chunk(NewDocument doc) {
        return switch (doc.format()) {
            case FAQ -> doc.faq().stream().map(Chunker::faq).toList();
            case TEXT -> paragraphs(doc.content(), "").stream().map(Chunk::new).toList();
            case MARKDOWN -> markdown(doc.title(), doc.content());
        };
    }

    private static Chunk faq(FaqEntry e) {
        return new Chunk(e.question().strip(), Optional.of(e.answer().strip()), Optional.empty());
    }

    private List<Chunk> markdown(String title, String content) {
        List<Chunk> out = new ArrayList<>();
        List<String> path = new ArrayList<>();
        StringBuilder section = new StringBuilder();
        boolean fenced = false;
        for (String line : content.split("\r?\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            }
            int level = fenced ? 0 : headingLevel(line);
            if (level > 0) {
                flush(out, path, section);
                while (path.size() >= level) {
                    path.remove(path.size() - 1);
                }
                while (path.size() < level - 1) {
                    path.add("");
                }
                path.add(line.substring(level).strip());
            } else {
                section.append(line).append('\n');
            }
        }
        flush(out, path, section);
        if (out.isEmpty() && !title.isBlank()) {
            out.add(new Chunk(title.strip()));
        }
        return out;
    }

    private void flush(List<Chunk> out, List<String> path, StringBuilder section) {
        String heading = String.join(" > ", path.stream().filter(p -> !p.isEmpty()).toList());
        String prefix = heading.isEmpty() ? "" : heading + ": ";
        Optional<String> name = heading.isEmpty() ? Optional.empty() : Optional.of(heading);
        for (String piece : paragraphs(section.toString(), prefix)) {
            out.add(new Chunk(piece, Optional.empty(), name));
        }
        section.setLength(0);
    }

    private static int headingLevel(String line) {
        int level = 0;
        while (level < line.length() && level < 6 && line.charAt(level) == '#') {
            level++;
        }
        return level > 0 && level < line.length() && line.charAt(level) == ' ' ? level : 0;
    }

    /** Paragraphs merged up to the size limit; longer ones split by sentence, then hard at the limit. */
    List<String> paragraphs(String text, String prefix) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int budget = Math.max(100, maxChars - prefix.length());
        for (String paragraph : text.split("\\n\\s*\\n")) {
            String p = paragraph.strip().replaceAll("[ \\t]+", " ");
            if (p.isEmpty()) {
                continue;
            }
            for (String piece : sentences(p, budget)) {
                if (current.length() > 0 && current.length() + 2 + piece.length() > budget) {
                    out.add(prefix + current);
                    current.setLength(0);
                }
                if (current.length() > 0) {
                    current.append("\n\n");
                }
                current.append(piece);
            }
        }
        if (current.length() > 0) {
            out.add(prefix + current);
        }
        return out;
    }

    private static List<String> sentences(String paragraph, int budget) {
        if (paragraph.length() <= budget) {
            return List.of(paragraph);
        }
        List<String> out = new ArrayList<>();
        BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
        it.setText(paragraph);
        StringBuilder current = new StringBuilder();
        int start = it.first();
        for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
            String sentence = paragraph.substring(start, end).strip();
            while (sentence.length() > budget) {
                if (current.length() > 0) {
                    out.add(current.toString());
                    current.setLength(0);
                }
                out.add(sentence.substring(0, budget));
                sentence = sentence.substring(budget);
            }
            if (current.length() > 0 && current.length() + 1 + sentence.length() > budget) {
                out.add(current.toString());
                current.setLength(0);
            }
            if (current.length() > 0) {
                current.append(' ');
            }
            current.append(sentence);
        }
        if (current.length() > 0) {
            out.add(current.toString());
        }
        return out;
    }
}
