#!/bin/sh
# examples/odai-model/testdata/write_errors.sh ODAI_MODEL MODEL DIR: odai-model
# run with outputs that cannot be written (/dev/full, a file size limit) and
# an input of the wrong size: each exits 1 with the reason, and no truncated
# output file is left behind.
set -u
tool=$1 model=$2 dir=$3
mkdir -p "$dir" || exit 1
in="$dir/in.f32" out="$dir/out0.f32" out1="$dir/out1.f32"
head -c 196608 /dev/zero > "$in"   # [1,128,128,3] float32 zeros
fail() { echo "FAIL: $*"; exit 1; }
msg=$("$tool" run "$model" --input "$in" --output /dev/full --output "$out1" 2>&1); rc=$?
echo "$msg"
[ $rc -eq 1 ] || fail "/dev/full: exit status $rc"
echo "$msg" | grep -q "cannot write /dev/full: No space left on device" || fail "/dev/full: no reason given"
rm -f "$out"
msg=$( (ulimit -f 10; "$tool" run "$model" --input "$in" --output "$out" --output "$out1") 2>&1); rc=$?
echo "$msg"
[ $rc -eq 1 ] || fail "ulimit -f: exit status $rc (153 = killed by SIGXFSZ)"
echo "$msg" | grep -q "File too large" || fail "ulimit -f: no 'File too large'"
[ ! -e "$out" ] || fail "ulimit -f: truncated $out left behind"
head -c 1000 /dev/zero > "$in"
msg=$("$tool" run "$model" --input "$in" --output "$out" --output "$out1" 2>&1); rc=$?
echo "$msg"
[ $rc -eq 1 ] || fail "short input: exit status $rc"
echo "$msg" | grep -q "needs 196608 (raw little-endian float32, shape \[1,128,128,3\])" || fail "short input: message"
echo PASS
