#!/bin/sh
# drift.sh - items inserted or deleted while an export runs are detected:
# the total is read again at the end, --key drops duplicates across page
# boundaries, and both end in status 3 with nothing published (unless
# --keep-mismatch).
. "$TESTS_SRCDIR/integration/setup.sh"

ids_unique() {
	gzip -dc "$1" | python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in sys.stdin]
sys.exit(0 if len(ids) == len(set(ids)) == int(sys.argv[1]) else 1)' "$2"
}

start_mock --items 1000 --drift-after 3 --drift-insert 5
run_invdump -w 1 -o "$T/a.gz" "$BASE/offset/items"
check "5 items inserted during the run: status 3" status_is 3
check "... the total's change is reported" err_has "1000 items at the start, 1005 at the end"
check "... the repeated items are reported" err_has "began with an item already written"
check "... and nothing is published" test ! -e "$T/a.gz"

start_mock --items 1000 --drift-after 3 --drift-insert 5
run_invdump -w 1 --keep-mismatch -o "$T/a.gz" "$BASE/offset/items"
check "--keep-mismatch: status 3 all the same" status_is 3
check "... and the file is published" test -s "$T/a.gz"

start_mock --items 1000 --drift-after 3 --drift-insert 5
run_invdump -w 1 --key id --keep-mismatch -o "$T/b.gz" "$BASE/offset/items"
check "with --key id: status 3" status_is 3
check "... 5 duplicates dropped and reported" err_has "5 duplicate items (same --key id) dropped"
check "... every id written once" ids_unique "$T/b.gz" 995

start_mock --items 1000 --drift-after 3 --drift-insert 5 --drift-delete 5
run_invdump -w 1 --key id -o "$T/c.gz" "$BASE/offset/items"
check "insert 5 + delete 5 (the total does not move), --key: status 3" status_is 3
check "... the duplicates show it" err_has "5 duplicate items"

start_mock --items 1000 --drift-after 3 --drift-delete 5
run_invdump -w 1 -o "$T/d.gz" "$BASE/offset/items"
check "5 items deleted during the run: status 3" status_is 3
check "... the short page is reported" err_has "items where 100 were due"
check "... the count mismatch is reported" err_has "wrote 995 items, 1000 were due"

start_mock --items 1000 --drift-after 3 --drift-insert 5
run_invdump -w 4 -p drf --key id -o "$T/e.gz" "$BASE/drf/items"
check "drf (total in the body), 4 workers: status 3" status_is 3

start_mock --items 1000
run_invdump -w 4 --key id -o "$T/f.gz" "$BASE/offset/items"
check "no drift, --key id: status 0" status_is 0
check "no drift, --key id: all 1000 ids" ids_unique "$T/f.gz" 1000

done_testing
