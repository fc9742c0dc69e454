#!/usr/bin/env bash
# scripts/test.sh: everything CI runs. Installs missing packages, fetches the
# models and media (cached outside the tree), then builds and tests:
#   1. a Release (-O3) build (all tests),
#   2. an ASan+UBSan build (all tests),
#   3. a TSan build (tests labelled "threads"),
#   4. libFuzzer targets, each for a bounded time on its seed corpus,
#   5. NEON kernels cross-built for arm64 and run under qemu (label "neon").
# Usage: scripts/test.sh [--quick]   (--quick: the plain build only)
# Build folders: build/ci-{release,asan,tsan,fuzz,arm64} (override with ODAI_BUILD_ROOT).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="${ODAI_BUILD_ROOT:-build/ci}"
JOBS="${JOBS:-$(nproc)}"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

scripts/setup.sh
scripts/fetch-models.sh
scripts/fetch-media.sh

export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export SDL_VIDEODRIVER=dummy

step() { echo; echo "=== $*"; }

build() { # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  ninja -C "$dir" -j "$JOBS"
}

step "release build (-O3) + tests"
mkdir -p "$ROOT"
build "$ROOT-release" -DCMAKE_BUILD_TYPE=Release
(cd "$ROOT-release" && ctest --output-on-failure --timeout 600 -j "$JOBS")
[ $quick = 1 ] && exit 0

step "ASan+UBSan build + tests"
build "$ROOT-asan" -DCMAKE_BUILD_TYPE=Debug -DODAI_SANITIZE=address -DODAI_BUILD_BENCH=OFF
(cd "$ROOT-asan" && ctest --output-on-failure --timeout 600 -j "$JOBS" -LE nosan)

step "TSan build + threaded tests"
build "$ROOT-tsan" -DCMAKE_BUILD_TYPE=Debug -DODAI_SANITIZE=thread -DODAI_BUILD_BENCH=OFF
(cd "$ROOT-tsan" && TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" ctest --output-on-failure --timeout 600 -j "$JOBS" -L threads)

step "libFuzzer targets (bounded)"
CC=clang build "$ROOT-fuzz" -DCMAKE_BUILD_TYPE=Debug -DODAI_FUZZ=ON -DODAI_BUILD_BENCH=OFF -DODAI_BUILD_TESTS=ON
scripts/fuzz.sh "$ROOT-fuzz" "${ODAI_FUZZ_SECONDS:-30}"

if [ -f cmake/aarch64-toolchain.cmake ]; then
  step "arm64 NEON kernels under qemu"
  build "$ROOT-arm64" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-toolchain.cmake -DODAI_BUILD_BENCH=OFF -DODAI_ARM64_TESTS_ONLY=ON
  (cd "$ROOT-arm64" && ctest --output-on-failure --timeout 600 -j "$JOBS" -L neon)
fi
step "main job (README's first command) on its default input"
demo_out=$(mktemp -d)
scripts/demo.sh "" "$demo_out" >"$demo_out/demo.log" 2>&1 || { tail -40 "$demo_out/demo.log"; exit 1; }
tail -5 "$demo_out/demo.log"
faces=$(grep -o '"score"' "$demo_out"/*.jsonl | wc -l)
[ "$faces" -gt 0 ] || { echo "main job found no face"; exit 1; }
test -s "$demo_out/face_detection_short_range.mp4"
rm -rf "$demo_out"

echo; echo "=== all test stages passed"
