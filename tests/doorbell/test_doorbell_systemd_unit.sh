#!/bin/sh
# Checks the shipped systemd unit (examples/doorbell/odai-doorbell.service)
# with systemd's own tools, which work on unit files without systemd running:
# installs odai into a temporary prefix, points the installed unit's
# ExecStart at the installed odai-doorbell, then
#   - `systemd-analyze verify` must print nothing (no unknown directive, bad
#     value, missing or non-executable program) and exit 0;
#   - `systemd-analyze security --offline=true` must rate its exposure at or
#     below the threshold;
# and the same for the unit plus the --mqtt drop-in quoted in its header
# (lines starting with "#    "). The options its ExecStart lines use must be
# options odai-doorbell --help lists.
#   test_doorbell_systemd_unit.sh CMAKE BUILD_DIR SOURCE_DIR ODAI_DOORBELL
set -eu
cmake=$1 build=$2 src=$3 prog=$4

# Measured with systemd 252 (Debian 12), 2026-11: the unit 0.7 ("SAFE"), the
# unit with the --mqtt drop-in 1.5 ("OK"); 0.0 is the best, 10.0 the worst.
# The thresholds are those scores: any weakening of the sandbox fails here.
# systemd-analyze --threshold counts tenths.
max_plain=7
max_mqtt=15

command -v systemd-analyze >/dev/null 2>&1 || {
  echo "FAIL: systemd-analyze not found; install the Debian package 'systemd' (scripts/setup.sh does)"
  exit 1
}
unset SYSTEMD_LOG_LEVEL SYSTEMD_LOG_COLOR SYSTEMD_UNIT_PATH || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }

# Installed where systemd looks for units: <prefix>/lib/systemd/system.
unit=$prefix/lib/systemd/system/odai-doorbell.service
[ -f "$unit" ] || {
  echo "FAIL: $unit not installed (systemd reads <prefix>/lib/systemd/system); installed:"
  find "$prefix" -name '*.service'
  exit 1
}
cmp -s "$unit" "$src/examples/doorbell/odai-doorbell.service" ||
  { echo "FAIL: the installed unit differs from examples/doorbell/odai-doorbell.service"; exit 1; }
bin=$prefix/bin/odai-doorbell
[ -x "$bin" ] || { echo "FAIL: $bin not installed"; exit 1; }
grep -q '^ExecStart=/usr/local/bin/odai-doorbell ' "$unit" ||
  { echo "FAIL: the unit's ExecStart does not run /usr/local/bin/odai-doorbell"; exit 1; }

# The --mqtt drop-in quoted in the unit's header.
dropin=$tmp/mqtt.conf
sed -n 's/^#    //p' "$unit" >"$dropin"
grep -q '^\[Service\]$' "$dropin" && grep -q '^PrivateNetwork=no$' "$dropin" &&
  grep -q '^ExecStart=/usr/local/bin/odai-doorbell .*--mqtt ' "$dropin" ||
  { echo "FAIL: the unit's header has no --mqtt drop-in ([Service], ExecStart=... --mqtt, PrivateNetwork=no):"; cat "$dropin"; exit 1; }

# Every --option of the ExecStart lines is one odai-doorbell knows.
"$prog" --help >"$tmp/help.txt" 2>&1 || { cat "$tmp/help.txt"; echo "FAIL: $prog --help"; exit 1; }
# ExecStart lines with their "\" continuation lines.
cat "$unit" "$dropin" | awk '/^ExecStart=/ { on = 1 } on { print } !/\\$/ { on = 0 }' >"$tmp/exec.txt"
for opt in $(grep -o -- ' --[a-z-]*' "$tmp/exec.txt" | sort -u); do
  grep -q -- "^ *$opt " "$tmp/help.txt" ||
    { echo "FAIL: ExecStart uses $opt, which odai-doorbell --help does not list"; exit 1; }
done

# The test units: the installed one, ExecStart -> the installed program.
mkdir -p "$tmp/plain" "$tmp/mqtt/odai-doorbell.service.d"
sed "s#/usr/local/bin/odai-doorbell #$bin #" "$unit" >"$tmp/plain/odai-doorbell.service"
cp "$tmp/plain/odai-doorbell.service" "$tmp/mqtt/odai-doorbell.service"
sed "s#/usr/local/bin/odai-doorbell #$bin #" "$dropin" >"$tmp/mqtt/odai-doorbell.service.d/mqtt.conf"
grep -q "^ExecStart=$bin " "$tmp/plain/odai-doorbell.service" ||
  { echo "FAIL: could not point ExecStart at $bin"; exit 1; }

fail=0
check() { # check NAME MAX: verify + security of $tmp/NAME/odai-doorbell.service
  u=$tmp/$1/odai-doorbell.service
  if ! (cd "$tmp/$1" && systemd-analyze verify --man=no "$u") >"$tmp/$1.verify" 2>&1; then
    cat "$tmp/$1.verify"; echo "FAIL: systemd-analyze verify ($1) exited non-zero"; fail=1
  elif [ -s "$tmp/$1.verify" ]; then
    cat "$tmp/$1.verify"; echo "FAIL: systemd-analyze verify ($1) printed warnings"; fail=1
  else
    echo "ok: systemd-analyze verify ($1): clean"
  fi
  rc=0
  (cd "$tmp/$1" && systemd-analyze security --offline=true --threshold="$2" "$u") \
    >"$tmp/$1.security" 2>&1 || rc=$?
  score=$(sed -n 's/.*Overall exposure level for odai-doorbell.service: \([0-9.]*\).*/\1/p' "$tmp/$1.security")
  if [ -z "$score" ]; then
    cat "$tmp/$1.security"; echo "FAIL: systemd-analyze security ($1) printed no exposure level"; fail=1
  elif [ "$rc" != 0 ]; then
    grep '✗' "$tmp/$1.security" || true
    echo "FAIL: exposure ($1) $score is above the threshold $(($2 / 10)).$(($2 % 10)) (exit $rc)"; fail=1
  else
    echo "ok: exposure ($1) $score, threshold $(($2 / 10)).$(($2 % 10))"
  fi
}
check plain "$max_plain"
check mqtt "$max_mqtt"
exit "$fail"
