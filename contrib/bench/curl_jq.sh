#!/bin/bash
# curl_jq.sh - the shell pipeline invdump replaces: curl --parallel, jq, gzip.
#
# Usage: curl_jq.sh URL WORKERS LIMIT OUT.gz
# URL is an offset/limit endpoint giving X-Total-Count, e.g.
# http://127.0.0.1:8080/offset/items
#
# What a careful shell user writes, at each tool's default settings:
#   1. fetch page 0 once, keeping its headers (-D), and read X-Total-Count;
#   2. write a curl config with one "url =" and one "output =" line per
#      remaining page and run it with curl -Z --parallel-max WORKERS
#      (--parallel-immediate: open the connections at once instead of
#      waiting to see whether HTTP/2 multiplexing is possible;
#      --no-progress-meter rather than -s, which curl 7.88.1 ignores in
#      parallel mode, curl/curl#10573, and which would hide the errors);
#   3. jq -c '.[]' over the page files in page order, piped to gzip (-6).
#
# Why one file per page: curl --parallel writes each transfer's body as it
# arrives, so with every page going to standard output the pages (and even
# parts of pages) interleave in completion order.  Numbered files, read back
# in order, are the usual way to keep the API's order.  The page files live
# in a temporary directory next to OUT and are removed at the end.
#
# --fail (-f) makes an HTTP error (429, 5xx) a failed transfer instead of
# feeding the error body to jq as if it were a page; the script then exits
# with curl's status (22 for an HTTP error, 52 for an empty reply).  Like
# the Python script, there is no retry: curl's --retry is left at its
# default (0).  set -o pipefail makes a jq or gzip failure the script's.
set -eu -o pipefail
url=$1 workers=$2 limit=$3 out=$4
case $url in *\?*) sep='&' ;; *) sep='?' ;; esac

d=$(mktemp -d "$out.pages.XXXXXX")
trap 'rm -rf "$d"' EXIT

curl -f --no-progress-meter -D "$d/headers" -o "$d/p.0000000" "${url}${sep}offset=0&limit=$limit"
total=$(tr -d '\r' <"$d/headers" | awk -F': *' 'tolower($1) == "x-total-count" { print $2 }')
case $total in '' | *[!0-9]*) echo "curl_jq.sh: no X-Total-Count" >&2; exit 1 ;; esac

off=$limit
page=1
while [ "$off" -lt "$total" ]; do
	printf 'url = "%s%soffset=%d&limit=%d"\noutput = "%s/p.%07d"\n' \
	    "$url" "$sep" "$off" "$limit" "$d" "$page"
	off=$((off + limit))
	page=$((page + 1))
done >"$d/config"

if [ -s "$d/config" ]; then
	curl -f --no-progress-meter -Z --parallel-immediate \
	    --parallel-max "$workers" -K "$d/config"
fi
# The glob sorts the zero-padded page numbers in page order.
jq -c '.[]' "$d"/p.* | gzip >"$out"
