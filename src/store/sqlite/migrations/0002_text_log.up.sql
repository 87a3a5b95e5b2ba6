-- Every change to what the full-text index holds (content, node type, tags),
-- in commit order. Each process keeps an in-memory copy of the text index for
-- fast ranking and replays this log to catch up with writes made by other
-- processes sharing the file, as it does vector_log for its vector index.
CREATE TABLE text_log (
  log_seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  node_seq INTEGER NOT NULL
);

-- Memories written before this version are already in the full-text index;
-- a process that finds no position of its own reads them from the table.
CREATE TRIGGER knowledge_nodes_text_insert AFTER INSERT ON knowledge_nodes BEGIN
  INSERT INTO text_log (node_seq) VALUES (new.seq);
END;

CREATE TRIGGER knowledge_nodes_text_update AFTER UPDATE OF content, node_type, tags
ON knowledge_nodes BEGIN
  INSERT INTO text_log (node_seq) VALUES (new.seq);
END;

CREATE TRIGGER knowledge_nodes_text_delete AFTER DELETE ON knowledge_nodes BEGIN
  INSERT INTO text_log (node_seq) VALUES (old.seq);
END;
