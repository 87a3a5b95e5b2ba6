#include "store/sqlite/vector_index.h"

#include <fcntl.h>
#include <hnswlib/hnswlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace vestige::sqlite {

namespace {

using Graph = hnswlib::HierarchicalNSW<float>;

// hnswlib 0.6 serialises only to and from a named file. An anonymous memory
// file gives it one without touching the disk, so serialize() and
// deserialize() stay pure byte conversions and a read-only database
// directory does not matter.
class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("vestige-hnsw", MFD_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile() { ::close(fd_); }

  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

  void write_all(std::span<const char> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::system_error(errno, std::generic_category(), "writing a memory file");
      done += static_cast<std::size_t>(n);
    }
  }

  std::string read_all() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      throw std::system_error(errno, std::generic_category(), "reading a memory file");
    }
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          ::pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::system_error(errno, std::generic_category(), "reading a memory file");
      done += static_cast<std::size_t>(n);
    }
    return bytes;
  }

 private:
  int fd_;
};

// hnswlib tracks labels as size_t; seq values are positive SQLite rowids.
hnswlib::labeltype to_label(std::int64_t seq) {
  return static_cast<hnswlib::labeltype>(seq);
}
std::int64_t from_label(hnswlib::labeltype label) {
  return static_cast<std::int64_t>(label);
}

// The internal slot of a label with a live vector, if any.
std::optional<hnswlib::tableint> live_slot(const Graph& graph, std::int64_t label) {
  const auto it = graph.label_lookup_.find(to_label(label));
  if (it == graph.label_lookup_.end() || graph.isMarkedDeleted(it->second)) return std::nullopt;
  return it->second;
}

const float* slot_vector(const Graph& graph, hnswlib::tableint slot) {
  return reinterpret_cast<const float*>(graph.getDataByInternalId(slot));
}

// Recomputed in double precision rather than taken from hnswlib, whose SIMD
// float sums differ in the last bits between code paths: equal vectors must
// get equal distances for ties to be broken the same way every time.
double exact_distance(const Graph& graph, std::span<const float> unit_query,
                      hnswlib::tableint slot) {
  const float* v = slot_vector(graph, slot);
  double dot = 0.0;
  for (std::size_t i = 0; i < unit_query.size(); ++i) {
    dot += static_cast<double>(unit_query[i]) * v[i];
  }
  // Rounding can push the distance of a vector to itself just below zero.
  return std::max(0.0, 1.0 - dot);
}

bool nearer(const VectorMatch& a, const VectorMatch& b) {
  return a.distance != b.distance ? a.distance < b.distance : a.label < b.label;
}

// Remembers which candidates the filter approved, so widening a search never
// asks about the same label twice.
class Decisions {
 public:
  explicit Decisions(const CandidateFilter& accept) : accept_(accept) {}

  void decide(std::span<const VectorMatch> candidates) {
    if (!accept_) return;
    std::vector<std::int64_t> fresh;
    for (const VectorMatch& c : candidates) {
      if (!known_.contains(c.label)) fresh.push_back(c.label);
    }
    if (fresh.empty()) return;
    const std::vector<bool> flags = accept_(fresh);
    if (flags.size() != fresh.size()) {
      throw std::logic_error("a candidate filter must return one flag per label");
    }
    for (std::size_t i = 0; i < fresh.size(); ++i) known_.emplace(fresh[i], flags[i]);
  }

  bool accepted(std::int64_t label) const { return !accept_ || known_.at(label); }

 private:
  const CandidateFilter& accept_;
  std::unordered_map<std::int64_t, bool> known_;
};

// The first k approved candidates of `sorted` plus the approved ones tied
// with the k-th, asking the filter in growing batches so a selective filter
// costs a few queries rather than one per candidate.
std::vector<VectorMatch> take_approved(std::span<const VectorMatch> sorted, std::size_t k,
                                       Decisions& decisions) {
  std::vector<VectorMatch> out;
  std::size_t batch = std::max<std::size_t>(2 * k, 64);
  std::size_t i = 0;
  while (i < sorted.size()) {
    const std::size_t end = std::min(sorted.size(), i + batch);
    decisions.decide(sorted.subspan(i, end - i));
    for (; i < end; ++i) {
      if (out.size() >= k && sorted[i].distance > out[k - 1].distance) return out;
      if (decisions.accepted(sorted[i].label)) out.push_back(sorted[i]);
    }
    batch *= 2;
  }
  return out;
}

}  // namespace

