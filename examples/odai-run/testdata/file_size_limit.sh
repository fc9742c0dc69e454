#!/bin/sh
# examples/odai-run/testdata/file_size_limit.sh ODAI_RUN CONFIG INPUT OUTDIR:
# odai-run under a file size limit (ulimit -f) must end with a clear error
# ("File too large", exit status 1, not killed by SIGXFSZ) and must not leave
# the unplayable, half-written video behind.
set -u
run=$1 config=$2 input=$3 dir=$4
mkdir -p "$dir" || exit 1
out="$dir/limited.mp4"
rm -f "$out"
msg=$( (ulimit -f 300; "$run" "$config" --side "input_video_path=$input" --side "output_video_path=$out") 2>&1)
rc=$?
echo "$msg"
[ "$rc" -eq 1 ] || { echo "FAIL: exit status $rc, expected 1"; exit 1; }
echo "$msg" | grep -q "File too large" || { echo "FAIL: no 'File too large' in the message"; exit 1; }
[ ! -e "$out" ] || { echo "FAIL: $out was left behind"; exit 1; }
echo "PASS"
