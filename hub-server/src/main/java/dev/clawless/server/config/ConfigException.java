package dev.clawless.server.config;

import java.util.List;

/** Start-up stops: the configuration has unknown keys or invalid values. Each problem names its key. */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
