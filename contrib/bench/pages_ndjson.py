#!/usr/bin/env python3
"""pages_ndjson.py DIR OUT.gz - raw pages to NDJSON, for checking only.

aria2c fetches the pages without parsing them (one file per page, named so
that they sort in page order).  To check that it fetched everything, each
page is json.loads()ed and its items are written one a line the way
seed_export.py writes them, into OUT.gz; ndjson_check.py then compares that
with /truth ("ok (parsed)" at best: Python respells numbers).  bench.sh
runs this after the timed run, so it is not part of aria2c's figures.
"""
import gzip
import json
import os
import sys


def main():
    d, out = sys.argv[1], sys.argv[2]
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=1) as f:
        for name in sorted(os.listdir(d)):
            if not name.startswith("p."):
                continue
            with open(os.path.join(d, name), encoding="utf-8") as p:
                for item in json.load(p):
                    f.write(json.dumps(item, separators=(",", ":"),
                                       ensure_ascii=False))
                    f.write("\n")


if __name__ == "__main__":
    main()
