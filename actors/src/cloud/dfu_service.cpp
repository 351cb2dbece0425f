// The management service's DFU part (see dfu_service.hpp).
#include "cloud/dfu_service.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

constexpr std::int64_t us_per_s = 1'000'000;

std::int32_t seconds(std::int64_t us) { return static_cast<std::int32_t>(us / us_per_s); }

}  // namespace

dfu_service::dfu_service(std::shared_ptr<const world> the_world) : world_(std::move(the_world)) {
  const world& w = *world_;
  twins_.resize(w.twins.size());
  joined_from_.resize(w.twins.size());
  asset_.resize(w.twins.size());
  campaigns_.resize(w.dfu_campaigns.size());
  for (std::size_t i = 0; i < w.dfu_campaigns.size(); ++i) {
    const dfu_campaign_spec& c = w.dfu_campaigns[i];
    dfu_campaign_report& r = campaigns_[i].report;
    r.name = c.name;
    r.fleet = w.fleets[c.fleet].name;
    r.image = w.firmware_images[c.image].name;
  }
}

std::uint16_t dfu_service::intern(const std::string& text) {
  auto it = std::find(strings_.begin(), strings_.end(), text);
  if (it != strings_.end()) return static_cast<std::uint16_t>(it - strings_.begin());
  strings_.push_back(text);
  return static_cast<std::uint16_t>(strings_.size() - 1);
}

std::string dfu_service::target_label(const dfu_campaign_spec& c) const {
  const firmware_image_spec& image = world_->firmware_images[c.image];
  return image.name + "@" + image.version;
}

void dfu_service::event(std::vector<cloud_event>& events, twin_index twin, std::int64_t now_us,
                        const char* kind, std::uint32_t id, const std::string& from,
                        const std::string& to) {
  nlohmann::json body;
  body["campaign"] = world_->dfu_campaigns[id - 1].name;
  body["from"] = from;
  body["to"] = to;
  events.push_back({twin, now_us, kind, "", body.dump(), ""});
}

void dfu_service::start(const std::string& campaign, std::int64_t now_us) {
  const auto& specs = world_->dfu_campaigns;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name != campaign || campaigns_[i].started) continue;
    campaigns_[i].started = true;
    campaigns_[i].report.started_at_s = static_cast<double>(now_us) / 1e6;
    return;
  }
}

void dfu_service::halt(std::uint32_t id, twin_index by, std::int64_t now_us,
                       std::vector<cloud_event>& events) {
  campaign_run& run = campaigns_[id - 1];
  if (run.halted_at_us >= 0) return;
  run.halted_at_us = now_us;
  run.report.halted_at_s = static_cast<double>(now_us) / 1e6;
  const dfu_campaign_spec& c = world_->dfu_campaigns[id - 1];
  nlohmann::json body;
  body["campaign"] = c.name;
  body["metric_rate"] = run.gate.rate();
  body["rollback"] = c.rollback;
  events.push_back({by, now_us, "dfu.halted", "", body.dump(), ""});
  // Once per campaign: every twin of the campaign learns what happens to it at its next session.
  for (dfu::twin_state& t : twins_) {
    if (t.campaign == id) t.where = dfu::on_halt(c, t.where);
  }
}

void dfu_service::judge(std::uint32_t id, twin_index by, std::int64_t now_us,
                        std::vector<cloud_event>& events) {
  campaign_run& run = campaigns_[id - 1];
  if (run.halted_at_us < 0 && run.gate.tripped(world_->dfu_campaigns[id - 1], now_us)) {
    halt(id, by, now_us, events);
  }
}

