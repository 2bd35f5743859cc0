#!/bin/sh
# tls.sh - certificates are verified by default; a private CA is trusted
# with --cacert or --capath; --insecure works and says so loudly.
. "$TESTS_SRCDIR/integration/setup.sh"

# A private CA and a server certificate for 127.0.0.1, made for this test.
make_test_ca
(
	cd "$T"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key \
		-out other.pem -days 2 -subj "/CN=someone else"
	mkdir cadir && cp ca.pem cadir/ && openssl rehash cadir
) >/dev/null 2>&1

start_mock --items 300 --tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
S="https://127.0.0.1:$PORT"
# /truth over TLS too, with curl trusting our CA.
curl -sS --cacert "$T/ca.pem" -o "$T/truth" "$S/truth"
exact() { [ "$rc" -eq 0 ] && gzip -dc "$T/out.gz" | cmp -s - "$T/truth"; }

run_invdump -o "$T/out.gz" "$S/offset/items"
check "an unknown CA: status 4" status_is 4
check "an unknown CA: says it is a certificate problem" err_has "certificate"
check "an unknown CA: not retried" sh -c "! grep -q 'gave up' '$T/err'"
check "an unknown CA: nothing published" test ! -e "$T/out.gz"

run_invdump -q -w 4 --cacert "$T/ca.pem" -o "$T/out.gz" "$S/offset/items"
check "--cacert: exact" exact
rm -f "$T/out.gz"
run_invdump -q -w 4 --capath "$T/cadir" -o "$T/out.gz" "$S/offset/items"
check "--capath: exact" exact
rm -f "$T/out.gz"
run_invdump -w 4 --cacert "$T/other.pem" -o "$T/out.gz" "$S/offset/items"
check "--cacert with the wrong CA: status 4" status_is 4
run_invdump -w 4 --insecure -o "$T/out.gz" "$S/offset/items"
check "--insecure: exact" exact
check "--insecure: warns" err_has "NOT verified"

done_testing
