/**
 * Configuration: {@code application.yaml} defaults, an optional file, {@code CLAWLESS_*} environment overrides, and
 * their typed, validated form {@link dev.clawless.server.config.HubConfig}.
 */
package dev.clawless.server.config;
