#pragma once

// The real `vestige` binary against the PostgreSQL test server and SQLite
// files in a temporary data directory.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/pg_test_server.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace vestige::testing {

inline constexpr int kKilled = 128 + 9;

class PgOpsEnv {
 public:
  PgOpsEnv() : url_(test_pg_url()) { reset_test_database(url_); }

  const std::string& url() const { return url_; }
  const TempDir& dir() const { return dir_; }
  std::filesystem::path sqlite_path() const { return dir_.path() / "vestige.db"; }
  PostgresConfig pg_config() const { return test_pg_config(url_); }

  // A vestige.toml that selects `backend` and `model`.
  void write_config(const std::string& backend, const std::string& model) const {
    std::ofstream(dir_.path() / "vestige.toml")
        << "[storage]\nbackend = \"" << backend << "\"\n[storage.postgres]\nurl = \"" << url_
        << "\"\nmax_connections = 2\n[embeddings]\nmodel = \"" << model << "\"\n";
  }

  ProcessResult vestige(std::vector<std::string> args,
                        std::map<std::string, std::string> env = {}) const {
    args.insert(args.begin(), {"--data-dir", dir_.path().string()});
    return run_process(VESTIGE_CLI_PATH, args,
                       {.env = std::move(env),
                        .unset_env = {"VESTIGE_CONFIG", "VESTIGE_FAULT_POINT"},
                        .stdin_text = "",
                        .timeout = std::chrono::seconds(300)});
  }

  ProcessResult copy(const std::string& from, const std::string& to,
                     std::vector<std::string> extra = {},
                     std::map<std::string, std::string> env = {}) const {
    std::vector<std::string> args = {
        "migrate",        "copy", "--from",        from,
        "--to",           to,     "--sqlite-path", sqlite_path().string(),
        "--postgres-url", url_};
    args.insert(args.end(), extra.begin(), extra.end());
    return vestige(args, std::move(env));
  }

 private:
  std::string url_;
  TempDir dir_;
};

}  // namespace vestige::testing
