-- Vestige PostgreSQL schema, version 1: everything except the HNSW index,
-- which needs the embedding dimension and so waits for the model registry
-- (migration 2 runs once a model is registered).
--
-- The extensions are created by a superuser once per database; for a schema
-- owner without superuser these statements are no-ops when they exist.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE users (
  id           uuid PRIMARY KEY,
  username     text NOT NULL UNIQUE,
  display_name text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- The single-user default owner of every memory.
INSERT INTO users (id, username, display_name)
VALUES ('00000000-0000-0000-0000-000000000001', 'local', 'Local User');

CREATE TABLE groups (
  id         uuid PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_memberships (
  group_id   uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin', 'owner')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, user_id)
);

-- The text a memory is found by: content (weight A), type (B) and tags (C),
-- English stemming. array_to_string is only STABLE, and a generated column
-- needs an IMMUTABLE expression; joining tags with a space does not depend on
-- any setting, so this wrapper is declared IMMUTABLE.
CREATE FUNCTION vestige_search_vector(content text, node_type text, tags text[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT setweight(to_tsvector('english'::regconfig, content), 'A')
      || setweight(to_tsvector('english'::regconfig, node_type), 'B')
      || setweight(to_tsvector('english'::regconfig, array_to_string(tags, ' ')), 'C')
$$;

-- FSRS-6 retrievability after the time between `last_review` and `at`:
-- R = (1 + f * t / S) ^ (-w20), f = 0.9 ^ (-1 / w20) - 1, w20 = 0.1542.
-- A memory never reviewed, or reviewed after `at`, counts as 1.
CREATE FUNCTION vestige_retrievability(stability float8, last_review timestamptz,
                                       at timestamptz)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN stability IS NULL OR last_review IS NULL OR at <= last_review THEN 1.0::float8
    WHEN stability <= 0 THEN 0.0::float8
    ELSE power(1.0::float8
               + (power(0.9::float8, -1.0::float8 / 0.1542::float8) - 1.0::float8)
                 * (extract(epoch FROM at - last_review)::float8 / 86400.0::float8)
                 / stability,
               -0.1542::float8)
  END
$$;

CREATE TABLE knowledge_nodes (
  id                 uuid PRIMARY KEY,
  content            text NOT NULL CHECK (content <> ''),
  node_type          text NOT NULL DEFAULT 'fact',
  tags               text[] NOT NULL DEFAULT '{}',
  metadata           jsonb NOT NULL DEFAULT '{}',
  codebase           text,
  domains            text[] NOT NULL DEFAULT '{}',
  domain_scores      jsonb NOT NULL DEFAULT '{}',
  -- Dimensionless until the model is registered, which sets vector(N).
  embedding          vector,
  owner_user_id      uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
                     REFERENCES users (id),
  visibility         text NOT NULL DEFAULT 'private'
                     CHECK (visibility IN ('private', 'group', 'public')),
  shared_with_groups uuid[] NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  -- Engine state.
  importance         float8 NOT NULL DEFAULT 0.5,
  access_count       bigint NOT NULL DEFAULT 0,
  last_accessed_at   timestamptz,
  retrieval_strength float8 NOT NULL DEFAULT 1.0,
  storage_strength   float8 NOT NULL DEFAULT 1.0,
  superseded_by      uuid,
  suppressed         boolean NOT NULL DEFAULT false,
  search_vector      tsvector GENERATED ALWAYS AS
                       (vestige_search_vector(content, node_type, tags)) STORED
);

CREATE INDEX idx_knowledge_nodes_fts ON knowledge_nodes USING gin (search_vector);
CREATE INDEX idx_knowledge_nodes_tags ON knowledge_nodes USING gin (tags);
CREATE INDEX idx_knowledge_nodes_domains ON knowledge_nodes USING gin (domains);
CREATE INDEX idx_knowledge_nodes_shared_with_groups
  ON knowledge_nodes USING gin (shared_with_groups);
CREATE INDEX idx_knowledge_nodes_node_type ON knowledge_nodes (node_type);
CREATE INDEX idx_knowledge_nodes_created_at ON knowledge_nodes (created_at, id);
CREATE INDEX idx_knowledge_nodes_owner ON knowledge_nodes (owner_user_id);
CREATE INDEX idx_knowledge_nodes_codebase ON knowledge_nodes (codebase)
  WHERE codebase IS NOT NULL;

-- updated_at follows every change made outside Vestige too (Vestige sets it
-- itself, to the same transaction time).
CREATE FUNCTION vestige_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER knowledge_nodes_updated_at BEFORE UPDATE ON knowledge_nodes
FOR EACH ROW EXECUTE FUNCTION vestige_touch_updated_at();

CREATE TABLE scheduling (
  memory_id   uuid PRIMARY KEY REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  stability   float8 NOT NULL,
  difficulty  float8 NOT NULL,
  reps        integer NOT NULL DEFAULT 0,
  lapses      integer NOT NULL DEFAULT 0,
  state       text NOT NULL DEFAULT 'new',
  last_review timestamptz,
  next_review timestamptz NOT NULL
);

CREATE INDEX idx_scheduling_next_review ON scheduling (next_review);

CREATE TABLE review_events (
  id          bigserial PRIMARY KEY,
  memory_id   uuid NOT NULL REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  reviewed_at timestamptz NOT NULL,
  rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 4),
  prior_state jsonb,          -- scheduling state before the review, NULL for the first
  new_state   jsonb NOT NULL  -- scheduling state after the review
);

CREATE INDEX idx_review_events_memory ON review_events (memory_id, id);

CREATE TABLE edges (
  source_id  uuid NOT NULL REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  target_id  uuid NOT NULL REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
  edge_type  text NOT NULL CHECK (edge_type <> ''),
  weight     float8 NOT NULL DEFAULT 1.0,
  metadata   jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The key ON CONFLICT relies on.
  PRIMARY KEY (source_id, target_id, edge_type),
  CHECK (source_id <> target_id)
);

CREATE INDEX idx_edges_source ON edges (source_id);
CREATE INDEX idx_edges_target ON edges (target_id);

CREATE TABLE domains (
  id         text PRIMARY KEY,
  label      text NOT NULL DEFAULT '',
  centroid   vector,
  metadata   jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Exactly one row once a model is registered: the model every stored vector
-- comes from.
CREATE TABLE embedding_model (
  id         integer PRIMARY KEY CHECK (id = 1),
  name       text NOT NULL,
  dimension  integer NOT NULL CHECK (dimension > 0),
  hash       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
