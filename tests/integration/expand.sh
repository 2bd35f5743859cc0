#!/bin/sh
# expand.sh - --expand: the listing, then each item's detail or
# relations, fetched concurrently and written in the listing's order, byte
# for byte against mockapi's truth; a detail that fails; retries; which
# origin gets the credentials; templates refused at startup; jobs files.
. "$TESTS_SRCDIR/integration/setup.sh"

# xrun DESC WANT-FILE ARGS...: exit 0 and the output equals WANT-FILE.
xrun() {
	desc=$1 want=$2; shift 2
	rm -f "$T/out" "$T/out.gz"
	case " $* " in
	*" --compress gzip "*) o="$T/out.gz" ;;
	*) o="$T/out" ;;
	esac
	run_invdump -q -o "$o" "$@"
	if [ "$o" = "$T/out.gz" ]; then
		gzip -dc "$o" >"$T/got" 2>/dev/null || : >"$T/got"
	else
		cp "$o" "$T/got" 2>/dev/null || : >"$T/got"
	fi
	if status_is 0 && same "$T/got" "$want"; then ok "$desc"; else not_ok "$desc"; fi
}

for items in 0 1 100 2345; do
	start_mock --items "$items"
	fetch "$BASE/truth" "$T/truth"
	fetch "$BASE/truth-expand?rel=a,list1,b" "$T/truth-rel"
	D="$BASE/items/{id}"
	for w in 1 8; do
		if [ "$w" = 1 ]; then z="--compress gzip"; else z="--compress none"; fi
		xrun "detail form, offset, $items items, $w workers, $z" "$T/truth" \
			-w $w $z --expand "$D" "$BASE/offset/items"
		xrun "NAME= form, 3 relations, offset, $items items, $w workers, $z" \
			"$T/truth-rel" -w $w $z --expand "a=$D/rel/a" \
			--expand "list1=$D/rel/list1" --expand "b=$D/rel/b" \
			"$BASE/offset/items"
		xrun "detail form, cursor, $items items, $w workers" "$T/truth" \
			-w $w -p cursor -l 50 --items-path data --expand "$D" "$BASE/cursor/items"
		xrun "NAME= form, cursor, $items items, $w workers, $z" "$T/truth-rel" \
			-w $w $z -p cursor -l 50 --items-path data --expand "a=$D/rel/a" \
			--expand "list1=$D/rel/list1" --expand "b=$D/rel/b" \
			"$BASE/cursor/items"
	done
	kill "$MOCK_PID"
done

start_mock --items 777 --log "$T/log"
fetch "$BASE/truth" "$T/truth"
fetch "$BASE/truth-expand?rel=a" "$T/truth-a"
D="$BASE/items/{id}"
run_invdump -q -w 4 --split-items 300 -o "$T/split.ndjson" --expand "$D" \
	"$BASE/offset/items"
check "--split-items: exit 0" status_is 0
cat "$T"/split-*.ndjson >"$T/parts" 2>/dev/null || :
check "--split-items: more than one part" test "$(ls "$T"/split-*.ndjson | wc -l)" -ge 2
check "--split-items: the parts are the whole" same "$T/parts" "$T/truth"
xrun "with --key" "$T/truth-a" -w 4 --key id --expand "a=$D/rel/a" "$BASE/offset/items"
xrun "drf listing, page size clamped" "$T/truth" -w 3 -p drf -l 1000 --expand "$D" \
	"$BASE/drf/items"
head -n 1 "$T/truth-a" >"$T/truth-a1"
xrun "object profile: one item, its relation" "$T/truth-a1" -p object \
	--expand "a=$D/rel/a" "$BASE/items/9007199254740993"
check "the detail URL went out as the template says" \
	grep -q "GET /items/9007199254741769/rel/a " "$T/log"

