// Contract: edges (upsert on the triple, direction, order, removal) and the
// breadth-first neighbourhood walk.

#include <algorithm>
#include <map>
#include <tuple>

#include "store_contract.h"

namespace vestige::contract {
namespace {

// Inserts `n` memories with ascending ids and returns the ids.
std::vector<Uuid> insert_nodes(MemoryStore& store, std::size_t n) {
  std::vector<Uuid> ids = ascending_ids(n);
  for (std::size_t i = 0; i < n; ++i) {
    Memory m = memory("node " + std::to_string(i));
    m.id = ids[i];
    store.insert(m);
  }
  return ids;
}

void sort_by_key(std::vector<Edge>& edges) {
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return std::tie(a.source_id, a.target_id, a.edge_type) <
           std::tie(b.source_id, b.target_id, b.edge_type);
  });
}

TEST_P(GraphContract, AddEdgeStoresEveryField) {
  const std::vector<Uuid> n = insert_nodes(store(), 2);
  Edge e = edge(n[0], n[1], "supersedes", 0.625);
  e.metadata = Json{{"reason", "correction \"quoted\""}, {"score", 0.5}};
  e.created_at = ts("2025-05-05T05:05:05.555555Z");

  store().add_edge(e);

  EXPECT_EQ(store().edges(n[0], EdgeDirection::kOutgoing), std::vector<Edge>{e});
  EXPECT_EQ(store().edges(n[1], EdgeDirection::kIncoming), std::vector<Edge>{e});
}

TEST_P(GraphContract, AnEpochCreatedAtMeansNow) {
  const std::vector<Uuid> n = insert_nodes(store(), 2);
  const Timestamp before = now_utc();
  store().add_edge(edge(n[0], n[1], "related"));
  const Timestamp after = now_utc();
  const std::vector<Edge> edges = store().edges(n[0], EdgeDirection::kOutgoing);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_TRUE(is_between(edges[0].created_at, before, after));
}

TEST_P(GraphContract, AddEdgeUpsertsOnTheTriple) {
  const std::vector<Uuid> n = insert_nodes(store(), 2);
  Edge first = edge(n[0], n[1], "related", 0.5);
  first.metadata = Json{{"v", 1}};
  first.created_at = ts("2025-01-01T00:00:00Z");
  store().add_edge(first);
  Edge second = edge(n[0], n[1], "related", 0.875);
  second.metadata = Json{{"v", 2}};
  second.created_at = ts("2025-06-01T00:00:00Z");

  store().add_edge(second);

  const std::vector<Edge> edges = store().edges(n[0], EdgeDirection::kBoth);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0].weight, 0.875);
  EXPECT_EQ(edges[0].metadata, second.metadata);
  EXPECT_EQ(format_timestamp(edges[0].created_at), format_timestamp(first.created_at))
      << "an upsert replaces weight and metadata only";
  EXPECT_EQ(store().stats(now_utc()).edges, 1);
}

TEST_P(GraphContract, TheTypeAndTheDirectionArePartOfTheKey) {
  const std::vector<Uuid> n = insert_nodes(store(), 2);
  store().add_edge(edge(n[0], n[1], "related", 0.1));
  store().add_edge(edge(n[0], n[1], "temporal", 0.2));
  store().add_edge(edge(n[1], n[0], "related", 0.3));
  EXPECT_EQ(store().edges(n[0], EdgeDirection::kBoth).size(), 3u);
  EXPECT_EQ(store().stats(now_utc()).edges, 3);
}

TEST_P(GraphContract, AnEdgeToAMissingMemoryIsNotFound) {
  const std::vector<Uuid> n = insert_nodes(store(), 1);
  const Uuid ghost = Uuid::generate_v7();
  EXPECT_TRUE(
      throws_code(ErrorCode::kNotFound, [&] { store().add_edge(edge(n[0], ghost, "related")); }));
  EXPECT_TRUE(
      throws_code(ErrorCode::kNotFound, [&] { store().add_edge(edge(ghost, n[0], "related")); }));
  EXPECT_TRUE(store().edges(n[0], EdgeDirection::kBoth).empty());
  EXPECT_EQ(store().stats(now_utc()).edges, 0);
}

