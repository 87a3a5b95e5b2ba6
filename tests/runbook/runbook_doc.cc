#include "runbook/runbook_doc.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace vestige::testing {

namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

[[noreturn]] void broken(int line, const std::string& what) {
  throw std::runtime_error("docs/runbook/postgres.md:" + std::to_string(line) + ": " + what);
}

bool is_run_command(const std::string& command) {
  // Environment assignments may come first: NAME=value vestige ...
  std::istringstream words(command);
  std::string word;
  while (words >> word) {
    const auto eq = word.find('=');
    if (eq != std::string::npos && eq > 0 && word.find('"') == std::string::npos) continue;
    if (eq != std::string::npos && eq > 0 && word[eq + 1] == '"') continue;
    return word == "vestige" || word == "vestige-mcp";
  }
  return false;
}

void parse_sql_block(RunbookStep& step) {
  const std::vector<std::string> lines = lines_of(step.text);
  if (!lines.empty() && starts_with(lines[0], "-- needs: ")) {
    step.needs = trim(lines[0].substr(10));
  }
  for (const std::string& line : lines) {
    if (starts_with(line, "-- expect: ")) step.expected.push_back(trim(line.substr(11)));
  }
}

RunbookStep make_step(RunbookStep::Kind kind, int line, std::string text) {
  RunbookStep step;
  step.kind = kind;
  step.line = line;
  step.text = std::move(text);
  return step;
}

}  // namespace

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::vector<RunbookStep> parse_runbook(const std::string& markdown) {
  const std::vector<std::string> lines = lines_of(markdown);
  std::vector<RunbookStep> steps;
  std::string fence;  // info string of the open block, "" outside blocks
  bool in_block = false;
  int block_start = 0;
  std::string block_text;
  bool command_open = false;  // lines after a run command are its output
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const int number = static_cast<int>(i) + 1;
    if (starts_with(line, "```")) {
      if (!in_block) {
        in_block = true;
        fence = trim(line.substr(3));
        block_start = number;
        block_text.clear();
        command_open = false;
        continue;
      }
      in_block = false;
      command_open = false;
      if (fence == "sql") {
        RunbookStep step = make_step(RunbookStep::Kind::kSql, block_start, block_text);
        parse_sql_block(step);
        steps.push_back(std::move(step));
      } else if (fence == "toml" && starts_with(block_text, "# ~/")) {
        RunbookStep step = make_step(RunbookStep::Kind::kToml, block_start, block_text);
        step.path = trim(block_text.substr(4, block_text.find('\n') - 4));
        steps.push_back(std::move(step));
      }
      continue;
    }
    if (!in_block) {
      if (starts_with(line, "<!-- test-sql:")) {
        const auto end = line.find("-->");
        if (end == std::string::npos) broken(number, "a test-sql comment must end on its line");
        steps.push_back(
            make_step(RunbookStep::Kind::kStageSql, number, trim(line.substr(14, end - 14))));
      }
      continue;
    }
    block_text += line + "\n";
    if (fence != "sh") {
      // A command the test would not run must say why: only a command this
      // build does not have yet may wait in a ```sh pending block.
      if (starts_with(line, "$ ") && is_run_command(line.substr(2)) && fence != "sh pending") {
        broken(number, "a vestige command outside a ```sh block is never run");
      }
      continue;
    }
    if (starts_with(line, "$ ")) {
      const std::string command = line.substr(2);
      command_open = is_run_command(command);
      if (command_open) steps.push_back(make_step(RunbookStep::Kind::kCommand, number, command));
      continue;
    }
    if (!command_open || trim(line).empty()) continue;
    static const std::regex exit_line(R"(\(exit status (\d+)\))");
    std::smatch m;
    if (std::regex_match(line, m, exit_line)) {
      steps.back().exit_code = std::stoi(m[1]);
    } else if (starts_with(line, "(exit")) {
      broken(number, "write the exit line as (exit status N)");
    } else {
      steps.back().expected.push_back(line);
    }
  }
  if (in_block) broken(block_start, "a ``` block is not closed");
  return steps;
}

bool matches_expected(const std::string& text, const std::string& pattern) {
  static const std::regex placeholder(R"(<[a-z. ]+>)");
  std::string regex;
  std::size_t at = 0;
  const auto escape = [&regex](const std::string& literal) {
    for (char c : literal) {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) regex += '\\';
      regex += c;
    }
  };
  for (auto it = std::sregex_iterator(pattern.begin(), pattern.end(), placeholder);
       it != std::sregex_iterator(); ++it) {
    escape(pattern.substr(at, static_cast<std::size_t>(it->position()) - at));
    regex += ".*";
    at = static_cast<std::size_t>(it->position() + it->length());
  }
  escape(pattern.substr(at));
  return std::regex_search(text, std::regex(regex));
}

