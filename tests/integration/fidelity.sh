#!/bin/sh
# fidelity.sh - numbers byte for byte, key order, strings exact: the first
# eight items (one of each awkward value) are compared with lines written
# out here by hand, independently of the server's own ground truth.
. "$TESTS_SRCDIR/integration/setup.sh"

start_mock --items 64
fetch "$BASE/truth" "$T/truth"

nested='"nested":{"ok":true,"none":null,"f":false,"list":[1,2.5,{"x":"y"}]},"pad":""}'
{
	printf '%s\n' '{"id":9007199254740993,"hostname":"host-000000.example.com","seq":0,"num":18446744073709551617,"note":"café","tags":[],'"$nested"
	printf '%s\n' '{"id":9007199254740994,"hostname":"host-000001.example.com","seq":1,"num":1e400,"note":"😀 emoji","tags":["a","b"],'"$nested"
	printf '%s\n' '{"id":9007199254740995,"hostname":"host-000002.example.com","seq":2,"num":-0.0,"note":"nul\u0000inside","tags":["a","b"],'"$nested"
	printf '%s\n' '{"id":9007199254740996,"hostname":"host-000003.example.com","seq":3,"num":0.1000000000000000055511151231257827,"note":"quote\" backslash\\ slash/ \b\f\n\r\t","tags":[],'"$nested"
	printf '%s\n' '{"id":9007199254740997,"hostname":"host-000004.example.com","seq":4,"num":1E+2,"note":"\u0001\u001F control'"$(printf '\177')"'","tags":["a","b"],'"$nested"
	printf '%s\n' '{"id":9007199254740998,"hostname":"host-000005.example.com","seq":5,"num":-12.5e-3,"note":"日本語","tags":["a","b"],'"$nested"
	printf '%s\n' '{"id":9007199254740999,"hostname":"host-000006.example.com","seq":6,"num":0,"note":"'"$(printf '\342\200\250\342\200\251')"'seps","tags":[],'"$nested"
	printf '%s\n' '{"id":9007199254741000,"hostname":"host-000007.example.com","seq":7,"num":-9223372036854775809,"note":"plain","tags":["a","b"],'"$nested"
} >"$T/want8"

for chunk in 1 3 16; do
	run_invdump -q -l "$chunk" -w 4 -o "$T/out.gz" "$BASE/offset/items"
	gzip -dc "$T/out.gz" >"$T/got"
	head -n 8 "$T/got" >"$T/got8"
	check "pages of $chunk: the eight awkward items are exact" same "$T/got8" "$T/want8"
	check "pages of $chunk: all 64 items equal the ground truth" same "$T/got" "$T/truth"
done

# Raw UTF-8 in, raw UTF-8 out; \u escapes in, raw UTF-8 out (even items are
# escaped on the wire, odd ones raw).
check "U+2028 written raw" grep -q "$(printf '\342\200\250')" "$T/got"
check "every line is valid JSON to python" python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line); n += 1
sys.exit(0 if n == 64 else 1)' "$T/got"
# raw_controls: how many bytes below 0x20 stdin holds besides the newlines
# that end its lines (JSON must escape them all; DEL, 0x7F, may stay raw).
raw_controls() { LC_ALL=C tr -d '\n\040-\377' | wc -c; }
check "no line has a raw control byte" test "$(raw_controls <"$T/got")" -eq 0
check "... (the check sees a raw TAB, NUL or CR)" \
	test "$(printf 'a\tb\000c\r\n' | raw_controls)" -eq 3
check "every line ends with a newline" test "$(tail -c 1 "$T/got" | od -An -c | tr -d ' ')" = '\n'

done_testing
