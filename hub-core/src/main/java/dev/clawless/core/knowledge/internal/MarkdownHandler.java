package dev.clawless.core.knowledge.internal;

import java.util.Locale;
import java.util.Set;

import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Turns the XHTML that Apache Tika makes of any document (PDF, DOCX, HTML …) into the Markdown the {@link Chunker}
 * cuts by section: {@code h1}–{@code h6} become {@code #} headings, paragraphs, list items, table rows and other
 * blocks become blank-line-separated paragraphs, whitespace is collapsed (kept in {@code pre}), and the head,
 * scripts and styles are dropped. A paragraph that would read as Markdown structure (a heading or a code fence) is
 * escaped, so only the document's own headings make sections. One document per instance; not thread-safe.
 */
public final class MarkdownHandler extends DefaultHandler {

    private static final Set<String> BLOCKS = Set.of("p", "div", "li", "tr", "blockquote", "dd", "dt", "section",
            "article", "table", "ul", "ol", "body", "caption", "figcaption", "address");
    private static final Set<String> CELLS = Set.of("td", "th");
    private static final Set<String> SKIPPED = Set.of("head", "title", "script", "style", "noscript", "template");

    private final StringBuilder out = new StringBuilder();
    private final StringBuilder block = new StringBuilder();
    private int skipped;
    private int pre;
    private int heading;

    @Override
    public void startElement(String uri, String localName, String qName, Attributes attributes) {
        String name = name(localName, qName);
        if (SKIPPED.contains(name)) {
            skipped++;
        } else if (skipped > 0) {
            return;
        } else if (level(name) > 0) {
            flush();
            heading = level(name);
        } else if (BLOCKS.contains(name)) {
            flush();
            if (name.equals("li")) {
                block.append("- ");
            }
        } else if (name.equals("pre")) {
            flush();
            pre++;
        } else if (name.equals("br")) {
            block.append(pre > 0 ? "\n" : " ");
        } else if (CELLS.contains(name) && !block.isEmpty()) {
            block.append(" | ");
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        String name = name(localName, qName);
        if (SKIPPED.contains(name)) {
            skipped = Math.max(0, skipped - 1);
        } else if (skipped > 0) {
            return;
        } else if (level(name) > 0 || BLOCKS.contains(name)) {
            flush();
        } else if (name.equals("pre")) {
            flush();
            pre = Math.max(0, pre - 1);
        }
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        if (skipped == 0) {
            block.append(ch, start, length);
        }
    }

    @Override
    public void ignorableWhitespace(char[] ch, int start, int length) {
        if (skipped == 0 && pre > 0) {
            block.append(ch, start, length);
        }
    }

    /** The Markdown so far, blocks separated by blank lines. */
    public String markdown() {
        flush();
        return out.toString().strip();
    }

    private void flush() {
        String text;
        if (pre > 0) {
            text = block.toString().replaceAll("(?m)^(\\s*)(#|```)", "$1\\\\$2").stripTrailing();
            while (text.startsWith("\n")) {
                text = text.substring(1);
            }
        } else {
            text = block.toString().replaceAll("\\s+", " ").strip();
            if (text.equals("-")) {
                text = "";
            }
        }
        block.setLength(0);
        if (text.isBlank()) {
            heading = 0;
            return;
        }
        if (heading > 0) {
            out.append("#".repeat(heading)).append(' ').append(text.replace('\n', ' ')).append("\n\n");
            heading = 0;
        } else {
            out.append(text.startsWith("#") || text.startsWith("```") ? "\\" : "").append(text).append("\n\n");
        }
    }

    private static String name(String localName, String qName) {
        String n = localName == null || localName.isEmpty() ? qName : localName;
        int colon = n.indexOf(':');
        return (colon >= 0 ? n.substring(colon + 1) : n).toLowerCase(Locale.ROOT);
    }

    private static int level(String name) {
        return name.length() == 2 && name.charAt(0) == 'h' && name.charAt(1) >= '1' && name.charAt(1) <= '6'
                ? name.charAt(1) - '0' : 0;
    }
}
