#!/bin/sh
# basic.sh - offset and softlayer exports of 0, 1, 99, 100, 101 and 10007
# items with 1, 4 and 16 workers are byte-identical (after gunzip) to the
# server's ground truth.
. "$TESTS_SRCDIR/integration/setup.sh"

for total in 0 1 99 100 101 10007; do
	start_mock --items "$total"
	fetch "$BASE/truth" "$T/truth"
	for w in 1 4 16; do
		out="$T/offset-$total-$w.ndjson.gz"
		run_invdump -q -w "$w" -o "$out" "$BASE/offset/items"
		if status_is 0 && gzip -dc "$out" >"$T/got" && same "$T/got" "$T/truth"; then
			ok "offset: $total items, $w workers: exact"
		else
			not_ok "offset: $total items, $w workers: exact"
		fi
		out="$T/sl-$total-$w.ndjson.gz"
		run_invdump -q -p softlayer -w "$w" -o "$out" \
			"$BASE/softlayer/SoftLayer_Account/getVirtualGuests.json?objectMask=mask%5Bid%2Chostname%5D"
		if status_is 0 && gzip -dc "$out" >"$T/got" && same "$T/got" "$T/truth"; then
			ok "softlayer: $total items, $w workers: exact"
		else
			not_ok "softlayer: $total items, $w workers: exact"
		fi
	done
	check "$total items: gzip -t accepts the file" gzip -t "$out"
done

# Plain output and standard output.
start_mock --items 250
fetch "$BASE/truth" "$T/truth"
run_invdump -q -o "$T/plain.ndjson" "$BASE/offset/items"
check "no .gz: plain NDJSON" sh -c "[ $rc -eq 0 ] && cmp -s '$T/plain.ndjson' '$T/truth'"
run_invdump -q -o - "$BASE/offset/items" >"$T/stdout"
check "-o -: NDJSON on standard output" sh -c "[ $rc -eq 0 ] && cmp -s '$T/stdout' '$T/truth'"
run_invdump -q "$BASE/offset/items" >"$T/stdout2"
check "no -o: standard output" sh -c "[ $rc -eq 0 ] && cmp -s '$T/stdout2' '$T/truth'"
run_invdump -q --compress gzip -o - "$BASE/offset/items" | gzip -dc >"$T/stdout3"
check "--compress gzip -o -: gzip on standard output" same "$T/stdout3" "$T/truth"
run_invdump -q --compress none -o "$T/forced.gz" "$BASE/offset/items"
check "--compress none wins over .gz" same "$T/forced.gz" "$T/truth"
for lvl in 1 9; do
	run_invdump -q --level "$lvl" -o "$T/l$lvl.gz" "$BASE/offset/items"
	check "--level $lvl: exact" sh -c "gzip -dc '$T/l$lvl.gz' | cmp -s - '$T/truth'"
done
check "level 9 is no larger than level 1" \
	test "$(wc -c <"$T/l9.gz")" -le "$(wc -c <"$T/l1.gz")"

# Page sizes: 1 item per page, a page size that does not divide the total,
# and one page larger than everything.
for l in 1 7 1000; do
	run_invdump -q -l "$l" -w 8 -o "$T/l.gz" "$BASE/offset/items"
	check "--limit $l: exact" sh -c "[ $rc -eq 0 ] && gzip -dc '$T/l.gz' | cmp -s - '$T/truth'"
done

# A server that clamps the page size: the plan follows what it returned.
start_mock --items 1234 --max-limit 100
fetch "$BASE/truth" "$T/truth"
run_invdump -w 4 -l 1000 -o "$T/clamped.gz" "$BASE/offset/items"
check "clamped page size: exact" sh -c "[ $rc -eq 0 ] && gzip -dc '$T/clamped.gz' | cmp -s - '$T/truth'"
check "clamped page size: warned" err_has "the server sent 100"

done_testing
