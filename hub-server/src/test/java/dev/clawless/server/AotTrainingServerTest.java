package dev.clawless.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The training run {@code ./hub run} records the JVM's start-up cache with: if a step of it stopped working (a route
 * moved, the demo changed), the launcher would quietly start every hub without the cache.
 */
class AotTrainingServerTest {

    @Test
    void theTrainingRunStartsAHubAnswersFromItsDemoAndLeavesNothingBehind() throws IOException {
        List<Path> before = trainingFolders();
        assertEquals(0, AotTraining.exercise(), "every step of the training run answered as expected");
        assertEquals(before, trainingFolders(), "its temporary folder is removed");
    }

    private static List<Path> trainingFolders() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("clawless-aot-training-")).sorted()
                    .toList();
        }
    }
}
