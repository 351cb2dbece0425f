#include "twelvefold/sim/resume_state.hpp"

#include <elf.h>
#include <link.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "atomic_file.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"

namespace twelvefold::sim {
namespace {

using json = nlohmann::ordered_json;
constexpr int format_version = 1;

std::string hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t k = 0; k < n; ++k) {
    out += digits[bytes[k] >> 4];
    out += digits[bytes[k] & 15];
  }
  return out;
}

std::string blake2b_hex(std::string_view data) {
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr, 0);
  return hex(digest.data(), digest.size());
}

std::expected<std::string, std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    return std::unexpected(path.string() + ": " +
                           (std::filesystem::exists(path, ec) ? "cannot be read" : "no such file"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The GNU build id of the main program (its first loaded object), hex; "" when it has none.
int find_build_id(dl_phdr_info* info, std::size_t, void* data) {
  auto* out = static_cast<std::string*>(data);
  for (int k = 0; k < info->dlpi_phnum; ++k) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[k];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const unsigned char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) note;
      std::memcpy(&note, p, sizeof note);
      const unsigned char* name = p + sizeof note;
      const unsigned char* desc = name + ((note.n_namesz + 3) & ~3U);
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && desc + note.n_descsz <= end) {
        *out = hex(desc, note.n_descsz);
        return 1;
      }
      p = desc + ((note.n_descsz + 3) & ~3U);
    }
  }
  return 1;  // only the main program
}

json fingerprint_json(const kernel_fingerprint& f) {
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(f.digest));
  return {{"windows", f.windows},
          {"next_window_us", f.next_window_us},
          {"activations", f.activations},
          {"sessions", f.sessions},
          {"completions", f.completions},
          {"digest", digest},
          {"calendar_wakes", f.calendar_wakes},
          {"completions_pending", f.completions_pending},
          {"next_sample_us", f.next_sample_us},
          {"network_events_applied", f.network_events_applied},
          {"cloud_events_applied", f.cloud_events_applied}};
}

kernel_fingerprint fingerprint_from(const json& j) {
  kernel_fingerprint f;
  f.windows = j.at("windows").get<std::uint64_t>();
  f.next_window_us = j.at("next_window_us").get<std::int64_t>();
  f.activations = j.at("activations").get<std::uint64_t>();
  f.sessions = j.at("sessions").get<std::uint64_t>();
  f.completions = j.at("completions").get<std::uint64_t>();
  f.digest = std::stoull(j.at("digest").get<std::string>(), nullptr, 16);
  f.calendar_wakes = j.at("calendar_wakes").get<std::uint64_t>();
  f.completions_pending = j.at("completions_pending").get<std::uint64_t>();
  f.next_sample_us = j.at("next_sample_us").get<std::int64_t>();
  f.network_events_applied = j.at("network_events_applied").get<std::uint64_t>();
  f.cloud_events_applied = j.at("cloud_events_applied").get<std::uint64_t>();
  return f;
}

json route_json(const actors::route_counters& r) {
  return {{"name", r.name},
          {"sink", r.sink},
          {"events", r.events},
          {"delivered", r.delivered},
          {"retried", r.retried},
          {"failed", r.failed},
          {"queued_at_end", r.queued_at_end},
          {"bytes", r.bytes},
          {"last_error", r.last_error}};
}

actors::route_counters route_from(const json& j) {
  actors::route_counters r;
  r.name = j.at("name").get<std::string>();
  r.sink = j.at("sink").get<std::string>();
  r.events = j.at("events").get<std::uint64_t>();
  r.delivered = j.at("delivered").get<std::uint64_t>();
  r.retried = j.at("retried").get<std::uint64_t>();
  r.failed = j.at("failed").get<std::uint64_t>();
  r.queued_at_end = j.at("queued_at_end").get<std::uint64_t>();
  r.bytes = j.at("bytes").get<std::uint64_t>();
  r.last_error = j.at("last_error").get<std::string>();
  return r;
}