VectorIndex::VectorIndex(std::size_t dimension, const VectorIndexOptions& options)
    : dimension_(dimension),
      options_(options),
      space_(std::make_unique<hnswlib::InnerProductSpace>(dimension)) {
  if (dimension == 0) throw std::invalid_argument("a vector index needs a positive dimension");
  graph_ = std::make_unique<Graph>(space_.get(), std::size_t{1024}, options_.max_neighbours,
                                   options_.build_beam);
}

VectorIndex::VectorIndex(std::size_t dimension, const VectorIndexOptions& options,
                         std::unique_ptr<hnswlib::InnerProductSpace> space,
                         std::unique_ptr<Graph> graph)
    : dimension_(dimension),
      options_(options),
      space_(std::move(space)),
      graph_(std::move(graph)) {}

VectorIndex::VectorIndex(VectorIndex&& other) noexcept = default;
VectorIndex& VectorIndex::operator=(VectorIndex&& other) noexcept = default;
VectorIndex::~VectorIndex() = default;

VectorIndex VectorIndex::deserialize(std::span<const char> bytes, std::size_t dimension,
                                     const VectorIndexOptions& options) {
  if (dimension == 0) throw std::invalid_argument("a vector index needs a positive dimension");
  MemoryFile scratch;
  scratch.write_all(bytes);
  auto space = std::make_unique<hnswlib::InnerProductSpace>(dimension);
  // The loading constructor, not default construction plus loadIndex: if
  // loading throws, the half-built graph's destructor must not run, as it
  // would free pointers that were never set.
  auto graph = std::make_unique<Graph>(space.get(), scratch.path());
  // hnswlib takes the vector size from the space, not from the file, so a
  // file of another dimension would load and then read out of bounds.
  const std::size_t data_size = dimension * sizeof(float);
  if (graph->offsetData_ != graph->size_links_level0_ ||
      graph->label_offset_ != graph->offsetData_ + data_size ||
      graph->size_data_per_element_ != graph->label_offset_ + sizeof(hnswlib::labeltype)) {
    throw std::runtime_error("the serialised index has another vector dimension");
  }
  // hnswlib 0.6's loading path counts deleted elements onto an uninitialised
  // counter; recount from the marks it did load.
  graph->num_deleted_ = 0;
  for (hnswlib::tableint slot = 0; slot < graph->cur_element_count; ++slot) {
    if (graph->isMarkedDeleted(slot)) ++graph->num_deleted_;
  }
  return VectorIndex(dimension, options, std::move(space), std::move(graph));
}

std::size_t VectorIndex::size() const {
  return graph_->cur_element_count - graph_->num_deleted_;
}

bool VectorIndex::contains(std::int64_t label) const {
  return live_slot(*graph_, label).has_value();
}

std::vector<std::int64_t> VectorIndex::labels() const {
  std::vector<std::int64_t> out;
  out.reserve(size());
  for (hnswlib::tableint slot = 0; slot < graph_->cur_element_count; ++slot) {
    if (!graph_->isMarkedDeleted(slot)) out.push_back(from_label(graph_->getExternalLabel(slot)));
  }
  return out;
}

std::optional<double> VectorIndex::distance(std::int64_t label,
                                            std::span<const float> vector) const {
  const auto slot = live_slot(*graph_, label);
  if (!slot) return std::nullopt;
  return exact_distance(*graph_, normalised(vector), *slot);
}

std::vector<float> VectorIndex::normalised(std::span<const float> vector) const {
  if (vector.size() != dimension_) {
    throw std::invalid_argument("vector of dimension " + std::to_string(vector.size()) +
                                " for an index of dimension " + std::to_string(dimension_));
  }
  double norm = 0.0;
  for (const float x : vector) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  std::vector<float> out(vector.begin(), vector.end());
  if (norm > 0.0) {
    for (float& x : out) x = static_cast<float>(x / norm);
  }
  return out;
}

void VectorIndex::reserve(std::size_t count) {
  if (count > graph_->max_elements_) graph_->resizeIndex(count);
}

