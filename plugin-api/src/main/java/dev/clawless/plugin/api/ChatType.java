package dev.clawless.plugin.api;

/** Whether a conversation is one-to-one with the assistant or a group where others talk too. */
public enum ChatType {
    DIRECT, GROUP
}
