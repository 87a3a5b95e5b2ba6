-- The approximate nearest-neighbour index over the embeddings (cosine
-- distance). It needs a dimensioned column, so it runs after the embedding
-- model is registered (which sets knowledge_nodes.embedding to vector(N)).
CREATE INDEX IF NOT EXISTS idx_knowledge_nodes_embedding_hnsw
  ON knowledge_nodes USING hnsw (embedding vector_cosine_ops)
  WITH (m = 16, ef_construction = 64);
