/** The optional transcript store: every conversation event (and the messages they carry) copied to MongoDB. */
package dev.clawless.server.transcripts;
