// LoRaWAN EU868 (class A, 125 kHz, SF7-SF12) link and session model, one implementation of
// radio_model.
//
// Propagation: ns-3 Okumura-Hata at 868 MHz from the gateways given as sites (cell_site with
// technology lorawan), plus building loss indoors. The spreading factor (link_budget::level
// 7..12) is what adaptive data rate converges to: the lowest SF whose demodulation SNR limit
// (Semtech SX1276 datasheet) the uplink SNR at the gateway meets with the ADR installation
// margin; SF12 serves links down to its limit without margin; below it there is no coverage.
// Sessions send the payload in frames of at most the SF's maximum application payload
// (LoRaWAN Regional Parameters RP002, EU863-870), spaced by the 1% duty cycle's off-time, each
// followed by the class A receive windows. Collisions between devices are not drawn here: the
// network actor resolves them per gateway with resolve_lora (contention.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {

// Named parameters with their defaults and sources, in one place (details in lorawan.cpp).
struct lorawan_params {
  double device_tx_power_dbm = 14;  // EU868 default TXPower (RP002: max EIRP 16 dBm)
  double device_antenna_gain_dbi = 0;
  double device_height_m = 1.5;
  double gateway_noise_figure_db = 6;  // puts SF12 at -137 dBm, the SX1276 datasheet figure
  double device_noise_figure_db = 6;
  double bandwidth_hz = 125e3;
  // Demodulation SNR limits SF7..SF12 (Semtech SX1276 datasheet, spreading-factor table).
  std::array<double, 6> snr_limit_db = {-7.5, -10, -12.5, -15, -17.5, -20};
  double adr_margin_db = 10;              // ADR installation margin (ChirpStack's default)
  double shadowing_sigma_db = 8;          // macro log-normal shadowing (as the cellular models)
  double duty_cycle = 0.01;               // ETSI EN 300 220, EU868 sub-band g1 (868.0-868.6 MHz)
  double duty_cycle_window_s = 3600;      // ETSI observation period: 36 s of airtime per hour
  double receive_delay1_s = 1;            // RECEIVE_DELAY1 (RP002)
  double receive_delay2_s = 2;            // RECEIVE_DELAY2 (RP002)
  double rx_window_symbols = 6;           // preamble symbols a closed window listens for
  std::uint32_t mac_overhead_bytes = 13;  // MHDR 1 + FHDR 7 + FPort 1 + MIC 4 (LoRaWAN 1.0.x)
  // Semtech SX1276 datasheet: TX ~40 mA at 14 dBm (between the +13 dBm RFO 29 mA and +17 dBm
  // PA_BOOST 87 mA figures), RX 11.5 mA, standby 1.6 mA; sleep 1.5 uA with the MCU stopped.
  double tx_current_ma = 40;
  double rx_current_ma = 11.5;
  double idle_current_ma = 1.6;
  double sleep_current_ua = 1.5;
};

// Demodulation SNR limit at `sf` (7..12), dB; NaN outside.
double lora_snr_limit_db(const lorawan_params& params, int sf);
// Largest application payload (FRMPayload) at `sf`, 125 kHz, EU868 (RP002, repeater-compatible
// table): 51 bytes at SF10-12, 115 at SF9, 222 at SF7-8; 0 outside 7..12.
std::uint32_t lora_max_payload_bytes(int sf);
// Equivalent bit rate at `sf`: SF x BW x 4/5 / 2^SF (5469 bit/s at SF7, 293 at SF12).
double lora_bit_rate_bps(int sf, double bandwidth_hz = 125e3);

std::unique_ptr<radio_model> make_lorawan_model(const lorawan_params& params,
                                                environment_kind environment,
                                                geo_point region_center,
                                                std::vector<cell_site> gateways);

}  // namespace twelvefold::models
