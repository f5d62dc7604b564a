package dev.clawless.core.marketplace.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.common.ClawlessException;

/**
 * Reads an uploaded plugin JAR without trusting any of it: every entry is streamed and counted (the sizes in the
 * archive's headers are not believed), names that could escape a folder are refused, nested archives (only under
 * {@code lib/}) are read within the same budgets, and the manifest, {@code META-INF/extensions.idx} and the
 * {@code clawless-plugin.json} descriptor are extracted for checking. No class is loaded.
 */
public final class JarInspector {

    /** Packages a plugin may not define classes in: the hub's own, the JDK's, pf4j's. */
    private static final List<String> FORBIDDEN = List.of("dev/clawless/", "java/", "javax/", "jdk/", "sun/",
            "com/sun/", "org/pf4j/", "jakarta/");
    private static final int MAX_SMALL_FILE = 1024 * 1024;
    /** Packages listed for a reviewer; a JAR with more names this many. */
    private static final int MAX_PACKAGES = 1000;

    /** What a JAR holds, as far as verification needs. */
    public record Contents(Manifest manifest, List<String> extensions, JsonNode descriptor, Set<String> classes,
                           int entries, long expandedBytes, Survey survey) {
    }

    /** A file of the archive and its uncompressed size; a nested archive's files are named {@code lib/a.jar!/x}. */
    public record FileSize(String name, long sizeBytes) {
    }

    /**
     * What a reviewer looks at: every entry (nested archives' included), the top-level entries' uncompressed size,
     * the packages classes are in (nested archives' included), the nested archives, and the ten largest files.
     */
    public record Survey(int entries, long totalUncompressedBytes, List<String> packages, List<FileSize> nestedJars,
                         List<FileSize> largest) {
        public Survey {
            packages = List.copyOf(packages);
            nestedJars = List.copyOf(nestedJars);
            largest = List.copyOf(largest);
        }
    }

    private final int maxEntries;
    private final long maxExpandedBytes;

    public JarInspector(int maxEntries, long maxExpandedBytes) {
        this.maxEntries = maxEntries;
        this.maxExpandedBytes = maxExpandedBytes;
    }

    private final class Budget {
        int entries;
        long bytes;
        final Set<String> classes = new HashSet<>();
        final Set<String> topLevel = new HashSet<>();
        final Map<String, byte[]> small = new HashMap<>();
        final Set<String> packages = new java.util.TreeSet<>();
        final List<FileSize> files = new ArrayList<>();
        final List<FileSize> nested = new ArrayList<>();
        long topLevelBytes;
    }

