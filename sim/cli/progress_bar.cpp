#include "progress_bar.hpp"

#include <algorithm>
#include <string>

namespace twelvefold::cli {
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds);
  char text[32];
  if (s >= 86400) {
    std::snprintf(text, sizeof text, "%lldd%02lldh%02lldm", s / 86400, s / 3600 % 24, s / 60 % 60);
  } else {
    std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  }
  return text;
}

}  // namespace

void progress_bar::update(const sim::progress& p) {
  constexpr int width = 24;
  if (p.replaying) {
    // A resumed run re-executing its prefix (nothing written): how far to the stop point.
    const double fraction =
        p.replay_until_us > 0
            ? std::clamp(static_cast<double>(p.sim_us) / p.replay_until_us, 0.0, 1.0)
            : 1;
    std::string bar(static_cast<std::size_t>(fraction * width), '=');
    bar.resize(width, '.');
    std::fprintf(out_, "\r[%s] %3.0f%%  replaying to %s (sim %s), nothing written yet   ",
                 bar.c_str(), fraction * 100, clock_text(p.replay_until_us / 1e6).c_str(),
                 clock_text(p.sim_us / 1e6).c_str());
    std::fflush(out_);
    drawn_ = true;
    return;
  }
  const double fraction =
      p.duration_us > 0 ? std::clamp(static_cast<double>(p.sim_us) / p.duration_us, 0.0, 1.0) : 1;
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  const double rate = p.wall_seconds > 0 ? p.activations / p.wall_seconds : 0;
  const double eta = fraction > 0 ? p.wall_seconds * (1 - fraction) / fraction : 0;
  std::fprintf(out_, "\r[%s] %3.0f%%  sim %s  %llu twins  %.0fk act/s  ETA %s   ", bar.c_str(),
               fraction * 100, clock_text(p.sim_us / 1e6).c_str(),
               static_cast<unsigned long long>(p.twins), rate / 1000,
               fraction > 0 ? clock_text(eta).c_str() : "--:--:--");
  std::fflush(out_);
  drawn_ = true;
}

void progress_bar::finish() {
  if (drawn_) std::fputc('\n', out_);
  drawn_ = false;
}

}  // namespace twelvefold::cli
