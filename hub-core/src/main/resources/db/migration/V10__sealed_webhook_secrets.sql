-- Webhook signing secrets are now sealed under the master key (AES-256-GCM, "v1:" + base64url); sealed values are
-- longer than the plaintext ones, which still read as before.
ALTER TABLE webhooks ALTER COLUMN secret SET DATA TYPE VARCHAR(300);
