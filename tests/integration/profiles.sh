#!/bin/sh
# profiles.sh - every pagination convention exported byte-exact, with and
# without gzip, several worker counts; probing without a total; clamped
# page sizes; a looping cursor refused.
. "$TESTS_SRCDIR/integration/setup.sh"

exact() {
	desc=$1; shift
	run_invdump -q -o "$T/out.gz" "$@"
	if status_is 0 && gzip -dc "$T/out.gz" >"$T/got" && same "$T/got" "$T/truth"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

for items in 0 1 250 1037; do
	start_mock --items "$items" --log "$T/log$items"
	fetch "$BASE/truth" "$T/truth"
	for w in 1 5; do
		exact "range, $items items, $w workers" -p range -w $w "$BASE/range/items"
		exact "page, $items items, $w workers" -p page -w $w "$BASE/page/items"
		exact "drf, $items items, $w workers" -p drf -w $w "$BASE/drf/items"
		exact "drf with count after results, $items items, $w workers" -p drf -w $w "$BASE/drf-late/items"
		exact "odata, $items items, $w workers" -p odata -w $w "$BASE/odata/items"
		exact "scim, $items items, $w workers" -p scim -w $w "$BASE/scim/Users"
		exact "no total, probing, $items items, $w workers" --no-total -w $w "$BASE/nototal/items"
	done
	exact "range without a total, probing to the 416, $items items" -p range --no-total -w 3 "$BASE/range/items"
	exact "cursor by Link rel=next, $items items" -p cursor -l 50 --items-path data "$BASE/cursor/items"
	exact "cursor by token, $items items" -p cursor -l 50 --items-path data --next-path next_cursor --cursor-param cursor "$BASE/cursor/items"
	exact "cursor by URL in the body, $items items" -p cursor -l 50 --items-path results --next-path next "$BASE/cursor-url/items"
	exact "infoblox, $items items" -p infoblox -l 100 "$BASE/infoblox/wapi/v2.12/network"
	exact "meraki, $items items" -p meraki -l 100 "$BASE/meraki/api/v1/organizations/1/devices"
	kill "$MOCK_PID"
done

# What went over the wire.
check "range: Range, Range-Unit and Prefer: count=exact sent" \
	sh -c "grep -q 'Range: 100-199' '$T/log1037' && grep -q 'Range-Unit: items' '$T/log1037' && grep -q 'Prefer: count=exact' '$T/log1037'"
check "odata: \$count=true, \$skip and \$top sent" grep -q 'count=true&\$skip=200&\$top=100' "$T/log1037"
check "scim: startIndex is 1-based" grep -q 'startIndex=101&count=100' "$T/log1037"
check "page: 1-based page numbers" grep -q 'page=2&per_page=100' "$T/log1037"
check "drf: asks for a stable order by default" grep -q 'ordering=id' "$T/log1037"
check "infoblox: _paging and _return_as_object sent, _page_id sent back" \
	sh -c "grep -q '_paging=1&_return_as_object=1&_max_results=100' '$T/log1037' && grep -q '_page_id=' '$T/log1037'"
# 11 pages hold the 1037 items, the 12th is empty; runs with 1 and 5
# workers may look at most 2 and 10 pages past it.
check "probing stops within its window of the first empty page" \
	test "$(grep -c 'GET /nototal/items' "$T/log1037")" -le $((12 + 2 + 12 + 10))

# --sort-param overrides and drops the profile's own.
start_mock --items 30 --log "$T/sortlog"
fetch "$BASE/truth" "$T/truth"
exact "--sort-param ordering=-name" -p drf --sort-param ordering=-name "$BASE/drf/items"
check "--sort-param sent instead of the profile's" sh -c "grep -q 'ordering=-name' '$T/sortlog' && ! grep -q 'ordering=id' '$T/sortlog'"
: >"$T/sortlog"
exact "--sort-param '' drops it" -p drf --sort-param '' "$BASE/drf/items"
check "no ordering sent" sh -c "! grep -q ordering '$T/sortlog'"
exact "--total-path names a body total for the offset profile" --total-header X-None --total-path count --items-path results "$BASE/drf/items"

# A server that clamps the page size, with and without a total.
start_mock --items 777 --max-limit 50
fetch "$BASE/truth" "$T/truth"
for p in range drf odata scim page; do
	case $p in range) u=range/items;; drf) u=drf/items;; odata) u=odata/items;;
		scim) u=scim/Users;; page) u=page/items;; esac
	exact "$p: a server clamping 1000 to 50" -p $p -l 1000 -w 4 "$BASE/$u"
done
exact "no total: a server clamping 1000 to 50" --no-total -l 1000 -w 4 "$BASE/nototal/items"
exact "meraki: a server clamping 1000 to 50" -p meraki -l 1000 "$BASE/meraki/api/v1/organizations/1/devices"

# A cursor that comes back is a loop.
start_mock --items 1000
run_invdump -p cursor -l 50 --items-path data -o "$T/loop.gz" "$BASE/cursor-loop/items"
check "a looping cursor: status 7" status_is 7
check "a looping cursor: says so" err_has "a loop"
check "a looping cursor: nothing published" test ! -e "$T/loop.gz"

# Sources of a total that disagree are reported (a header that holds some
# other number stands in for a buggy API).
fetch "$BASE/truth" "$T/truth"
run_invdump -p drf --total-header Content-Length --keep-mismatch -o "$T/dis.gz" "$BASE/drf/items"
check "header and body totals disagree: status 3" status_is 3
check "... reported with both sources" sh -c "grep -q 'header Content-Length says' '$T/err' && grep -q 'body count says 1000' '$T/err'"
check "... the data is still exported whole" sh -c "gzip -dc '$T/dis.gz' | cmp -s - '$T/truth'"

done_testing
