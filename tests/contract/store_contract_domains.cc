// Contract: domain CRUD.

#include <chrono>
#include <thread>

#include "store_contract.h"

namespace vestige::contract {
namespace {

Domain domain(std::string id, std::string label) {
  Domain d;
  d.id = std::move(id);
  d.label = std::move(label);
  return d;
}

TEST_P(DomainsContract, NoDomainsAtFirst) {
  EXPECT_TRUE(store().list_domains().empty());
  EXPECT_FALSE(store().get_domain("physics").has_value());
  EXPECT_FALSE(store().remove_domain("physics"));
}

TEST_P(DomainsContract, UpsertStoresEveryFieldAndSetsTimes) {
  Domain input = domain("physics", "Physics & \"quoted\" 日本語");
  input.centroid = Embedding{0.25f, -0.0f, 1.0f / 3, 5.877472e-39f};
  input.metadata = Json{{"source", "clustering"}, {"size", 12}, {"nested", {{"k", "v"}}}};

  const Timestamp before = now_utc();
  const Domain stored = store().upsert_domain(input);
  const Timestamp after = now_utc();

  EXPECT_TRUE(is_between(stored.created_at, before, after));
  EXPECT_TRUE(is_between(stored.updated_at, before, after));
  Domain expected = input;
  expected.created_at = stored.created_at;
  expected.updated_at = stored.updated_at;
  EXPECT_EQ(stored, expected);
  const std::optional<Domain> got = store().get_domain("physics");
  EXPECT_EQ(got, expected);
  ASSERT_TRUE(got.has_value() && got->centroid.has_value());
  EXPECT_TRUE(same_bits(*got->centroid, *input.centroid));
}

TEST_P(DomainsContract, ReplaceKeepsCreatedAtAndMovesUpdatedAt) {
  const Domain first = store().upsert_domain(domain("cooking", "Cooking"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Domain second = domain("cooking", "Cooking and baking");
  second.metadata = Json{{"merged", true}};

  const Domain replaced = store().upsert_domain(second);

  EXPECT_EQ(format_timestamp(replaced.created_at), format_timestamp(first.created_at));
  EXPECT_GT(replaced.updated_at, first.updated_at);
  EXPECT_EQ(replaced.label, "Cooking and baking");
  EXPECT_EQ(replaced.metadata, second.metadata);
  EXPECT_FALSE(replaced.centroid.has_value());
  EXPECT_EQ(store().get_domain("cooking"), replaced);
  EXPECT_EQ(store().list_domains().size(), 1u);
}

TEST_P(DomainsContract, ListIsOrderedById) {
  for (const char* id : {"m", "b", "z", "a-1", "a"}) store().upsert_domain(domain(id, id));
  std::vector<std::string> ids;
  for (const Domain& d : store().list_domains()) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "a-1", "b", "m", "z"}));
  EXPECT_EQ(store().stats(now_utc()).domains, 5);
}

TEST_P(DomainsContract, RemoveReportsWhetherItExisted) {
  store().upsert_domain(domain("physics", "Physics"));
  store().upsert_domain(domain("cooking", "Cooking"));

  EXPECT_TRUE(store().remove_domain("physics"));
  EXPECT_FALSE(store().remove_domain("physics"));
  EXPECT_FALSE(store().get_domain("physics").has_value());
  ASSERT_EQ(store().list_domains().size(), 1u);
  EXPECT_EQ(store().list_domains()[0].id, "cooking");
}

}  // namespace
}  // namespace vestige::contract
