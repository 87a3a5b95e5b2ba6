-- Reverts schema version 1: destroys every memory. Back up first.
DROP TABLE IF EXISTS embedding_model;
DROP TABLE IF EXISTS domains;
DROP TABLE IF EXISTS edges;
DROP TABLE IF EXISTS review_events;
DROP TABLE IF EXISTS scheduling;
DROP TABLE IF EXISTS vector_log;
DROP TABLE IF EXISTS knowledge_nodes_fts;
DROP TABLE IF EXISTS knowledge_nodes;
DROP TABLE IF EXISTS group_memberships;
DROP TABLE IF EXISTS groups;
DROP TABLE IF EXISTS users;