// An integrity check, not a secret: a hand-edited resume.json would replay to a wrong place.
std::string checksum_of(json doc) {
  doc.erase("checksum");
  return blake2b_hex(doc.dump());
}

std::expected<void, std::string> write_state(const std::filesystem::path& out, json doc) {
  doc.erase("checksum");  // last in the file, whatever changed
  doc["checksum"] = checksum_of(doc);
  return write_file_atomically(out / resume_state_file, doc.dump(2) + "\n");
}

std::expected<json, std::string> read_state(const std::filesystem::path& out) {
  const std::filesystem::path path = out / resume_state_file;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return std::unexpected(path.string() +
                           ": no such file: this directory holds no resume state (only the "
                           "output directory of a `twelvefold run` can be resumed)");
  }
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return std::unexpected(path.string() + ": not valid JSON");
  }
  if (!doc.contains("checksum") || !doc["checksum"].is_string() ||
      doc["checksum"].get<std::string>() != checksum_of(doc)) {
    return std::unexpected(path.string() +
                           ": modified after twelvefold wrote it (checksum mismatch); a replay "
                           "from edited state would not be exact");
  }
  if (!doc.contains("format") || doc["format"] != format_version) {
    return std::unexpected(path.string() + ": unsupported format (this build reads format " +
                           std::to_string(format_version) + ")");
  }
  return doc;
}

struct firmware_image {
  std::string model;  // "" for a DFU image that is no device model's
  std::filesystem::path path;
};

std::vector<firmware_image> firmware_images(const actors::world& w) {
  std::vector<firmware_image> images;
  for (const auto& model : w.device_models) {
    if (model.external.empty()) images.push_back({model.name, model.firmware_path});
  }
  for (const auto& path : w.extra_firmware_paths) images.push_back({"", path});
  return images;
}

}  // namespace

std::string fingerprint_difference(const kernel_fingerprint& recorded,
                                   const kernel_fingerprint& replayed) {
  std::string diff;
  const json a = fingerprint_json(recorded);
  const json b = fingerprint_json(replayed);
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (b.at(it.key()) == it.value()) continue;
    diff += (diff.empty() ? "" : "; ") + it.key() + ": recorded " + it.value().dump() +
            ", replayed " + b.at(it.key()).dump();
  }
  return diff;
}

std::string build_identity() {
  std::string id;
  dl_iterate_phdr(find_build_id, &id);
  if (id.empty()) {
    auto exe = read_file("/proc/self/exe");
    id = exe ? "sha-" + blake2b_hex(*exe).substr(0, 40) : "unknown";
  }
  return std::string("twelvefold ") + TWELVEFOLD_VERSION + " (build-id " + id + ")";
}

std::string not_resumable_reason(const scenario_file& scenario, const actors::world& world) {
  for (const auto& model : world.device_models) {
    if (!model.external.empty()) {
      return "device model \"" + model.name +
             "\" is an external twin (its firmware runs outside, on the wall clock)";
    }
  }
  if (scenario.spec) {
    for (const auto& route : scenario.spec->web_routes()) {
      if (route.target_case() == scenario::v1::WebRoute::kUrl) {
        return "web route \"" + route.name() + "\" calls a real URL (" + route.url() +
               "), whose answers a replay cannot reproduce";
      }
    }
    for (const auto& event : scenario.spec->timeline()) {
      if (event.has_route_repoint() &&
          event.route_repoint().target_case() == scenario::v1::RouteRepoint::kUrl) {
        return "a timeline route_repoint points web route \"" + event.route_repoint().route() +
               "\" at a real URL (" + event.route_repoint().url() +
               "), whose answers a replay cannot reproduce";
      }
    }
  }
  return "";
}

