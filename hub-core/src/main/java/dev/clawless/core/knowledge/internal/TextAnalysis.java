package dev.clawless.core.knowledge.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.WordlistLoader;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.util.IOUtils;
import org.tartarus.snowball.SnowballStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;
import org.tartarus.snowball.ext.GermanStemmer;
import org.tartarus.snowball.ext.ItalianStemmer;
import org.tartarus.snowball.ext.PortugueseStemmer;
import org.tartarus.snowball.ext.SpanishStemmer;

import dev.clawless.core.knowledge.LanguageDetection;

/**
 * Turns a text into the words that carry its meaning, per language: Lucene's standard tokenizer, lower case, the
 * Snowball stop words (plus the greetings and question fillers of customer messages), and Snowball stemming. Each
 * word keeps its forms with and without accents, since customers type both ("envío", "envio"). Synonyms of the
 * customer-service vocabulary map a word to its group, so "parcel" can find "package". Pure and thread-safe.
 */
public final class TextAnalysis {

    /** The analysis of a text in no language it knows: tokens lower-cased and folded, nothing dropped or stemmed. */
    public static final String UNDETERMINED = "und";

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");

    private static final Map<String, String> SNOWBALL_STOPS = Map.of("en", "english", "es", "spanish",
            "pt", "portuguese", "fr", "french", "de", "german", "it", "italian");
    private static final Map<String, Supplier<SnowballStemmer>> STEMMERS = Map.of("en", EnglishStemmer::new,
            "es", SpanishStemmer::new, "pt", PortugueseStemmer::new, "fr", FrenchStemmer::new,
            "de", GermanStemmer::new, "it", ItalianStemmer::new);

    /** A word as analysed: the forms any of which counts as the word. */
    public record Word(String token, Set<String> forms) {
    }

    private final Map<String, Set<String>> stops = new HashMap<>();
    private final Map<String, Map<String, Set<String>>> synonyms = new HashMap<>();
    /** Per language, the phrases of the synonym lists ("send back"), as token lists, to the group's forms. */
    private final Map<String, Map<List<String>, Set<String>>> phrases = new HashMap<>();

