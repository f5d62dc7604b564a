/**
 * The sales mode: a tenant's lead form, the lead each sales conversation fills (rules without a model, structured
 * extraction with one), its score and qualification, the push of qualified leads to a CRM plugin's tool with the
 * records it names linked to the contact, the offer to continue on WhatsApp, and the funnel.
 */
package dev.clawless.core.sales;
