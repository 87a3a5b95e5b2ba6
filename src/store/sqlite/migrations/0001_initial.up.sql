-- Vestige SQLite schema, version 1.
--
-- Times are TEXT in fixed-width RFC 3339 UTC ('2026-11-24T09:30:00.000000Z'),
-- so they sort as the times they denote and SQLite's date functions read them.
-- Ids are canonical lowercase UUID text. JSON columns hold arrays and objects
-- as text (SQLite's json functions read them).

CREATE TABLE users (
  id           TEXT PRIMARY KEY,
  username     TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at   TEXT NOT NULL
);

-- The single-user default owner of every memory.
INSERT INTO users (id, username, display_name, created_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'local', 'Local User',
        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));

CREATE TABLE groups (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE group_memberships (
  group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin', 'owner')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);

CREATE TABLE knowledge_nodes (
  -- The integer key is the label of the memory in the vector index; declaring
  -- it keeps it stable across VACUUM.
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  content            TEXT NOT NULL CHECK (content <> ''),
  node_type          TEXT NOT NULL DEFAULT 'fact',
  tags               TEXT NOT NULL DEFAULT '[]',
  metadata           TEXT NOT NULL DEFAULT '{}',
  codebase           TEXT,
  domains            TEXT NOT NULL DEFAULT '[]',
  domain_scores      TEXT NOT NULL DEFAULT '{}',
  embedding          BLOB,  -- float32 little-endian, the registered dimension
  owner_user_id      TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
                     REFERENCES users (id),
  visibility         TEXT NOT NULL DEFAULT 'private'
                     CHECK (visibility IN ('private', 'group', 'public')),
  shared_with_groups TEXT NOT NULL DEFAULT '[]',
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  -- Engine state.
  importance         REAL NOT NULL DEFAULT 0.5,
  access_count       INTEGER NOT NULL DEFAULT 0,
  last_accessed_at   TEXT,
  retrieval_strength REAL NOT NULL DEFAULT 1.0,
  storage_strength   REAL NOT NULL DEFAULT 1.0,
  superseded_by      TEXT,
  suppressed         INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX idx_knowledge_nodes_created_at ON knowledge_nodes (created_at, id);
CREATE INDEX idx_knowledge_nodes_node_type ON knowledge_nodes (node_type);
CREATE INDEX idx_knowledge_nodes_owner ON knowledge_nodes (owner_user_id);
CREATE INDEX idx_knowledge_nodes_codebase ON knowledge_nodes (codebase) WHERE codebase IS NOT NULL;

-- Full-text index over content, type and tags, kept in sync by triggers.
-- Porter stemming over unicode61 tokens: "running" matches "runs".
CREATE VIRTUAL TABLE knowledge_nodes_fts USING fts5 (
  content, node_type, tags,
  content = 'knowledge_nodes', content_rowid = 'seq',
  tokenize = 'porter unicode61'
);

CREATE TRIGGER knowledge_nodes_fts_insert AFTER INSERT ON knowledge_nodes BEGIN
  INSERT INTO knowledge_nodes_fts (rowid, content, node_type, tags)
  VALUES (new.seq, new.content, new.node_type, new.tags);
END;

CREATE TRIGGER knowledge_nodes_fts_delete AFTER DELETE ON knowledge_nodes BEGIN
  INSERT INTO knowledge_nodes_fts (knowledge_nodes_fts, rowid, content, node_type, tags)
  VALUES ('delete', old.seq, old.content, old.node_type, old.tags);
END;

CREATE TRIGGER knowledge_nodes_fts_update AFTER UPDATE OF content, node_type, tags
ON knowledge_nodes BEGIN
  INSERT INTO knowledge_nodes_fts (knowledge_nodes_fts, rowid, content, node_type, tags)
  VALUES ('delete', old.seq, old.content, old.node_type, old.tags);
  INSERT INTO knowledge_nodes_fts (rowid, content, node_type, tags)
  VALUES (new.seq, new.content, new.node_type, new.tags);
END;

-- Every change to a stored vector, in commit order. Each process keeps its own
-- in-memory vector index and replays this log to catch up with writes made by
-- other processes sharing the file. AUTOINCREMENT: sequence numbers are never
-- reused, so "everything after N" is always well defined.
CREATE TABLE vector_log (
  log_seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  node_seq INTEGER NOT NULL,
  op       TEXT NOT NULL CHECK (op IN ('upsert', 'delete'))
);

CREATE TRIGGER knowledge_nodes_vector_insert AFTER INSERT ON knowledge_nodes
WHEN new.embedding IS NOT NULL BEGIN
  INSERT INTO vector_log (node_seq, op) VALUES (new.seq, 'upsert');
END;

CREATE TRIGGER knowledge_nodes_vector_update AFTER UPDATE OF embedding ON knowledge_nodes BEGIN
  INSERT INTO vector_log (node_seq, op)
  VALUES (new.seq, CASE WHEN new.embedding IS NULL THEN 'delete' ELSE 'upsert' END);
END;

CREATE TRIGGER knowledge_nodes_vector_delete AFTER DELETE ON knowledge_nodes
WHEN old.embedding IS NOT NULL BEGIN
  INSERT INTO vector_log (node_seq, op) VALUES (old.seq, 'delete');
END;

CREATE TABLE scheduling (
  memory_id   TEXT PRIMARY KEY REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  stability   REAL NOT NULL,
  difficulty  REAL NOT NULL,
  reps        INTEGER NOT NULL DEFAULT 0,
  lapses      INTEGER NOT NULL DEFAULT 0,
  state       TEXT NOT NULL DEFAULT 'new',
  last_review TEXT,
  next_review TEXT NOT NULL
);

CREATE INDEX idx_scheduling_next_review ON scheduling (next_review);

CREATE TABLE review_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  memory_id   TEXT NOT NULL REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  reviewed_at TEXT NOT NULL,
  rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
  prior_state TEXT,           -- JSON scheduling state before the review, NULL for the first
  new_state   TEXT NOT NULL   -- JSON scheduling state after the review
);

CREATE INDEX idx_review_events_memory ON review_events (memory_id, id);

CREATE TABLE edges (
  source_id  TEXT NOT NULL REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  target_id  TEXT NOT NULL REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  edge_type  TEXT NOT NULL CHECK (edge_type <> ''),
  weight     REAL NOT NULL DEFAULT 1.0,
  metadata   TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  PRIMARY KEY (source_id, target_id, edge_type),
  CHECK (source_id <> target_id)
);

CREATE INDEX idx_edges_target ON edges (target_id);

CREATE TABLE domains (
  id         TEXT PRIMARY KEY,
  label      TEXT NOT NULL DEFAULT '',
  centroid   BLOB,
  metadata   TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Exactly one row once a model is registered: the model every stored vector
-- comes from.
CREATE TABLE embedding_model (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  name       TEXT NOT NULL,
  dimension  INTEGER NOT NULL CHECK (dimension > 0),
  hash       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