void dfu_service::on_uplink(twin_index twin, std::int64_t now_us, const wire::v1::SessionUplink& up,
                            std::vector<cloud_event>& events) {
  const world& w = *world_;
  dfu::twin_state& t = twins_[twin];
  t.last_seen_s = seconds(now_us);
  asset_[twin] = up.status().asset().empty() ? 0 : intern(up.status().asset());
  if (t.campaign != 0) {
    const std::uint32_t id = t.campaign;
    const dfu_campaign_spec& c = w.dfu_campaigns[id - 1];
    campaign_run& run = campaigns_[id - 1];
    const bool gate_on_failures = c.gate_metric == dfu_metric::apply_failures;
    const std::string& now_version =
        c.kind == dfu_kind::asset ? up.status().asset() : up.status().firmware();
    if (up.has_dfu() && up.dfu().campaign() == id) {
      const auto& report = up.dfu();
      t.received_bytes =
          static_cast<std::uint32_t>(std::min<std::uint64_t>(report.received_bytes(), UINT32_MAX));
      const bool waiting = t.where == dfu::phase::offered || t.where == dfu::phase::ready ||
                           t.where == dfu::phase::cancelling;
      switch (static_cast<dfu::device_state>(report.state())) {
        case dfu::device_state::ready:
          if (t.where == dfu::phase::offered) {
            t.where = dfu::phase::ready;
            ++run.report.downloaded;
            event(events, twin, now_us, "dfu.downloaded", id, strings_[joined_from_[twin]],
                  target_label(c));
          }
          break;
        case dfu::device_state::applied:
          if (waiting) {
            // It had the whole image, whether or not a session saw it `ready`.
            if (t.where != dfu::phase::ready) ++run.report.downloaded;
            t.where = dfu::phase::applied;
            t.applied_at_s = seconds(now_us);
            t.resets_at_apply = static_cast<std::uint8_t>(up.status().resets());
            t.flags = 0;
            ++run.report.applied;
            run.gate.record(now_us, true, false);
            event(events, twin, now_us, "dfu.applied", id, strings_[joined_from_[twin]],
                  now_version);
            joined_from_[twin] = intern(now_version);  // what a rollback or revert leaves
            // Updated after the gate tripped: it goes back too.
            if (run.halted_at_us >= 0) t.where = dfu::on_halt(c, t.where);
          }
          break;
        case dfu::device_state::failed:
          if (waiting) {
            // It had the whole image, whether or not a session saw it `ready`.
            if (t.where != dfu::phase::ready) ++run.report.downloaded;
            t.where = dfu::phase::failed;
            ++run.report.failed;
            if (gate_on_failures) run.gate.record(now_us, true, true);
            event(events, twin, now_us, "dfu.failed", id, strings_[joined_from_[twin]],
                  target_label(c));
          }
          break;
        case dfu::device_state::reverted:
          if (t.where == dfu::phase::rolling_back || t.where == dfu::phase::reverting) {
            const bool rollback = t.where == dfu::phase::rolling_back;
            t.where = rollback ? dfu::phase::rolled_back : dfu::phase::reverted;
            ++(rollback ? run.report.rolled_back : run.report.reverted);
            event(events, twin, now_us, rollback ? "dfu.rolled_back" : "dfu.reverted", id,
                  strings_[joined_from_[twin]], now_version);
          }
          break;
        default:
          break;
      }
    }
    // A reset soon after the update counts against it (metric "reboots").
    if (t.where == dfu::phase::applied && c.gate_metric == dfu_metric::reboots &&
        (t.flags & dfu::flag_rebooted) == 0 &&
        static_cast<std::uint8_t>(up.status().resets()) != t.resets_at_apply &&
        now_us - std::int64_t{t.applied_at_s} * us_per_s <= c.gate_window_us) {
      t.flags |= dfu::flag_rebooted;
      run.gate.record(now_us, false, true);
    }
    judge(id, twin, now_us, events);
  }

  // Joining a campaign: the first active later campaign of its fleet whose stages reach it.
  if (!dfu::finished(t.where)) return;
  // A diagnostic image is not over until it has been reverted.
  if (t.where == dfu::phase::applied && w.dfu_campaigns[t.campaign - 1].diagnostic) return;
  const std::string& rat = up.status().rat();
  for (std::uint32_t id = t.campaign + 1; id <= w.dfu_campaigns.size(); ++id) {
    const dfu_campaign_spec& c = w.dfu_campaigns[id - 1];
    campaign_run& run = campaigns_[id - 1];
    if (!run.started || run.halted_at_us >= 0 || c.fleet != w.twins[twin].fleet) continue;
    if (!dfu::selected(w.seed, twin, id, dfu::stage_percent(c, now_us))) continue;
    t = dfu::twin_state{};
    t.campaign = static_cast<std::uint8_t>(id);
    t.last_seen_s = seconds(now_us);
    joined_from_[twin] =
        intern(c.kind == dfu_kind::asset ? up.status().asset() : up.status().firmware());
    if (dfu::packet_limited(rat) && !c.allow_packet_limited) {
      t.where = dfu::phase::skipped;
      ++run.report.skipped_packet_limited;
      event(events, twin, now_us, "dfu.skipped", id, strings_[joined_from_[twin]], target_label(c));
      continue;  // a later campaign may still take it
    }
    t.where = dfu::phase::offered;
    ++run.report.offered;
    event(events, twin, now_us, "dfu.offered", id, strings_[joined_from_[twin]], target_label(c));
    return;
  }
}

