#!/usr/bin/env bash
# scripts/setup.sh: install the Debian 12 packages odai builds and tests with,
# when any is missing. Safe to re-run: it only calls apt-get when needed.
set -euo pipefail

PKGS=(build-essential cmake pkg-config ninja-build clang libclang-rt-14-dev
  libcmocka-dev libturbojpeg0-dev libspng-dev libpng-dev libv4l-dev v4l-utils
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-base-apps gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  libsdl2-dev libyuv-dev libxnnpack-dev libpthreadpool-dev
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user xvfb xauth graphviz
  libsodium-dev libmosquitto-dev mosquitto strace libjpeg-turbo-progs npm ca-certificates
  libgstrtspserver-1.0-dev  # GstRTSPServer for test_gst_rtsp (rtsp:// sources)
  systemd)  # systemd: systemd-analyze for test_doorbell_systemd_unit (no init change)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm may come with node from elsewhere; only ask apt for it when no npm runs.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
pkgs=()
for p in "${missing[@]}"; do [ -n "$p" ] && pkgs+=("$p"); done
if [ ${#pkgs[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "setup: installing ${pkgs[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${pkgs[@]}"