# -v: each detail request is logged like a page.
run_invdump -v -o "$T/out" -l 50 --expand "$D" "$BASE/offset/items"
check "-v: exit 0" status_is 0
check "-v logs a detail request with its item's key" \
	err_has "id=9007199254741000: GET $BASE/items/9007199254741000: HTTP 200"
check "the summary counts the details" err_has "777 details fetched, 0 failed"

# The manifest records the details.
run_invdump -q -o "$T/m.ndjson" --manifest "$T/m.json" --expand "a=$D/rel/a" \
	"$BASE/offset/items"
check "manifest: exit 0" status_is 0
check "manifest: details counted" grep -q '"details":{"listed":777,"fetched":777,"failed":0,"items_failed":0}' "$T/m.json"
check "manifest: items are the lines written" grep -q '"items":777,' "$T/m.json"
kill "$MOCK_PID"

# A detail that fails for good: reported with the item's key and URL; the
# run goes on, ends with 3, and publishes nothing without --keep-mismatch.
start_mock --items 250 --detail-fail 5 --detail-fail 200
fetch "$BASE/truth" "$T/truth"
D="$BASE/items/{id}"
rm -f "$T/out"
run_invdump -w 8 --retries 1 -o "$T/out" --expand "$D" "$BASE/offset/items"
check "a 404 detail: exit 3" status_is 3
check "... the message names the item's key" err_has "id=9007199254740998: GET $BASE/items/9007199254740998: HTTP 404"
check "... and the other one too" err_has "id=9007199254741193"
check "... and counts them" err_has "2 detail requests failed: 2 items are left out"
check "... nothing published" test ! -e "$T/out"
check "... no temporary file left" sh -c "! ls -a '$T' | grep -q '^\.out'"
sed -e 6d -e 201d "$T/truth" >"$T/truth-less"
run_invdump -q -w 8 --retries 1 --keep-mismatch -o "$T/out" --expand "$D" "$BASE/offset/items"
check "--keep-mismatch: exit 3 all the same" status_is 3
check "... published without the failed items" same "$T/out" "$T/truth-less"
run_invdump -w 2 --retries 0 -o "$T/out2" --expand "x=$BASE/items/{nosuch}" "$BASE/offset/items"
check "a field missing from every item: exit 3" status_is 3
check "... names the field" err_has "field nosuch is missing"
check "... at most 20 said one by one" err_has "and 230 more failed details"
kill "$MOCK_PID"

# Details on a server that refuses their credentials, or keeps throttling:
# the run's failure (4, 5) at once, not one item's after another.
start_mock --items 500
OPEN=$BASE
start_mock --items 500 --require-user u:p
LOCKED=$BASE
run_invdump -w 4 -o "$T/auth.ndjson" --expand "$LOCKED/items/{id}" "$OPEN/offset/items"
check "details refused (401) from the first: exit 4" status_is 4
check "... saying so" err_has "HTTP 401"
check "... nothing published" test ! -e "$T/auth.ndjson"
n=$(curl -sS "$LOCKED/stats" | sed 's/.*"requests":\([0-9]*\).*/\1/')
check "... after a handful of detail requests, not 500 ($n)" test "$n" -le 40
kill "$MOCK_PID"
start_mock --items 300 --fault 429:1:0
LIMITED=$BASE
run_invdump -w 4 --retries 1 -o "$T/thr.ndjson" --expand "$LIMITED/items/{id}" "$OPEN/offset/items"
check "details throttled past their retries: exit 5" status_is 5
check "... nothing published" test ! -e "$T/thr.ndjson"
kill "$MOCK_PID"

# Transient failures of details are retried to a byte-exact result.
start_mock --items 400 --fault 503:0.2:2 --fault 429:0.05:1 --fault 500:0.05:1
fetch "$BASE/truth" "$T/truth"
fetch "$BASE/truth-expand?rel=a,b" "$T/truth-rel"
xrun "503/429/500 on details, retried: byte-exact" "$T/truth" -w 8 \
	--expand "$BASE/items/{id}" "$BASE/offset/items"
