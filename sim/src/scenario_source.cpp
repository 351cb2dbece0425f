#include "twelvefold/sim/scenario_source.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace twelvefold::sim {
namespace {

// Deep enough for any sane layering (base -> region -> variant), shallow enough to stop a
// runaway before the stack does.
constexpr int max_include_depth = 16;

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A directive keyword followed by a space or the end: "#include" but not "#includes".
bool starts_directive(std::string_view line, std::string_view keyword) {
  return line.starts_with(keyword) &&
         (line.size() == keyword.size() ||
          std::isspace(static_cast<unsigned char>(line[keyword.size()])));
}

class expander {
 public:
  expander(const std::map<std::string, std::string>& overrides, expanded_source& out,
           std::vector<diagnostic>& errors)
      : out_(out), errors_(errors) {
    out_.params = overrides;
  }

  void expand(const std::string& text, const std::string& file,
              const std::filesystem::path& base_dir, int depth) {
    out_.files.push_back(file);
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string_view body = trim(line);
      const int indent = static_cast<int>(line.find_first_not_of(" \t"));
      if (starts_directive(body, "#param")) {
        define(body.substr(6), file, number, indent + 8);
        emit(line, file, number);
      } else if (starts_directive(body, "#include")) {
        emit(line, file, number);  // kept as a comment: line numbers of what follows hold
        include(body.substr(8), file, number, indent + 10, base_dir, depth);
      } else if (body.starts_with("#")) {
        emit(line, file, number);  // a comment: nothing to substitute
      } else {
        emit(substitute(line, file, number), file, number);
      }
    }
  }

 private:
  void error(const std::string& file, int line, int column, std::string message) {
    errors_.push_back({file, line, column, std::move(message)});
  }

  void emit(const std::string& line, const std::string& file, int number) {
    out_.text += line;
    out_.text += '\n';
    out_.lines.push_back({file, number});
  }

  void define(std::string_view rest, const std::string& file, int line, int column) {
    const std::size_t eq = rest.find('=');
    const std::string_view name = trim(rest.substr(0, eq));
    if (eq == std::string_view::npos || name.empty() || !is_name_start(name.front()) ||
        std::find_if_not(name.begin(), name.end(), is_name_char) != name.end()) {
      error(file, line, column, "expected #param NAME = VALUE (NAME: letters, digits, _)");
      return;
    }
    const std::string_view value = trim(rest.substr(eq + 1));
    out_.params.try_emplace(std::string(name), std::string(value));  // first definition wins
    defined_.insert(std::string(name));
  }

  void include(std::string_view rest, const std::string& file, int line, int column,
               const std::filesystem::path& base_dir, int depth) {
    rest = trim(rest);
    if (rest.size() < 2 || rest.front() != '"' || rest.back() != '"') {
      error(file, line, column, "expected #include \"PATH\" (a path in double quotes)");
      return;
    }
    const std::filesystem::path target = base_dir / std::string(rest.substr(1, rest.size() - 2));
    std::error_code ec;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(target, ec);
    if (depth + 1 > max_include_depth) {
      error(file, line, column,
            "includes nested deeper than " + std::to_string(max_include_depth) + " files");
      return;
    }
    if (active_.contains(canonical.string())) {
      error(file, line, column, "include cycle: " + target.string() + " is already being read");
      return;
    }
    std::ifstream in(target, std::ios::binary);
    if (!in) {
      error(file, line, column,
            "cannot include " + target.string() +
                (std::filesystem::exists(target, ec) ? ": cannot be read" : ": no such file"));
      return;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    active_.insert(canonical.string());
    expand(buffer.str(), target.string(), target.parent_path(), depth + 1);
    active_.erase(canonical.string());
  }

  std::string substitute(const std::string& line, const std::string& file, int number) {
    std::string result;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '$') {
        result += line[i];
        continue;
      }
      if (i + 1 < line.size() && line[i + 1] == '$') {
        result += '$';
        ++i;
        continue;
      }
      if (i + 1 >= line.size() || line[i + 1] != '{') {
        result += '$';
        continue;
      }
      const std::size_t close = line.find('}', i + 2);
      if (close == std::string::npos) {
        error(file, number, static_cast<int>(i) + 1, "unterminated ${...}");
        return line;
      }
      const std::string name = line.substr(i + 2, close - i - 2);
      const auto it = out_.params.find(name);
      if (it == out_.params.end()) {
        std::string known;
        for (const auto& [k, v] : out_.params) known += (known.empty() ? "" : ", ") + k;
        error(file, number, static_cast<int>(i) + 1,
              "unknown parameter ${" + name + "}" +
                  (known.empty() ? std::string(" (no #param defined before this line)")
                                 : " (defined: " + known + ")"));
      } else {
        result += it->second;
        used_.insert(name);
      }
      i = close;
    }
    return result;
  }

  expanded_source& out_;
  std::vector<diagnostic>& errors_;
  std::set<std::string> active_;  // files being expanded (cycle detection)
  std::set<std::string> used_;

 public:
  std::set<std::string> defined_;  // names some #param defines
};

}  // namespace

diagnostic expanded_source::locate(diagnostic d) const {
  if (d.line >= 1 && static_cast<std::size_t>(d.line) <= lines.size()) {
    const source_line& origin = lines[static_cast<std::size_t>(d.line) - 1];
    d.file = origin.file;
    d.line = origin.line;
  }
  return d;
}

std::expected<expanded_source, std::vector<diagnostic>> expand_scenario_source(
    const std::string& text, const std::string& display_name, const std::filesystem::path& base_dir,
    const std::map<std::string, std::string>& overrides) {
  expanded_source out;
  std::vector<diagnostic> errors;
  expander e(overrides, out, errors);
  e.expand(text, display_name, base_dir, 0);
  // A command-line parameter the scenario never defines is a typo, not a no-op.
  for (const auto& [name, value] : overrides) {
    if (e.defined_.contains(name)) continue;
    std::string known;
    for (const auto& d : e.defined_) known += (known.empty() ? "" : ", ") + d;
    errors.push_back({display_name, 0, 0,
                      "--param " + name + ": the scenario defines no such parameter" +
                          (known.empty() ? std::string(" (it has no #param)")
                                         : " (parameters: " + known + ")")});
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return out;
}

}  // namespace twelvefold::sim
