#!/bin/bash
# bench/inference/compare_peer.sh: odai (bench_models) and the XNNPACK peer
# (shared/tools/xnnpeer, built by its build.sh) on the same models, in the
# same session, alternating process by process (REPEAT rounds, each model:
# odai 1/2/2s threads, then the peer 1/2 threads), so background load drifts
# over both alike. Prints the median of the per-round medians and the ratios.
# Usage: bench/inference/compare_peer.sh BUILD_DIR [RUNS=200] [REPEAT=3]
# Env: XNNPEER_CACHE (~/.cache/odai-peer), ODAI_MODEL_DIR (~/.cache/odai/models).
set -euo pipefail
B=${1:?usage: compare_peer.sh BUILD_DIR [RUNS] [REPEAT]}
RUNS=${2:-200}; REPEAT=${3:-3}
C=${XNNPEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/odai-peer}
MD=${ODAI_MODEL_DIR:-$HOME/.cache/odai/models}
MODELS="face_detection_short_range face_detection_full_range selfie_segmentation MobileFaceNet"
raw=$(mktemp); trap 'rm -f "$raw"' EXIT
have_peer=1; [[ -x $C/bin/xnnpeer ]] || { have_peer=0; echo "peer not built ($C/bin/xnnpeer): odai only" >&2; }
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$REPEAT"); do
  for m in $MODELS; do
    "$B/bench/inference/bench_models" --tsv --runs "$RUNS" --model "$m" "$MD" >> "$raw"
    if ((have_peer)) && [[ -s $C/desc/$m.xnd ]]; then
      for th in 1 2; do
        med=$("$C/bin/xnnpeer" "$C/desc/$m.xnd" --threads "$th" --runs "$RUNS" --quiet | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
        printf 'xnn\t%s.tflite\t%s\t%s\t0\t0\t0\n' "$m" "$th" "$med" >> "$raw"
      done
    fi
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $REPEAT rounds x $RUNS runs; median of round medians, ms"
awk -F'\t' '
  { k = $1 "|" $2 "|" $3; v[k] = v[k] " " $4; if ($1 == "odai" && $3 == "1") roof[$2] = $7; names[$2] = 1 }
  function med(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : 0 }
  BEGIN {
    printf "%-44s %8s %8s %8s %8s %8s %8s %8s %9s\n", "model", "odai 1T", "odai 2T", "odai 2Ts", "xnn 1T", "xnn 2T", "x1/o1", "x2/o2", "roof 1T"
  }
  END {
    for (n in names) {
      o1 = med(v["odai|" n "|1"]); o2 = med(v["odai|" n "|2"]); o2s = med(v["odai|" n "|2s"])
      x1 = med(v["xnn|" n "|1"]); x2 = med(v["xnn|" n "|2"])
      printf "%-44s %8.3f %8.3f %8.3f %8.3f %8.3f %8.2f %8.2f %9.3f\n", n, o1, o2, o2s, x1, x2,
        (o1 > 0 && x1 > 0) ? x1 / o1 : 0, (o2 > 0 && x2 > 0) ? x2 / o2 : 0, roof[n]
    }
  }' "$raw" | { IFS= read -r h; echo "$h"; sort; }
