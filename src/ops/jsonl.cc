#include "ops/jsonl.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <istream>
#include <memory>
#include <ostream>

#include "vestige/error.h"

namespace vestige::ops {

ExportReport export_jsonl(MemoryStore& store, std::ostream& out, const ExportOptions& options) {
  ExportReport report;
  std::optional<ExportCursor> cursor;
  do {
    ExportPage page = store.export_page(cursor, options.page_size);
    for (Memory& memory : page.memories) {
      if (!options.include_embeddings) memory.embedding.reset();
      out << Json(memory).dump() << '\n';
      ++report.memories;
    }
    cursor = page.next;
  } while (cursor);
  out.flush();
  if (!out)
    throw Error(ErrorCode::kBackend, "writing the export failed (disk full or closed pipe?)");
  return report;
}

Uuid derive_import_id(const Memory& memory) {
  std::string material = memory.content;
  for (const std::string& part : {memory.node_type, memory.codebase.value_or("")}) {
    material.push_back('\0');
    material += part;
  }
  for (const std::string& tag : memory.tags) {
    material.push_back('\0');
    material += tag;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_Digest(material.data(), material.size(), digest.data(), &digest_size, EVP_sha256(), nullptr);

  std::array<std::uint8_t, 16> b{};
  const std::uint64_t millis =
      memory.created_at == Timestamp{}
          ? 0
          : static_cast<std::uint64_t>(to_unix_micros(memory.created_at) / 1000);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(millis >> (40 - 8 * i));
  for (int i = 6; i < 16; ++i) b[i] = digest[i];
  b[6] = static_cast<std::uint8_t>(0x80 | (b[6] & 0x0f));  // version 8: custom
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));  // RFC variant
  return Uuid(b);
}

namespace {

struct PendingLine {
  std::size_t line = 0;
  Memory memory;
};

class Importer {
 public:
  Importer(MemoryStore& store, const ImportOptions& options, ImportReport& report)
      : store_(store), options_(options), report_(report) {}

  void add(std::size_t line_number, const std::string& line) {
    Memory memory;
    try {
      memory = Json::parse(line).get<Memory>();
    } catch (const Json::exception& e) {
      report_.errors.push_back({line_number, "", fmt::format("not valid JSON: {}", e.what())});
      return;
    } catch (const Error& e) {
      report_.errors.push_back({line_number, id_of(line), e.what()});
      return;
    }
    if (memory.id.is_nil()) memory.id = derive_import_id(memory);
    batch_.push_back({line_number, std::move(memory)});
    if (batch_.size() >= options_.batch_size) flush();
  }

  void flush() {
    if (batch_.empty()) return;
    embed_missing();
    std::vector<Memory> memories;
    memories.reserve(batch_.size());
    for (const PendingLine& p : batch_) memories.push_back(p.memory);
    try {
      record(store_.insert_missing(memories), memories.size());
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kInvalidInput) throw;
      // One bad row fails the whole batch's transaction; insert row by row so
      // only that row is lost, and say which it was.
      for (const PendingLine& p : batch_) {
        try {
          record(store_.insert_missing(std::span(&p.memory, 1)), 1);
        } catch (const Error& row_error) {
          if (row_error.code() != ErrorCode::kInvalidInput) throw;
          report_.errors.push_back({p.line, p.memory.id.to_string(), row_error.what()});
        }
      }
    }
    batch_.clear();
  }

 private:
  static std::string id_of(const std::string& line) {
    try {
      const Json j = Json::parse(line);
      if (j.is_object() && j.contains("id") && j["id"].is_string())
        return j["id"].get<std::string>();
    } catch (const Json::exception&) {
    }
    return "";
  }

  void embed_missing() {
    if (options_.embedder == nullptr) return;
    std::vector<std::string> texts;
    std::vector<PendingLine*> targets;
    for (PendingLine& p : batch_) {
      if (!p.memory.embedding) {
        texts.push_back(p.memory.content);
        targets.push_back(&p);
      }
    }
    if (texts.empty()) return;
    std::vector<Embedding> vectors = options_.embedder->embed_batch(texts);
    for (std::size_t i = 0; i < targets.size(); ++i)
      targets[i]->memory.embedding = std::move(vectors[i]);
  }

  void record(std::size_t inserted, std::size_t attempted) {
    report_.inserted += inserted;
    report_.existing += attempted - inserted;
  }

  MemoryStore& store_;
  const ImportOptions& options_;
  ImportReport& report_;
  std::vector<PendingLine> batch_;
};

}  // namespace

ImportReport import_jsonl(MemoryStore& store, std::istream& in, const ImportOptions& options) {
  ImportReport report;
  Importer importer(store, options, report);
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++report.lines;
    importer.add(line_number, line);
  }
  importer.flush();
  return report;
}

}  // namespace vestige::ops
