#!/bin/sh
# Builds the test server by hand (the Automake build does the same).
# Usage: tests/mockapi/build.sh   (from anywhere)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../../src"
exec gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O2 -g -o "$here/mockapi" \
    "$here/main.c" "$here/data.c" "$here/profiles.c" "$here/quirks.c" \
    "$here/service.c" "$here/session.c" "$here/vendors.c" "$here/details.c" \
    "$here/faults.c" "$here/reply.c" "$src/xalloc.c" "$src/buf.c" \
    $(pkg-config --cflags --libs libmicrohttpd zlib) -lpthread "$@"
