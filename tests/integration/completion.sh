#!/bin/sh
# completion.sh - the bash and zsh completions (contrib/completion) know
# every flag and profile `invdump --help` lists, and no other, and complete
# what they should: flags, profiles after -p, file names after the flags
# that take a file, directories after --capath.  The zsh checks run zsh's
# own completion on a pty (zcomp.zsh); without zsh they are skipped.
. "$TESTS_SRCDIR/integration/setup.sh"

C=$TESTS_SRCDIR/../contrib/completion
B=$C/invdump.bash
Z=$C/_invdump

# What --help lists: the flags of its option lines, and the profiles under -p.
"$INVDUMP" --help >"$T/help"
sed -n -E 's/^  (-[a-zA-Z], |    )(--[a-z][a-z0-9-]*).*/\2/p' "$T/help" >"$T/long"
sed -n -E 's/^  (-[a-zA-Z]), --.*/\1/p' "$T/help" >"$T/short"
sed -n -E 's/^ {29}([a-z][a-z0-9]*) .*/\1/p' "$T/help" >"$T/profiles"
check "--help: 40 flags or more found" test "$(wc -l <"$T/long")" -ge 40
check "--help: 13 profiles found" test "$(wc -l <"$T/profiles")" -eq 13

# has FILE WORD: WORD stands in FILE on its own (--netrc is not --netrc-file).
has() { grep -qE -- "(^|[^a-zA-Z-])$2([^a-zA-Z-]|\$)" "$1"; }
# all_in FILE LIST DESC: every word of the file LIST is in FILE.
all_in() {
	_missing=
	while read -r _w; do has "$1" "$_w" || _missing="$_missing $_w"; done <"$2"
	if [ -z "$_missing" ]; then ok "$3"; else not_ok "$3 (missing:$_missing)"; fi
}
# only_known FILE DESC: every --flag FILE names is one --help lists.
only_known() {
	_unknown=
	for _w in $(grep -oE -- '--[a-z][a-z0-9-]*' "$1" | sort -u); do
		grep -qx -- "$_w" "$T/long" || _unknown="$_unknown $_w"
	done
	if [ -z "$_unknown" ]; then ok "$2"; else not_ok "$2 (unknown:$_unknown)"; fi
}
for f in "$B" "$Z"; do
	n=${f##*/}
	all_in "$f" "$T/long" "$n: every long flag of --help"
	all_in "$f" "$T/short" "$n: every short flag of --help"
	all_in "$f" "$T/profiles" "$n: every profile of --help"
	only_known "$f" "$n: no flag that --help does not list"
done

# A directory to complete file names in.
mkdir "$T/files" "$T/files/certs"
: >"$T/files/guests.ndjson.gz"
: >"$T/files/grid-ca.pem"
: >"$T/files/ca.pem"
cd "$T/files"

# bcomp WORD...: what bash completes for the last WORD, one line, sorted.
bcomp() {
	bash --norc --noprofile -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _invdump
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$B" "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}
# is GOT WANT: a check's test, with a diagnostic when they differ.
is() {
	[ "$1" = "$2" ] && return 0
	diag "got:  '$1'" "want: '$2'"
	return 1
}
profiles=$(sort "$T/profiles" | tr '\n' ' ' | sed 's/ $//')

check "bash: the file parses" bash -n "$B"
check "bash: invdump --pro offers --profile and --progress" is "$(bcomp invdump --pro)" "--profile --progress"
check "bash: invdump --prof completes to --profile" is "$(bcomp invdump --prof)" "--profile"
check "bash: -p offers every profile" is "$(bcomp invdump -p '')" "$profiles"
check "bash: -p d completes to drf" is "$(bcomp invdump -p d)" "drf"
check "bash: --profile=d, split at '=' (bash's default)" is "$(bcomp invdump --profile = d)" "drf"
check "bash: --profile=, split at '='" is "$(bcomp invdump --profile =)" "$profiles"
check "bash: --profile=d, not split" is "$(bcomp invdump --profile=d)" "--profile=drf"
check "bash: --compress offers gzip and none" is "$(bcomp invdump --compress '')" "gzip none"
for f in -o --output --user-file --header-file --netrc-file --cacert; do
	check "bash: $f g completes file names" is "$(bcomp invdump -q "$f" g)" "grid-ca.pem guests.ndjson.gz"
done
check "bash: --capath c completes directories only" is "$(bcomp invdump --capath c)" "certs"
check "bash: --limit - offers no flag (it takes a number)" is "$(bcomp invdump --limit -)" ""
check "bash: -u - offers no flag" is "$(bcomp invdump -u -)" ""
check "bash: a URL is not guessed" is "$(bcomp invdump -q h)" ""
bcomp invdump - | tr ' ' '\n' >"$T/bash-all"
all_in "$T/bash-all" "$T/long" "bash: invdump - offers every long flag"
all_in "$T/bash-all" "$T/short" "bash: invdump - offers every short flag"

if ! command -v zsh >/dev/null 2>&1; then
	for _ in 1 2 3 4 5 6 7 8 9; do skip "zsh is not installed (apt-get install zsh)"; done
	done_testing
	exit
fi
check "zsh: the file parses" zsh -n "$Z"
set +e
timeout 120 zsh -f "$TESTS_SRCDIR/integration/zcomp.zsh" "$C" \
	'invdump --pro' 'invdump -p d' 'invdump --profile=' 'invdump --compress ' \
	'invdump -o g' 'invdump --cacert g' 'invdump --capath c' 'invdump -' \
	>"$T/zsh.out" 2>"$T/zsh.err"
zrc=$?
set -e
check "zsh: completion ran on a pty (status $zrc)" test "$zrc" -eq 0
# zcomp LINE: what zsh offered for LINE, one line, sorted.
zcomp() {
	awk -v l="$1:" '$0 == l { on = 1; next } on && /^</ { print; next } { on = 0 }' "$T/zsh.out" |
		sed 's/^<\(.*\)>$/\1/' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
check "zsh: invdump --pro offers --profile and --progress" is "$(zcomp 'invdump --pro')" "--profile --progress"
check "zsh: -p d completes to drf" is "$(zcomp 'invdump -p d')" "drf"
check "zsh: --profile= offers every profile" is "$(zcomp 'invdump --profile=')" "$profiles"
check "zsh: --compress offers gzip and none" is "$(zcomp 'invdump --compress ')" "gzip none"
check "zsh: -o and --cacert complete file names" sh -c '
	[ "$1" = "grid-ca.pem guests.ndjson.gz" ] && [ "$2" = "$1" ]' _ \
	"$(zcomp 'invdump -o g')" "$(zcomp 'invdump --cacert g')"
check "zsh: --capath c offers the directory" sh -c 'echo " $1 " | grep -q " certs "' _ "$(zcomp 'invdump --capath c')"
zcomp 'invdump -' | tr ' ' '\n' >"$T/zsh-all"
all_in "$T/zsh-all" "$T/long" "zsh: invdump - offers every long flag"

done_testing
