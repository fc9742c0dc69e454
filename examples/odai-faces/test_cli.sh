#!/bin/sh
# examples/odai-faces/test_cli.sh TOOL SEEDS: the gallery commands of
# odai-faces end to end on a copy of a committed test gallery.
set -eu
tool=$1; seeds=$2
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp "$seeds/three_people_dim8.gallery" "$d/g"; chmod 600 "$d/g"
"$tool" list "$d/g" > "$d/out"; cat "$d/out"
grep -q '^alice .*2 embeddings, 0 negatives' "$d/out" || fail list
grep -q '^bob .*1 embedding, 1 negative' "$d/out" || fail list-negative
grep -q '3 identities' "$d/out" || fail count
"$tool" --json list "$d/g" | grep -q '"name": "alice", "embeddings": 2' || fail json
"$tool" rename "$d/g" alice alicia
"$tool" list "$d/g" | grep -q '^alicia ' || fail rename
if "$tool" rename "$d/g" nobody x 2>/dev/null; then fail "rename of a missing name"; fi
"$tool" export "$d/g" bob "$d/bob.g"
"$tool" remove "$d/g" bob
"$tool" list "$d/g" | grep -q '2 identities' || fail remove
"$tool" import "$d/g" "$d/bob.g"
"$tool" list "$d/g" | grep -q '^bob .*1 embedding, 1 negative' || fail import
if "$tool" import "$d/g" "$d/bob.g" 2>/dev/null; then fail "duplicate import"; fi
"$tool" threshold "$d/g" 0.61
[ "$("$tool" threshold "$d/g")" = "0.6100" ] || fail threshold
"$tool" calibrate "$d/g" --far 0.0 --dry-run | grep -q '^threshold' || fail calibrate-dry
[ "$("$tool" threshold "$d/g")" = "0.6100" ] || fail "dry run stored"
"$tool" calibrate "$d/g" --far 0.0 | grep -q 'stored' || fail calibrate
[ "$("$tool" threshold "$d/g")" != "0.6100" ] || fail "calibrate did not store"
# encryption: keygen, create, import, list; wrong/no key refused
if ! "$tool" keygen "$d/k" 2>"$d/err"; then
  grep -q 'without libsodium' "$d/err" || fail keygen
  echo "odai-faces CLI: built without libsodium, encryption checks skipped"
  echo "odai-faces CLI: all checks passed"
  exit 0
fi
[ "$(stat -c %a "$d/k")" = 600 ] || fail "key mode"
"$tool" --key "$d/k" create "$d/e" --model-sha256 a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf --dim 8
"$tool" --key "$d/k" import "$d/e" "$d/bob.g"
"$tool" --key "$d/k" list "$d/e" | grep -q 'encrypted' || fail encrypted-list
# an encrypted gallery's export is encrypted with the same key by default
"$tool" --key "$d/k" export "$d/e" bob "$d/bob-enc.g"
if "$tool" list "$d/bob-enc.g" 2>/dev/null; then fail "export of an encrypted gallery is plain"; fi
"$tool" --key "$d/k" list "$d/bob-enc.g" | grep -q '^bob ' || fail "encrypted export"
if "$tool" list "$d/e" 2>"$d/err"; then fail "opened without key"; fi
grep -q 'key file is needed' "$d/err" || fail "no-key message"
"$tool" keygen "$d/k2"
if "$tool" --key "$d/k2" list "$d/e" 2>"$d/err"; then fail "opened with wrong key"; fi
grep -q 'wrong key or tampered' "$d/err" || fail "wrong-key message"
# a corrupt gallery is refused and left alone
printf 'not a gallery' > "$d/bad"
if "$tool" remove "$d/bad" x 2>"$d/err"; then fail "corrupt accepted"; fi
grep -q 'magic' "$d/err" || fail "corrupt message"
[ "$(cat "$d/bad")" = "not a gallery" ] || fail "corrupt file overwritten"
# the face commands: usage errors exit 2; real photos: test_cli_faces.sh (media)
set +e
"$tool" enroll "$d/g" x 2>/dev/null; [ $? = 2 ] || fail "enroll usage"
"$tool" verify only-one.jpg 2>/dev/null; [ $? = 2 ] || fail "verify usage"
"$tool" reject "$d/g" x 2>/dev/null; [ $? = 2 ] || fail "reject usage"
set -e
echo "odai-faces CLI: all checks passed"
