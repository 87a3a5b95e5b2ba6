#include "store/sqlite/vector_index.h"

#include <fcntl.h>
#include <hnswlib/hnswlib.h>
#include <immintrin.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
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

// Slots scored together by the column scan: 64 float accumulators fill eight
// AVX2 registers, and each column contributes one 64-byte cache line.
constexpr std::size_t kScanBlock = 64;

// The query's nonzero components: only their columns are read.
struct SparseQuery {
  std::vector<std::uint32_t> dims;
  std::vector<float> weights;
  double l1 = 0.0;  // sum of |weight|, for the quantisation error bound
};

SparseQuery sparse(std::span<const float> unit_query) {
  SparseQuery q;
  for (std::size_t d = 0; d < unit_query.size(); ++d) {
    if (unit_query[d] == 0.0f) continue;
    q.dims.push_back(static_cast<std::uint32_t>(d));
    q.weights.push_back(unit_query[d]);
    q.l1 += std::fabs(static_cast<double>(unit_query[d]));
  }
  return q;
}

// For every slot in [0, blocks * kScanBlock): out = scale * (sum over the
// query's components of weight * int8 value + slack), an upper bound of its
// inner product with the query when slack covers the quantisation error;
// and each block's largest bound in block_max, so that selecting the top
// bounds can skip whole blocks.
struct ColumnScan {
  const std::int8_t* columns;
  std::size_t stride;
  std::size_t blocks;
  const float* scales;
  const SparseQuery* query;
  float slack;
  float* out;
  float* block_max;
};

// For CPUs without AVX2 or FMA: the same sums, rounded differently, which
// the slack of column_search covers as well.
void column_bounds_portable(const ColumnScan& scan) {
  const std::size_t nnz = scan.query->dims.size();
  for (std::size_t block = 0; block < scan.blocks; ++block) {
    const std::size_t base = block * kScanBlock;
    float acc[kScanBlock] = {};
    for (std::size_t j = 0; j < nnz; ++j) {
      const std::int8_t* column = scan.columns + scan.query->dims[j] * scan.stride + base;
      const float w = scan.query->weights[j];
      for (std::size_t i = 0; i < kScanBlock; ++i) acc[i] += w * static_cast<float>(column[i]);
    }
    float largest = -std::numeric_limits<float>::infinity();
    for (std::size_t i = 0; i < kScanBlock; ++i) {
      scan.out[base + i] = scan.scales[base + i] * (acc[i] + scan.slack);
      largest = std::max(largest, scan.out[base + i]);
    }
    scan.block_max[block] = largest;
  }
}

// AVX2 + FMA version: 6.5x faster than the same loops over row-major tiles,
// and the accumulators never leave registers.
__attribute__((target("avx2,fma"))) void column_bounds_avx2(const ColumnScan& scan) {
  const std::size_t nnz = scan.query->dims.size();
  const __m256 slack = _mm256_set1_ps(scan.slack);
  for (std::size_t block = 0; block < scan.blocks; ++block) {
    const std::size_t base = block * kScanBlock;
    __m256 acc[8];
    for (__m256& a : acc) a = _mm256_setzero_ps();
    for (std::size_t j = 0; j < nnz; ++j) {
      const std::int8_t* column = scan.columns + scan.query->dims[j] * scan.stride + base;
      const __m256 w = _mm256_set1_ps(scan.query->weights[j]);
      for (std::size_t half = 0; half < 2; ++half) {
        const __m256i bytes =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(column + 32 * half));
        const __m128i lo = _mm256_castsi256_si128(bytes);
        const __m128i hi = _mm256_extracti128_si256(bytes, 1);
        const __m128i quarters[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
        for (std::size_t q = 0; q < 4; ++q) {
          const __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(quarters[q]));
          acc[4 * half + q] = _mm256_fmadd_ps(w, x, acc[4 * half + q]);
        }
      }
    }
    __m256 largest = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    for (std::size_t r = 0; r < 8; ++r) {
      const __m256 scale = _mm256_loadu_ps(scan.scales + base + 8 * r);
      const __m256 bound = _mm256_mul_ps(scale, _mm256_add_ps(acc[r], slack));
      _mm256_storeu_ps(scan.out + base + 8 * r, bound);
      largest = _mm256_max_ps(largest, bound);
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, largest);
    scan.block_max[block] = *std::max_element(lanes, lanes + 8);
  }
}

