#!/bin/sh
# cli.sh - every flag is in --help and the man page; bad flags are refused
# with status 2 and a message naming the flag.
. "$TESTS_SRCDIR/integration/setup.sh"

"$INVDUMP" --help >"$T/help"
MAN="$TESTS_SRCDIR/../man/invdump.1"
# help_has --FLAG: an option line of --help starts with it ("  -x, --flag"
# or "      --flag"), not merely some text containing the word.
help_has() { grep -qE -- "^ +(-[a-zA-Z], )?$1( |\\[|\$)" "$T/help"; }
# man_has --FLAG: the man page documents it the mdoc way, "Fl \-flag".
man_has() { grep -qE -- "Fl \\\\-${1#--}( |,|\$)" "$MAN"; }
for p in offset softlayer range page drf odata scim cursor infoblox meraki f5 servicenow object; do
	check "--help lists the $p profile" grep -q "^ *$p " "$T/help"
	check "the man page documents the $p profile" grep -q "^.It Cm $p\$" "$TESTS_SRCDIR/../man/invdump.1"
	check "the README lists the $p profile" grep -q "^    $p  *[^ ]" "$TESTS_SRCDIR/../README"
done
# An option's description ends its sentence: its last line (before the
# next option, a blank line or the profiles' list) ends in no word that
# leaves it hanging ("the N outputs concatenated are the whole").
help_ends_whole() {
	awk 'function done_with(l) {
		if (l ~ / (the|a|an|of|and|or|to|in|are|is|whole|with|for)$/) {
			print "hanging: " l; bad = 1
		}
	}
	NR > 1 && ($0 ~ /^ +(-[a-zA-Z], )?--[a-z]/ || $0 ~ /^$/ || $0 ~ /^[A-Z]/ ||
		$0 ~ /^                             [a-z0-9]+ /) && prev ~ /^ / { done_with(prev) }
	{ prev = $0 }
	END { done_with(prev); exit bad }' "$T/help" >"$T/hanging" && return 0
	diag "$(cat "$T/hanging")"
	return 1
}
check "--help: every option's description ends its sentence" help_ends_whole
check "--help: --shard says the outputs make the whole export" grep -q "the whole export" "$T/help"
for f in --output --compress --level --workers --limit --profile \
	--total-header --offset-param --limit-param --items-path --user \
	--header --connect-timeout --quiet --verbose --version --help \
	--max-time --speed-limit --speed-time --retries --retry-max-time --rate \
	--max-body --max-item --max-depth --max-redirs --cacert --capath \
	--insecure --netrc --netrc-file --user-file --header-file \
	--no-total --total-path --next-path --cursor-param --sort-param --key \
	--progress --no-progress --allow-origin --keep-mismatch --mode \
	--split-items --split-bytes --s3-part-size --s3-upload-cutoff --s3-sse \
	--s3-sse-kms-key-id --s3-acl --manifest --resume --shard --jobs \
	--per-host --window-bytes --no-hedge --expand --session --login-url \
	--login-user-env --login-secret-env --login-secret-file --login-body \
	--login-fields --login-field --token-path --token-send --token-lifetime \
	--logout-url --cookies --cookie-jar --min-items --max-drop \
	--state --bookmark --since --lookback --full; do
	check "--help mentions $f" help_has "$f"
	check "the man page documents $f" man_has "$f"
done
# The man page writes a long flag as "Fl \-name".
man_flags() { grep -o 'Fl \\-[a-z][a-z0-9-]*' "$MAN" | sed 's/^Fl \\-//' | sort -u; }
every_man_flag_in_help() {
	n=0
	for f in $(man_flags); do
		n=$((n + 1))
		help_has "--$f" || { diag "--$f is in the man page, not in --help"; return 1; }
	done
	[ "$n" -gt 30 ] || { diag "only $n long flags found in the man page"; return 1; }
}
check "--help lists every long flag the man page has" every_man_flag_in_help
# --rat is a prefix of --rate: a check that matched bare words would pass.
no_prefix_match() { ! help_has --rat && ! man_has --rat; }
check "the flag checks do not match a mere prefix (--rat)" no_prefix_match
check "--version names the libraries" sh -c "'$INVDUMP' --version | grep -q 'libcurl/.*yajl/.*zlib/'"
check "--help fits in 80 columns" test "$(awk 'length > 80' "$T/help" | wc -l)" -eq 0

