/**
 * The contract between the Clawless hub and its channel and tool extensions: the only package a plugin compiles
 * against. It depends on the JDK and pf4j only.
 */
package dev.clawless.plugin.api;