xrun "... NAME= form too" "$T/truth-rel" -w 8 --expand "a=$BASE/items/{id}/rel/a" \
	--expand "b=$BASE/items/{id}/rel/b" "$BASE/offset/items"
kill "$MOCK_PID"

# A relation named as a key the items have (mockapi's items have "id" and
# "tags"): without --expand-replace the run's failure (exit 7), naming the
# key and the item, before any detail is asked, nothing published; with
# it, such a relation's value in the place of the item's own member, the
# others appended, byte for byte, and no line with a key twice.
cat >"$T/replaced.py" <<'PY'
import json, sys
dec = json.JSONDecoder()
def lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read().split("\n")[:-1]
def members(s):
    """(key, value start, value end) of the compact object s, in order."""
    out, at = [], 1
    while s[at] != "}":
        at += s[at] == ","
        key, at = dec.raw_decode(s, at)
        _, end = dec.raw_decode(s, at + 1)
        out.append((key, at + 1, end))
        at = end
    return out
def want(truth, expanded, names):
    # /truth-expand appends "NAME":value to each /truth line, in order.
    for t, x in zip(lines(truth), lines(expanded), strict=True):
        mine = members(t)
        rel = dict(zip(names, (x[a:b] for _, a, b in members(x)[len(mine):]),
                       strict=True))
        line, have = t, set()
        for k, a, b in reversed(mine):
            if k in rel:
                line, have = line[:a] + rel[k] + line[b:], have | {k}
        tail = "".join(',"%s":%s' % (k, rel[k]) for k in names if k not in have)
        sys.stdout.write(line[:-1] + tail + "}\n")
def no_key_twice(path):
    def pairs(p):
        keys = [k for k, _ in p]
        if len(keys) != len(set(keys)):
            raise ValueError("a key twice: %s" % keys)
        return dict(p)
    n = 0
    for n, line in enumerate(lines(path), 1):
        json.loads(line, object_pairs_hook=pairs)
    if n == 0:
        sys.exit("no lines to check")
if sys.argv[1] == "want":
    want(sys.argv[2], sys.argv[3], sys.argv[4:])
else:
    no_key_twice(sys.argv[2])
PY
start_mock --items 345 --log "$T/dup.log"
fetch "$BASE/truth" "$T/truth"
fetch "$BASE/truth-expand?rel=a,tags,id" "$T/truth-x"
D="$BASE/items/{id}"
python3 "$T/replaced.py" want "$T/truth" "$T/truth-x" a tags id >"$T/truth-replaced"
rm -f "$T/dup.ndjson"
run_invdump -w 4 -o "$T/dup.ndjson" --expand "a=$D/rel/a" --expand "tags=$D/rel/tags" \
	"$BASE/offset/items"
check "a relation named as a key the item has: exit 7" status_is 7
check "... naming the key and the item" \
	err_has 'id=9007199254740993: the item has the key "tags" already'
check "... and the way out" err_has "another NAME, or --expand-replace"
check "... nothing published" test ! -e "$T/dup.ndjson"
check "... no temporary file left" sh -c "! ls -a '$T' | grep -q '^\.dup'"
check "... before any detail was asked" sh -c "! grep -q '^GET /items/' '$T/dup.log'"
for w in 1 8; do
	if [ "$w" = 1 ]; then z="--compress gzip"; else z="--compress none"; fi
	xrun "--expand-replace: in the item's place, offset, $w workers, $z" \
		"$T/truth-replaced" -w $w $z --expand-replace --expand "a=$D/rel/a" \
		--expand "tags=$D/rel/tags" --expand "id=$D/rel/id" "$BASE/offset/items"
	check "... no line holds a key twice" python3 "$T/replaced.py" check "$T/got"
	xrun "--expand-replace: cursor, $w workers, $z" "$T/truth-replaced" -w $w $z \
		-p cursor -l 50 --items-path data --expand-replace --expand "a=$D/rel/a" \
		--expand "tags=$D/rel/tags" --expand "id=$D/rel/id" "$BASE/cursor/items"