    /** @throws ClawlessException.Unprocessable naming the exact reason a JAR is refused */
    public Contents inspect(Path jar) {
        Budget budget = new Budget();
        try (InputStream in = Files.newInputStream(jar)) {
            read(new ZipInputStream(in), budget, 0, "");
        } catch (ZipException e) {
            throw refused("not a readable JAR (zip): " + e.getMessage());
        } catch (IOException e) {
            throw refused("not a readable JAR: " + e.getMessage());
        }
        if (budget.entries == 0) {
            throw refused("not a readable JAR: it holds no zip entries (empty, or not a zip)");
        }
        // the class loader reads the central directory, the pass above the local headers: both must list the same
        // entries, or a second archive could hide behind the first
        try (java.util.zip.ZipFile central = new java.util.zip.ZipFile(jar.toFile())) {
            Set<String> listed = new HashSet<>();
            central.stream().forEach(e -> listed.add(e.getName()));
            if (!listed.equals(budget.topLevel)) {
                throw refused("the JAR's central directory and its entries disagree (a hidden second archive?)");
            }
        } catch (IOException e) {
            throw refused("not a readable JAR (central directory): " + e.getMessage());
        }
        byte[] manifestBytes = budget.small.get("META-INF/MANIFEST.MF");
        if (manifestBytes == null) {
            throw refused("META-INF/MANIFEST.MF is missing");
        }
        Manifest manifest;
        try {
            manifest = new Manifest(new ByteArrayInputStream(manifestBytes));
        } catch (IOException e) {
            throw refused("META-INF/MANIFEST.MF cannot be read: " + e.getMessage());
        }
        byte[] index = budget.small.get("META-INF/extensions.idx");
        if (index == null) {
            throw refused("META-INF/extensions.idx is missing (build with the pf4j annotation processor)");
        }
        List<String> extensions = new ArrayList<>();
        for (String line : new String(index, StandardCharsets.UTF_8).split("\\R")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            if (!name.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)+")) {
                throw refused("META-INF/extensions.idx names something that is not a class: "
                        + name.substring(0, Math.min(100, name.length())));
            }
            if (!budget.classes.contains(name.replace('.', '/') + ".class")) {
                throw refused("META-INF/extensions.idx names " + name + ", which the JAR does not contain");
            }
            extensions.add(name);
        }
        if (extensions.isEmpty()) {
            throw refused("META-INF/extensions.idx lists no extension");
        }
        byte[] descriptor = budget.small.get("clawless-plugin.json");
        if (descriptor == null) {
            throw refused("clawless-plugin.json is missing at the root of the JAR");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(descriptor);
        } catch (IOException e) {
            throw refused("clawless-plugin.json is not JSON: " + printable(String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse("")));
        }
        if (json == null || !json.isObject()) {
            throw refused("clawless-plugin.json must be a JSON object");
        }
        List<FileSize> largest = budget.files.stream()
                .sorted(java.util.Comparator.comparingLong(FileSize::sizeBytes).reversed()
                        .thenComparing(FileSize::name))
                .limit(10).toList();
        Survey survey = new Survey(budget.entries, budget.topLevelBytes,
                budget.packages.stream().limit(MAX_PACKAGES).toList(), budget.nested, largest);
        return new Contents(manifest, List.copyOf(extensions), json, Set.copyOf(budget.classes), budget.entries,
                budget.bytes, survey);
    }

    private void read(ZipInputStream zip, Budget budget, int depth, String prefix) throws IOException {
        ZipEntry entry;
        Set<String> seen = new HashSet<>();
        while ((entry = zip.getNextEntry()) != null) {
            String name = entry.getName();
            if (++budget.entries > maxEntries) {
                throw refused("more than " + maxEntries + " entries (counting nested archives): a zip bomb?");
            }
            if (name.isEmpty() || name.startsWith("/") || name.startsWith("\\") || name.contains("\\")
                    || name.matches("(?s).*(^|/)\\.\\.(/|$).*") || name.matches("^[A-Za-z]:.*")
                    || name.chars().anyMatch(ch -> ch < 0x20)) {
                throw refused("the entry " + printable(prefix + name) + " could escape its folder (zip slip)");
            }
            if (!seen.add(name)) {
                throw refused("the entry " + printable(prefix + name) + " appears twice");
            }
            if (depth == 0) {
                budget.topLevel.add(name);
            }
            if (entry.isDirectory()) {
                continue;
            }
            if (name.endsWith(".class")) {
                String pkg = name.replaceFirst("^META-INF/versions/[0-9]+/", "");
                for (String f : FORBIDDEN) {
                    if (pkg.startsWith(f)) {
                        throw refused("the class " + printable(name) + " is in a package plugins may not use ("
                                + f.replace('/', '.') + "*)");
                    }
                }
                if (depth == 0) {
                    budget.classes.add(name);
                }
                int slash = pkg.lastIndexOf('/');
                if (slash > 0) {
                    budget.packages.add(pkg.substring(0, slash).replace('/', '.'));
                }
            }
            boolean nested = name.endsWith(".jar") || name.endsWith(".zip");
            if (nested) {
                if (depth > 0 || !name.startsWith("lib/")) {
                    throw refused("the nested archive " + printable(prefix + name)
                            + " is not allowed (only lib/*.jar, one level deep)");
                }
                Counting nestedBytes = new Counting(zip, budget);
                read(new ZipInputStream(nestedBytes), budget, depth + 1, name + "!/");
                nestedBytes.transferTo(java.io.OutputStream.nullOutputStream()); // what the inner pass left, counted
                budget.nested.add(new FileSize(name, nestedBytes.count));
                budget.files.add(new FileSize(name, nestedBytes.count));
                budget.topLevelBytes += nestedBytes.count;
                continue;
            }
            boolean keep = depth == 0 && (name.equals("META-INF/MANIFEST.MF") || name.equals("META-INF/extensions.idx")
                    || name.equals("clawless-plugin.json"));
            byte[] buffer = new byte[8192];
            java.io.ByteArrayOutputStream kept = keep ? new java.io.ByteArrayOutputStream() : null;
            long size = 0;
            int n;
            while ((n = zip.read(buffer)) > 0) {
                size += n;
                budget.bytes += n;
                if (budget.bytes > maxExpandedBytes) {
                    throw refused("expands to more than " + maxExpandedBytes + " bytes: a zip bomb?");
                }
                if (kept != null) {
                    if (size > MAX_SMALL_FILE) {
                        throw refused(name + " is larger than " + MAX_SMALL_FILE + " bytes");
                    }
                    kept.write(buffer, 0, n);
                }
            }
            if (kept != null) {
                budget.small.put(name, kept.toByteArray());
            }
            budget.files.add(new FileSize(prefix + name, size));
            if (depth == 0) {
                budget.topLevelBytes += size;
            }
        }
    }

    /** A nested archive's bytes, counted against the expanded budget as they are read. */
    private final class Counting extends InputStream {
        private final InputStream in;
        private final Budget budget;
        long count;

        Counting(InputStream in, Budget budget) {
            this.in = in;
            this.budget = budget;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                budget.bytes += n;
                if (budget.bytes > maxExpandedBytes) {
                    throw refused("expands to more than " + maxExpandedBytes + " bytes: a zip bomb?");
                }
            }
            return n;
        }

        @Override
        public void close() {
            // the outer stream stays open for the next entry
        }
    }

    static String printable(String s) {
        String p = s.replaceAll("[^\\x21-\\x7e]", "?");
        return p.length() <= 120 ? p : p.substring(0, 120) + "…";
    }

    static ClawlessException.Unprocessable refused(String reason) {
        return new ClawlessException.Unprocessable("plugin-refused", reason);
    }

    /** The manifest's main attributes by name. */
    public static String attribute(Manifest manifest, String name) {
        Attributes a = manifest.getMainAttributes();
        return a.getValue(name);
    }
}
