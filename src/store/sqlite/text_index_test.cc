#include "store/sqlite/text_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <sstream>

namespace vestige::sqlite {
namespace {

std::array<std::vector<std::string>, kTextColumns> columns(const std::string& content,
                                                           const std::string& node_type = "fact",
                                                           const std::string& tags = "") {
  std::array<std::vector<std::string>, kTextColumns> out;
  const std::string texts[kTextColumns] = {content, node_type, tags};
  for (int c = 0; c < kTextColumns; ++c) {
    std::istringstream words(texts[c]);
    for (std::string w; words >> w;) out[static_cast<std::size_t>(c)].push_back(w);
  }
  return out;
}

struct Scored {
  std::int64_t seq;
  double score;
};

// The matches by seq, each with its memory's seq.
std::vector<Scored> sorted(const TextIndex& index, const std::vector<TextIndex::Match>& matches) {
  std::vector<Scored> out;
  for (const auto& m : matches) {
    out.push_back({index.seq(m.slot), m.score});
    EXPECT_EQ(index.id(m.slot), std::to_string(out.back().seq));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  return out;
}

TextIndex::Phrase token(const std::string& t) {
  return {.token = t, .rows = {}};
}

TEST(TextIndexTest, ScoresAsBm25WithColumnWeights) {
  TextIndex index;
  index.upsert(1, std::to_string(1), columns("apple banana", "fact"));
  index.upsert(2, std::to_string(2), columns("cherry", "fact", "apple"));
  index.upsert(3, std::to_string(3), columns("date date date elder", "fact"));
  const std::vector<TextIndex::Phrase> phrases = {token("apple")};
  const auto matches = sorted(index, index.score(phrases));
  ASSERT_EQ(matches.size(), 2u);
  // bm25 by hand: 3 rows, 11 tokens, "apple" in 2 rows (idf clamped to
  // 1e-6); in row 1 once in the content (weight 1), in row 2 once in the
  // tags (weight 0.3).
  const double avgdl = 11.0 / 3.0;
  const double idf = 1e-6;
  const auto term = [&](double f, double length) {
    return idf * ((f * 2.2) / (f + 1.2 * (1 - 0.75 + 0.75 * length / avgdl)));
  };
  EXPECT_EQ(matches[0].seq, 1);
  EXPECT_DOUBLE_EQ(matches[0].score, term(1.0, 3));
  EXPECT_EQ(matches[1].seq, 2);
  EXPECT_DOUBLE_EQ(matches[1].score, term(0.3, 3));
  EXPECT_EQ(index.document_frequency("apple"), 2);
  EXPECT_EQ(index.document_frequency("fact"), 3);
  EXPECT_EQ(index.document_frequency("nothing"), 0);
}

TEST(TextIndexTest, ReplacingAndRemovingKeepCountsAndScoresAsAFreshIndex) {
  TextIndex index;
  TextIndex fresh;
  for (int i = 1; i <= 3000; ++i) {
    index.upsert(i, std::to_string(i),
                 columns("w" + std::to_string(i % 17) + " common w" + std::to_string(i % 5)));
  }
  // Rewrite two thirds, remove a few: well past the compaction threshold.
  for (int i = 1; i <= 3000; ++i) {
    if (i % 3 != 0)
      index.upsert(i, std::to_string(i), columns("w" + std::to_string(i % 11) + " common rare"));
    if (i % 101 == 0) index.remove(i);
  }
  for (int i = 1; i <= 3000; ++i) {
    if (i % 101 == 0) continue;
    fresh.upsert(i, std::to_string(i),
                 i % 3 != 0
                     ? columns("w" + std::to_string(i % 11) + " common rare")
                     : columns("w" + std::to_string(i % 17) + " common w" + std::to_string(i % 5)));
  }
  EXPECT_FALSE(index.remove(101));
  ASSERT_TRUE(index.should_compact());
  const std::vector<TextIndex::Phrase> phrases = {token("w3"), token("common"), token("rare")};
  const auto before = sorted(index, index.score(phrases));
  index.compact();
  EXPECT_FALSE(index.should_compact());
  const auto after = sorted(index, index.score(phrases));
  const auto expected = sorted(fresh, fresh.score(phrases));
  ASSERT_EQ(before.size(), expected.size());
  ASSERT_EQ(after.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(before[i].seq, expected[i].seq);
    EXPECT_EQ(before[i].score, expected[i].score);
    EXPECT_EQ(after[i].seq, expected[i].seq);
    EXPECT_EQ(after[i].score, expected[i].score);
  }
  EXPECT_EQ(index.documents(), fresh.documents());
  EXPECT_EQ(index.total_tokens(), fresh.total_tokens());
  EXPECT_EQ(index.document_frequency("rare"), fresh.document_frequency("rare"));
}

TEST(TextIndexTest, PhraseRowsCountAsAPhraseFoundElsewhere) {
  TextIndex index;
  index.upsert(1, std::to_string(1), columns("don t panic"));
  index.upsert(2, std::to_string(2), columns("panic"));
  index.upsert(3, std::to_string(3), columns("calm"));
  // FTS5 found the phrase "don t" in memory 1 (and in memory 9, which this
  // index does not hold: left out).
  const std::vector<TextIndex::Phrase> phrases = {
      {.token = std::nullopt, .rows = {{1, 1.0}, {9, 1.0}}}, token("panic")};
  const auto matches = sorted(index, index.score(phrases));
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].seq, 1);
  EXPECT_EQ(matches[1].seq, 2);
  EXPECT_GT(matches[0].score, matches[1].score);
}

TEST(TextIndexTest, SerializedIndexScoresAsTheOriginal) {
  TextIndex index;
  for (int i = 1; i <= 500; ++i) {
    index.upsert(i, std::to_string(i),
                 columns("w" + std::to_string(i % 13) + " common w" + std::to_string(i % 7),
                         i % 2 ? "fact" : "decision", i % 5 ? "" : "tagged common"));
  }
  // Replaced and removed memories leave dead postings, which the payload
  // leaves out.
  for (int i = 1; i <= 500; i += 3) index.upsert(i, std::to_string(i), columns("rare common"));
  for (int i = 1; i <= 500; i += 10) index.remove(i);

  TextIndex loaded = TextIndex::deserialize(index.serialize());
  EXPECT_EQ(loaded.documents(), index.documents());
  EXPECT_EQ(loaded.total_tokens(), index.total_tokens());
  EXPECT_EQ(loaded.seqs(), index.seqs());
  EXPECT_EQ(loaded.document_frequency("rare"), index.document_frequency("rare"));
  EXPECT_EQ(loaded.find(2)->length, index.find(2)->length);
  EXPECT_EQ(loaded.find(2)->id, "2");
  EXPECT_FALSE(loaded.find(11).has_value());
  const std::vector<TextIndex::Phrase> phrases = {token("w3"), token("common"), token("rare"),
                                                  token("decision"), token("tagged")};
  const auto expected = sorted(index, index.score(phrases));
  const auto actual = sorted(loaded, loaded.score(phrases));
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].seq, expected[i].seq);
    EXPECT_EQ(actual[i].score, expected[i].score);
  }
  // The loaded index goes on changing as any other.
  loaded.upsert(2, "2", columns("rare"));
  index.upsert(2, "2", columns("rare"));
  EXPECT_EQ(sorted(loaded, loaded.score(phrases)).size(), expected.size());
  EXPECT_EQ(loaded.document_frequency("w2"), index.document_frequency("w2"));
  EXPECT_TRUE(loaded.remove(3));
  EXPECT_EQ(loaded.documents(), index.documents() - 1);
}

