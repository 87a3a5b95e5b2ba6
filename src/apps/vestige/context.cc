#include "apps/vestige/context.h"

#include <spdlog/spdlog.h>

namespace vestige::cli {

const Config& Context::config() {
  if (!config_) {
    ConfigSources sources;
    if (!options_.config_file.empty()) sources.config_file = options_.config_file;
    if (!options_.data_dir.empty()) sources.data_dir = options_.data_dir;
    config_ = load_config(sources);
    spdlog::set_level(spdlog::level::from_str(config_->log.level));
  }
  return *config_;
}

MemoryStore& Context::store(const OpenOptions& open) {
  if (!store_) {
    const Config& cfg = config();
    if (cfg.backend == "sqlite") ensure_data_dir(cfg);
    store_ = open_store(cfg, open);
  }
  return *store_;
}

engine::ModelBinding& Context::models() {
  if (!models_) models_.emplace(config().embeddings);
  return *models_;
}

Embedder& Context::embedder() {
  return models().embedder();
}

MemoryStore& Context::store_for_writes() {
  MemoryStore& s = store();
  return models().for_writes(s);
}

Embedder* Context::embedder_for_queries() {
  MemoryStore& s = store();
  return models().for_queries(s);
}

}  // namespace vestige::cli