TEST_P(GraphContract, ASelfLoopOrAnEmptyTypeIsInvalidInput) {
  const std::vector<Uuid> n = insert_nodes(store(), 2);
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput,
                          [&] { store().add_edge(edge(n[0], n[0], "related")); }));
  EXPECT_TRUE(
      throws_code(ErrorCode::kInvalidInput, [&] { store().add_edge(edge(n[0], n[1], "")); }));
  EXPECT_TRUE(store().edges(n[0], EdgeDirection::kBoth).empty());
  EXPECT_EQ(store().stats(now_utc()).edges, 0);
}

TEST_P(GraphContract, EdgesByDirectionOrderedBySourceTargetType) {
  const std::vector<Uuid> n = insert_nodes(store(), 4);
  const Uuid hub = n[2];  // neither the smallest nor the largest id
  const std::vector<Edge> outgoing_inserted = {edge(hub, n[3], "x"), edge(hub, n[0], "y"),
                                               edge(hub, n[0], "x"), edge(hub, n[1], "a")};
  const std::vector<Edge> incoming_inserted = {edge(n[3], hub, "z"), edge(n[0], hub, "w"),
                                               edge(n[1], hub, "b")};
  for (const Edge& e : outgoing_inserted) store().add_edge(e);
  for (const Edge& e : incoming_inserted) store().add_edge(e);
  store().add_edge(edge(n[0], n[1], "elsewhere"));  // does not touch the hub

  std::vector<Edge> outgoing = outgoing_inserted;
  std::vector<Edge> incoming = incoming_inserted;
  std::vector<Edge> both = outgoing_inserted;
  both.insert(both.end(), incoming_inserted.begin(), incoming_inserted.end());
  sort_by_key(outgoing);
  sort_by_key(incoming);
  sort_by_key(both);

  const auto without_times = [](std::vector<Edge> edges) {
    for (Edge& e : edges) e.created_at = Timestamp{};
    return edges;
  };
  EXPECT_EQ(without_times(store().edges(hub, EdgeDirection::kOutgoing)), outgoing);
  EXPECT_EQ(without_times(store().edges(hub, EdgeDirection::kIncoming)), incoming);
  EXPECT_EQ(without_times(store().edges(hub, EdgeDirection::kBoth)), both);
  EXPECT_TRUE(store().edges(Uuid::generate_v7(), EdgeDirection::kBoth).empty());
}

TEST_P(GraphContract, RemoveEdgeReportsWhetherItExisted) {
  const std::vector<Uuid> n = insert_nodes(store(), 2);
  store().add_edge(edge(n[0], n[1], "related"));
  store().add_edge(edge(n[0], n[1], "temporal"));

  EXPECT_FALSE(store().remove_edge(n[1], n[0], "related"));
  EXPECT_FALSE(store().remove_edge(n[0], n[1], "other"));
  EXPECT_TRUE(store().remove_edge(n[0], n[1], "related"));
  EXPECT_FALSE(store().remove_edge(n[0], n[1], "related"));

  const std::vector<Edge> left = store().edges(n[0], EdgeDirection::kBoth);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].edge_type, "temporal");
  EXPECT_TRUE(store().get(n[0]).has_value());
  EXPECT_TRUE(store().get(n[1]).has_value());
}

// start -> a, b -> start, a -> c, c -> b (cycle start-a-c-b), c -> d, d -> e,
// e -> c (cycle c-d-e), e -> f, and g on its own.
//   depth 1: a, b    depth 2: c    depth 3: d, e    depth 4: f
class NeighbourGraph {
 public:
  explicit NeighbourGraph(MemoryStore& store) {
    const std::vector<Uuid> ids = insert_nodes(store, 8);
    // Ids shuffled against names, so that "by id" is not "by name".
    for (const auto& [name, index] : std::map<char, std::size_t>{
             {'S', 3}, {'a', 6}, {'b', 1}, {'c', 4}, {'d', 7}, {'e', 0}, {'f', 5}, {'g', 2}}) {
      id[name] = ids[index];
    }
    for (const auto& [from, to] : std::vector<std::pair<char, char>>{{'S', 'a'},
                                                                     {'b', 'S'},
                                                                     {'a', 'c'},
                                                                     {'c', 'b'},
                                                                     {'c', 'd'},
                                                                     {'d', 'e'},
                                                                     {'e', 'c'},
                                                                     {'e', 'f'}}) {
      Edge e = edge(id[from], id[to], "related", 0.5);
      e.created_at = ts("2025-01-01T00:00:00Z");
      store.add_edge(e);
      edges[{from, to}] = e;
    }
    // A second edge type between start and a must not list a twice.
    Edge twin = edge(id['S'], id['a'], "temporal", 0.25);
    twin.created_at = ts("2025-01-01T00:00:00Z");
    store.add_edge(twin);
  }