    public TextAnalysis() {
        for (String language : LanguageDetection.LANGUAGES) {
            Set<String> words = new HashSet<>();
            try (InputStream in = CharArraySet.class.getResourceAsStream(
                    "/org/apache/lucene/analysis/snowball/" + SNOWBALL_STOPS.get(language) + "_stop.txt")) {
                CharArraySet set = WordlistLoader.getSnowballWordSet(
                        IOUtils.getDecodingReader(in, StandardCharsets.UTF_8));
                set.forEach(o -> words.add(new String((char[]) o)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            words.addAll(lines(language + "-stop.txt"));
            Set<String> folded = new HashSet<>();
            words.forEach(w -> folded.add(fold(w)));
            words.addAll(folded);
            stops.put(language, words);
        }
        for (String language : LanguageDetection.LANGUAGES) {
            Map<String, Set<String>> groups = new HashMap<>();
            Map<List<String>, Set<String>> multiword = new HashMap<>();
            List<List<String>> groupPhrases = new ArrayList<>();
            for (String line : lines(language + "-synonyms.txt")) {
                Set<String> group = new LinkedHashSet<>();
                for (String member : line.split(",")) {
                    List<String> all = tokens(member);
                    List<String> tokens = all.size() == 1 ? all : all.stream().filter(t -> !isStop(language, t))
                            .toList();
                    if (tokens.size() == 1) {
                        // a word a synonym list names carries meaning, even where Snowball calls it a stop word
                        stops.get(language).remove(tokens.get(0));
                        stops.get(language).remove(fold(tokens.get(0)));
                        words(language, member, false).forEach(w -> group.addAll(w.forms()));
                    } else if (tokens.size() > 1) {
                        groupPhrases.add(tokens);
                    }
                }
                for (String form : group) {
                    groups.computeIfAbsent(form, f -> new LinkedHashSet<>()).addAll(group);
                }
                groupPhrases.forEach(p -> multiword.put(p, group));
                groupPhrases.clear();
            }
            synonyms.put(language, groups);
            phrases.put(language, multiword);
        }
    }

    /**
     * Sentences on unrelated subjects in the language (English for one without its own): the background a query's
     * typical similarity is measured against.
     */
    public List<String> background(String language) {
        List<String> own = lines(language + "-background.txt");
        return own.isEmpty() ? lines("en-background.txt") : own;
    }

    /** The meaningful words of {@code text} in {@code language} (an ISO code, or {@link #UNDETERMINED}), in order. */
    public List<Word> words(String language, String text) {
        return words(language, text, true);
    }

    /** Every form of every word of the text, and the forms of their synonyms: what a text can be matched by. */
    public Set<String> matchable(String language, String text) {
        Set<String> forms = new HashSet<>();
        words(language, text).forEach(w -> forms.addAll(w.forms()));
        return withSynonyms(language, forms);
    }

    /** The forms and the forms of their synonyms. */
    public Set<String> withSynonyms(String language, Set<String> forms) {
        Set<String> out = new HashSet<>(forms);
        Map<String, Set<String>> groups = synonyms.getOrDefault(language, Map.of());
        forms.forEach(f -> out.addAll(groups.getOrDefault(f, Set.of())));
        return out;
    }

    private List<Word> words(String language, String text, boolean dropStops) {
        Supplier<SnowballStemmer> stemmers = STEMMERS.get(language);
        SnowballStemmer stemmer = stemmers == null ? null : stemmers.get();
        Map<List<String>, Set<String>> multiword = phrases.getOrDefault(language, Map.of());
        List<Word> out = new ArrayList<>();
        // phrases are found among the words that carry meaning: "send it back" is "send back"
        List<String> tokens = dropStops ? tokens(text).stream().filter(t -> !isStop(language, t)).toList()
                : tokens(text);
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (dropStops && i + 1 < tokens.size()) {
                Set<String> group = multiword.get(List.of(token, tokens.get(i + 1)));
                if (group != null) {
                    Set<String> forms = new LinkedHashSet<>(group);
                    words(language, token + " " + tokens.get(i + 1), false).forEach(w -> forms.addAll(w.forms()));
                    out.add(new Word(token + " " + tokens.get(i + 1), forms));
                    i++;
                    continue;
                }
            }
            if (token.length() < 2) {
                continue;
            }
            if (token.endsWith("'s") && "en".equals(language)) {
                token = token.substring(0, token.length() - 2);
            }
            Set<String> forms = new LinkedHashSet<>();
            if (stemmer == null) {
                forms.add(fold(token));
            } else {
                forms.add(fold(stem(stemmer, token)));
                forms.add(stem(stemmer, fold(token)));
            }
            out.add(new Word(token, forms));
        }
        return out;
    }

    private boolean isStop(String language, String token) {
        Set<String> stop = stops.getOrDefault(language, Set.of());
        return stop.contains(token) || stop.contains(fold(token));
    }

    /**
     * The forms of the words written with a capital inside a sentence ("Do you ship to France?", "American
     * Express"): names of places, brands and products, which say what a question is about less than what it asks.
     */
    public Set<String> names(String language, String text) {
        Set<String> out = new HashSet<>();
        try (StandardTokenizer tokenizer = new StandardTokenizer()) {
            tokenizer.setReader(new StringReader(text));
            CharTermAttribute term = tokenizer.addAttribute(CharTermAttribute.class);
            org.apache.lucene.analysis.tokenattributes.OffsetAttribute offset =
                    tokenizer.addAttribute(org.apache.lucene.analysis.tokenattributes.OffsetAttribute.class);
            tokenizer.reset();
            while (tokenizer.incrementToken()) {
                String t = term.toString();
                if (t.length() < 2 || !Character.isUpperCase(t.codePointAt(0)) || sentenceStart(text,
                        offset.startOffset())) {
                    continue;
                }
                words(language, t, false).forEach(w -> out.addAll(w.forms()));
            }
            tokenizer.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static boolean sentenceStart(String text, int at) {
        for (int i = at - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return ".!?¿¡:;\"'«(".indexOf(c) >= 0;
            }
        }
        return true;
    }

    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        try (StandardTokenizer tokenizer = new StandardTokenizer()) {
            tokenizer.setReader(new StringReader(text));
            CharTermAttribute term = tokenizer.addAttribute(CharTermAttribute.class);
            tokenizer.reset();
            while (tokenizer.incrementToken()) {
                out.add(term.toString().toLowerCase(Locale.ROOT).replace('’', '\''));
            }
            tokenizer.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
        return out;
    }

    private static String stem(SnowballStemmer stemmer, String word) {
        stemmer.setCurrent(word);
        stemmer.stem();
        return stemmer.getCurrent();
    }

    static String fold(String word) {
        return MARKS.matcher(Normalizer.normalize(word, Normalizer.Form.NFD)).replaceAll("");
    }

    private static List<String> lines(String resource) {
        InputStream in = TextAnalysis.class.getResourceAsStream("/dev/clawless/core/knowledge/lang/" + resource);
        if (in == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    out.add(l.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
