#!/bin/sh
# Every public header compiles on its own as C11 (-std=c11 -pedantic -Wall
# -Wextra -Werror) and as C++ (-std=c++11, same warnings), and the umbrella
# header odai/odai.h includes every public header.
#   check_headers.sh SOURCE_DIR BUILD_DIR [CC] [CXX]
set -eu
src=$1 build=$2 cc=${3:-cc} cxx=${4:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for h in "$src"/include/odai/*.h "$build"/include/odai/version.h; do
  name=$(basename "$h")
  printf '#include "odai/%s"\n#include "odai/%s" /* include guard */\nint odai_header_test_%s;\n' \
    "$name" "$name" "$(echo "$name" | tr -c 'a-z0-9\n' _)" >"$tmp/t.c"
  cp "$tmp/t.c" "$tmp/t.cpp"
  if ! "$cc" -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only \
      -I"$src/include" -I"$build/include" "$tmp/t.c" 2>"$tmp/err"; then
    echo "FAIL: odai/$name does not compile alone as C11:"; cat "$tmp/err"; fail=1
  fi
  if ! "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only \
      -I"$src/include" -I"$build/include" "$tmp/t.cpp" 2>"$tmp/err"; then
    echo "FAIL: odai/$name does not compile alone as C++:"; cat "$tmp/err"; fail=1
  fi
  if [ "$name" != odai.h ] && ! grep -q "#include \"odai/$name\"" "$src/include/odai/odai.h"; then
    echo "FAIL: odai/odai.h does not include odai/$name"; fail=1
  fi
  n=$((n + 1))
done
[ $fail -eq 0 ] && echo "OK: $n public headers compile alone as C11 and C++; odai.h includes them all"
exit $fail
