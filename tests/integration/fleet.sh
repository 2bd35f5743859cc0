#!/bin/sh
# fleet.sh - the vendor profiles of fleets: F5 BIG-IP iControl REST and the
# ServiceNow Table API, exported byte-exact from mockapi's copies of them
# with 1 and 5 workers; what goes over the wire; the single-object endpoint.
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


F5=f5/mgmt/tm/ltm/pool
SNOW=servicenow/api/now/table/cmdb_ci

for items in 0 1 250 1037; do
	start_mock --items "$items" --log "$T/log$items"
	fetch "$BASE/truth" "$T/truth"
	for w in 1 5; do
		# An empty BIG-IP collection has no "items" member: with
		# totalItems it is an empty page, not a shape error.
		exact "f5, $items items, $w workers" -p f5 -w $w "$BASE/$F5"
		exact "servicenow, $items items, $w workers" -p servicenow -w $w "$BASE/$SNOW"
	done
	kill "$MOCK_PID"
done

# What went over the wire.
check "f5: \$skip and \$top sent" grep -q "GET /$F5?\$skip=200&\$top=100 " "$T/log1037"
check "servicenow: sysparm_query=ORDERBYsys_id, sysparm_offset and sysparm_limit sent" \
	grep -q "GET /$SNOW?sysparm_query=ORDERBYsys_id&sysparm_offset=200&sysparm_limit=100 " "$T/log1037"
check "f5: the last page asked for, none past it (the total planned the run)" \
	sh -c "grep -q 'GET /$F5?\$skip=1000&\$top=100 ' '$T/log1037' && ! grep -q 'skip=1100' '$T/log1037'"

start_mock --items 333 --log "$T/params"
fetch "$BASE/truth" "$T/truth"
exact "f5: the URL's own parameters kept" -p f5 -l 50 "$BASE/$F5?expandSubcollections=true&\$filter=partition+eq+Common"
check "... on every page" grep -q "GET /$F5?expandSubcollections=true&\$filter=partition+eq+Common&\$skip=300&\$top=50 " "$T/params"
: >"$T/params"
exact "servicenow: a URL with its own sysparm_query" -p servicenow -l 50 "$BASE/$SNOW?sysparm_query=operational_status=1%5EORDERBYsys_id&sysparm_fields=sys_id,name"
check "... keeps it, and the profile's order is not added" \
	sh -c "grep -q 'sysparm_query=operational_status=1%5EORDERBYsys_id&sysparm_fields=sys_id,name&sysparm_offset=300&sysparm_limit=50 ' '$T/params' && ! grep -q 'sysparm_query=ORDERBYsys_id' '$T/params'"

# Servers that clamp the page size.
start_mock --items 777 --max-limit 50
fetch "$BASE/truth" "$T/truth"
exact "f5: a BIG-IP clamping 1000 to 50" -p f5 -l 1000 -w 4 "$BASE/$F5"
exact "servicenow: an instance clamping 1000 to 50" -p servicenow -l 1000 -w 4 "$BASE/$SNOW"

# The profiles are in --help and the man page.
"$INVDUMP" --help >"$T/help"
for p in f5 servicenow; do
	check "--help lists the $p profile" grep -q "^ *$p " "$T/help"
	check "the man page documents the $p profile" grep -q "^.It Cm $p\$" "$TESTS_SRCDIR/../man/invdump.1"
done

# Every key of a jobs file that is an option is one of --help's (jobs.c
# hands them to the option table by these names).
help_has() { grep -qE -- "^ +(-[a-zA-Z], )?$1( |\$)" "$T/help"; }
for k in output profile limit offset-param limit-param items-path total-path \
	total-header next-path cursor-param sort-param no-total key header \
	header-file user user-file netrc netrc-file allow-origin keep-mismatch \
	compress cacert capath; do
	check "the jobs key $k is the option --$k" help_has "--$k"
done

# The single-object endpoint, for the test of a target whose answer is one
# object: a JSON object, and its canonical line at /truth-object.
fetch "$BASE/f5/mgmt/tm/sys/version" "$T/object"
fetch "$BASE/truth-object" "$T/object.truth"
check "/f5/mgmt/tm/sys/version is an object" grep -q '^{' "$T/object"
check "/truth-object is one line" test "$(wc -l <"$T/object.truth")" -eq 1
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":"), ensure_ascii=False))' \
		"$T/object" >"$T/object.canon"
	check "/truth-object is the object's canonical form" same "$T/object.canon" "$T/object.truth"
else
	skip "python3 is not installed: /truth-object against the object"
fi
# -p object: a target whose answer is one object is written as one line.
run_invdump -p object -o "$T/object.out" "$BASE/f5/mgmt/tm/sys/version"
check "-p object: status 0" status_is 0
check "-p object: the object as one line, byte for byte its canonical form" same "$T/object.out" "$T/object.truth"
check "-p object: one request" err_has "1 items, 1 pages"
run_invdump -p object -o "$T/object.out" "$BASE/html/items"
check "-p object on an HTML page: status 7" status_is 7

done_testing
