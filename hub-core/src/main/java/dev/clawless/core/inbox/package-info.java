/**
 * The operator inbox: who works a conversation (a member, a team) and since when it waits for a person, hand-off
 * from the assistant with round-robin auto-assignment and business hours, labels, private notes, canned responses,
 * what each member has read, CSAT after resolution, and the views the console lists and searches.
 */
package dev.clawless.core.inbox;
