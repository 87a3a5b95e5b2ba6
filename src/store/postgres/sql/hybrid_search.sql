-- Hybrid search in one statement: a full-text branch and a vector branch,
-- each over-fetched and filtered by the same predicates, fused by weighted
-- Reciprocal Rank Fusion:
--   score = text_weight / (k + text_rank) + vector_weight / (k + vector_rank)
-- Ties are broken by id everywhere, so results are deterministic.
--
-- Parameters:
--   $1  text        websearch_to_tsquery input ("w1" or "w2" ...), NULL: no text branch
--   $2  vector      the query vector, NULL: no vector branch
--   $3  bigint      rows each branch fetches (the over-fetch)
--   $4  bigint      rows returned
--   $5  float8      text_weight
--   $6  float8      vector_weight
--   $7  float8      rrf_k
--   $8  timestamptz the reference time of retrievability
--   $9  boolean     include suppressed memories
--   $10 text        codebase, NULL: any
--   $11 text[]      node types, NULL: any
--   $12 text[]      tags the memory must all carry, NULL: any
--   $13 float8      minimum retrievability, NULL: any
--   $14 text        'hybrid', 'text' (score = text rank value) or 'vector' (score = cosine
--                   similarity)
--
-- The vector branch orders by `embedding <=> $2` with the parameter bound right
-- there: reading the query vector from a CTE column instead makes the planner
-- give up the HNSW index for a sequential scan. The caller raises
-- hnsw.ef_search to at least $3 (SET LOCAL) and, on pgvector 0.8+, sets
-- hnsw.iterative_scan so that selective filters still fill the branch.
-- Retrievability is computed here from stability and last review (FSRS-6);
-- a memory without a scheduling row counts as 1.
WITH text_branch AS (
  (SELECT n.id, ts_rank(n.search_vector, q.query)::float8 AS text_score
   FROM knowledge_nodes AS n,
        websearch_to_tsquery('english', $1::text) AS q (query)
   WHERE $1::text IS NOT NULL
     AND n.search_vector @@ q.query
     AND ($9::boolean OR NOT n.suppressed)
     AND ($10::text IS NULL OR n.codebase = $10::text)
     AND ($11::text[] IS NULL OR n.node_type = ANY ($11::text[]))
     AND ($12::text[] IS NULL OR n.tags @> $12::text[])
     AND ($13::float8 IS NULL
          OR coalesce((SELECT vestige_retrievability(s.stability, s.last_review, $8::timestamptz)
                       FROM scheduling AS s WHERE s.memory_id = n.id), 1.0) >= $13::float8)
   ORDER BY text_score DESC, n.id
   LIMIT $3::bigint)
  UNION ALL
  -- Only when the English configuration drops every word of the query (it
  -- holds only stop words, "what is it"): the words are matched as they are,
  -- in the 2000 newest memories that pass the filters. That keeps the cost
  -- bounded without an index of its own, and finds what a user asking with
  -- common words means: recent memories that say those words. The condition
  -- does not depend on a row, so for any other query this branch is skipped
  -- before it reads anything.
  (SELECT w.id, ts_rank(to_tsvector('simple', w.content), q.query)::float8 AS text_score
   FROM (SELECT n.id, n.content
         FROM knowledge_nodes AS n
         WHERE $1::text IS NOT NULL
           AND numnode(websearch_to_tsquery('english', $1::text)) = 0
           AND ($9::boolean OR NOT n.suppressed)
           AND ($10::text IS NULL OR n.codebase = $10::text)
           AND ($11::text[] IS NULL OR n.node_type = ANY ($11::text[]))
           AND ($12::text[] IS NULL OR n.tags @> $12::text[])
           AND ($13::float8 IS NULL
                OR coalesce((SELECT vestige_retrievability(s.stability, s.last_review, $8::timestamptz)
                             FROM scheduling AS s WHERE s.memory_id = n.id), 1.0) >= $13::float8)
         ORDER BY n.created_at DESC, n.id
         LIMIT 2000) AS w,
        websearch_to_tsquery('simple', $1::text) AS q (query)
   WHERE to_tsvector('simple', w.content) @@ q.query
   ORDER BY text_score DESC, w.id
   LIMIT $3::bigint)
),
text_ranked AS (
  SELECT id, text_score, row_number() OVER (ORDER BY text_score DESC, id) AS text_rank
  FROM text_branch
),
vector_branch AS (
  SELECT n.id, n.embedding <=> $2::vector AS vector_distance
  FROM knowledge_nodes AS n
  WHERE $2::vector IS NOT NULL
    AND n.embedding IS NOT NULL
    AND ($9::boolean OR NOT n.suppressed)
    AND ($10::text IS NULL OR n.codebase = $10::text)
    AND ($11::text[] IS NULL OR n.node_type = ANY ($11::text[]))
    AND ($12::text[] IS NULL OR n.tags @> $12::text[])
    AND ($13::float8 IS NULL
         OR coalesce((SELECT vestige_retrievability(s.stability, s.last_review, $8::timestamptz)
                      FROM scheduling AS s WHERE s.memory_id = n.id), 1.0) >= $13::float8)
  ORDER BY n.embedding <=> $2::vector, n.id
  LIMIT $3::bigint
),
vector_ranked AS (
  SELECT id, vector_distance, row_number() OVER (ORDER BY vector_distance, id) AS vector_rank
  FROM vector_branch
),
fused AS (
  SELECT coalesce(t.id, v.id) AS id, t.text_rank, t.text_score, v.vector_rank, v.vector_distance,
         CASE $14::text
           WHEN 'text' THEN t.text_score
           WHEN 'vector' THEN 1.0::float8 - v.vector_distance
           ELSE coalesce($5::float8 / ($7::float8 + t.text_rank), 0.0::float8)
                + coalesce($6::float8 / ($7::float8 + v.vector_rank), 0.0::float8)
         END AS score
  FROM text_ranked AS t
  FULL JOIN vector_ranked AS v ON v.id = t.id
)
SELECT n.id, n.content, n.node_type, array_to_json(n.tags), n.metadata, n.codebase,
       array_to_json(n.domains), n.domain_scores, NULL::vector, n.owner_user_id, n.visibility,
       array_to_json(n.shared_with_groups),
       to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       to_char(n.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       n.importance, n.access_count,
       to_char(n.last_accessed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       n.retrieval_strength, n.storage_strength, n.superseded_by, n.suppressed,
       f.score, f.text_rank, f.text_score, f.vector_rank, f.vector_distance,
       vestige_retrievability(s.stability, s.last_review, $8::timestamptz) AS retrievability
FROM fused AS f
JOIN knowledge_nodes AS n ON n.id = f.id
LEFT JOIN scheduling AS s ON s.memory_id = n.id
ORDER BY f.score DESC, f.id
LIMIT $4::bigint
