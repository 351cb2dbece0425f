// Identity (factor 11): the product serial is the identity that matters; the hardware bound to
// it (device id, SIM IMSI/ICCID, LoRaWAN DevEUI, Wi-Fi MAC, secure-element key generation)
// can change when a unit is replaced in the field (HardwareReplacement events).
//
// Everything here is derived from the immutable world, never stored per twin as strings: a
// twin's transport ids are a pure function of (scenario seed, twin, hardware generation), and
// the generation at a time is the number of HardwareReplacement events of its serial at or
// before that time. The device shard and the management service both read this schedule; the
// cloud additionally records each binding in table `bindings`.
//
// Thread: immutable after construction; shared read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twelvefold/actors/auth.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::actors {

// The twin whose serial this is, if the world has it (prefix of its fleet + 7 digits).
std::optional<twin_index> twin_of_serial(const world& w, std::string_view serial);

// A stable IMEI-like device id of the twin's hardware `generation` (0: the factory original,
// the same as world::device_id_of). Distinct for every (twin, generation) of a run.
std::string device_id_for(const world& w, twin_index twin, std::uint32_t generation);

// The binding row of one hardware generation (transport ids for the RATs its model has).
binding_row binding_for(const world& w, twin_index twin, std::uint32_t generation,
                        std::int64_t from_us, std::int64_t until_us);

class replacement_schedule {
 public:
  struct replacement {
    twin_index twin = 0;
    std::int64_t at_us = 0;
  };

  // Reads the world's HardwareReplacement events (serials the world does not have, e.g. in a
  // scaled-down run, are skipped).
  explicit replacement_schedule(const world& w);

  // Hardware generation of `twin` at `at_us`: replacements at or before it.
  [[nodiscard]] std::uint32_t generation_at(twin_index twin, std::int64_t at_us) const;
  // When generation `generation` (>= 1) of `twin` was bound; -1 if it never is.
  [[nodiscard]] std::int64_t bound_from_us(twin_index twin, std::uint32_t generation) const;
  [[nodiscard]] const std::vector<replacement>& all() const { return by_twin_; }

 private:
  std::vector<replacement> by_twin_;  // sorted by (twin, at_us)
};

}  // namespace twelvefold::actors
