/**
 * Contacts, their identities per channel, conversations and messages, and the ingest path every inbound message
 * takes: deduplicated by a unique key and stored together with its assistant-turn job in one transaction.
 * {@link dev.clawless.core.conversation.ConversationManagement} is the module's API.
 */
package dev.clawless.core.conversation;