# The man page's examples copy and paste: as man(1) shows them, each is
# whole lines continued with '\' (the formatter broke none), plain ASCII,
# valid shell, and invdump takes its flags (-V, added last, stops it after
# parsing them).  In every locale: the C locale renders the NAME line's
# dash as "--" ("invdump -- export ..."), which is no example.
man_examples() { # LOCALE-ENV...: the examples as man(1) renders them there
	env -u LANG -u LC_ALL -u LC_CTYPE -u LC_MESSAGES "$@" MANWIDTH=80 \
		man -l "$TESTS_SRCDIR/../man/invdump.1" 2>/dev/null |
		sed "s/.$(printf '\b')//g" |
		awk -f "$TESTS_SRCDIR/integration/examples.awk"
}
# refused_none FILE: empty, or the examples invdump refused named.
refused_none() {
	[ ! -s "$1" ] && return 0
	diag "invdump refused these examples of the man page:" "$(cat "$1")"
	return 1
}
if ! command -v man >/dev/null 2>&1; then
	for _ in 1 2 3 4 5 6; do skip "man(1) is not installed (apt-get install man-db)"; done
elif ! MANWIDTH=80 man -l "$TESTS_SRCDIR/../man/invdump.1" >"$T/man" 2>"$T/man.err" ||
	[ ! -s "$T/man" ]; then
	for _ in 1 2 3 4 5 6; do skip "man(1) cannot render the man page here (man-db and groff-base installed?): $(head -n 1 "$T/man.err")"; done
else
	sed "s/.$(printf '\b')//g" "$T/man" |
		awk -f "$TESTS_SRCDIR/integration/examples.awk" >"$T/examples"
	check "man: examples found" test "$(grep -vc '^BROKEN' "$T/examples")" -ge 10
	check "man: no example broken across lines" sh -c "! grep '^BROKEN' '$T/examples'"
	check "man: examples are plain ASCII" sh -c "! LC_ALL=C grep -n '[^ -~]' '$T/examples'"
	check "man: examples are valid shell" sh -n "$T/examples"
	# the same examples whatever the locale: none, C, and a UTF-8 one
	same_in_locales() {
		utf8=$(locale -a 2>/dev/null | grep -iE '\.utf-?8$' | grep -v '^C\.' | head -n 1)
		for l in "" LANG=C LC_ALL=C LC_ALL=C.UTF-8 ${utf8:+LC_ALL=$utf8}; do
			man_examples $l >"$T/examples.l"
			same "$T/examples" "$T/examples.l" || { diag "locale: ${l:-none}"; return 1; }
		done
	}
	check "man: the same examples in every locale (none, C, C.UTF-8, a UTF-8 one)" same_in_locales
	: >"$T/refused"
	INVDUMP_EXAMPLE="$INVDUMP" REFUSED="$T/refused" sh -c '
		invdump() {
			"$INVDUMP_EXAMPLE" "$@" -V >/dev/null 2>"$REFUSED.err" ||
				{ echo "invdump $*"; sed "s/^/    /" "$REFUSED.err"; } >>"$REFUSED"
		}
		jq() { cat >/dev/null; }
		. "$1"' _ "$T/examples"
	check "man: invdump takes every example's flags" refused_none "$T/refused"
fi

refused() {
	desc=$1; want=$2; shift 2
	run_invdump "$@"
	if [ "$rc" -eq 2 ] && grep -qF -- "$want" "$T/err"; then
		ok "$desc"
	else
		not_ok "$desc (status $rc: $(cat "$T/err"))"
	fi
}
refused "no URL" "no URL" -o x.gz
refused "two URLs" "one URL" http://a/ http://b/
refused "--workers 0" "--workers" -w 0 http://127.0.0.1:9/
refused "--workers 257" "--workers" -w 257 http://127.0.0.1:9/
refused "--workers abc" "'abc'" --workers abc http://127.0.0.1:9/
refused "--limit 0" "--limit" -l 0 http://127.0.0.1:9/
refused "--level 10" "--level" --level 10 http://127.0.0.1:9/
refused "--compress zip" "--compress" --compress zip http://127.0.0.1:9/
refused "--profile nope" "nope" -p nope http://127.0.0.1:9/
refused "-H without a colon" "--header" -H "NoColon" http://127.0.0.1:9/
refused "--user without a secret" "--user" -u alice http://127.0.0.1:9/
refused "--offset-param with a space" "--offset-param" --offset-param "a b" http://127.0.0.1:9/
refused "an unknown option" "--frobnicate" --frobnicate http://127.0.0.1:9/
refused "a missing value" "--limit" http://127.0.0.1:9/ --limit
refused "an ftp URL" "http" ftp://127.0.0.1/x
refused "a file URL" "http" file:///etc/passwd
refused "not a URL" "URL" "not a url"
refused "a word for the URL: what a URL needs, and the argument named" \
	"the URL argument 'items' does not start with http:// or https://" -o x.gz items
refused "a host without its scheme: the same" \
	"the URL argument 'api.example.com/v1/items' does not start with http:// or https://" api.example.com/v1/items
refused "a scheme-less URL with a token: the same, the token redacted" \
	"'api.example.com/items?token=***' does not start with http://" "api.example.com/items?token=T0PSECRET"
