package dev.clawless.core.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import com.optimaize.langdetect.DetectedLanguage;
import com.optimaize.langdetect.LanguageDetector;
import com.optimaize.langdetect.LanguageDetectorBuilder;
import com.optimaize.langdetect.ngram.NgramExtractors;
import com.optimaize.langdetect.profiles.LanguageProfileReader;
import com.optimaize.langdetect.text.CommonTextObjectFactories;
import com.optimaize.langdetect.text.TextObjectFactory;

/**
 * Which of the languages the knowledge analyses ({@link #LANGUAGES}) a text is written in, by character n-gram
 * profiles (optimaize language-detector, with its profiles for short texts). Deterministic and thread-safe.
 */
public final class LanguageDetection {

    /** The languages with their own analysis (stemming, stop words, synonyms) and replies, ISO 639-1. */
    public static final List<String> LANGUAGES = List.of("en", "es", "pt", "fr", "de", "it");

    private static final double SURE = 0.75;

    /** Detectors lent one at a time (the library does not promise thread safety), one per core. */
    private final java.util.concurrent.BlockingQueue<LanguageDetector> detectors;
    private final TextObjectFactory texts = CommonTextObjectFactories.forDetectingShortCleanText();

    public LanguageDetection() {
        try {
            var profiles = new LanguageProfileReader().read(LanguageDetection.class.getClassLoader(),
                    "languages.shorttext", LANGUAGES);
            int n = Math.max(1, Runtime.getRuntime().availableProcessors());
            detectors = new java.util.concurrent.ArrayBlockingQueue<>(n);
            for (int i = 0; i < n; i++) {
                detectors.add(LanguageDetectorBuilder.create(NgramExtractors.standard()).shortTextAlgorithm(0)
                        .seed(41L).withProfiles(profiles).build());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the language profiles are missing from the classpath", e);
        }
    }

    /** The text's language when the detector is sure of it; empty for a text too short or too mixed to tell. */
    public Optional<String> detect(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String sample = text.length() > 2_000 ? text.substring(0, 2_000) : text;
        List<DetectedLanguage> found;
        LanguageDetector detector;
        try {
            detector = detectors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
            found = detector.getProbabilities(texts.forText(sample));
        } finally {
            detectors.add(detector);
        }
        if (found.isEmpty() || found.get(0).getProbability() < SURE) {
            return Optional.empty();
        }
        return Optional.of(found.get(0).getLocale().getLanguage());
    }
}
