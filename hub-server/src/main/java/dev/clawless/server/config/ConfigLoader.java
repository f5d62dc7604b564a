package dev.clawless.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads the configuration in three layers, later ones winning: the bundled {@code application.yaml} (every key and
 * its default), an optional YAML file, and {@code CLAWLESS_*} environment variables. The defaults define the keys:
 * a key or variable that is not one of them stops start-up, except new plans under {@code clawless.plans}.
 */
public final class ConfigLoader {

    /** Where the bundled defaults are (copied from {@code config/application.yaml} by the build). */
    public static final String DEFAULTS = "/dev/clawless/server/application.yaml";
    private static final String ENV_PREFIX = "CLAWLESS_";
    private static final Pattern PLAN_KEY = Pattern.compile(
            "clawless\\.plans\\.[a-z0-9][a-z0-9_]{0,39}\\.(messages-per-month|tokens-per-month|requests-per-minute)");

    private ConfigLoader() {
    }

    /**
     * Loads and validates the configuration.
     *
     * @param file an extra YAML file, if any
     * @param env  the environment (normally {@link System#getenv()})
     * @throws ConfigException naming every unknown key and invalid value
     */
    public static HubConfig load(Optional<Path> file, Map<String, String> env) {
        Map<String, Value> values = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException("the bundled " + DEFAULTS + " is missing from the build");
            }
            flatten("", yaml().readTree(in), "defaults", values, problems);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled defaults", e);
        }
        if (file.isPresent()) {
            Map<String, Value> fromFile = new TreeMap<>();
            try (InputStream in = Files.newInputStream(file.get())) {
                JsonNode root = yaml().readTree(in);
                if (root != null && !root.isMissingNode() && !root.isNull()) {
                    flatten("", root, file.get().toString(), fromFile, problems);
                }
            } catch (IOException e) {
                problems.add(file.get() + ": cannot read configuration file: " + e.getMessage());
            }
            fromFile.forEach((key, value) -> {
                if (values.containsKey(key) || PLAN_KEY.matcher(key).matches()) {
                    values.put(key, value);
                } else {
                    problems.add(key + " (in " + value.origin() + "): unknown configuration key");
                }
            });
        }
        Map<String, String> envNames = new LinkedHashMap<>();
        values.keySet().forEach(key -> envNames.put(envName(key), key));
        new TreeMap<>(env).forEach((name, raw) -> {
            if (!name.startsWith(ENV_PREFIX)) {
                return;
            }
            String key = envNames.get(name);
            if (key == null) {
                problems.add(name + ": not a configuration variable (docs/configuration.md lists them)");
            } else {
                values.put(key, new Value(raw, name));
            }
        });
        try {
            HubConfig config = HubConfig.bind(values);
            if (problems.isEmpty()) {
                return config;
            }
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        throw new ConfigException(problems);
    }

    /** The environment variable that overrides {@code key}: {@code clawless.db.pool-size} → {@code CLAWLESS_DB_POOL_SIZE}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory());
    }

    private static void flatten(String prefix, JsonNode node, String origin, Map<String, Value> out,
                                List<String> problems) {
        if (node.isObject()) {
            if (node.isEmpty() && !prefix.isEmpty()) {
                out.put(prefix, new Value("", origin));
            }
            node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), origin, out, problems));
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isValueNode()) {
                    problems.add(prefix + " (in " + origin + "): list items must be plain values");
                    return;
                }
                items.add(item.asText());
            }
            out.put(prefix, new Value(String.join(",", items), origin));
        } else if (node.isNull()) {
            out.put(prefix, new Value("", origin));
        } else {
            out.put(prefix, new Value(node.asText(), origin));
        }
    }

    /** A raw value and where it came from ({@code defaults}, a file path or an environment variable name). */
    record Value(String raw, String origin) {
    }
}