  // Ids of `names` ordered by id (the order within one depth).
  std::vector<Uuid> by_id(std::initializer_list<char> names) {
    std::vector<Uuid> out;
    for (char name : names) out.push_back(id[name]);
    std::sort(out.begin(), out.end());
    return out;
  }

  std::map<char, Uuid> id;
  std::map<std::pair<char, char>, Edge> edges;
};

std::vector<Uuid> concat(std::vector<Uuid> a, const std::vector<Uuid>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_P(GraphContract, NeighboursWalkBreadthFirstEachNodeOnceAtItsSmallestDepth) {
  NeighbourGraph g(store());
  const Uuid start = g.id['S'];

  const std::vector<Neighbour> one = store().neighbours(start, 1);
  const std::vector<Neighbour> two = store().neighbours(start, 2);
  const std::vector<Neighbour> three = store().neighbours(start, 3);

  const std::vector<Uuid> depth1 = g.by_id({'a', 'b'});
  const std::vector<Uuid> depth2 = {g.id['c']};
  const std::vector<Uuid> depth3 = g.by_id({'d', 'e'});
  EXPECT_EQ(ids_of(one), depth1);
  EXPECT_EQ(ids_of(two), concat(depth1, depth2));
  EXPECT_EQ(ids_of(three), concat(concat(depth1, depth2), depth3));

  std::map<Uuid, int> depth;
  for (const Neighbour& n : three) depth[n.id] = n.depth;
  EXPECT_EQ(depth[g.id['a']], 1);
  EXPECT_EQ(depth[g.id['b']], 1);
  EXPECT_EQ(depth[g.id['c']], 2);
  EXPECT_EQ(depth[g.id['d']], 3);
  EXPECT_EQ(depth[g.id['e']], 3);
  EXPECT_EQ(depth.count(start), 0u) << "the start is never its own neighbour";
  EXPECT_EQ(depth.count(g.id['f']), 0u);
  EXPECT_EQ(depth.count(g.id['g']), 0u);
}

TEST_P(GraphContract, NeighboursReportTheEdgeTheyWereReachedBy) {
  NeighbourGraph g(store());
  std::map<Uuid, Neighbour> found;
  for (const Neighbour& n : store().neighbours(g.id['S'], 3)) found[n.id] = n;
  ASSERT_EQ(found.size(), 5u);

  // a is reached by two edges of different types; either is the edge by which
  // it was first reached.
  const Edge& via_a = found[g.id['a']].via;
  EXPECT_EQ(via_a.source_id, g.id['S']);
  EXPECT_EQ(via_a.target_id, g.id['a']);
  EXPECT_EQ(found[g.id['b']].via, (g.edges[{'b', 'S'}]));
  // c has two parents at depth 1 (a -> c and c -> b); either edge qualifies.
  const Edge& via_c = found[g.id['c']].via;
  EXPECT_TRUE(via_c == (g.edges[{'a', 'c'}]) || via_c == (g.edges[{'c', 'b'}]))
      << testing::PrintToString(via_c);
  EXPECT_EQ(found[g.id['d']].via, (g.edges[{'c', 'd'}]));
  EXPECT_EQ(found[g.id['e']].via, (g.edges[{'e', 'c'}]));
}

TEST_P(GraphContract, NeighboursOfAnIsolatedOrMissingMemoryAreEmpty) {
  NeighbourGraph g(store());
  EXPECT_TRUE(store().neighbours(g.id['g'], 3).empty());
  EXPECT_TRUE(store().neighbours(Uuid::generate_v7(), 3).empty());
}

TEST_P(GraphContract, NeighboursDeeperThanTheGraphListEveryReachableNodeOnce) {
  NeighbourGraph g(store());
  const std::vector<Neighbour> all = store().neighbours(g.id['f'], 10);
  // From f: e (1); d, c (2); b, a (3); S (4).
  EXPECT_EQ(ids_of(all), concat(concat(concat(std::vector<Uuid>{g.id['e']}, g.by_id({'c', 'd'})),
                                       g.by_id({'a', 'b'})),
                                std::vector<Uuid>{g.id['S']}));
}

}  // namespace
}  // namespace vestige::contract