check "... the token not printed" sh -c "! grep -q T0PSECRET '$T/err'"
refused "--quiet with --verbose" "--quiet" -q -v http://127.0.0.1:9/
refused "--retries -1" "--retries" --retries -1 http://127.0.0.1:9/
refused "--retries 101" "--retries" --retries 101 http://127.0.0.1:9/
refused "--rate 0" "--rate" --rate 0 http://127.0.0.1:9/
refused "--rate fast" "--rate" --rate fast http://127.0.0.1:9/
refused "--max-body 0" "--max-body" --max-body 0 http://127.0.0.1:9/
refused "--max-body 5X" "--max-body" --max-body 5X http://127.0.0.1:9/
refused "--max-depth 200" "--max-depth" --max-depth 200 http://127.0.0.1:9/
refused "--max-redirs 51" "--max-redirs" --max-redirs 51 http://127.0.0.1:9/
refused "--max-time 0" "--max-time" --max-time 0 http://127.0.0.1:9/
refused "--header-file missing" "cannot open" --header-file /nonexistent/h http://127.0.0.1:9/
refused "--next-path on an offset profile" "--next-path" --next-path next http://127.0.0.1:9/
refused "--cursor-param without --next-path" "--next-path" -p cursor --cursor-param c http://127.0.0.1:9/
refused "--no-total with a cursor profile" "--no-total" -p meraki --no-total http://127.0.0.1:9/
refused "--sort-param without =" "--sort-param" --sort-param ordering http://127.0.0.1:9/
refused "--key ''" "--key" --key '' http://127.0.0.1:9/
refused "--limit-param with softlayer" "resultLimit" -p softlayer --limit-param x http://127.0.0.1:9/

# -H headers reach the server, the user's query parameters survive.
start_mock --items 10 --log "$T/requests"
run_invdump -q -H "X-Api-Key: k1" -H "User-Agent: tester/1" -o "$T/o.gz" \
	"$BASE/offset/items?filter=a%2Cb&sort=id"
check "-H: sent" grep -q "X-Api-Key: k1" "$T/requests"
check "-H: overrides the User-Agent" grep -q "User-Agent: tester/1" "$T/requests"
check "the URL's own query is kept" grep -q "filter=a%2Cb&sort=id&offset=0&limit=100" "$T/requests"

# The progress line: on a terminal by default, never in a pipe unless asked.
start_mock --items 3000 --latency-ms 100
run_invdump --progress -w 4 -o "$T/p.gz" "$BASE/offset/items"
check "--progress: a progress line with the total" err_has "of 3000 items ("
check "--progress: erased at the end, the summary on a clean line" sh -c "tail -n 1 '$T/err' | od -c | head -n 1 | grep -q '\\r 033   \\[   K   i   n   v'"
run_invdump -w 4 -o "$T/p.gz" "$BASE/offset/items"
check "stderr not a terminal: no progress line" sh -c "! grep -q 'items (' '$T/err' && ! grep -q \"\$(printf '\\033')\" '$T/err'"
check "... but one summary line" sh -c "test \$(wc -l <'$T/err') -eq 1 && grep -q '^invdump: 3000 items, 30 pages, .* verified against the total of 3000' '$T/err'"
run_invdump -q -w 4 -o "$T/p.gz" "$BASE/offset/items"
check "-q: no summary line" test ! -s "$T/err"
tty_run() { script -qec "$*" /dev/null >"$T/tty" 2>&1 </dev/null || true; }
tty_run "'$INVDUMP' -w 4 -o '$T/p.gz' '$BASE/offset/items'"
check "stderr a terminal: a progress line by default" grep -q "of 3000 items (" "$T/tty"
tty_run "'$INVDUMP' --no-progress -w 4 -o '$T/p.gz' '$BASE/offset/items'"
check "--no-progress on a terminal: none" sh -c "! grep -q 'items (' '$T/tty'"
tty_run "'$INVDUMP' -q -w 4 -o '$T/p.gz' '$BASE/offset/items'"
check "-q on a terminal: none" sh -c "! grep -q 'items (' '$T/tty'"
tty_run "'$INVDUMP' -w 4 '$BASE/offset/items'"
check "data to the terminal: no progress line among it" sh -c "grep -q 'host-002999' '$T/tty' && ! grep -q 'items (' '$T/tty'"
tty_run "'$INVDUMP' --compress gzip -o - '$BASE/offset/items'; echo status=\$?"
check "gzip to a terminal: refused, status 2" sh -c "grep -q 'refusing to write gzip data to a terminal' '$T/tty' && grep -q 'status=2' '$T/tty'"

# A URL that carries the profile's own paging parameters is warned about,
# and the export still starts at the first page.
fetch "$BASE/truth" "$T/truth"
run_invdump -w 4 -o "$T/own.gz" "$BASE/offset/items?offset=2000&limit=50"
check "?offset=2000&limit=50 in the URL: warned about" err_has "the URL's own offset=2000&limit=50 is replaced"
check "... and every item exported from the first" sh -c "[ $rc -eq 0 ] && gzip -dc '$T/own.gz' | cmp -s - '$T/truth'"

done_testing
