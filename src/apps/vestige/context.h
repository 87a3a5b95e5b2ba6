#pragma once

// What every `vestige` command needs, created on first use: the
// configuration, the store and the embedder. A command that only prints the
// configuration never opens the database.

#include <memory>
#include <optional>
#include <string>

#include "engine/model_binding.h"
#include "vestige/config.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"

namespace vestige::cli {

struct GlobalOptions {
  std::string data_dir;
  std::string config_file;
  bool json = false;
};

class Context {
 public:
  // `options` is filled in by the argument parser after construction, so it
  // is held by reference and read on first use.
  explicit Context(const GlobalOptions& options) : options_(options) {}

  bool json() const { return options_.json; }

  // Loads vestige.toml once (Error(kConfig) when it is invalid).
  const Config& config();

  // Opens the configured store once, creating the data directory.
  MemoryStore& store(const OpenOptions& open = {});

  // The configured embedder, resolved once.
  Embedder& embedder();

  // The store bound to the configured embedder's model (registers it on an
  // empty store; Error(kModelMismatch) when the store holds another model's
  // vectors).
  MemoryStore& store_for_writes();

  // The configured embedder when the store's registered model is that
  // embedder's model; nullopt when the store has no vectors yet (search then
  // uses text only). Error(kModelMismatch) when the models differ, so that a
  // model change can never silently empty a search.
  Embedder* embedder_for_queries();

  // A command that finished but must not exit 0 sets this (import with bad
  // lines: 4, health not ok: 1).
  void set_exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

 private:
  // The embedder and the store's registry, created with the configuration.
  engine::ModelBinding& models();

  const GlobalOptions& options_;
  std::optional<Config> config_;
  std::unique_ptr<MemoryStore> store_;
  std::optional<engine::ModelBinding> models_;
  int exit_code_ = 0;
};

}  // namespace vestige::cli
