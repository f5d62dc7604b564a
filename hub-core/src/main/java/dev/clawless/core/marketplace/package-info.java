/**
 * The plugin marketplace: uploads verified without loading any of their code, content-addressed storage, admin
 * review, the catalog of approved versions.
 */
package dev.clawless.core.marketplace;
