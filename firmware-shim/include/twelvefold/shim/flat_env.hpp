// A module's environment variables of one scope (default, cloud or local), kept in a sorted
// vector rather than a std::map: a twin holds a handful of variables, and a tree node per
// variable (~120 bytes with the allocator's overhead) was a visible share of a million twins'
// memory. Lookups are a binary search on the Notecard's case-insensitive order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twelvefold::shim {

// Orders environment variable names case-insensitively (ASCII), as the Notecard compares them.
struct env_name_less {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

struct env_entry {
  std::string value;
  std::int64_t modified_us = 0;  // virtual time of the last change (for env.get time)
};

class flat_env {
 public:
  using value_type = std::pair<std::string, env_entry>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  [[nodiscard]] const_iterator begin() const { return items_.begin(); }
  [[nodiscard]] const_iterator end() const { return items_.end(); }
  [[nodiscard]] iterator begin() { return items_.begin(); }
  [[nodiscard]] iterator end() { return items_.end(); }
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] bool empty() const { return items_.empty(); }

  [[nodiscard]] const_iterator find(std::string_view name) const {
    const auto it = lower_bound(name);
    return (it != items_.end() && equal(it->first, name)) ? it : items_.end();
  }
  [[nodiscard]] iterator find(std::string_view name) {
    const auto it = lower_bound(name);
    return (it != items_.end() && equal(it->first, name)) ? it : items_.end();
  }
  [[nodiscard]] bool contains(std::string_view name) const { return find(name) != end(); }

  // The entry of `name`, inserted empty when absent (as std::map::operator[]).
  env_entry& operator[](std::string_view name) {
    auto it = lower_bound(name);
    if (it == items_.end() || !equal(it->first, name)) {
      it = items_.insert(it, value_type{std::string(name), env_entry{}});
    }
    return it->second;
  }
  void insert_or_assign(std::string_view name, env_entry entry) {
    (*this)[name] = std::move(entry);
  }
  void erase(const_iterator it) { items_.erase(it); }
  void erase(iterator it) { items_.erase(it); }

 private:
  static bool equal(std::string_view a, std::string_view b) {
    return !env_name_less{}(a, b) && !env_name_less{}(b, a);
  }
  [[nodiscard]] const_iterator lower_bound(std::string_view name) const {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const value_type& item, std::string_view key) {
                              return env_name_less{}(item.first, key);
                            });
  }
  [[nodiscard]] iterator lower_bound(std::string_view name) {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const value_type& item, std::string_view key) {
                              return env_name_less{}(item.first, key);
                            });
  }

  std::vector<value_type> items_;
};

}  // namespace twelvefold::shim
