package dev.clawless.core.sales;

/**
 * The sales funnel of a period: conversations started, leads (at least one form field filled), qualified leads,
 * leads moved to WhatsApp, and leads pushed to the CRM.
 */
public record Funnel(long conversations, long leads, long qualified, long transferred, long pushed) {
}