dfu_service::chunk dfu_service::fill_downlink(twin_index twin, std::int64_t now_us,
                                              const std::string& rat,
                                              wire::v1::SessionDownlink& down,
                                              std::vector<cloud_event>& events) {
  dfu::twin_state& t = twins_[twin];
  if (t.campaign == 0) return {};
  const std::uint32_t id = t.campaign;
  const dfu_campaign_spec& c = world_->dfu_campaigns[id - 1];
  const firmware_image_spec& image = world_->firmware_images[c.image];
  if (t.where == dfu::phase::applied && c.diagnostic &&
      now_us >= std::int64_t{t.applied_at_s} * us_per_s + c.revert_after_us) {
    t.where = dfu::phase::reverting;
  }
  auto* offer = down.mutable_dfu();
  offer->set_campaign(id);
  offer->set_image(c.image);
  offer->set_version(image.version);
  offer->set_size_bytes(image.size_bytes);
  switch (t.where) {
    case dfu::phase::offered: {
      const std::uint64_t left =
          image.size_bytes > t.received_bytes ? image.size_bytes - t.received_bytes : 0;
      const auto bytes = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(left, dfu::chunk_bytes_per_session(rat)));
      offer->set_offset(t.received_bytes);
      offer->set_chunk_bytes(bytes);
      return {bytes, static_cast<std::uint8_t>(id)};
    }
    case dfu::phase::rolling_back:
    case dfu::phase::reverting:
      offer->set_revert(true);
      return {0, static_cast<std::uint8_t>(id)};
    case dfu::phase::cancelling:
      offer->set_cancel(true);
      t.where = dfu::phase::cancelled;
      ++campaigns_[id - 1].report.cancelled;
      event(events, twin, now_us, "dfu.cancelled", id, strings_[joined_from_[twin]],
            target_label(c));
      return {0, static_cast<std::uint8_t>(id)};
    default:
      down.clear_dfu();
      return {};
  }
}

void dfu_service::sample(std::int64_t at_us, std::map<std::string, std::uint64_t> host_versions,
                         std::vector<cloud_event>& events) {
  for (std::uint16_t a : asset_) {
    if (a != 0) ++host_versions[strings_[a]];
  }
  versions_.push_back({static_cast<double>(at_us) / 1e6, std::move(host_versions)});
  // "silent" gates: updated twins not heard from for a whole window count against the update.
  for (std::uint32_t id = 1; id <= campaigns_.size(); ++id) {
    const dfu_campaign_spec& c = world_->dfu_campaigns[id - 1];
    campaign_run& run = campaigns_[id - 1];
    if (!run.started || run.halted_at_us >= 0 || c.gate_metric != dfu_metric::silent) continue;
    twin_index first_silent = 0;
    bool any = false;
    for (twin_index twin = 0; twin < twins_.size(); ++twin) {
      dfu::twin_state& t = twins_[twin];
      if (t.campaign != id || t.where != dfu::phase::applied || (t.flags & dfu::flag_silent) != 0 ||
          at_us - std::int64_t{t.last_seen_s} * us_per_s <= c.gate_window_us) {
        continue;
      }
      t.flags |= dfu::flag_silent;
      run.gate.record(at_us, false, true);
      if (!any) first_silent = twin;
      any = true;
    }
    judge(id, first_silent, at_us, events);
  }
}

dfu_totals dfu_service::totals(std::int64_t end_us) const {
  const world& w = *world_;
  dfu_totals out;
  out.versions = versions_;
  for (std::uint32_t id = 1; id <= campaigns_.size(); ++id) {
    const dfu_campaign_spec& c = w.dfu_campaigns[id - 1];
    const campaign_run& run = campaigns_[id - 1];
    dfu_campaign_report r = run.report;
    if (run.started) {
      const std::int64_t until = run.halted_at_us >= 0 ? run.halted_at_us : end_us;
      const double percent = dfu::stage_percent(c, until);
      for (twin_index twin = 0; twin < w.twins.size(); ++twin) {
        if (w.twins[twin].fleet == c.fleet && dfu::selected(w.seed, twin, id, percent)) {
          ++r.twins_targeted;
        }
      }
    }
    out.campaigns.push_back(std::move(r));
  }
  return out;
}

}  // namespace twelvefold::actors