done
fetch "$BASE/truth-expand?rel=a" "$T/truth-a"
xrun "--expand-replace with no key in common: relations appended" "$T/truth-a" \
	-w 4 --expand-replace --expand "a=$D/rel/a" "$BASE/offset/items"
kill "$MOCK_PID"

# An item that holds a key twice itself: replacing one member would leave
# the other, so --expand-replace refuses it (exit 7).
mkdir -p "$T/www"
printf '{"id":9007199254740993,"tags":[1],"tags":[2]}' >"$T/www/twice.json"
python3 -c 'import http.server, functools, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.HTTPServer(("127.0.0.1", 0), h)
print(s.server_address[1], flush=True)
s.serve_forever()' "$T/www" >"$T/www.port" 2>"$T/www.err" &
www_pid=$!
MOCK_PIDS="$MOCK_PIDS $www_pid"
wait_port_file "$T/www.port" "$www_pid" "$T/www.err" "no static server"
WWW="http://127.0.0.1:$(cat "$T/www.port")"
start_mock --items 5
rm -f "$T/twice.ndjson"
run_invdump -p object -o "$T/twice.ndjson" --expand-replace \
	--expand "tags=$BASE/items/{id}/rel/tags" "$WWW/twice.json"
check "--expand-replace on an item with the key twice: exit 7" status_is 7
check "... said" err_has 'id=9007199254740993: the item has the key "tags" 2 times'
check "... nothing published" test ! -e "$T/twice.ndjson"
kill "$MOCK_PID"

# Credentials: to the listing's origin, not to another; to an allowed one.
start_mock --items 120 --log "$T/own.log"
OWN=$BASE
fetch "$OWN/truth" "$T/truth"
start_mock --items 120 --log "$T/other.log"
OTHER=$BASE
xrun "same origin: credentials sent" "$T/truth" -u me:s3cret -H 'X-Api-Key: k3y' \
	--expand "$OWN/items/{id}" "$OWN/offset/items"
check "... with the details' requests" \
	sh -c "grep '^GET /items/' '$T/own.log' | grep -q 'Authorization: Basic bWU6czNjcmV0 | .*X-Api-Key: k3y'"
check "... with every one of them" \
	sh -c "! grep '^GET /items/' '$T/own.log' | grep -v -q 'Authorization: Basic'"
xrun "another origin: the details' requests go out" "$T/truth" -u me:s3cret \
	-H 'X-Api-Key: k3y' --expand "$OTHER/items/{id}" "$OWN/offset/items"
check "... without Authorization" sh -c "grep -q '^GET /items/' '$T/other.log' && ! grep -q 'Authorization' '$T/other.log'"
check "... without the -H headers" sh -c "! grep -q 'X-Api-Key' '$T/other.log'"
check "... while the listing had them" grep -q "^GET /offset/items.*Authorization: Basic" "$T/own.log"
: >"$T/other.log"
xrun "--allow-origin: that origin gets them" "$T/truth" -u me:s3cret \
	-H 'X-Api-Key: k3y' --allow-origin "$OTHER" --expand "$OTHER/items/{id}" \
	"$OWN/offset/items"
check "... Authorization and -H sent there" \
	sh -c "grep '^GET /items/' '$T/other.log' | grep -q 'Authorization: Basic bWU6czNjcmV0 | .*X-Api-Key: k3y'"

# Templates and combinations refused at startup: exit 2, naming the flag.
for bad in "$OWN/items/{id" "$OWN/items/id}" "$OWN/items/{}" "ftp://h/{id}" \
	"{host}/items" "no-such-form" "1a=$OWN/x"; do
	run_invdump --expand "$bad" "$OWN/offset/items"
	check "bad --expand '$bad': exit 2" status_is 2
	check "... the message names --expand" err_has "--expand"
