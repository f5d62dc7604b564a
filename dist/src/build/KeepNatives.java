import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Removes from a jar the native libraries of every platform but one ({@code java KeepNatives.java JAR PREFIX PLATFORM},
 * e.g. {@code ai/onnxruntime/native linux-x64}): ONNX Runtime's jar carries macOS, Windows and Linux ARM builds
 * (and Windows debug symbols) that a linux-x64 distribution never loads. Run by build-dist.sh with the JDK's own
 * zip file system, so the build needs no zip tool.
 */
public final class KeepNatives {

    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        String prefix = args[1];
        String keep = args[2];
        long before = Files.size(jar);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
            Path natives = zip.getPath(prefix);
            if (!Files.isDirectory(natives)) {
                throw new IllegalStateException(jar + " has no " + prefix);
            }
            if (!Files.isDirectory(natives.resolve(keep))) {
                throw new IllegalStateException(jar + " has no " + prefix + "/" + keep);
            }
            List<Path> others;
            try (Stream<Path> platforms = Files.list(natives)) {
                others = platforms.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().equals(keep + "/")
                        && !p.getFileName().toString().equals(keep)).toList();
            }
            for (Path other : others) {
                try (Stream<Path> tree = Files.walk(other)) {
                    for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
        System.out.println(jar.getFileName() + ": " + before / 1_048_576 + " MB -> " + Files.size(jar) / 1_048_576
                + " MB (natives for " + keep + " only)");
    }
}