void VectorIndex::upsert(std::int64_t label, std::span<const float> vector) {
  const std::vector<float> unit = normalised(vector);
  const bool known = graph_->label_lookup_.contains(to_label(label));
  if (!known && graph_->cur_element_count >= graph_->max_elements_) {
    reserve(std::max<std::size_t>(2 * graph_->max_elements_, 1024));
  }
  // For a known label (live or deleted) hnswlib reuses the slot: it clears
  // the delete mark and rewires the neighbours around the new vector.
  graph_->addPoint(unit.data(), to_label(label));
}

bool VectorIndex::remove(std::int64_t label) {
  if (!contains(label)) return false;
  graph_->markDelete(to_label(label));
  return true;
}

std::vector<VectorMatch> VectorIndex::scan(std::span<const float> unit_query) const {
  std::vector<VectorMatch> all;
  all.reserve(size());
  for (hnswlib::tableint slot = 0; slot < graph_->cur_element_count; ++slot) {
    if (graph_->isMarkedDeleted(slot)) continue;
    all.push_back(
        {from_label(graph_->getExternalLabel(slot)), exact_distance(*graph_, unit_query, slot)});
  }
  std::sort(all.begin(), all.end(), nearer);
  return all;
}

std::vector<VectorMatch> VectorIndex::search(std::span<const float> query, std::size_t k,
                                             const CandidateFilter& accept) {
  const std::size_t live = size();
  if (k == 0 || live == 0) return {};
  const std::vector<float> unit = normalised(query);
  Decisions decisions(accept);
  if (live < options_.exact_below) return take_approved(scan(unit), k, decisions);

  // Graph search, widened until enough candidates pass the filter. Every
  // round asks for the nearest `fetch` and keeps them all, so the approved
  // set only grows; once the width nears the index size a scan is cheaper.
  std::unordered_map<std::int64_t, double> seen;
  std::vector<VectorMatch> candidates;
  std::size_t fetch = std::max<std::size_t>(2 * k, 20);
  while (2 * fetch < live) {
    graph_->setEf(std::max(fetch, options_.min_search_beam));
    auto found = graph_->searchKnn(unit.data(), fetch);
    const bool graph_exhausted = found.size() < fetch;
    std::vector<VectorMatch> fresh;
    for (; !found.empty(); found.pop()) {
      const std::int64_t label = from_label(found.top().second);
      if (seen.contains(label)) continue;
      const auto slot = graph_->label_lookup_.at(found.top().second);
      const double distance = exact_distance(*graph_, unit, slot);
      seen.emplace(label, distance);
      fresh.push_back({label, distance});
    }
    // Fewer results than asked for means the graph search could not reach
    // more vectors (deleted ones crowd the beam); only a scan is complete.
    if (graph_exhausted) break;
    std::sort(fresh.begin(), fresh.end(), nearer);
    decisions.decide(fresh);
    candidates.insert(candidates.end(), fresh.begin(), fresh.end());
    const auto approved = static_cast<std::size_t>(
        std::count_if(candidates.begin(), candidates.end(),
                      [&](const VectorMatch& c) { return decisions.accepted(c.label); }));
    if (approved >= k) {
      std::sort(candidates.begin(), candidates.end(), nearer);
      return take_approved(candidates, k, decisions);
    }
    fetch *= 2;
  }
  return take_approved(scan(unit), k, decisions);
}

bool VectorIndex::should_compact() const {
  return graph_->num_deleted_ > std::max<std::size_t>(size(), 1000);
}

void VectorIndex::compact() {
  auto fresh = std::make_unique<Graph>(space_.get(), std::max<std::size_t>(size(), 1024),
                                       options_.max_neighbours, options_.build_beam);
  for (hnswlib::tableint slot = 0; slot < graph_->cur_element_count; ++slot) {
    if (graph_->isMarkedDeleted(slot)) continue;
    fresh->addPoint(slot_vector(*graph_, slot), graph_->getExternalLabel(slot));
  }
  graph_ = std::move(fresh);
}

std::string VectorIndex::serialize() const {
  MemoryFile scratch;
  graph_->saveIndex(scratch.path());
  return scratch.read_all();
}

}  // namespace vestige::sqlite
