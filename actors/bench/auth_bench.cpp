// Cost of session authentication per session (factor 9; docs/cloud-auth.md): what a full
// Ed25519 handshake and a resumed (ticket MAC) session cost the device's secure element and
// the management service. Wall-clock figures live here, never in summary.json.
//
//   ninja -C build auth_bench && build/bin/auth_bench
#include <benchmark/benchmark.h>

#include <memory>

#include "cloud/auth.hpp"
#include "secure_element.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

std::shared_ptr<const world> bench_world() {
  auto w = std::make_shared<world>();
  w->seed = 1;
  w->device_models.push_back({});
  w->device_models.back().rats = {models::rat::lte_m};
  w->fleets.push_back({"f", "B-", 0, 0, {}});
  for (std::uint32_t i = 0; i < 1000; ++i) w->twins.push_back({0, i, {}, 0, 0});
  return w;
}

// A typical hourly uplink body: four temperature Notes.
std::string body_of(const world& w, twin_index twin, std::uint64_t seq) {
  wire::v1::SessionUplink up;
  up.set_serial(w.serial_of(twin));
  up.set_device_id(w.device_id_of(twin));
  up.set_session_seq(seq);
  up.mutable_status()->set_rat("lte-m");
  for (int i = 0; i < 4; ++i) {
    auto* n = up.add_notes();
    n->set_seq(seq * 4 + static_cast<std::uint64_t>(i));
    n->set_file("sensors.qo");
    n->set_body("{\"temperature_c\":21.4,\"battery_v\":3.61}");
  }
  return up.SerializeAsString();
}

struct fixture {
  std::shared_ptr<const world> w = bench_world();
  auth_service cloud{w};
  secure_element_bank bank{w->seed};
  se_slot slot;
  std::string serial = w->serial_of(1);
  std::string device_id = w->device_id_of(1);
  std::uint64_t seq = 0;

  se_session session(std::int64_t at_us) const {
    se_session s;
    s.serial = serial;
    s.device_id = device_id;
    s.session_seq = seq;
    s.at_us = at_us;
    s.rat = static_cast<std::uint8_t>(models::rat::lte_m);
    s.rat_name = "lte-m";
    return s;
  }
  std::string uplink(std::int64_t at_us) {
    std::string bytes = body_of(*w, 1, ++seq);
    bank.seal_uplink(slot, session(at_us), bytes);
    return bytes;
  }
  auth_grant verify(const std::string& bytes, std::int64_t at_us) {
    wire::v1::SessionUplink up;
    up.ParseFromString(bytes);
    auth_grant grant;
    if (cloud.verify(1, at_us, bytes, up, grant) != auth_reject::none) std::abort();
    return grant;
  }
  std::string downlink(const auth_grant& grant, std::int64_t at_us) {
    wire::v1::SessionDownlink down;
    down.set_acked_through_seq(seq * 4);
    std::string bytes = down.SerializeAsString();
    cloud.seal_downlink(1, at_us, grant, bytes);
    return bytes;
  }
};

constexpr std::int64_t hour_us = 3600LL * 1'000'000;

void BM_DeviceHandshakeSign(benchmark::State& state) {
  fixture f;
  std::int64_t t = hour_us;
  for (auto _ : state) {
    f.slot.ticket_id = 0;  // no ticket: a full handshake every time
    benchmark::DoNotOptimize(f.uplink(t += 1000));
  }
}
BENCHMARK(BM_DeviceHandshakeSign);

void BM_CloudHandshakeVerifyAndReply(benchmark::State& state) {
  fixture f;
  std::int64_t t = hour_us;
  std::vector<std::string> ups;
  for (int i = 0; i < 4096; ++i) {
    f.slot.ticket_id = 0;
    ups.push_back(f.uplink(t += 1000));
  }
  std::size_t i = 0;
  // Each uplink verifies once (a second time it would be a replay): iterations < uplinks.
  for (auto _ : state) {
    ++i;
    const auth_grant g = f.verify(ups[i - 1], hour_us + static_cast<std::int64_t>(i) * 1000);
    benchmark::DoNotOptimize(f.downlink(g, hour_us));
  }
}
BENCHMARK(BM_CloudHandshakeVerifyAndReply)->Iterations(4000);

void BM_DeviceHandshakeOpenReply(benchmark::State& state) {
  fixture f;
  const std::string up = f.uplink(hour_us);
  const std::string down = f.downlink(f.verify(up, hour_us), hour_us);
  for (auto _ : state) {
    se_slot slot;
    benchmark::DoNotOptimize(f.bank.open_downlink(slot, f.session(hour_us), down));
  }
}
BENCHMARK(BM_DeviceHandshakeOpenReply);

void BM_ResumedSessionBothEnds(benchmark::State& state) {
  fixture f;
  std::int64_t t = hour_us;
  const std::string up = f.uplink(t);
  f.bank.open_downlink(f.slot, f.session(t), f.downlink(f.verify(up, t), t));
  for (auto _ : state) {
    t += 1000;
    const std::string next = f.uplink(t);  // ticket MAC
    const auth_grant g = f.verify(next, t);
    if (g.handshake) std::abort();
    benchmark::DoNotOptimize(f.bank.open_downlink(f.slot, f.session(t), f.downlink(g, t)));
  }
}
BENCHMARK(BM_ResumedSessionBothEnds);

void BM_Ed25519VerifyOnly(benchmark::State& state) {
  const auto key = auth_keys::device_key(1, "B-0000001", 0);
  const auth_keys::key32 digest{};
  const std::string sig = auth_keys::sign(digest, key);
  for (auto _ : state) benchmark::DoNotOptimize(auth_keys::verify(digest, sig, key.public_key));
}
BENCHMARK(BM_Ed25519VerifyOnly);

void BM_KeyDerivation(benchmark::State& state) {
  std::uint32_t g = 0;
  for (auto _ : state) benchmark::DoNotOptimize(auth_keys::device_key(1, "B-0000001", ++g));
}
BENCHMARK(BM_KeyDerivation);

}  // namespace
}  // namespace twelvefold::actors
