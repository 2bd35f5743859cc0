#!/bin/sh
# design.sh - doc/DESIGN.md is true of the code it maps, by the rules its
# section "How this document names code" states:
#   - every src/*.c and src/*.h is named in the first cell of a row of the
#     module table, and every file named there exists;
#   - `F` (`X.c`) (or a list, `F`, `G` (`X.c`), or plain F() (X.c)) says
#     that F is defined in src/X.c; near misses ("`F` in `X.c`", "`F`
#     (X.c)", "(X.c, F)") are refused, so that no other way of naming a
#     function with its file goes unchecked;
#   - a backquoted snake_case name (`f_g` or `f_g()`), or f_g() anywhere,
#     is defined somewhere in src/; `NAME_X` is a #define; `s.m` is a
#     member m of struct s; `struct s` and `enum e` are defined; a
#     backquoted x.c, x.h or x.[ch] exists in src/;
#   - a function a module's row names without a file is that module's;
#     every function in the Checks table's "where it is caught" column
#     names its file;
#   - every unit test of UNIT_TESTS, every script of INTEGRATION_TESTS
#     (Makefile.am) and every tests/fuzz/fuzz_*.c is named in the Tests
#     section, and every test_*, fuzz_* and *.sh named anywhere exists.
# "Defined" is exact, never a substring: a line of the file that starts
# with "F(" (a function: the project puts a definition's name at the start
# of its line), "#define F", or a file-scope variable F.
#
# DESIGN_TOP (a copy of the source tree) and DESIGN_DOC (another document)
# point it elsewhere, to try it on a broken copy.  Only sh, grep, sed, awk.
. "$TESTS_SRCDIR/integration/setup.sh"

LC_ALL=C
export LC_ALL
TOP=${DESIGN_TOP:-$TESTS_SRCDIR/..}
DOC=${DESIGN_DOC:-$TOP/doc/DESIGN.md}
SRC=$TOP/src

if [ ! -f "$DOC" ] || [ ! -d "$SRC" ]; then
	echo "Bail out! no $DOC or $SRC"
	exit 1
fi

