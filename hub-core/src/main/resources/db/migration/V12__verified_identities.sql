-- A contact is one person across channels: identities that the platform verified to be the same phone number,
-- e-mail address or signed-in user ("phone:+4915112345678", "email:grace@example.com", "user:42") share a contact.
ALTER TABLE contact_identities ADD COLUMN verified_key VARCHAR(320);
CREATE INDEX contact_identities_verified_idx ON contact_identities (tenant_id, verified_key);