done
run_invdump --expand "$OWN/items/{id}" --expand "a=$OWN/x/{id}" "$OWN/offset/items"
check "the two forms mixed: exit 2" status_is 2
check "... said" err_has "do not go together"
run_invdump --expand "a=$OWN/x/{id}" --expand "a=$OWN/y/{id}" "$OWN/offset/items"
check "a relation named twice: exit 2" status_is 2
run_invdump --expand-replace --expand "$OWN/items/{id}" "$OWN/offset/items"
check "--expand-replace with the detail form: exit 2" status_is 2
check "... said" err_has "--expand-replace: only with --expand NAME=URL-TEMPLATE"
run_invdump --expand-replace "$OWN/offset/items"
check "--expand-replace without --expand: exit 2" status_is 2
run_invdump --resume -o "$T/r.ndjson" --expand "$OWN/items/{id}" "$OWN/offset/items"
check "--resume with --expand: exit 2" status_is 2
run_invdump --shard 0/2 -o "$T/r.ndjson" --expand "$OWN/items/{id}" "$OWN/offset/items"
check "--shard with --expand: exit 2" status_is 2
run_invdump -p object -o "$T/r.ndjson" --expand "a=$OWN/items/{id}/rel/a" \
	"$OWN/items/9007199254740993/rel/list1"
check "NAME= form on a listing item that is not an object: exit 7" status_is 7
check "... said" err_has "is not a JSON object"

# A jobs file with expand (repeatable, like header).
mkdir -p "$T/jobs"
fetch "$OWN/truth-expand?rel=a,b" "$T/truth-rel"
cat >"$T/jobs.ini" <<INI
[details]
url = $OWN/offset/items
output = $T/jobs/details.ndjson
expand = $OWN/items/{id}

[relations]
url = $OWN/cursor/items
profile = cursor
items-path = data
output = $T/jobs/relations.ndjson
expand = a=$OWN/items/{id}/rel/a
expand = b=$OWN/items/{id}/rel/b

[replaced]
url = $OWN/offset/items
output = $T/jobs/replaced.ndjson
expand-replace
expand = tags=$OWN/items/{id}/rel/tags
INI
chmod 600 "$T/jobs.ini"
run_invdump -q -w 4 --jobs "$T/jobs.ini"
check "jobs file: exit 0" status_is 0
check "jobs file: the detail target" same "$T/jobs/details.ndjson" "$T/truth"
check "jobs file: the relations target" same "$T/jobs/relations.ndjson" "$T/truth-rel"
fetch "$OWN/truth-expand?rel=tags" "$T/truth-tags"
python3 "$T/replaced.py" want "$T/truth" "$T/truth-tags" tags >"$T/truth-tags-replaced"
check "jobs file: expand-replace" same "$T/jobs/replaced.ndjson" "$T/truth-tags-replaced"

# A detail on another origin, over https, that redirects down to http:
# refused, though it carries no credentials.
if make_test_ca; then
	start_mock --items 120 --tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
	S="https://127.0.0.1:$PORT"
	rm -f "$T/down.ndjson"
	run_invdump -w 2 --cacert "$T/ca.pem" -o "$T/down.ndjson" \
		--expand "$S/redirect?to=$OWN/items/{id}" "$OWN/offset/items"
	check "a detail on another origin redirected from https to http: refused (status 3)" status_is 3
	check "... saying it is a downgrade" err_has "a downgrade from https to http"
	check "... nothing published" test ! -e "$T/down.ndjson"
	run_invdump -q -w 2 --cacert "$T/ca.pem" -o "$T/up.ndjson" \
		--expand "$S/redirect?to=$S/items/{id}" "$OWN/offset/items"
	check "... while one that stays on https is followed" status_is 0
else
	for i in 1 2 3 4; do skip "openssl cannot make a test CA here"; done
fi

done_testing
