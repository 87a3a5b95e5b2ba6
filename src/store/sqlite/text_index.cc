#include "store/sqlite/text_index.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "vestige/error.h"

namespace vestige::sqlite {

namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

// As FTS5 computes a phrase's idf: a phrase in more than half the rows
// would score negative, so it is clamped to a tiny positive weight.
double inverse_document_frequency(std::int64_t rows, std::int64_t hits) {
  double idf = std::log((rows - hits + 0.5) / (hits + 0.5));
  if (idf <= 0.0) idf = 1e-6;
  return idf;
}

template <typename Count>
Count saturated(std::uint32_t n) {
  return static_cast<Count>(std::min<std::uint32_t>(n, std::numeric_limits<Count>::max()));
}

// The snapshot payload's numbers are LEB128 varints: most are small counts
// and slot gaps, a byte each.
void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_bytes(std::string& out, std::string_view bytes) {
  put_varint(out, bytes.size());
  out.append(bytes);
}

// Reads what put_varint and put_bytes wrote; throws std::runtime_error
// rather than read past the end or accept a number out of range.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view bytes) : bytes_(bytes) {}

  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ == bytes_.size()) fail();
      const auto byte = static_cast<unsigned char>(bytes_[pos_++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    fail();
  }
  // A varint no greater than `max`.
  template <typename T>
  T number(std::uint64_t max = std::numeric_limits<T>::max()) {
    const std::uint64_t value = varint();
    if (value > max) fail();
    return static_cast<T>(value);
  }
  std::string_view bytes() {
    const std::uint64_t size = varint();
    if (size > remaining()) fail();
    const std::string_view out = bytes_.substr(pos_, size);
    pos_ += size;
    return out;
  }
  std::size_t remaining() const { return bytes_.size() - pos_; }
  [[noreturn]] static void fail() {
    throw std::runtime_error("the text index snapshot's payload is malformed");
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::uint32_t TextIndex::term_id(const std::string& token) {
  const auto [it, inserted] =
      vocabulary_.try_emplace(token, static_cast<std::uint32_t>(terms_.size()));
  if (inserted) terms_.emplace_back();
  return it->second;
}

void TextIndex::upsert(std::int64_t seq, std::string_view id, ColumnTokens columns) {
  remove(seq);
  // Count each term's occurrences per column; a memory holds a few dozen
  // distinct terms, so a sorted small vector beats a map.
  std::vector<std::pair<std::uint32_t, std::array<std::uint32_t, kTextColumns>>> counts;
  std::uint32_t length = 0;
  for (int column = 0; column < kTextColumns; ++column) {
    for (const std::string& token : columns[static_cast<std::size_t>(column)]) {
      ++length;
      const std::uint32_t id = term_id(token);
      auto it = std::find_if(counts.begin(), counts.end(),
                             [id](const auto& entry) { return entry.first == id; });
      if (it == counts.end()) it = counts.insert(counts.end(), {id, {}});
      ++it->second[static_cast<std::size_t>(column)];
    }
  }
  if (slots_.size() >= std::numeric_limits<std::uint32_t>::max()) compact();
  const auto slot = static_cast<std::uint32_t>(slots_.size());
  Slot entry{.seq = seq,
             .id = std::string(id),
             .terms_begin = static_cast<std::uint32_t>(slot_terms_.size()),
             .terms_end = static_cast<std::uint32_t>(slot_terms_.size() + counts.size())};
  for (const auto& [id, per_column] : counts) {
    slot_terms_.push_back(id);
    Term& term = terms_[id];
    term.postings.push_back({.slot = slot,
                             .content = per_column[0],
                             .node_type = saturated<std::uint16_t>(per_column[1]),
                             .tags = saturated<std::uint16_t>(per_column[2])});
    ++term.live;
  }
  slots_.push_back(std::move(entry));
  lengths_.push_back(length);
  norms_avgdl_ = -1.0;
  slot_of_[seq] = slot;
  ++live_documents_;
  total_tokens_ += length;
  postings_ += static_cast<std::int64_t>(counts.size());
}

bool TextIndex::remove(std::int64_t seq) {
  const auto it = slot_of_.find(seq);
  if (it == slot_of_.end()) return false;
  const Slot& slot = slots_[it->second];
  for (std::uint32_t i = slot.terms_begin; i < slot.terms_end; ++i) --terms_[slot_terms_[i]].live;
  dead_postings_ += slot.terms_end - slot.terms_begin;
  --live_documents_;
  total_tokens_ -= lengths_[it->second];
  lengths_[it->second] = kDead;
  norms_avgdl_ = -1.0;
  slot_of_.erase(it);
  return true;
}

std::optional<TextIndex::Entry> TextIndex::find(std::int64_t seq) const {
  const auto it = slot_of_.find(seq);
  if (it == slot_of_.end()) return std::nullopt;
  return Entry{.id = slots_[it->second].id, .length = lengths_[it->second]};
}

std::vector<std::int64_t> TextIndex::seqs() const {
  std::vector<std::int64_t> out;
  out.reserve(slot_of_.size());
  for (const auto& [seq, slot] : slot_of_) out.push_back(seq);
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t TextIndex::document_frequency(std::string_view token) const {
  const auto it = vocabulary_.find(token);
  return it == vocabulary_.end() ? 0 : terms_[it->second].live;
}

double TextIndex::frequency(const Posting& p) {
  // Instance by instance, columns in order, as bm25 adds them up: the sum of
  // 0.3s depends on the order of the additions. A weight that is a power of
  // two (1.0, 0.5) adds up exactly, so its count is multiplied in one step.
  static const std::array<bool, kTextColumns> kExactMultiples = [] {
    std::array<bool, kTextColumns> exact{};
    for (int column = 0; column < kTextColumns; ++column) {
      int exponent = 0;
      exact[static_cast<std::size_t>(column)] =
          std::frexp(kTextColumnWeights[column], &exponent) == 0.5;
    }
    return exact;
  }();
  double f = 0.0;
  const std::uint32_t counts[kTextColumns] = {p.content, p.node_type, p.tags};
  for (int column = 0; column < kTextColumns; ++column) {
    const double weight = kTextColumnWeights[column];
    if (kExactMultiples[static_cast<std::size_t>(column)]) {
      f += weight * counts[column];
    } else {
      for (std::uint32_t n = 0; n < counts[column]; ++n) f += weight;
    }
  }
  return f;
}

void TextIndex::accumulate(std::uint32_t slot, double contribution) {
  double& score = scores_[slot];
  if (score == 0.0) matched_.push_back(slot);
  score += contribution;
}

void TextIndex::refresh_norms(double avgdl) {
  if (avgdl == norms_avgdl_ && norms_.size() == lengths_.size()) return;
  norms_.resize(lengths_.size());
  for (std::size_t slot = 0; slot < lengths_.size(); ++slot) {
    const double length = static_cast<double>(lengths_[slot]);
    // As bm25 writes it, so that the value is the same to the last bit.
    norms_[slot] = lengths_[slot] == kDead ? -1.0 : kK1 * (1 - kB + kB * length / avgdl);
  }
  norms_avgdl_ = avgdl;
}

std::vector<TextIndex::Match> TextIndex::score(std::span<const Phrase> phrases) {
  std::vector<Match> matches;
  if (live_documents_ == 0) return matches;
  const std::int64_t rows = live_documents_;
  const double avgdl = static_cast<double>(total_tokens_) / static_cast<double>(rows);
  refresh_norms(avgdl);
  scores_.resize(slots_.size(), 0.0);
  matched_.clear();
  // FTS5's bm25, phrase after phrase; every phrase a memory lacks adds 0.
  for (const Phrase& phrase : phrases) {
    if (phrase.token) {
      const auto it = vocabulary_.find(*phrase.token);
      if (it == vocabulary_.end()) continue;
      const Term& term = terms_[it->second];
      const double idf = inverse_document_frequency(rows, term.live);
      for (const Posting& p : term.postings) {
        const double norm = norms_[p.slot];
        if (norm < 0.0) continue;
        const double f = frequency(p);
        accumulate(p.slot, idf * ((f * (kK1 + 1.0)) / (f + norm)));
      }
    } else {
      const double idf =
          inverse_document_frequency(rows, static_cast<std::int64_t>(phrase.rows.size()));
      for (const auto& [seq, f] : phrase.rows) {
        const auto it = slot_of_.find(seq);
        if (it == slot_of_.end() || f <= 0.0) continue;
        accumulate(it->second, idf * ((f * (kK1 + 1.0)) / (f + norms_[it->second])));
      }
    }
  }
  matches.reserve(matched_.size());
  for (const std::uint32_t slot : matched_) {
    matches.push_back({.score = scores_[slot], .slot = slot});
    scores_[slot] = 0.0;
  }
  return matches;
}

bool TextIndex::should_compact() const {
  return dead_postings_ > 4096 && dead_postings_ * 4 > postings_;
}

void TextIndex::shrink_to_fit() {
  for (Term& term : terms_) term.postings.shrink_to_fit();
  terms_.shrink_to_fit();
  slots_.shrink_to_fit();
  lengths_.shrink_to_fit();
  slot_terms_.shrink_to_fit();
}

void TextIndex::compact() {
  std::vector<std::uint32_t> renumbered(slots_.size(), kDead);
  std::vector<Slot> slots;
  std::vector<std::uint32_t> lengths;
  std::vector<std::uint32_t> slot_terms;
  slots.reserve(static_cast<std::size_t>(live_documents_));
  lengths.reserve(static_cast<std::size_t>(live_documents_));
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (lengths_[i] == kDead) continue;
    renumbered[i] = static_cast<std::uint32_t>(slots.size());
    Slot moved = std::move(slots_[i]);
    const auto terms = slot_terms_.begin() + moved.terms_begin;
    const std::uint32_t count = moved.terms_end - moved.terms_begin;
    moved.terms_begin = static_cast<std::uint32_t>(slot_terms.size());
    slot_terms.insert(slot_terms.end(), terms, terms + count);
    moved.terms_end = static_cast<std::uint32_t>(slot_terms.size());
    slot_of_[moved.seq] = renumbered[i];
    slots.push_back(std::move(moved));
    lengths.push_back(lengths_[i]);
  }
  for (Term& term : terms_) {
    std::erase_if(term.postings, [&](const Posting& p) { return renumbered[p.slot] == kDead; });
    for (Posting& p : term.postings) p.slot = renumbered[p.slot];
    term.postings.shrink_to_fit();
  }
  slots_ = std::move(slots);
  lengths_ = std::move(lengths);
  slot_terms_ = std::move(slot_terms);
  postings_ -= dead_postings_;
  dead_postings_ = 0;
  norms_avgdl_ = -1.0;
  scores_.assign(slots_.size(), 0.0);
}

// Layout: the live memories (count, then seq, id, length of each), which
// numbers them from 0 in slot order; then the terms held by any of them
// (count, then each term's text and posting list: count, then per posting
// the gap from the previous memory's number, the first counted from 0, and
// the counts per column). A memory's term list is rebuilt from the postings.
std::string TextIndex::serialize() const {
  std::string out;
  std::vector<std::uint32_t> renumbered(slots_.size(), kDead);
  put_varint(out, static_cast<std::uint64_t>(live_documents_));
  std::uint32_t live = 0;
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    if (lengths_[slot] == kDead) continue;
    renumbered[slot] = live++;
    put_varint(out, static_cast<std::uint64_t>(slots_[slot].seq));
    put_bytes(out, slots_[slot].id);
    put_varint(out, lengths_[slot]);
  }
  std::vector<const std::string*> names(terms_.size());
  for (const auto& [name, id] : vocabulary_) names[id] = &name;
  put_varint(out, static_cast<std::uint64_t>(std::count_if(
                      terms_.begin(), terms_.end(), [](const Term& t) { return t.live > 0; })));
  for (std::size_t id = 0; id < terms_.size(); ++id) {
    const Term& term = terms_[id];
    if (term.live == 0) continue;
    put_bytes(out, *names[id]);
    put_varint(out, static_cast<std::uint64_t>(term.live));
    std::uint32_t previous = 0;
    for (const Posting& p : term.postings) {
      const std::uint32_t slot = renumbered[p.slot];
      if (slot == kDead) continue;
      put_varint(out, slot - previous);
      previous = slot;
      put_varint(out, p.content);
      put_varint(out, p.node_type);
      put_varint(out, p.tags);
    }
  }
  return out;
}

TextIndex TextIndex::deserialize(std::string_view payload) {
  PayloadReader in(payload);
  TextIndex index;
  // Every count is bounded by the bytes left, so a damaged one cannot make
  // the reserves below allocate without limit.
  const auto documents = in.number<std::uint32_t>(std::min<std::uint64_t>(in.remaining(), kDead));
  index.slots_.reserve(documents);
  index.lengths_.reserve(documents);
  for (std::uint32_t slot = 0; slot < documents; ++slot) {
    const auto seq = static_cast<std::int64_t>(in.varint());
    const std::string_view id = in.bytes();
    const auto length = in.number<std::uint32_t>(kDead - 1);
    if (!index.slot_of_.emplace(seq, slot).second) PayloadReader::fail();
    index.slots_.push_back({.seq = seq, .id = std::string(id)});
    index.lengths_.push_back(length);
    index.total_tokens_ += length;
  }
  index.live_documents_ = documents;

  std::vector<std::uint32_t> terms_of_slot(documents, 0);
  const auto vocabulary = in.number<std::uint32_t>(in.remaining());
  index.terms_.reserve(vocabulary);
  for (std::uint32_t id = 0; id < vocabulary; ++id) {
    if (!index.vocabulary_.emplace(std::string(in.bytes()), id).second) PayloadReader::fail();
    Term& term = index.terms_.emplace_back();
    const auto postings =
        in.number<std::uint32_t>(std::min<std::uint64_t>(documents, in.remaining()));
    term.postings.reserve(postings);
    std::uint64_t slot = 0;
    for (std::uint32_t i = 0; i < postings; ++i) {
      const std::uint64_t gap = in.varint();
      // Slots strictly increase: a memory holds a term once.
      if ((i > 0 && gap == 0) || gap >= documents - slot) PayloadReader::fail();
      slot += gap;
      term.postings.push_back({.slot = static_cast<std::uint32_t>(slot),
                               .content = in.number<std::uint32_t>(),
                               .node_type = in.number<std::uint16_t>(),
                               .tags = in.number<std::uint16_t>()});
      ++terms_of_slot[slot];
    }
    term.live = postings;
    index.postings_ += postings;
  }
  if (in.remaining() != 0) PayloadReader::fail();

  // Each memory's term list, in the order its terms were numbered.
  std::uint32_t begin = 0;
  for (std::uint32_t slot = 0; slot < documents; ++slot) {
    index.slots_[slot].terms_begin = index.slots_[slot].terms_end = begin;
    begin += terms_of_slot[slot];
  }
  index.slot_terms_.resize(begin);
  for (std::uint32_t id = 0; id < vocabulary; ++id) {
    for (const Posting& p : index.terms_[id].postings) {
      index.slot_terms_[index.slots_[p.slot].terms_end++] = id;
    }
  }
  return index;
}

}  // namespace vestige::sqlite
