// A process of the multi-process test. Usage:
//   vestige_multiprocess_worker write <database> <prefix> <count>
//       inserts <count> memories (workload_content) with their embeddings, one
//       transaction each, searching now and then as a server would
//   vestige_multiprocess_worker read <database> <stop-file>
//       searches in a loop until <stop-file> exists
// Exits 0 on success; on failure prints the error to stderr and exits 1.

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "workload.h"

namespace {

using vestige::multiprocess::workload_content;
using vestige::multiprocess::workload_embedder;

std::unique_ptr<vestige::MemoryStore> open_bound(const std::string& path,
                                                 vestige::Embedder& embedder) {
  auto store = vestige::open_sqlite_store({.path = path});
  store->register_model(embedder.signature());
  return store;
}

void write(const std::string& path, const std::string& prefix, int count) {
  auto embedder = workload_embedder();
  auto store = open_bound(path, *embedder);
  for (int i = 0; i < count; ++i) {
    vestige::Memory memory;
    memory.content = workload_content(prefix, i);
    memory.tags = {prefix};
    memory.embedding = embedder->embed(memory.content);
    store->insert(memory);
    if (i % 10 == 9) {
      vestige::SearchQuery query;
      query.text = memory.content;
      query.embedding = memory.embedding;
      if (store->hybrid_search(query).empty()) {
        throw std::runtime_error("a memory just inserted was not found by hybrid search");
      }
    }
  }
}

void read(const std::string& path, const std::filesystem::path& stop_file) {
  auto embedder = workload_embedder();
  auto store = open_bound(path, *embedder);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int i = 0; !std::filesystem::exists(stop_file); ++i) {
    if (std::chrono::steady_clock::now() > give_up) {
      throw std::runtime_error("the stop file never appeared");
    }
    vestige::SearchQuery query;
    query.text = workload_content("any", i);
    query.embedding = embedder->embed(query.text);
    store->hybrid_search(query);
    store->vector_search(query);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "write" && argc == 5) {
      write(argv[2], argv[3], std::stoi(argv[4]));
    } else if (mode == "read" && argc == 4) {
      read(argv[2], argv[3]);
    } else {
      std::fprintf(stderr,
                   "usage: %s write <database> <prefix> <count> | read <database> <stop-file>\n",
                   argv[0]);
      return 2;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worker failed: %s\n", e.what());
    return 1;
  }
}