void column_bounds(const ColumnScan& scan, bool vector_instructions) {
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2 && vector_instructions) {
    column_bounds_avx2(scan);
  } else {
    column_bounds_portable(scan);
  }
}

std::size_t round_up_to_block(std::size_t n) {
  return (n + kScanBlock - 1) / kScanBlock * kScanBlock;
}

}  // namespace

VectorIndex::VectorIndex(std::size_t dimension, const VectorIndexOptions& options)
    : dimension_(dimension),
      options_(options),
      space_(std::make_unique<hnswlib::InnerProductSpace>(dimension)) {
  if (dimension == 0) throw std::invalid_argument("a vector index needs a positive dimension");
  graph_ = std::make_unique<Graph>(space_.get(), std::size_t{1024}, options_.max_neighbours,
                                   options_.build_beam);
  reserve_columns(graph_->max_elements_);
}

VectorIndex::VectorIndex(std::size_t dimension, const VectorIndexOptions& options,
                         std::unique_ptr<hnswlib::InnerProductSpace> space,
                         std::unique_ptr<Graph> graph)
    : dimension_(dimension), options_(options), space_(std::move(space)), graph_(std::move(graph)) {
  rebuild_columns();
}

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
  reserve_columns(graph_->max_elements_);
}

void VectorIndex::reserve_columns(std::size_t slots) {
  const std::size_t stride = round_up_to_block(std::max<std::size_t>(slots, 1));
  if (stride <= column_stride_) return;
  std::vector<std::int8_t> columns(dimension_ * stride, 0);
  for (std::size_t d = 0; d < dimension_ && column_stride_ > 0; ++d) {
    std::copy_n(columns_.begin() + static_cast<std::ptrdiff_t>(d * column_stride_), column_stride_,
                columns.begin() + static_cast<std::ptrdiff_t>(d * stride));
  }
  columns_ = std::move(columns);
  scales_.resize(stride, 0.0f);
  column_stride_ = stride;
}

void VectorIndex::store_columns(std::uint32_t slot, std::span<const float> unit) {
  float largest = 0.0f;
  for (const float x : unit) largest = std::max(largest, std::fabs(x));
  // The scale maps the largest component to 127, so every component rounds
  // to within half a step: the error bound column_search relies on.
  const float scale = largest / 127.0f;
  scales_[slot] = scale;
  for (std::size_t d = 0; d < dimension_; ++d) {
    const float step = scale > 0.0f ? unit[d] / scale : 0.0f;
    columns_[d * column_stride_ + slot] =
        static_cast<std::int8_t>(std::clamp(std::lrint(step), -127L, 127L));
  }
}

void VectorIndex::rebuild_columns() {
  columns_.clear();
  scales_.clear();
  column_stride_ = 0;
  reserve_columns(graph_->max_elements_);
  for (hnswlib::tableint slot = 0; slot < graph_->cur_element_count; ++slot) {
    store_columns(slot, std::span<const float>(slot_vector(*graph_, slot), dimension_));
  }
}

