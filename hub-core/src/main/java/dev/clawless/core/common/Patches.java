package dev.clawless.core.common;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Merge-patch rules shared by connections and installations: a {@code null} removes, a value sets. */
public final class Patches {

    private Patches() {
    }

    /** {@code config} with {@code patch}'s keys applied in place (JSON merge-patch, one level). */
    public static ObjectNode merge(ObjectNode config, Optional<ObjectNode> patch) {
        patch.ifPresent(p -> p.fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) {
                config.remove(f.getKey());
            } else {
                config.set(f.getKey(), f.getValue());
            }
        }));
        return config;
    }

    /** {@code current} secrets with {@code patch} applied: a value sets, an empty optional removes. Sorted. */
    public static Map<String, String> merge(Map<String, String> current, Map<String, Optional<String>> patch) {
        Map<String, String> out = new TreeMap<>(current);
        patch.forEach((k, v) -> {
            if (v.isPresent()) {
                out.put(k, v.get());
            } else {
                out.remove(k);
            }
        });
        return out;
    }
}
