#!/usr/bin/env python3
"""profile_summary.py REPORT - top functions and work kinds from perf report.

REPORT is `perf report --no-children --sort dso,symbol --stdio -g none`
output.  Prints the 15 functions with the most self time and the total by
kind of work.  A function is put in a kind by its library and name; the
table below is the whole rule.
"""
import re
import sys

KINDS = [
    ("deflate (libdeflate or zlib: match search, Huffman, window slide)",
     lambda d, s: (d.startswith("libz") or d.startswith("libdeflate"))
     and "crc32" not in s),
    ("crc32 (gzip trailer)",
     lambda d, s: d.startswith("libz") or d.startswith("libdeflate")),
    ("parse (yajl lexer and parser)",
     lambda d, s: d.startswith("libyajl") and not s.startswith("yajl_gen")
     and s != "yajl_string_encode"),
    ("generate (yajl_gen, string escaping, invdump's print/emit callbacks)",
     lambda d, s: d.startswith("libyajl")
     or (d == "invdump" and (s.startswith("page_") or "yajl" in s))),
    ("memcpy/memmove/memchr/strlen (libc)",
     lambda d, s: d.startswith("libc") and re.match(r"__(mem|str)", s)),
    ("curl (libcurl)", lambda d, s: d.startswith("libcurl")),
    ("kernel (sockets, scheduling, file writes)",
     lambda d, s: d.startswith("[kernel")),
    ("invdump, other", lambda d, s: d == "invdump"),
    ("other", lambda d, s: True),
]


def main():
    rows = []
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(\S+)", line)
            if m:
                rows.append((float(m.group(1)), m.group(2), m.group(3)))
    total = sum(r[0] for r in rows) or 1.0
    print()
    print("| # | function | library | self % |")
    print("|--:|----------|---------|-------:|")
    for i, (p, d, s) in enumerate(rows[:15], 1):
        print("| %d | %s | %s | %.1f |" % (i, s, d, p * 100 / total))
    sums = {}
    for p, d, s in rows:
        for name, test in KINDS:
            if test(d, s):
                sums[name] = sums.get(name, 0) + p
                break
    print()
    print("| kind of work | % of invdump's CPU time |")
    print("|--------------|------:|")
    for name, _ in KINDS:
        if name in sums:
            print("| %s | %.1f |" % (name, sums[name] * 100 / total))


if __name__ == "__main__":
    main()
