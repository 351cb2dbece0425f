#include "twelvefold/sim/assertions.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/sim/scenario.hpp"

namespace twelvefold::sim {
namespace {

struct op_text {
  const char* text;
  comparison op;
};
// Two-character operators first, so "<=" is not read as "<".
constexpr op_text operators[] = {{"<=", comparison::le}, {">=", comparison::ge},
                                 {"==", comparison::eq}, {"!=", comparison::ne},
                                 {"<", comparison::lt},  {">", comparison::gt}};

std::expected<std::vector<std::string>, std::string> split_path(std::string_view text) {
  std::vector<std::string> parts;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (current.empty() && (parts.empty() || text[i - 1] != ']')) {
        return std::unexpected("empty path component");
      }
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
    } else if (c == '[') {
      // [key] names a map key or a list element by name or index; keys may hold dots.
      const std::size_t close = text.find(']', i);
      if (close == std::string_view::npos) return std::unexpected("unterminated [");
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
      parts.emplace_back(text.substr(i + 1, close - i - 1));
      i = close;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      return std::unexpected("spaces in the metric path");
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(std::move(current));
  if (parts.empty()) return std::unexpected("no metric");
  return parts;
}

std::optional<series_aggregate> aggregate_of(const std::string& name) {
  if (name.empty() || name == "all") return series_aggregate::all;
  if (name == "any") return series_aggregate::any;
  if (name == "max") return series_aggregate::max;
  if (name == "min") return series_aggregate::min;
  if (name == "mean") return series_aggregate::mean;
  if (name == "first") return series_aggregate::first;
  if (name == "last") return series_aggregate::last;
  return std::nullopt;
}

bool compare(double measured, comparison op, double threshold) {
  switch (op) {
    case comparison::lt:
      return measured < threshold;
    case comparison::le:
      return measured <= threshold;
    case comparison::gt:
      return measured > threshold;
    case comparison::ge:
      return measured >= threshold;
    case comparison::eq:
      return measured == threshold;
    case comparison::ne:
      return measured != threshold;
  }
  return false;
}

// One step down a JSON document: an object key, an array index, or the array element whose
// "name" (or "fleet", "rat") equals the key.
const nlohmann::ordered_json* step(const nlohmann::ordered_json& node, const std::string& key) {
  if (node.is_object()) {
    const auto it = node.find(key);
    return it == node.end() ? nullptr : &*it;
  }
  if (node.is_array()) {
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
    if (ec == std::errc() && end == key.data() + key.size()) {
      return index < node.size() ? &node[index] : nullptr;
    }
    for (const auto& element : node) {
      if (!element.is_object()) continue;
      for (const char* field : {"name", "fleet", "rat", "version"}) {
        const auto it = element.find(field);
        if (it != element.end() && it->is_string() && it->get<std::string>() == key) {
          return &element;
        }
      }
    }
  }
  return nullptr;
}

std::optional<double> number_of(const nlohmann::ordered_json& node) {
  if (node.is_number()) return node.get<double>();
  if (node.is_boolean()) return node.get<bool>() ? 1.0 : 0.0;
  return std::nullopt;  // null ("never reached"), text, objects
}

std::string joined(const std::vector<std::string>& path, std::size_t upto) {
  std::string text;
  for (std::size_t i = 0; i < upto && i < path.size(); ++i) text += (i ? "." : "") + path[i];
  return text;
}

std::string keys_of(const nlohmann::ordered_json& node) {
  std::string text;
  if (!node.is_object()) return text;
  int n = 0;
  for (auto it = node.begin(); it != node.end() && n < 12; ++it, ++n) {
    text += (text.empty() ? "" : ", ") + it.key();
  }
  if (node.size() > 12) text += ", ...";
  return text;
}

}  // namespace

const char* to_symbol(comparison op) {
  for (const op_text& o : operators) {
    if (o.op == op) return o.text;
  }
  return "?";
}

std::expected<assertion_spec, std::string> parse_assertion(const scenario::v1::Assertion& a,
                                                           std::int64_t epoch_utc_us) {
  assertion_spec spec;
  spec.expect = a.expect();
  spec.name = a.name().empty() ? a.expect() : a.name();
  const std::string& text = a.expect();
  std::size_t at = std::string::npos;
  const op_text* found = nullptr;
  for (const op_text& o : operators) {
    const std::size_t p = text.find(o.text);
    if (p != std::string::npos &&
        (at == std::string::npos || p < at || (p == at && std::string_view(o.text).size() == 2))) {
      at = p;
      found = &o;
    }
  }
  if (found == nullptr) {
    return std::unexpected("expect: expected \"METRIC OP NUMBER\" with OP one of < <= > >= == !=");
  }
  auto trim = [](std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
  };
  const std::string metric = trim(text.substr(0, at));
  const std::string number = trim(text.substr(at + std::string_view(found->text).size()));
  auto path = split_path(metric);
  if (!path) return std::unexpected("expect: metric \"" + metric + "\": " + path.error());
  spec.path = std::move(*path);
  spec.op = found->op;
  double threshold = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), threshold);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
    return std::unexpected("expect: \"" + number + "\" is not a number");
  }
  spec.threshold = threshold;
  if (!a.from().empty()) {
    auto from = parse_event_time_us(a.from(), epoch_utc_us);
    if (!from) return std::unexpected("from: " + from.error());
    spec.from_us = *from;
  }
  if (!a.until().empty()) {
    auto until = parse_event_time_us(a.until(), epoch_utc_us);
    if (!until) return std::unexpected("until: " + until.error());
    spec.until_us = *until;
  }
  const auto aggregate = aggregate_of(a.aggregate());
  if (!aggregate) {
    return std::unexpected("aggregate: \"" + a.aggregate() +
                           "\" is not one of all, any, max, min, mean, first, last");
  }
  spec.aggregate = *aggregate;
  return spec;
}