CommandLine parse_command_line(const std::string& line,
                               const std::map<std::string, std::string>& vars) {
  std::vector<std::string> words;
  std::string word;
  bool have_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '$' && i + 1 < line.size() &&
               (line[i + 1] == '{' || std::isalpha(static_cast<unsigned char>(line[i + 1])))) {
      std::string name;
      if (line[i + 1] == '{') {
        const auto end = line.find('}', i);
        if (end == std::string::npos) throw std::runtime_error("unclosed ${ in: " + line);
        name = line.substr(i + 2, end - i - 2);
        i = end;
      } else {
        std::size_t j = i + 1;
        while (j < line.size() &&
               (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_')) {
          ++j;
        }
        name = line.substr(i + 1, j - i - 1);
        i = j - 1;
      }
      const auto found = vars.find(name);
      if (found == vars.end()) throw std::runtime_error("$" + name + " is not set in: " + line);
      word += found->second;
      have_word = true;
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      have_word = true;
    } else if (c == ' ' || c == '\t') {
      if (have_word || !word.empty()) words.push_back(word);
      word.clear();
      have_word = false;
    } else {
      word += c;
    }
  }
  if (quote != 0) throw std::runtime_error("unclosed quote in: " + line);
  if (have_word || !word.empty()) words.push_back(word);

  CommandLine out;
  std::size_t i = 0;
  for (; i < words.size(); ++i) {
    const auto eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0 || words[i] == "vestige" || words[i] == "vestige-mcp") {
      break;
    }
    out.env[words[i].substr(0, eq)] = words[i].substr(eq + 1);
  }
  if (i == words.size()) throw std::runtime_error("no program in: " + line);
  out.program = words[i++];
  for (; i < words.size(); ++i) {
    if (words[i] == "<") {
      if (i + 1 == words.size()) throw std::runtime_error("< without a file in: " + line);
      out.stdin_file = words[++i];
    } else {
      out.args.push_back(words[i]);
    }
  }
  return out;
}

ProcessResult run_runbook_command(const std::string& line, const std::filesystem::path& home,
                                  const std::map<std::string, std::string>& vars) {
  const CommandLine command = parse_command_line(line, vars);
  std::string program;
  if (command.program == "vestige") {
    program = VESTIGE_CLI_PATH;
  } else if (command.program == "vestige-mcp") {
    program = VESTIGE_MCP_PATH;
  } else {
    throw std::runtime_error("not a Vestige program: " + command.program);
  }
  ProcessOptions options;
  options.env = vars;
  options.env["HOME"] = home.string();
  for (const auto& [name, value] : command.env) options.env[name] = value;
  options.unset_env = {"VESTIGE_CONFIG", "VESTIGE_DATA_DIR", "VESTIGE_LOG", "NO_COLOR"};
  if (!command.stdin_file.empty() && command.stdin_file != "/dev/null") {
    options.stdin_text = read_text_file(command.stdin_file);
  }
  options.timeout = std::chrono::seconds(120);
  return run_process(program, command.args, options);
}

std::vector<std::vector<std::string>> table_under(const std::string& markdown,
                                                  const std::string& heading) {
  std::vector<std::vector<std::string>> rows;
  bool in_section = false;
  int table_line = 0;
  for (const std::string& line : lines_of(markdown)) {
    if (starts_with(line, "#")) {
      const std::string title = trim(line.substr(line.find_first_not_of('#')));
      if (in_section && !rows.empty()) break;
      in_section = starts_with(title, heading);
      table_line = 0;
      continue;
    }
    if (!in_section || !starts_with(line, "|")) continue;
    if (++table_line <= 2) continue;  // header and separator
    std::vector<std::string> cells;
    std::string cell;
    bool in_code = false;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '`') in_code = !in_code;
      if (line[i] == '|' && !in_code) {
        cells.push_back(trim(cell));
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

std::vector<std::string> backquoted(const std::string& cell) {
  std::vector<std::string> spans;
  std::size_t at = 0;
  while ((at = cell.find('`', at)) != std::string::npos) {
    const auto end = cell.find('`', at + 1);
    if (end == std::string::npos) break;
    spans.push_back(cell.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return spans;
}

}  // namespace vestige::testing
