// Wi-Fi (IEEE 802.11n, 2.4 GHz, 20 MHz, one spatial stream) indoor link and session model, one
// implementation of radio_model.
//
// Propagation: ITU-R P.1238 indoor site-general model (same floor), computed by ns-3
// LogDistancePropagationLossModel with P.1238's reference loss and exponent, from the access
// points given as sites (cell_site with technology wifi). The MCS (link_budget::level 0..7) is
// the fastest whose receiver minimum sensitivity the received
// power meets (IEEE Std 802.11, HT PHY clause 19: receiver minimum input sensitivity); below
// MCS 0's -82 dBm there is no coverage. A session wakes the radio from deep
// sleep: scan + authentication + association + WPA2 4-way handshake, DHCP, a TLS handshake, the
// transfer in 802.11 frames with per-frame overhead and retries, then disconnect. Currents are
// a typical 2.4 GHz IoT Wi-Fi SoC's, and they are high: Wi-Fi costs per session what LTE-M
// costs per day.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {

// Named parameters with their defaults and sources, in one place (details in wifi.cpp).
struct wifi_params {
  double device_tx_power_dbm = 15;  // 802.11n output of IoT SoCs at the higher MCS
  double device_antenna_gain_dbi = 0;
  double noise_figure_db = 7;  // for the reported SINR only; coverage uses the sensitivities
  double channel_bandwidth_hz = 20e6;
  // ITU-R P.1238 distance power loss coefficient N at 2.4 GHz, office (residential: 28), and
  // the shadow fading of the indoor site-general model (P.1238: 8-10 dB; office value).
  double distance_power_loss_coefficient = 30;
  double shadowing_sigma_db = 10;
  // Receiver minimum input sensitivity per MCS, 20 MHz (IEEE Std 802.11, HT PHY clause 19):
  // at most 10% PER for a 4096-octet PSDU at these levels.
  std::array<double, 8> sensitivity_dbm = {-82, -79, -77, -74, -70, -66, -65, -64};
  // HT PHY data rates, 20 MHz, 1 stream, 800 ns GI (IEEE Std 802.11 §19.5 HT-MCS tables).
  std::array<double, 8> phy_rate_bps = {6.5e6, 13e6, 19.5e6, 26e6, 39e6, 52e6, 58.5e6, 65e6};
  // Per-frame MAC/PHY overhead at 2.4 GHz: DIFS 28 us + mean backoff 7.5 x 9 us + HT-mixed
  // preamble 36 us + SIFS 16 us + ACK ~32 us (IEEE Std 802.11 ERP/HT timing parameters).
  double frame_overhead_us = 180;
  double max_frame_payload_bytes = 1500;
  int retry_limit = 7;  // dot11ShortRetryLimit
  // Connection set-up from deep sleep (radio off between sessions).
  double association_ms = 300;  // known-channel scan, auth, association, WPA2 4-way handshake
  int association_attempts = 3;
  double dhcp_ms = 800;           // DHCP DISCOVER..ACK
  double tls_handshake_ms = 400;  // TLS 1.2 full handshake: 2 round trips + server crypto
  double rtt_ms = 40;             // broadband backhaul round trip to the cloud
  double disconnect_tail_s = 0.2;
  double no_coverage_scan_s = 2.5;      // active scan of the 13 EU channels
  double session_overhead_bytes = 240;  // TCP/IP + TLS records + application framing, both ways
  // Espressif ESP32 datasheet (RF power consumption): TX 802.11n MCS7 at 14 dBm ~180 mA, RX
  // ~100 mA, modem-sleep ~30 mA, deep sleep with RTC timer ~10 uA.
  double tx_current_ma = 180;
  double rx_current_ma = 100;
  double idle_current_ma = 30;
  double deep_sleep_current_ua = 10;
};

std::unique_ptr<radio_model> make_wifi_model(const wifi_params& params,
                                             environment_kind environment, geo_point region_center,
                                             std::vector<cell_site> access_points);

}  // namespace twelvefold::models
