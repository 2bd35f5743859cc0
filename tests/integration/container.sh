#!/bin/sh
# container.sh - contrib/container/Containerfile, mirrored on this machine
# (no container engine needed): its build stage's packages are those of
# the README's command 1 and installed here, and its RUN steps, run in a
# clean copy of the source, build a binary; the runtime stage installs a
# package for every library that binary needs (objdump -p: NEEDED,
# mapped to packages by dpkg -S) and no other (but ca-certificates), runs
# as a user that is not root, and its entrypoint is the binary the build
# stage installed.
. "$TESTS_SRCDIR/integration/setup.sh"

TOP=$(cd "$TESTS_SRCDIR/.." && pwd)
CF=$TOP/contrib/container/Containerfile
README=$TOP/README

check "contrib/container has its Containerfile and README" \
	test -f "$CF" -a -f "$TOP/contrib/container/README"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read the Containerfile (apt-get install python3)"
command -v dpkg >/dev/null 2>&1 || skip_all "dpkg is needed to map libraries to packages (a Debian system)"
command -v objdump >/dev/null 2>&1 || skip_all "objdump is needed for the NEEDED libraries (apt-get install binutils)"
command -v ldd >/dev/null 2>&1 || skip_all "ldd is needed to find the NEEDED libraries' files (apt-get install libc-bin)"

# The Containerfile, read the way a builder reads it: instructions with
# their continuation lines joined, comments dropped, one stage per FROM.
# Writes into $T/cf: build.from, build.pkgs (one a line), build.workdir,
# build.runs (the RUN steps after the package install, one a line),
# rt.from, rt.pkgs, rt.copy ("SRC DEST" of COPY --from=build), rt.user,
# rt.entry (the ENTRYPOINT's first word); fails on a shape it does not
# know.
mkdir "$T/cf"
set +e
python3 - "$CF" "$T/cf" >"$T/parse.err" 2>&1 <<'PY'
import json, os, re, shlex, sys

text = open(sys.argv[1]).read()
out = sys.argv[2]
def fail(msg):
    print(msg)
    sys.exit(1)
lines = []
cur = ""
for raw in text.split("\n"):
    s = raw.strip()
    if not cur and (not s or s.startswith("#")):
        continue
    if cur and s.startswith("#"):
        continue
    if s.endswith("\\"):
        cur += s[:-1] + " "
        continue
    cur += s
    lines.append(cur)
    cur = ""
