package dev.clawless.plugin.api;

/**
 * Facts about this plugin API that a plugin and the hub agree on.
 */
public final class PluginApi {

    /**
     * Semantic version of the plugin API. A plugin's {@code Plugin-Requires} is checked against it: same major
     * version, and a minor version no higher than this one.
     */
    public static final String VERSION = "1.0.0";

    private PluginApi() {
    }
}
