#!/bin/sh
# warehouse.sh - what a nightly job and its loader need: split output cut on
# page boundaries and published together, a manifest that lists every file
# with its count, size and SHA-256, the files' mode, shards that add up to
# the whole, and a plain progress line for logs.
. "$TESTS_SRCDIR/integration/setup.sh"

start_mock --items 1037
fetch "$BASE/truth" "$T/truth"

# Split by items: parts of whole pages, each a complete gzip file.
mkdir "$T/a"
run_invdump --split-items 300 -o "$T/a/inv.ndjson.gz" "$BASE/offset/items"
check "--split-items 300: status 0" status_is 0
check "... parts named NAME-00000.ndjson.gz on" sh -c "ls '$T/a' | tr '\n' ' ' | grep -qx 'inv-00000.ndjson.gz inv-00001.ndjson.gz inv-00002.ndjson.gz inv-00003.ndjson.gz '"
check "... no file under the plain name" test ! -e "$T/a/inv.ndjson.gz"
check "... each part a complete gzip file" sh -c "for f in '$T'/a/inv-*.ndjson.gz; do gzip -t \"\$f\" || exit 1; done"
check "... cut on page boundaries (300 -> 300 items: 3 pages of 100)" sh -c "[ \$(gzip -dc '$T/a/inv-00000.ndjson.gz' | wc -l) -eq 300 ]"
check "... concatenated in order, they are the whole export" sh -c "cat '$T'/a/inv-0000*.ndjson.gz | gzip -dc | cmp -s - '$T/truth'"
check "... no temporary file or directory left" sh -c "! ls -A '$T/a' | grep -q '^\\.'"

# Split by bytes.
mkdir "$T/b"
run_invdump --split-bytes 8K -o "$T/b/inv.ndjson.gz" "$BASE/offset/items"
check "--split-bytes 8K: status 0 and more than one part" sh -c "[ $rc -eq 0 ] && [ \$(ls '$T/b' | wc -l) -gt 1 ]"
check "... every part but the last holds at least 8K" sh -c "ls '$T'/b/inv-*.ndjson.gz | sed '\$d' | while read f; do [ \$(stat -c %s \"\$f\") -ge 8192 ] || exit 1; done"
check "... the whole again" sh -c "cat '$T'/b/inv-*.ndjson.gz | gzip -dc | cmp -s - '$T/truth'"
run_invdump --split-items 100 -o - "$BASE/offset/items"
check "--split-items to standard output: a usage error" status_is 2

# The manifest: every file with its count, size and SHA-256; written last.
mkdir "$T/m"
run_invdump --split-items 500 --manifest "$T/m/run.json" -o "$T/m/inv.ndjson.gz" \
	"$BASE/offset/items?api_key=s3cret-key"
check "--manifest: status 0" status_is 0
cat >"$T/check_manifest.py" <<'PY'
import hashlib, json, os, sys
m = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
assert m["schema_version"] == 1, "schema_version"
assert m["items_written"] == want and m["total_at_start"] == want, "counts"
assert m["total_at_end"] == want, "total at the end"
assert m["verified"] is True and m["exit_status"] == 0, "verified"
assert m["profile"] == "offset", "profile"
assert m["started_at"].endswith("Z") and "T" in m["started_at"], "RFC 3339"
assert "s3cret" not in json.dumps(m), "the key is redacted"
assert m["requests"] >= m["pages"] >= 1, "requests and pages"
assert sum(f["items"] for f in m["files"]) == want, "items per file"
for f in m["files"]:
    data = open(f["path"], "rb").read()
    assert len(data) == f["bytes"], "bytes of " + f["path"]
    assert hashlib.sha256(data).hexdigest() == f["sha256"], "sha256 of " + f["path"]
PY
check "... lists every file with items, bytes and a SHA-256 that match" python3 "$T/check_manifest.py" "$T/m/run.json" 1037
check "... and redacts the URL's key" sh -c "! grep -q s3cret-key '$T/m/run.json'"

# --mode: a loader running as another user.
run_invdump --mode 0640 -o "$T/mode.ndjson.gz" "$BASE/offset/items"
check "--mode 0640: the file has mode 0640" test "$(stat -c %a "$T/mode.ndjson.gz")" = 640
run_invdump -o "$T/default.ndjson.gz" "$BASE/offset/items"
check "the default stays 0600" test "$(stat -c %a "$T/default.ndjson.gz")" = 600
run_invdump --mode 0999 -o "$T/x.gz" "$BASE/offset/items"
check "--mode 0999: a usage error" status_is 2

# Shards: the N outputs, concatenated in order, are the whole export.
for n in 1 2 3 5 13; do
	i=0; : >"$T/parts"
	while [ "$i" -lt "$n" ]; do
		run_invdump -w 4 --shard "$i/$n" --manifest "$T/s$i.json" -o "$T/s$i.gz" "$BASE/offset/items"
		[ "$rc" -eq 0 ] || echo "shard $i/$n: status $rc" >>"$T/parts"
		i=$((i + 1))
	done
	check "--shard I/$n: every shard status 0" test ! -s "$T/parts"
	i=0; : >"$T/all.gz"
	while [ "$i" -lt "$n" ]; do cat "$T/s$i.gz" >>"$T/all.gz"; i=$((i + 1)); done
	check "--shard I/$n: concatenated, byte for byte the whole" sh -c "gzip -dc '$T/all.gz' | cmp -s - '$T/truth'"
done
check "a shard's manifest names its shard and page range" python3 -c "
import json; m = json.load(open('$T/s1.json'))
assert m['shard'] == {'index': 1, 'count': 13, 'first_page': 0, 'last_page': 0} or m['shard']['index'] == 1
assert m['shard']['count'] == 13 and m['shard']['first_page'] <= m['shard']['last_page'] + 1"
run_invdump --shard 0/2 -p cursor --items-path data -o "$T/c.gz" "$BASE/cursor/items"
check "--shard with a cursor profile: a usage error" status_is 2
check "... that says why" err_has "cannot be split among shards"
run_invdump --shard 2/2 -o "$T/c.gz" "$BASE/offset/items"
check "--shard 2/2: I must be below N" status_is 2
run_invdump --shard 0/2 --no-total -o "$T/c.gz" "$BASE/nototal/items"
check "--shard with --no-total: refused" status_is 2

# --progress=plain: lines a log can keep.
start_mock --items 2000 --latency-ms 150
run_invdump --progress=plain -w 1 -l 40 -o "$T/p.gz" "$BASE/offset/items"
check "--progress=plain: status 0" status_is 0
check "... plain lines with the items, the total and a rate" sh -c "grep -q '^invdump: [0-9]* of 2000 items ([0-9]*%), [0-9]*/s, .* in flight, [0-9]* retries, [0-9]* throttled' '$T/err'"
check "... no terminal control characters" sh -c "! grep -q \"\$(printf '\\033')\" '$T/err'"
run_invdump --progress=sometimes -o "$T/p.gz" "$BASE/offset/items"
check "--progress=sometimes: a usage error" status_is 2

done_testing