stages = []
for l in lines:
    word, _, rest = l.partition(" ")
    word = word.upper()
    rest = rest.strip()
    if word == "FROM":
        m = re.match(r"^(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
        if not m:
            fail("FROM %r" % rest)
        stages.append({"from": m.group(1), "name": m.group(2), "ins": []})
    elif not stages:
        fail("%s before the first FROM" % word)
    else:
        stages[-1]["ins"].append((word, rest))
if len(stages) != 2:
    fail("%d stages: want a build stage and a runtime stage" % len(stages))
build, rt = stages
if not build["name"]:
    fail("the build stage has no name (FROM IMAGE AS NAME)")

def apt_pkgs(stage):
    """The packages of the stage's apt-get install, and the other RUNs."""
    pkgs, runs = None, []
    for word, rest in stage["ins"]:
        if word != "RUN":
            continue
        if "apt-get install" in rest:
            if pkgs is not None:
                fail("two apt-get install steps in one stage")
            cmd = rest.split("apt-get install", 1)[1].split("&&", 1)[0]
            pkgs = [w for w in shlex.split(cmd) if not w.startswith("-")]
        else:
            runs.append(rest)
    if not pkgs:
        fail("a stage (FROM %s) installs no package" % stage["from"])
    return pkgs, runs

def put(name, lines):
    with open(os.path.join(out, name), "w") as f:
        f.write("".join(l + "\n" for l in lines))

bpkgs, bruns = apt_pkgs(build)
workdir = [r for w, r in build["ins"] if w == "WORKDIR"]
if len(workdir) != 1 or not workdir[0].startswith("/"):
    fail("the build stage wants one absolute WORKDIR: %r" % workdir)
if [r for w, r in build["ins"] if w == "COPY"] != [". ."]:
    fail("the build stage wants one COPY . . of the source")
put("build.from", [build["from"]])
put("build.pkgs", bpkgs)
put("build.workdir", workdir)
put("build.runs", bruns)

rpkgs, rruns = apt_pkgs(rt)
if rruns:
    fail("the runtime stage runs more than its package install: %r" % rruns)
copies = [r for w, r in rt["ins"] if w == "COPY"]
if len(copies) != 1 or not copies[0].startswith("--from=%s " % build["name"]):
    fail("the runtime stage wants one COPY --from=%s: %r" % (build["name"], copies))
src, dest = copies[0].split()[1:]
users = [r for w, r in rt["ins"] if w == "USER"]
if len(users) != 1:
    fail("the runtime stage wants one USER: %r" % users)
entry = [r for w, r in rt["ins"] if w == "ENTRYPOINT"]
if len(entry) != 1:
    fail("the runtime stage wants one ENTRYPOINT: %r" % entry)
try:
    e = json.loads(entry[0])
except ValueError:
    fail("ENTRYPOINT %s is not the exec form (a JSON array)" % entry[0])
if not isinstance(e, list) or not e:
    fail("ENTRYPOINT %s is not a JSON array of words" % entry[0])
put("rt.from", [rt["from"]])
put("rt.pkgs", rpkgs)
put("rt.copy", [src + " " + dest])
put("rt.user", users)
put("rt.entry", [e[0]])
PY
prc=$?
set -e
check "Containerfile: two stages, each with its apt-get install, a COPY --from the build stage, one USER, an exec-form ENTRYPOINT" \
	sh -c "[ $prc -eq 0 ] || { sed 's/^/# /' '$T/parse.err'; exit 1; }"
[ "$prc" -eq 0 ] || { done_testing; exit; }

check "Containerfile: the build stage is FROM debian:12" test "$(cat "$T/cf/build.from")" = debian:12
check "Containerfile: the runtime stage is FROM debian:12-slim" test "$(cat "$T/cf/rt.from")" = debian:12-slim

# ------------------------------------------------------------- build stage
# The README's command 1: the line with apt-get install, its packages.
# (the first apt-get install -y of the line; the second is npm's own).
grep '^    sudo=.*apt-get install' "$README" | head -n 1 |
	awk -F 'apt-get install -y ' '{ print $2 }' | sed 's/ &&.*//' |
	tr ' ' '\n' | sed '/^$/d' >"$T/readme.pkgs"
check "the README's command 1 installs packages" test -s "$T/readme.pkgs"
notinreadme() {
	sort -u "$T/cf/build.pkgs" >"$T/a"
	sort -u "$T/readme.pkgs" >"$T/b"
	comm -23 "$T/a" "$T/b" >"$T/c"
	[ ! -s "$T/c" ] || { diag "not in the README's command 1: $(tr '\n' ' ' <"$T/c")"; return 1; }
}
check "Containerfile: the build stage installs packages of the README's command 1 only" notinreadme

missing=
while IFS= read -r p; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done <"$T/cf/build.pkgs"

# A clean copy of the source, as COPY . . gives a builder run from a clean
# checkout: the files git knows (tracked, or new and not ignored) when the
# source is a git checkout's top, or else a tree never configured in place
# (make distcheck's: a tarball's tree, read-only, inside the clone it came
# from, with its build in _build).
W=$T/src
nocopy=
if command -v git >/dev/null 2>&1 &&
    [ "$(git -C "$TOP" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$TOP" && pwd -P)" ]; then
	copy() {
		(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
			xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$W"
	}
elif [ ! -f "$TOP/config.status" ]; then
	copy() {
		(cd "$TOP" && tar --exclude=./_build -cf - .) | tar -xf - -C "$W" &&
			chmod -R u+w "$W"
	}
else
	nocopy="no clean copy of the source: configured in place and not a git checkout (or no git: apt-get install git)"
fi

BUILT=
if [ -n "$missing" ]; then
	skip "the build stage's steps: not installed here:$missing (apt-get install$missing)"
elif [ -n "$nocopy" ]; then
	skip "the build stage's steps: $nocopy"
else
	mkdir "$W"
	copy
	# pkg-config sees only the .pc files of the build stage's packages, so
	# that configure finds no library this machine has for other reasons
	# (the compiler still sees every header here: yajl, which configure
	# also finds without pkg-config, is not caught that way).
	mkdir "$T/pc"
	while IFS= read -r p; do
		dpkg -L "$p" 2>/dev/null | grep '\.pc$' || true
	done <"$T/cf/build.pkgs" | while IFS= read -r f; do ln -sf "$f" "$T/pc/"; done
	diag "pkg-config modules of the build stage: $(cd "$T/pc" && echo *)"
	PKG_CONFIG_LIBDIR=$T/pc
	export PKG_CONFIG_LIBDIR
	unset PKG_CONFIG_PATH 2>/dev/null || true
	# Each RUN step after the install, in the WORKDIR (here the copy), as
	# the builder's /bin/sh -c runs it.
	: >"$T/build.log"
	brc=0
	while IFS= read -r step; do
		echo "+ $step" >>"$T/build.log"
		(cd "$W" && sh -c "$step") >>"$T/build.log" 2>&1 </dev/null || { brc=$?; break; }
	done <"$T/cf/build.runs"
	unset PKG_CONFIG_LIBDIR
	check "the build stage's RUN steps, in a clean copy of the source: status 0" \
		sh -c "[ $brc -eq 0 ] || { tail -n 20 '$T/build.log' | sed 's/^/# /'; exit 1; }"
	# COPY --from=build SRC: SRC is under the build stage's WORKDIR.
	src=$(cut -d' ' -f1 "$T/cf/rt.copy")
	wd=$(cat "$T/cf/build.workdir")
	case $src in
	"$wd"/*) BUILT=$W/${src#"$wd"/} ;;
	*) BUILT=$W/not-under-the-workdir ;;
	esac
	check "COPY --from=build copies a program the build stage made ($src)" test -x "$BUILT"
	check "... which runs: --version" sh -c "'$BUILT' --version | grep -q '^invdump '"
fi
if [ -z "$BUILT" ] || [ ! -x "$BUILT" ]; then
	# Without the build stage's binary, the one under test is the same program.
	BUILT=$INVDUMP
	diag "the libraries of $INVDUMP instead"
fi

# ----------------------------------------------------------- runtime stage
# NEEDED sonames, each to the package that has the file ldd finds for it
# (dpkg knows /lib/... or /usr/lib/..., whichever the package ships).
objdump -p "$BUILT" | awk '$1 == "NEEDED" { print $2 }' >"$T/needed"
: >"$T/needed.pkgs"
: >"$T/unmapped"
while IFS= read -r so; do
	f=$(ldd "$BUILT" | awk -v s="$so" '$1 == s && $2 == "=>" { print $3 }')
	pkg=
	for g in "$f" "/usr$f" "${f#/usr}"; do
		[ -n "$g" ] || continue
		pkg=$(dpkg -S "$g" 2>/dev/null | head -n 1 | sed 's/[:,].*//') && [ -n "$pkg" ] && break
	done
	if [ -n "$pkg" ]; then
		echo "$so $pkg" >>"$T/needed.pkgs"
	else
		echo "$so ($f)" >>"$T/unmapped"
	fi
done <"$T/needed"
diag "NEEDED -> package:" "$(cat "$T/needed.pkgs")"
check "every NEEDED library of the binary is a file of a Debian package here" \
	sh -c "[ ! -s '$T/unmapped' ] || { sed 's/^/# no package: /' '$T/unmapped'; exit 1; }"

# The packages named in the runtime stage, but for those that are there
# for their data, not a library.
grep -vx ca-certificates "$T/cf/rt.pkgs" | sort -u >"$T/rt.libpkgs" || true
cut -d' ' -f2 "$T/needed.pkgs" | sort -u >"$T/want.pkgs"
comm -23 "$T/want.pkgs" "$T/rt.libpkgs" >"$T/lacking"
comm -13 "$T/want.pkgs" "$T/rt.libpkgs" >"$T/extra"
check "the runtime stage installs the package of every NEEDED library" \
	sh -c "[ ! -s '$T/lacking' ] || { sed 's/^/# not installed by the runtime stage: /' '$T/lacking'; exit 1; }"
check "the runtime stage installs no package that provides none of them (but ca-certificates)" \
	sh -c "[ ! -s '$T/extra' ] || { sed 's/^/# provides no NEEDED library: /' '$T/extra'; exit 1; }"
check "the runtime stage installs ca-certificates (https:// and S3 are verified against it)" \
	grep -qx ca-certificates "$T/cf/rt.pkgs"

# USER: not root, by name or number (user, or user:group).
user=$(cut -d: -f1 "$T/cf/rt.user")
check "the runtime stage runs as a user that is not root ($user)" \
	sh -c "case '$user' in root|0|'') exit 1 ;; esac"
check "... given by number, so that runAsNonRoot can check it" \
	sh -c "case '$user' in *[!0-9]*) exit 1 ;; esac"

dest=$(cut -d' ' -f2 "$T/cf/rt.copy")
check "the ENTRYPOINT is the program COPY --from=build put in place ($dest)" \
	test "$(cat "$T/cf/rt.entry")" = "$dest"

done_testing
