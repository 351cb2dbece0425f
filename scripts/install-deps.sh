#!/usr/bin/env bash
# Installs every Debian 12 package twelvefold needs to build and test. Idempotent: skips
# apt-get entirely when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcaf-dev                      # C++ Actor Framework 0.17 (no CMake config: cmake/FindCAF.cmake)
  libns3-dev ns3 libgsl-dev       # ns-3 3.37; its CMake config needs ns3 and GSL too
  libprotobuf-dev protobuf-compiler
  libsqlite3-dev sqlite3
  nlohmann-json3-dev libcli11-dev
  libsodium-dev                   # Ed25519 device keys, session MACs (factor 9)
  libcpp-httplib-dev              # HTTP sinks and web routes to real URLs (and test servers)
  libmosquitto-dev mosquitto      # MQTT sink (the broker runs in the MQTT sink's tests)
  ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
