-- Knowledge read from files: the media type detected and where the file came from (its name or URL), and for each
-- chunk the heading path of its section, so answers can cite a document's title and section.

ALTER TABLE knowledge_documents ADD COLUMN media_type VARCHAR(200);
ALTER TABLE knowledge_documents ADD COLUMN source VARCHAR(2048);
ALTER TABLE knowledge_chunks ADD COLUMN section TEXT;