std::expected<void, std::string> record_run_start(const std::filesystem::path& out,
                                                  const scenario_file& scenario,
                                                  const world_overrides& overrides,
                                                  const actors::world& world) {
  if (sodium_init() < 0) return std::unexpected("libsodium: cannot initialise");
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec)
    return std::unexpected(out.string() + ": cannot create output directory: " + ec.message());
  if (auto ok = write_file_atomically(out / resume_scenario_file, scenario.expanded_text); !ok) {
    return ok;
  }
  json doc;
  doc["format"] = format_version;
  doc["status"] = "running";
  doc["build"] = build_identity();
  json params = json::object();
  for (const auto& [name, value] : scenario.params) params[name] = value;
  doc["scenario"] = {{"file", resume_scenario_file},
                     {"source", scenario.path.string()},
                     {"base_dir", std::filesystem::absolute(scenario.base_dir, ec).string()},
                     {"blake2b", blake2b_hex(scenario.expanded_text)},
                     {"params", params}};
  doc["options"] = {
      {"seed", overrides.seed ? json(*overrides.seed) : json(nullptr)},
      {"scale", overrides.twin_scale ? json(*overrides.twin_scale) : json(nullptr)},
      {"duration_us", overrides.duration_us ? json(*overrides.duration_us) : json(nullptr)}};
  json images = json::array();
  for (const firmware_image& image : firmware_images(world)) {
    auto bytes = read_file(image.path);
    if (!bytes) return std::unexpected(bytes.error());
    images.push_back({{"model", image.model},
                      {"path", std::filesystem::absolute(image.path, ec).string()},
                      {"blake2b", blake2b_hex(*bytes)}});
  }
  doc["firmware"] = images;
  const std::string reason = not_resumable_reason(scenario, world);
  doc["resumable"] = reason.empty();
  if (!reason.empty()) doc["not_resumable_because"] = reason;
  doc["times_resumed"] = 0;
  return write_state(out, std::move(doc));
}

std::expected<void, std::string> record_run_end(const std::filesystem::path& out,
                                                const run_summary& summary) {
  auto doc = read_state(out);
  if (!doc) return std::unexpected(doc.error());
  doc->erase("stop");
  (*doc)["times_resumed"] = summary.resume.times_resumed;
  if (summary.stopped_early && summary.stop) {
    (*doc)["status"] = "stopped";
    json sinks = json::array();
    for (const auto& r : summary.routes.routes) sinks.push_back(route_json(r));
    (*doc)["stop"] = {
        {"at_us", summary.stop->kernel.next_window_us},
        {"kernel", fingerprint_json(summary.stop->kernel)},
        {"store",
         {{"events", summary.stop->store.events}, {"sessions", summary.stop->store.sessions}}},
        {"sinks", sinks}};
  } else {
    (*doc)["status"] = summary.stopped_early ? "running" : "finished";
  }
  return write_state(out, std::move(*doc));
}

