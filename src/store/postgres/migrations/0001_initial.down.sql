-- Reverts schema version 1: destroys every memory. Back up first (pg_dump).
-- The extensions stay: they belong to the database, not to Vestige.
DROP TABLE IF EXISTS embedding_model;
DROP TABLE IF EXISTS domains;
DROP TABLE IF EXISTS edges;
DROP TABLE IF EXISTS review_events;
DROP TABLE IF EXISTS scheduling;
DROP TABLE IF EXISTS knowledge_nodes;
DROP TABLE IF EXISTS group_memberships;
DROP TABLE IF EXISTS groups;
DROP TABLE IF EXISTS users;
DROP FUNCTION IF EXISTS vestige_touch_updated_at();
DROP FUNCTION IF EXISTS vestige_retrievability(float8, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS vestige_search_vector(text, text, text[]);