assertion_result evaluate(const assertion_spec& spec, const nlohmann::ordered_json& summary) {
  assertion_result r{spec.name, spec.expect, false, std::nullopt, ""};
  const nlohmann::ordered_json* node = &summary;
  for (std::size_t i = 0; i < spec.path.size(); ++i) {
    // A series: an array of samples stamped with at_s; the rest of the path applies to each.
    if (node->is_array() && !node->empty() && (*node)[0].is_object() &&
        (*node)[0].contains("at_s") && step(*node, spec.path[i]) == nullptr) {
      std::vector<double> values;
      for (const auto& sample : *node) {
        const double at_us = sample.value("at_s", 0.0) * 1e6;
        if (at_us < static_cast<double>(spec.from_us)) continue;
        if (spec.until_us && at_us > static_cast<double>(*spec.until_us)) continue;
        const nlohmann::ordered_json* v = &sample;
        for (std::size_t k = i; k < spec.path.size() && v != nullptr; ++k) {
          v = step(*v, spec.path[k]);
        }
        // A sample without the key counts as 0 (e.g. no twin connected on that RAT yet).
        values.push_back(v == nullptr ? 0.0 : number_of(*v).value_or(0.0));
      }
      if (values.empty()) {
        r.detail = "no sample of " + joined(spec.path, i) + " in the window";
        return r;
      }
      double measured = 0;
      bool passed = false;
      switch (spec.aggregate) {
        case series_aggregate::all:
        case series_aggregate::any: {
          std::size_t passing = 0;
          // The reported figure: for "all" the worst failing sample (or the tightest pass),
          // for "any" the passing sample nearest the threshold (or the closest miss).
          bool have_fail = false;
          bool have_pass = false;
          double worst_fail = 0;
          double tightest_pass = 0;
          for (double v : values) {
            const double margin = std::abs(v - spec.threshold);
            if (compare(v, spec.op, spec.threshold)) {
              ++passing;
              if (!have_pass || margin < std::abs(tightest_pass - spec.threshold)) {
                tightest_pass = v;
              }
              have_pass = true;
            } else {
              if (!have_fail || margin > std::abs(worst_fail - spec.threshold)) worst_fail = v;
              have_fail = true;
            }
          }
          if (spec.aggregate == series_aggregate::all) {
            measured = have_fail ? worst_fail : tightest_pass;
          } else {
            measured = have_pass ? tightest_pass : worst_fail;
          }
          passed = spec.aggregate == series_aggregate::all ? passing == values.size() : passing > 0;
          r.detail =
              std::to_string(passing) + " of " + std::to_string(values.size()) + " samples pass";
          r.measured = measured;
          r.passed = passed;
          return r;
        }
        case series_aggregate::max:
          measured = *std::max_element(values.begin(), values.end());
          break;
        case series_aggregate::min:
          measured = *std::min_element(values.begin(), values.end());
          break;
        case series_aggregate::mean:
          for (double v : values) measured += v;
          measured /= static_cast<double>(values.size());
          break;
        case series_aggregate::first:
          measured = values.front();
          break;
        case series_aggregate::last:
          measured = values.back();
          break;
      }
      r.measured = measured;
      r.passed = compare(measured, spec.op, spec.threshold);
      r.detail = "over " + std::to_string(values.size()) + " samples";
      return r;
    }
    const nlohmann::ordered_json* next = step(*node, spec.path[i]);
    if (next == nullptr) {
      const std::string where = i == 0 ? "summary.json" : joined(spec.path, i);
      const std::string keys = keys_of(*node);
      r.detail = "no metric " + joined(spec.path, i + 1) + " (" + where + " has " +
                 (keys.empty() ? std::string("no such entry") : keys) + ")";
      return r;
    }
    node = next;
  }
  const auto value = number_of(*node);
  if (!value) {
    r.detail = node->is_null() ? "not reached (null)" : "not a number: " + node->dump();
    return r;
  }
  r.measured = *value;
  r.passed = compare(*value, spec.op, spec.threshold);
  return r;
}

}  // namespace twelvefold::sim