std::expected<resume_input, std::string> prepare_resume(
    const std::filesystem::path& out,
    const std::vector<std::filesystem::path>& firmware_search_path) {
  if (sodium_init() < 0) return std::unexpected("libsodium: cannot initialise");
  std::error_code ec;
  if (!std::filesystem::is_directory(out, ec)) {
    return std::unexpected(out.string() + ": no such directory");
  }
  auto doc = read_state(out);
  if (!doc) return std::unexpected(doc.error());
  const std::string state_path = (out / resume_state_file).string();
  try {
    const std::string status = doc->at("status").get<std::string>();
    if (status == "finished") {
      return std::unexpected(state_path + ": the run finished already; there is nothing to resume");
    }
    if (status != "stopped" || !doc->contains("stop")) {
      return std::unexpected(state_path +
                             ": the run did not stop cleanly (it is still running, it failed, "
                             "or it was killed); only a run stopped by Ctrl-C or --stop-at can "
                             "be resumed");
    }
    if (!doc->value("resumable", true)) {
      return std::unexpected(state_path + ": cannot be resumed: " +
                             doc->value("not_resumable_because", std::string("unknown reason")));
    }
    const std::string build = doc->at("build").get<std::string>();
    if (build != build_identity()) {
      return std::unexpected(state_path + ": the twelvefold build changed since the run (was " +
                             build + ", now " + build_identity() +
                             "); a replay is exact only with the same build");
    }

    const json& sc = doc->at("scenario");
    const std::filesystem::path scenario_path = out / sc.at("file").get<std::string>();
    auto text = read_file(scenario_path);
    if (!text) return std::unexpected(text.error());
    const std::string recorded_hash = sc.at("blake2b").get<std::string>();
    if (blake2b_hex(*text) != recorded_hash) {
      return std::unexpected(scenario_path.string() + ": changed since the run (blake2b " +
                             blake2b_hex(*text) + ", recorded " + recorded_hash + ")");
    }
    load_options options;
    options.firmware_search_path = firmware_search_path;
    for (auto it = sc.at("params").begin(); it != sc.at("params").end(); ++it) {
      options.params[it.key()] = it.value().get<std::string>();
    }
    options.already_expanded = true;
    auto loaded = parse_scenario(*text, scenario_path.string(),
                                 sc.at("base_dir").get<std::string>(), options);
    if (!loaded) return std::unexpected(to_string(loaded.error()));

    resume_input in;
    const json& o = doc->at("options");
    if (!o.at("seed").is_null()) in.overrides.seed = o.at("seed").get<std::uint64_t>();
    if (!o.at("scale").is_null()) in.overrides.twin_scale = o.at("scale").get<double>();
    if (!o.at("duration_us").is_null()) {
      in.overrides.duration_us = o.at("duration_us").get<std::int64_t>();
    }
    in.world = build_world(*loaded, in.overrides);
    if (const std::string reason = not_resumable_reason(*loaded, *in.world); !reason.empty()) {
      return std::unexpected(state_path + ": cannot be resumed: " + reason);
    }

    const std::vector<firmware_image> images = firmware_images(*in.world);
    const json& recorded = doc->at("firmware");
    if (recorded.size() != images.size()) {
      return std::unexpected(state_path + ": the scenario now uses " +
                             std::to_string(images.size()) + " firmware images, the run used " +
                             std::to_string(recorded.size()));
    }
    for (std::size_t k = 0; k < images.size(); ++k) {
      auto bytes = read_file(images[k].path);
      if (!bytes) return std::unexpected(bytes.error());
      const std::string now = blake2b_hex(*bytes);
      const std::string was = recorded[k].at("blake2b").get<std::string>();
      if (now != was) {
        return std::unexpected("firmware image " + images[k].path.string() +
                               " changed since the run (blake2b " + now + ", recorded " + was +
                               " in " + state_path + "); a replay needs the same firmware");
      }
    }

    const json& stop = doc->at("stop");
    in.plan.expected = fingerprint_from(stop.at("kernel"));
    in.plan.store.events = stop.at("store").at("events").get<std::uint64_t>();
    in.plan.store.sessions = stop.at("store").at("sessions").get<std::uint64_t>();
    for (const json& r : stop.at("sinks")) in.plan.sinks.push_back(route_from(r));
    in.plan.times_resumed = doc->at("times_resumed").get<std::uint32_t>() + 1;
    // Once the replay checks out, the store and sinks take new rows: a crash from then on
    // must not look like a clean stop.
    in.plan.before_live = [out, state = *doc]() -> std::expected<void, std::string> {
      json running = state;
      running["status"] = "running";
      running.erase("stop");
      return write_state(out, std::move(running));
    };
    in.scenario = std::move(*loaded);
    return in;
  } catch (const json::exception& e) {
    return std::unexpected(state_path + ": missing or malformed field (" + e.what() + ")");
  } catch (const std::exception& e) {
    return std::unexpected(state_path + ": malformed (" + e.what() + ")");
  }
}

}  // namespace twelvefold::sim