# ---------------------------------------------------------------- the code
# One fact a line: "def FILE NAME" (a function, macro or file-scope
# variable), "member STRUCT NAME", "struct NAME", "enum NAME", "file NAME".
cat >"$T/facts.awk" <<'EOF'
FNR == 1 {
	file = FILENAME; sub(/.*\//, "", file)
	print "file", file
	incomment = 0; depth = 0
}
{
	line = $0
	# Comments out: what they say is no definition.
	out = ""
	while (line != "") {
		if (incomment) {
			if ((i = index(line, "*/")) == 0) { line = ""; break }
			line = substr(line, i + 2); incomment = 0
		} else {
			if ((i = index(line, "/*")) == 0) { out = out line; break }
			out = out substr(line, 1, i - 1) " "
			line = substr(line, i + 2); incomment = 1
		}
	}
	line = out
}
match(line, /^[a-z_][a-z0-9_]*\(/) {
	print "def", file, substr(line, 1, RLENGTH - 1)
}
match(line, /^#[ \t]*define[ \t]+[A-Za-z_][A-Za-z0-9_]*/) {
	s = substr(line, 1, RLENGTH); sub(/.*[ \t]/, "", s)
	print "def", file, s
}
# A file-scope variable: "static T name[N];", "T *name = ...;".
depth == 0 && line ~ /^[a-z]/ && line !~ /^(typedef|struct [a-z_0-9]+ \{|enum [a-z_0-9]+ \{|union)/ {
	s = line
	sub(/ = .*/, "", s); sub(/;.*/, "", s)
	if (s !~ /\(/ && s ~ /[ *][a-z_][a-z0-9_]*(\[[^]]*\])*$/ &&
	    (line ~ / = / || line ~ /;[ \t]*$/)) {
		gsub(/\[[^]]*\]/, "", s); sub(/.*[ *]/, "", s)
		print "def", file, s
	}
}
function members(s, tag,    t) {
	if (tag == "")
		return
	if (index(s, "(") > 0) {
		# A function pointer: its name alone, not its parameters'.
		while (match(s, /\(\*[a-z_][a-z0-9_]*\)/)) {
			print "member", tag, substr(s, RSTART + 2, RLENGTH - 3)
			s = substr(s, RSTART + RLENGTH)
		}
		return
	}
	while (match(s, /[a-z_][a-z0-9_]*(\[[^]]*\])*[ \t]*[,;:]/)) {
		t = substr(s, RSTART, RLENGTH)
		sub(/[\[ \t,;:].*/, "", t)
		print "member", tag, t
		s = substr(s, RSTART + RLENGTH)
	}
}
match(line, /(^|[^a-z0-9_])enum [a-z_][a-z0-9_]* \{/) {
	s = substr(line, RSTART, RLENGTH); sub(/.*enum /, "", s); sub(/ .*/, "", s)
	print "enum", s
}
match(line, /(^|[^a-z0-9_])(struct|union) [a-z_][a-z0-9_]* \{/) {
	s = substr(line, RSTART, RLENGTH); sub(/.*(struct|union) /, "", s)
	sub(/ .*/, "", s)
	print "struct", s
	stack[++depth] = s
	next
}
depth > 0 && line ~ /^[ \t]*(struct|union)[ \t]*\{/ {
	stack[depth + 1] = stack[depth]; depth++     # anonymous: the outer's
	next
}
depth > 0 && line ~ /^[ \t]*\}/ {
	depth--
	s = line; sub(/^[ \t]*\}/, "", s)
	if (depth > 0)
		members(s, stack[depth])
	next
}
depth > 0 && line ~ /\{/ && line !~ /\}/ {
	stack[++depth] = ""                 # an enum's body, or an initializer
	next
}
depth > 0 { members(line, stack[depth]) }
EOF
awk -f "$T/facts.awk" "$SRC"/*.c "$SRC"/*.h | sort -u >"$T/facts"

# What exists under tests/: "test NAME" for each unit test source, fuzz
# target and integration script.
for f in "$TOP"/tests/unit/test_*.c "$TOP"/tests/fuzz/fuzz_*.c; do
	[ -f "$f" ] || continue
	f=${f##*/}
	echo "test ${f%.c}"
done >"$T/tests"
for f in "$TOP"/tests/integration/*.sh; do
	[ -f "$f" ] && echo "test ${f##*/}"
done >>"$T/tests"

# What Makefile.am runs: "unit test_NAME", "script NAME.sh".
awk '
/^(UNIT|INTEGRATION)_TESTS[ \t]*=/ { on = $1; }
on != "" {
	for (i = 1; i <= NF; i++) {
		w = $i
		if (w !~ /^tests\//)
			continue
		sub(/.*\//, "", w)
		print (on == "UNIT_TESTS" ? "unit" : "script"), w
	}
	if ($0 !~ /\\$/)
		on = ""
}' "$TOP/Makefile.am" >"$T/make"

# ---------------------------------------------------------------- the map
# One claim a line, with the document's line number:
#   module LINE NAME          a name in the module table's first column
#   row LINE FILES NAME       a function a module's row names, unbound
#   bind LINE FILE NAME       NAME is defined in src/FILE
#   cunbound LINE NAME        the Checks table names NAME without its file
#   func LINE NAME            defined somewhere in src/
#   macro LINE NAME           a #define in src/
#   member LINE STRUCT NAME   a member of that struct
#   struct LINE NAME, enum LINE NAME, file LINE NAME (in src/)
#   test LINE NAME            a test, fuzz target or script
#   intests NAME              named in the Tests section
#   near LINE TEXT            a near miss of the notation
#   section NAME              a section the document has
cat >"$T/doc.awk" <<'EOF'
BEGIN {
	ID = "[a-z_][a-z0-9_]*"
	FN = "[a-z][a-z0-9]*(_[a-z0-9]+)+"
	FILE = "[a-z0-9_]+\\.[ch]"
	BIND = "`" ID "(\\(\\))?`(, `" ID "(\\(\\))?`)* \\(`" FILE "`\\)"
	PLAIN = ID "\\(\\) \\(`?" FILE "`?\\)"
}
function flush() {
	if (unit != "")
		scan(unit, uline, "")
	unit = ""
}
# The backquoted spans of s, without their backquotes, into q[1..n].
function spans(s, q,    n, i) {
	n = 0
	while ((i = index(s, "`")) > 0) {
		s = substr(s, i + 1)
		if ((i = index(s, "`")) == 0)
			break
		q[++n] = substr(s, 1, i - 1)
		s = substr(s, i + 1)
	}
	return n
}
# Every name of a notation's match m, bound to its file.
function bindings(m, b, ln,    f, n, q, i, k) {
	f = m; sub(/.*\(`?/, "", f); sub(/`?\)$/, "", f)
	sub(/ \(`?[^(]*`?\)$/, "", m)       # the names only
	n = spans(m, q)
	if (n == 0) {                       # plain F()
		q[1] = m; n = 1
	}
	for (i = 1; i <= n; i++) {
		k = q[i]; sub(/\(\)$/, "", k)
		print "bind", ln, f, k
		b[k] = 1
	}
}
# Every claim in one unit of text (a paragraph, a table row, a line of a
# fenced block); rowfiles: a module row's files, for its unbound names;
# b: the names bound here, returned.
function scan(s, ln, rowfiles, b,    t, n, q, i, k, m, re) {
	t = s
	while (match(t, BIND)) {
		bindings(substr(t, RSTART, RLENGTH), b, ln)
		t = substr(t, RSTART + RLENGTH)
	}
	t = s
	while (match(t, PLAIN)) {
		m = substr(t, RSTART, RLENGTH)
		if (RSTART == 1 || substr(t, RSTART - 1, 1) !~ /[`a-z0-9_]/)
			bindings(m, b, ln)
		t = substr(t, RSTART + RLENGTH)
	}
	# Near misses: a function and a file some other way.
	re = "`" FN "(\\(\\))?` \\(" FILE "[^`]|`" FN "(\\(\\))?`,? in `?" FILE \
	    "|" FN "\\(\\),? in `?" FILE "|\\(`?" FILE "`?, `?" FN \
	    "|`" FN "(\\(\\))?` \\(`" FILE "`[^)]"
	t = s
	while (match(t, re)) {
		print "near", ln, substr(t, RSTART, RLENGTH)
		t = substr(t, RSTART + RLENGTH)
	}
	# f_g() outside backquotes.
	t = s
	while (match(t, FN "\\(\\)")) {
		m = substr(t, RSTART, RLENGTH - 2)
		if (RSTART == 1 || substr(t, RSTART - 1, 1) !~ /[`a-z0-9_]/)
			print "func", ln, m
		t = substr(t, RSTART + RLENGTH)
	}
	n = spans(s, q)
	for (i = 1; i <= n; i++) {
		k = q[i]
		if (k ~ /^(test|fuzz)_[a-z0-9_]+$/ || k ~ /^[a-z0-9_]+\.sh$/) {
			print "test", ln, k
			if (sect == "Tests")
				print "intests", k
			continue
		}
		if (k ~ "^" FN "(\\(\\))?$") {
			sub(/\(\)$/, "", k)
			print "func", ln, k
			if (rowfiles != "" && !(k in b))
				print "row", ln, rowfiles, k
		} else if (k ~ /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/)
			print "macro", ln, k
		else if (k ~ "^" FILE "$" || k ~ /^[a-z0-9_]+\.\[ch\]$/)
			print "file", ln, k
		else if (k ~ "^" ID "\\." ID "$") {
			sub(/\./, " ", k)
			print "member", ln, k
		} else if (k ~ "^(struct|enum) " ID "$")
			print (k ~ /^struct/ ? "struct" : "enum"), ln, substr(k, \
			    index(k, " ") + 1)
	}
}
# A table row's cells into c[1..n].
function cells(s, c,    n) {
	sub(/^\|/, "", s); sub(/\|[ \t]*$/, "", s)
	return split(s, c, "|")
}
# The section that states these rules shows them on made-up names.
/^#/ && sect == "How" { sect = "" }
sect == "How" { next }
/^```/ { flush(); fenced = !fenced; next }
fenced { scan($0, NR, ""); next }
/^#/ {
	flush()
	sect = $0; sub(/^#+ */, "", sect); sub(/ .*/, "", sect)
	print "section", sect
	next
}
/^\|/ {
	flush()
	n = cells($0, c)
	if ($0 ~ /^\| *---/ || c[1] ~ /^ *(module|lock|what the server) /) {
		scan($0, NR, "")
		next
	}
	if (sect == "Modules") {
		k = spans(c[1], q)
		files = ""
		for (i = 1; i <= k; i++) {
			print "module", NR, q[i]
			f = q[i]; sub(/\.\[ch\]$/, ".c", f)
			files = files (files == "" ? "" : ",") f
		}
		split("", b)
		scan($0, NR, files, b)
		next
	}
	if (sect == "Checks") {
		split("", b)
		scan(c[2], NR, "", b)
		k = spans(c[2], q)
		for (i = 1; i <= k; i++)
			if (q[i] ~ "^" FN "$" && !(q[i] in b))
				print "cunbound", NR, q[i]
		scan(c[1] "|" c[3], NR, "")
		next
	}
	scan($0, NR, "")
	next
}
/^[ \t]*$/ { flush(); next }
{
	if (unit == "")
		uline = NR
	s = $0; sub(/^[ \t]+/, "", s)
	unit = unit (unit == "" ? "" : " ") s
}
END { flush() }
EOF
awk -f "$T/doc.awk" "$DOC" >"$T/claims"

# ---------------------------------------------------------------- checks
# Each rule's failures, one a line ("RULE message"), from the claims
# against the facts.
awk '
FILENAME == ARGV[1] {
	if ($1 == "def") { def[$2 " " $3] = 1; anydef[$3] = 1 }
	else if ($1 == "member") member[$2 " " $3] = 1
	else if ($1 == "struct" || $1 == "enum") type[$1 " " $2] = 1
	else if ($1 == "file") file[$2] = 1
	next
}
FILENAME == ARGV[2] { test[$2] = 1; next }
FILENAME == ARGV[3] { make[$1 " " $2] = 1; next }
$1 == "module" {
	m = $3; seen_mod[m] = 1
	if (m ~ /\.\[ch\]$/) {
		b = m; sub(/\.\[ch\]$/, "", b)
		if (!((b ".c") in file) || !((b ".h") in file))
			print "modexists line " $2 ": " m " (src/" b ".c and " \
			    "src/" b ".h)"
		named[b ".c"] = named[b ".h"] = 1
	} else if (!(m in file))
		print "modexists line " $2 ": " m
	else
		named[m] = 1
	next
}
$1 == "bind" {
	nbind++
	if (!($3 in file))
		print "bind line " $2 ": `" $4 "` (`" $3 "`): no src/" $3
	else if (!(($3 " " $4) in def))
		print "bind line " $2 ": `" $4 "` is not defined in src/" $3
	next
}
$1 == "row" {
	n = split($3, rf, ","); ok = 0
	for (i = 1; i <= n; i++)
		if ((rf[i] " " $4) in def)
			ok = 1
	if (!ok)
		print "row line " $2 ": `" $4 "` is not defined in " $3 \
		    " (name its file: `" $4 "` (`FILE`))"
	next
}
$1 == "cunbound" {
	print "checks line " $2 ": `" $3 "` without its file (`" $3 "` (`FILE`))"
	next
}
$1 == "near" {
	$1 = ""; ln = $2; $2 = ""; sub(/^ +/, "")
	print "near line " ln ": \"" $0 "\": write `F` (`FILE`)"
	next
}
$1 == "func" {
	nfunc++
	if (!($3 in anydef))
		print "exists line " $2 ": " $3 " is defined nowhere in src/"
	next
}
$1 == "macro" {
	if (!($3 in anydef))
		print "exists line " $2 ": " $3 " is #defined nowhere in src/"
	next
}
$1 == "member" {
	if ($4 == "c" || $4 == "h") {
		if (!(($3 "." $4) in file))
			print "exists line " $2 ": no src/" $3 "." $4
	} else if (!(($3 " " $4) in member))
		print "exists line " $2 ": struct " $3 " has no member " $4
	next
}
$1 == "struct" || $1 == "enum" {
	if (!(($1 " " $3) in type))
		print "exists line " $2 ": no " $1 " " $3 " in src/"
	next
}
$1 == "file" {
	m = $3
	if (m ~ /\.\[ch\]$/) {
		b = m; sub(/\.\[ch\]$/, "", b)
		if (!((b ".c") in file) || !((b ".h") in file))
			print "exists line " $2 ": " m
	} else if (!(m in file))
		print "exists line " $2 ": no src/" m
	next
}
$1 == "test" {
	k = $3; sub(/\.c$/, "", k)
	if (!(k in test))
		print "tests line " $2 ": " $3 " is no test, fuzz target or " \
		    "script under tests/"
	next
}
$1 == "intests" { intests[$2] = 1; next }
$1 == "section" { section[$2] = 1; next }
END {
	for (f in file)
		if (f ~ /\.[ch]$/ && !(f in named))
			print "modules src/" f " is in no row of the module table"
	for (k in make) {
		split(k, w, " ")
		if (!(w[2] in intests))
			print "testlist " w[2] " (Makefile.am) is not named in " \
			    "the Tests section"
	}
	for (k in test)
		if (k ~ /^fuzz_/ && !(k in intests))
			print "testlist tests/fuzz/" k ".c is not named in the " \
			    "Tests section"
	if (!("Modules" in section) || !("Checks" in section) ||
	    !("Tests" in section))
		print "sections the Modules, Checks or Tests section is missing"
	if (nbind < 10)
		print "bind only " nbind + 0 " bindings found: the notation " \
		    "was not recognised"
	if (nfunc < 30)
		print "exists only " nfunc + 0 " function names found"
}' "$T/facts" "$T/tests" "$T/make" "$T/claims" >"$T/fail"

# rule RULE DESC: ok when RULE has no failure, else not ok with them.
rule() {
	if grep -q "^$1 " "$T/fail"; then
		not_ok "$2"
		diag "$(grep "^$1 " "$T/fail" | sed "s/^$1 //" | sort | head -n 40)"
	else
		ok "$2"
	fi
}
check "the document has its sections" sh -c '! grep -q "^sections " "$1"' \
	sh "$T/fail"
rule modules "every src/*.c and src/*.h is in the module table"
rule modexists "every module the table names exists"
rule bind "every function named with its file is defined in that file"
rule row "every function a module's row names without a file is its own"
rule checks "every function of the Checks table names its file"
rule near "functions are named with their files only as \`F\` (\`FILE\`)"
rule exists "every function, macro, member, type and file named exists"
rule tests "every test named exists"
rule testlist "every unit test, script and fuzz target is in Tests"

# No circles: no two src/*.c reach each other through calls, directly or
# through others.  A call is "name(" outside comments and strings, where
# another file defines name at the start of a line.  Files that call no
# file left, or that no file left calls, are taken away until none is;
# what remains is on a circle.
awk '
FNR == 1 { f = FILENAME; sub(/.*\//, "", f); files[f] = 1; incom = 0 }
{
	line = $0; out = ""
	while (line != "") {
		if (incom) {
			i = index(line, "*/")
			if (i == 0) { line = ""; break }
			line = substr(line, i + 2); incom = 0
		} else {
			i = index(line, "/*")
			if (i == 0) { out = out line; line = "" }
			else { out = out substr(line, 1, i - 1); line = substr(line, i + 2); incom = 1 }
		}
	}
	gsub(/"([^"\\]|\\.)*"/, "\"\"", out)
	if (match(out, /^[a-z_][a-z0-9_]*\(/))
		def[substr(out, 1, RLENGTH - 1)] = f
	code[f] = code[f] " " out
}
END {
	for (f in files) {
		s = code[f]
		while (match(s, /[a-z_][a-z0-9_]*\(/)) {
			n = substr(s, RSTART, RLENGTH - 1)
			s = substr(s, RSTART + RLENGTH)
			if ((n in def) && def[n] != f) edge[f, def[n]] = 1
		}
	}
	do {
		gone = 0
		for (f in files) {
			calls = called = 0
			for (g in files) {
				if ((f, g) in edge) calls = 1
				if ((g, f) in edge) called = 1
			}
			if (!calls || !called) {
				delete files[f]; gone = 1
				for (h in files) delete edge[h, f]
			}
		}
	} while (gone)
	for (f in files)
		for (g in files) if ((f, g) in edge) print f " -> " g
}' "$SRC"/*.c | sort >"$T/circles"
if [ -s "$T/circles" ]; then
	not_ok "the calls between src/*.c make no circle"
	diag "$(cat "$T/circles")"
else
	ok "the calls between src/*.c make no circle"
fi
# Functions short enough to read at once and simple enough to test: at most
# 80 lines and a (traditional) McCabe complexity of 25, as pmccabe counts.
if command -v pmccabe >/dev/null 2>&1; then
	pmccabe "$SRC"/*.c 2>/dev/null |
		awk '$5 > 80 || $2 > 25 { print $6 " " $7 ": " $5 " lines, complexity " $2 }' \
		>"$T/long"
	if [ -s "$T/long" ]; then
		not_ok "no function in src/ over 80 lines or a complexity of 25"
		diag "$(cat "$T/long")"
	else
		ok "no function in src/ over 80 lines or a complexity of 25"
	fi
else
	skip "no pmccabe (apt-get install pmccabe) to measure functions"
fi
done_testing