void VectorIndex::upsert(std::int64_t label, std::span<const float> vector) {
  const std::vector<float> unit = normalised(vector);
  const bool known = graph_->label_lookup_.contains(to_label(label));
  if (!known && graph_->cur_element_count >= graph_->max_elements_) {
    reserve(std::max<std::size_t>(2 * graph_->max_elements_, 1024));
  }
  // For a known label (live or deleted) hnswlib reuses the slot: it clears
  // the delete mark and rewires the neighbours around the new vector.
  const hnswlib::tableint slot = graph_->addPoint(unit.data(), to_label(label), -1);
  store_columns(slot, unit);
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
  const auto nonzero = static_cast<std::size_t>(
      std::count_if(unit.begin(), unit.end(), [](float x) { return x != 0.0f; }));
  // A zero query ties with everything: the graph's handling of that tie is
  // as good as any and far cheaper than a scan.
  if (nonzero > 0 && nonzero * live <= options_.scan_budget) {
    return column_search(unit, k, accept);
  }

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

std::vector<VectorMatch> VectorIndex::column_search(std::span<const float> unit_query,
                                                    std::size_t k, const CandidateFilter& accept) {
  const SparseQuery query = sparse(unit_query);
  const std::size_t count = graph_->cur_element_count;
  // Each stored component is within scale / 2 of its int8 value times the
  // scale, so the quantised inner product is within scale * l1 / 2 of the
  // exact one. The extra covers float rounding, with a factor of two to
  // spare: one part in 2^23 per accumulated term of magnitude <= 127 *
  // |weight|, plus the rounding of the quotient that chose the int8 value.
  const double slack =
      query.l1 *
      (0.5 + 1e-4 + 127.0 * static_cast<double>(query.dims.size()) / static_cast<double>(1 << 22));
  const std::size_t blocks = round_up_to_block(count) / kScanBlock;
  bounds_.resize(column_stride_);
  block_max_.resize(blocks);
  column_bounds({.columns = columns_.data(),
                 .stride = column_stride_,
                 .blocks = blocks,
                 .scales = scales_.data(),
                 .query = &query,
                 .slack = static_cast<float>(slack),
                 .out = bounds_.data(),
                 .block_max = block_max_.data()},
                options_.vector_instructions);

  Decisions decisions(accept);
  const std::size_t live = size();
  // 32 candidates settled the top 10 of every one of 400 benchmark queries
  // at 100k vectors; a selective filter widens the set fourfold per round.
  std::size_t keep = std::max<std::size_t>(2 * k, 32) + 1;
  struct Bounded {
    float bound;
    hnswlib::tableint slot;
  };
  const auto lower = [](const Bounded& a, const Bounded& b) { return a.bound > b.bound; };
  std::vector<Bounded> heap;
  std::vector<VectorMatch> candidates;
  // Beyond an eighth of the index, re-scoring the candidates costs about as
  // much as the exact float scan, which needs no bound. Below it the heap
  // always fills, as live slots outnumber `keep`.
  while (keep <= live / 8) {
    // The `keep` largest bounds among live slots: a min-heap whose top is
    // the smallest kept bound, which every slot left out cannot exceed.
    // Once it is full, most blocks hold no bound above its top and are
    // skipped whole: that halved the selection's cost at 100k vectors.
    heap.clear();
    for (std::size_t block = 0; block < blocks; ++block) {
      if (heap.size() == keep && !(block_max_[block] > heap.front().bound)) continue;
      const std::size_t end = std::min(count, (block + 1) * kScanBlock);
      for (std::size_t slot = block * kScanBlock; slot < end; ++slot) {
        const float bound = bounds_[slot];
        if (heap.size() == keep && !(bound > heap.front().bound)) continue;
        if (graph_->isMarkedDeleted(static_cast<hnswlib::tableint>(slot))) continue;
        heap.push_back({bound, static_cast<hnswlib::tableint>(slot)});
        std::push_heap(heap.begin(), heap.end(), lower);
        if (heap.size() > keep) {
          std::pop_heap(heap.begin(), heap.end(), lower);
          heap.pop_back();
        }
      }
    }
    // Margin for the float rounding of the bound itself.
    const double cutoff = static_cast<double>(heap.front().bound) + 1e-5;
    candidates.clear();
    for (const Bounded& b : heap) {
      candidates.push_back({from_label(graph_->getExternalLabel(b.slot)),
                            exact_distance(*graph_, unit_query, b.slot)});
    }
    std::sort(candidates.begin(), candidates.end(), nearer);
    // Settled: candidates whose exact inner product beats every bound left
    // out, so nothing unscored can come before them or tie with them.
    const auto settled_end =
        std::partition_point(candidates.begin(), candidates.end(),
                             [&](const VectorMatch& c) { return 1.0 - c.distance > cutoff; });
    const std::span<const VectorMatch> settled(candidates.begin(), settled_end);
    std::vector<VectorMatch> out = take_approved(settled, k, decisions);
    // take_approved stops at the first candidate beyond the k-th distance;
    // if the settled prefix has one, nothing past the prefix can matter.
    if (out.size() >= k && !settled.empty() && settled.back().distance > out[k - 1].distance) {
      return out;
    }
    keep = 4 * (keep - 1) + 1;
  }
  return take_approved(scan(unit_query), k, decisions);
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
  rebuild_columns();
}

std::string VectorIndex::serialize() const {
  MemoryFile scratch;
  graph_->saveIndex(scratch.path());
  return scratch.read_all();
}

}  // namespace vestige::sqlite
