#!/bin/sh
# demo.sh BUILDDIR - export the bundled demo API (tests/mockapi on a free
# loopback port, 25,000 devices, 20 ms per request) and show the result.
# Run through "make demo"; needs no credentials and no network.
set -eu
b=$1
d=$(mktemp -d "${TMPDIR:-/tmp}/invdump-demo.XXXXXX")
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$d"' EXIT

"$b/tests/mockapi/mockapi" --items 25000 --latency-ms 20 --lifetime 120 \
	--port-file "$d/port" >/dev/null &
pid=$!
i=0
while [ ! -s "$d/port" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url="http://127.0.0.1:$(cat "$d/port")/softlayer/SoftLayer_Account/getVirtualGuests.json?objectMask=mask[id,hostname]"

echo "\$ invdump -p softlayer -w 16 -o devices.ndjson.gz '$url'"
start=$(date +%s.%N)
"$b/src/invdump" -p softlayer -w 16 -o "$d/devices.ndjson.gz" "$url"
end=$(date +%s.%N)
echo "\$ zcat devices.ndjson.gz | head -n 2"
gzip -dc "$d/devices.ndjson.gz" | head -n 2
echo "\$ zcat devices.ndjson.gz | wc -l"
gzip -dc "$d/devices.ndjson.gz" | wc -l
printf 'exported in %.2f s (250 pages of 100 at 20 ms each: %.1f s one by one); %s bytes compressed\n' \
	"$(echo "$end - $start" | bc 2>/dev/null || python3 -c "print($end - $start)")" 5.0 \
	"$(wc -c <"$d/devices.ndjson.gz")"
gzip -dc "$d/devices.ndjson.gz" >"$d/got"
curl -s "http://127.0.0.1:$(cat "$d/port")/truth" >"$d/truth" 2>/dev/null &&
	cmp -s "$d/got" "$d/truth" && echo "verified: identical to the demo API's own data"