TEST(TextIndexTest, MalformedPayloadIsRejected) {
  TextIndex index;
  for (int i = 1; i <= 50; ++i)
    index.upsert(i, std::to_string(i), columns("a b c" + std::to_string(i)));
  const std::string payload = index.serialize();
  // Every truncation, and trailing bytes, are caught.
  for (std::size_t size = 0; size < payload.size(); ++size) {
    EXPECT_THROW(TextIndex::deserialize(std::string_view(payload).substr(0, size)),
                 std::runtime_error)
        << size;
  }
  EXPECT_THROW(TextIndex::deserialize(payload + "x"), std::runtime_error);
  // A posting that names a memory past the last one.
  TextIndex one;
  one.upsert(7, "7", columns("word"));
  std::string bad = one.serialize();
  // documents 1, seq 7, id "7", length 2; terms 2: "word" with 1 posting
  // at gap 0; set that gap to 1.
  const std::size_t gap = bad.find("word") + 5;
  ASSERT_EQ(bad[gap], '\0');
  bad[gap] = '\1';
  EXPECT_THROW(TextIndex::deserialize(bad), std::runtime_error);
  // Random damage never crashes (the snapshot's checksum catches it first).
  for (std::size_t i = 0; i < payload.size(); ++i) {
    std::string damaged = payload;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    try {
      TextIndex::deserialize(damaged);
    } catch (const std::runtime_error&) {
    }
  }
}

TEST(TextIndexTest, AnEmptyIndexMatchesNothing) {
  TextIndex index;
  const std::vector<TextIndex::Phrase> phrases = {token("anything")};
  EXPECT_TRUE(index.score(phrases).empty());
  index.upsert(1, std::to_string(1), columns("anything"));
  index.remove(1);
  EXPECT_TRUE(index.score(phrases).empty());
  EXPECT_EQ(index.documents(), 0);
}

}  // namespace
}  // namespace vestige::sqlite
