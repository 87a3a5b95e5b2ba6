-- Reverts schema version 2: the in-memory text indexes rebuild from the table.
DROP TRIGGER IF EXISTS knowledge_nodes_text_delete;
DROP TRIGGER IF EXISTS knowledge_nodes_text_update;
DROP TRIGGER IF EXISTS knowledge_nodes_text_insert;
DROP TABLE IF EXISTS text_log;
