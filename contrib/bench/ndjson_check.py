#!/usr/bin/env python3
"""ndjson_check.py TRUTH OUTPUT - compare an export with the server's truth.

TRUTH is mockapi's /truth (canonical NDJSON); OUTPUT is the export, gzip
(any number of members) or plain.  Prints one verdict on stdout and exits 0
when the output holds the same items, 1 when it does not:

  ok                     byte for byte identical after decompression
  ok (parsed)            not identical, but every line json.loads() to the
                         same Python value as the truth's line (escaping
                         or number spelling differs: 1E+2 -> 100.0); a
                         note is added when lines are not strict JSON
                         (NaN/Infinity, which RFC 8259 loaders reject)
  WRONG: ...             different line count, or lines whose values
                         differ; "numbers rounded to double" when they
                         would be equal if every number were a double
                         (64-bit ids lost precision)

ndjson_check.py --batch LIST [CACHEDIR] does the same for many exports in
one process (bench.sh's fleets: hundreds of small outputs): LIST has one
"TRUTH<TAB>OUTPUT" a line, and one verdict is printed per line, in order;
exit 0.  With CACHEDIR, verdicts are kept there by the contents' SHA-256
(the same outputs come back round after round).
"""
import gzip
import hashlib
import json
import os
import sys

MAXF = sys.float_info.max


def strict_loads(line):
    def bad(name):
        raise ValueError("not JSON: " + name)
    return json.loads(line, parse_constant=bad)


def as_double(s):
    f = float(s)
    if f == float("inf"):
        return MAXF
    if f == float("-inf"):
        return -MAXF
    return f


def double_loads(line):
    return json.loads(line, parse_int=as_double, parse_float=as_double,
                      parse_constant=as_double)


def read_output(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head == b"\x1f\x8b":
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def verdict(truth, out):
    if truth == out:
        return True, "ok"
    tl = truth.split(b"\n")
    ol = out.split(b"\n")
    if tl and tl[-1] == b"":
        tl.pop()
    if ol and ol[-1] == b"":
        ol.pop()
    if len(tl) != len(ol):
        return False, "WRONG: %d lines, truth has %d" % (len(ol), len(tl))
    differ = rounded_only = nonstrict = 0
    for t, o in zip(tl, ol):
        if t == o:
            continue
        try:
            same = json.loads(t) == json.loads(o)
        except ValueError:
            same = False
        if same:
            try:
                strict_loads(o)
            except ValueError:
                nonstrict += 1
            continue
        differ += 1
        try:
            if double_loads(t) == double_loads(o):
                rounded_only += 1
        except ValueError:
            pass
    if differ == 0:
        if nonstrict:
            return True, ("ok (parsed; %d lines not strict JSON: "
                          "Infinity)" % nonstrict)
        return True, "ok (parsed)"
    why = ("numbers rounded to double" if rounded_only == differ
           else "values differ")
    return False, "WRONG: %d of %d lines, %s" % (differ, len(tl), why)


def batch(listfile, cache):
    truths = {}
    with open(listfile, encoding="utf-8") as f:
        pairs = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    for tpath, opath in pairs:
        if tpath not in truths:
            with open(tpath, "rb") as f:
                t = f.read()
            truths[tpath] = (t, hashlib.sha256(t).hexdigest())
        truth, th = truths[tpath]
        try:
            out = read_output(opath)
        except (OSError, EOFError) as e:
            print("WRONG: unreadable output (%s)" % e)
            continue
        key = hashlib.sha256((th + hashlib.sha256(out).hexdigest())
                             .encode()).hexdigest()[:32]
        cf = os.path.join(cache, "batch." + key) if cache else None
        if cf and os.path.exists(cf):
            with open(cf, encoding="utf-8") as f:
                print(f.read().rstrip("\n"))
            continue
        _, text = verdict(truth, out)
        if cf:
            with open(cf, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        print(text)


def main():
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--batch":
        batch(sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
        return
    if len(sys.argv) != 3:
        sys.exit("usage: ndjson_check.py TRUTH OUTPUT")
    with open(sys.argv[1], "rb") as f:
        truth = f.read()
    try:
        out = read_output(sys.argv[2])
    except (OSError, EOFError) as e:
        print("WRONG: unreadable output (%s)" % e)
        sys.exit(1)
    ok, text = verdict(truth, out)
    print(text)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
