#pragma once

// Reads docs/runbook/postgres.md the way its header comment describes, and
// runs its `vestige` / `vestige-mcp` command lines with the real binaries.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace vestige::testing {

struct RunbookStep {
  enum class Kind {
    kCommand,   // a `$ vestige ...` line in a ```sh block
    kSql,       // a ```sql block
    kToml,      // a ```toml block that is a file (first line `# ~/...`)
    kStageSql,  // an HTML comment `<!-- test-sql: ... -->`
  };
  Kind kind = Kind::kCommand;
  int line = 0;       // 1-based line in the runbook
  std::string text;   // the command line (without `$ `), the SQL or the file's contents
  std::string path;   // kToml: the file, relative to HOME
  std::string needs;  // kSql: an extension the block needs (`-- needs:`)
  std::vector<std::string> expected;  // output lines, or `-- expect:` values for SQL
  int exit_code = 0;
};

std::string read_text_file(const std::filesystem::path& path);

// The steps in document order. Throws std::runtime_error naming the line when
// the runbook breaks its own conventions (an unclosed block, a bad exit line).
std::vector<RunbookStep> parse_runbook(const std::string& markdown);

// Whether `text` contains `pattern`, where `<...>` in the pattern matches any
// text.
bool matches_expected(const std::string& text, const std::string& pattern);

// A runbook command line split into environment assignments, the program
// (`vestige` or `vestige-mcp`), its arguments and its standard input file.
// Quotes group words; `$NAME` and `${NAME}` expand from `vars` (not inside
// single quotes).
struct CommandLine {
  std::map<std::string, std::string> env;
  std::string program;
  std::vector<std::string> args;
  std::string stdin_file;
};
CommandLine parse_command_line(const std::string& line,
                               const std::map<std::string, std::string>& vars);

// Runs one command line with the binaries under test, `home` as HOME and the
// variables in `vars` in its environment (VESTIGE_* variables of the test's
// own environment are removed).
ProcessResult run_runbook_command(const std::string& line, const std::filesystem::path& home,
                                  const std::map<std::string, std::string>& vars);

// The rows of the markdown table under the heading that starts with
// `heading`, as cells (without the header and separator rows).
std::vector<std::vector<std::string>> table_under(const std::string& markdown,
                                                  const std::string& heading);

// The `backquoted` spans of a table cell.
std::vector<std::string> backquoted(const std::string& cell);

}  // namespace vestige::testing
