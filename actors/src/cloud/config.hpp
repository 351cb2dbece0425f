// Config via fleets (factor 4, docs/cloud-config.md): fleet membership, fleet lifecycle,
// environment variables at project, fleet and device scope, and how fast a change reaches the
// twins it concerns.
//
// Pure logic, no actor: the management service owns one config_state and calls it.
//
// Membership. Every twin has one home fleet (at first the fleet that created it; a fleet move
// changes it) and is also a member of every fleet whose membership rule it matches. Rules are
// evaluated at start and again for the twins a move touches (a rule can name a home fleet).
// At most 64 fleets carry a rule: a twin's rule memberships are one 64-bit mask.
//
// Precedence (cloud side): device > fleets > project. Among the fleets of a twin, the one with
// the higher `priority` wins; at equal priority the fleet whose name sorts first wins. The
// device applies its own local env.set values on top and env.default values below.
//
// Versions. Every change gets the next version number; a twin's required version is the last
// change that concerned it (version 1: the configuration the run starts with). The cloud sends
// a twin its whole resolved environment whenever the version the device reports differs.
//
// Per twin: home fleet (2 bytes), rule mask (8, only when a fleet has a rule), required and
// sent versions (4 + 4). Device-scope variables and per-change statistics are kept only for
// the twins and changes that have them.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "twelvefold/actors/messages.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::actors::cloud {

[[nodiscard]] std::string_view lifecycle_name(fleet_lifecycle stage);
[[nodiscard]] bool parse_lifecycle(std::string_view text, fleet_lifecycle& out);

enum class env_scope : std::uint8_t { project, fleet, device };
[[nodiscard]] bool parse_env_scope(std::string_view text, env_scope& out);

// A resolved timeline EnvChange (names already checked by the scenario loader).
struct env_change {
  env_scope scope = env_scope::project;
  std::uint32_t fleet = 0;  // scope fleet
  twin_index twin = 0;      // scope device
  std::string name;
  std::string value;
  bool remove = false;
};

// A resolved timeline FleetMove: `twins` are moved to `to_fleet` (in that order).
struct fleet_move {
  std::int32_t from_fleet = -1;  // -1: not named (explicit serials)
  std::uint32_t to_fleet = 0;
  std::vector<twin_index> twins;
};

// How far one change (or move) has spread: delays from the change to the session that carried
// it to each twin it concerns.
struct change_stats {
  enum class kind : std::uint8_t { env, move };
  kind what = kind::env;
  std::int64_t at_us = 0;
  std::uint32_t version = 0;
  std::string scope;   // "project", "fleet", "device", or "move"
  std::string target;  // fleet name / serial / "from->to"
  std::string name;    // variable name ("" for moves)
  bool remove = false;
  std::uint32_t twins_targeted = 0;
  std::uint32_t twins_moved = 0;        // moves: every twin moved (into a decommissioned fleet too)
  std::vector<std::int64_t> delays_us;  // one per twin reached, in arrival order
  std::vector<std::uint64_t> targets;   // bitset over twins; cleared when a twin is reached

  // Delay by which `percent` of the targeted twins had it; -1 when never reached.
  [[nodiscard]] std::int64_t reached_us(double percent) const;
};

class config_state {
 public:
  explicit config_state(const world& w);

  [[nodiscard]] std::uint32_t home_fleet(twin_index twin) const { return home_[twin]; }
  [[nodiscard]] bool member_of(twin_index twin, std::uint32_t fleet) const;
  // The twin's fleets, lowest precedence first (the last one wins a disagreement).
  [[nodiscard]] std::vector<std::uint32_t> fleets_of(twin_index twin) const;
  [[nodiscard]] fleet_lifecycle lifecycle_of(twin_index twin) const {
    return w_.fleets[home_[twin]].lifecycle;
  }
  [[nodiscard]] bool decommissioned(twin_index twin) const {
    return lifecycle_of(twin) == fleet_lifecycle::decommissioned;
  }

  // The cloud-resolved environment of a twin (device > fleets > project).
  [[nodiscard]] env_map resolved_env(twin_index twin) const;
  [[nodiscard]] std::uint32_t env_version(twin_index twin) const { return required_[twin]; }

  // Applies a change at `at_us`. Returns the number of twins it concerns.
  std::uint32_t apply(const env_change& change, std::int64_t at_us);
  // Moves twins; appends one "fleet.move" event per moved twin. Returns how many moved (twins
  // already in `to_fleet` do not move).
  std::uint32_t apply(const fleet_move& move, std::int64_t at_us, std::vector<cloud_event>& events);

  // The cloud sends `twin` its environment at version env_version(twin) at `at_us`: every
  // change it had not received yet has now reached it.
  void on_env_sent(twin_index twin, std::int64_t at_us);

  [[nodiscard]] const std::vector<change_stats>& changes() const { return changes_; }
  [[nodiscard]] std::uint64_t fleet_moves() const { return moves_; }
  [[nodiscard]] std::uint64_t twins_moved() const { return twins_moved_; }

  // Current scopes, for the twin store (`env` table), in a stable order.
  [[nodiscard]] std::vector<env_store_row> env_rows() const;
  // What the twin store's config tables need since the last call (config_store.cpp): fleets
  // and env always (small), memberships of every twin the first time, then of moved twins.
  [[nodiscard]] config_rows take_store_rows();

 private:
  struct scoped_value {
    std::string value;
    std::uint32_t version = 1;
    std::int64_t set_at_us = 0;
  };
  using scope_map = std::map<std::string, scoped_value, std::less<>>;

  [[nodiscard]] bool rule_matches(const membership_rule& rule, twin_index twin,
                                  std::uint32_t home) const;
  [[nodiscard]] std::uint64_t rule_mask_for(twin_index twin, std::uint32_t home) const;
  change_stats& begin_change(change_stats::kind what, std::int64_t at_us);
  void target(change_stats& c, twin_index twin);

  const world& w_;
  std::vector<std::uint16_t> home_;
  std::vector<std::uint64_t> rule_mask_;   // empty when no fleet has a rule
  std::vector<std::int8_t> rule_bit_;      // per fleet: its bit in rule_mask_, or -1
  std::vector<std::uint32_t> precedence_;  // fleets, lowest precedence first
  std::vector<std::uint32_t> required_;    // per twin: version it should hold
  std::vector<std::uint32_t> sent_;        // per twin: version last sent
  scope_map project_;
  std::vector<scope_map> fleet_env_;                      // per fleet
  std::unordered_map<twin_index, scope_map> device_env_;  // only twins with device variables
  std::vector<change_stats> changes_;                     // sorted by version
  std::uint32_t version_ = 1;
  std::uint64_t moves_ = 0;
  std::uint64_t twins_moved_ = 0;
  bool store_all_ = true;                                   // first take_store_rows()
  bool store_dirty_ = true;                                 // anything changed since
  std::vector<std::pair<twin_index, std::int64_t>> moved_;  // (twin, at_us) since
};

}  // namespace twelvefold::actors::cloud
