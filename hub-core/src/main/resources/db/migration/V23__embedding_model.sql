-- The model that made each stored vector. Vectors of different models cannot be compared, so when the hub's model
-- changes (the float all-MiniLM-L6-v2 gave way to its quantized twin) the vectors stored under another name, or
-- under none (those written before this column), are computed again from their text at start (Reembedding).
ALTER TABLE knowledge_chunks ADD COLUMN embedding_model VARCHAR(60);
ALTER TABLE intent_examples ADD COLUMN embedding_model VARCHAR(60);
