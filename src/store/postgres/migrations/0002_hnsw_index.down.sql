-- Reverts schema version 2: vector search falls back to a sequential scan.
DROP INDEX IF EXISTS idx_knowledge_nodes_embedding_hnsw;
