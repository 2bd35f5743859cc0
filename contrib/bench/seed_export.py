#!/usr/bin/env python3
"""seed_export.py - the export script invdump replaces, as people write it.

This is the SoftLayer "cf_call" pattern, kept deliberately ordinary so the
benchmark compares invdump with what runs in production today:

  * python3 + requests, one requests.Session per thread (threading.local);
  * the first request reads the total from the X-Total-Count header, then
    every remaining offset is submitted to a ThreadPoolExecutor(max_workers=W);
  * every page's parsed JSON (resp.json()) is collected in memory;
  * at the end all items are written in order, one
    json.dumps(item, separators=(',', ':'), ensure_ascii=False) per line,
    into gzip.open(path, 'wt') at Python's default level (9).

There is no retry adapter and no rate limiting: raise_for_status() makes the
first 429 or 5xx (or a dropped connection) end the run with a traceback and
exit status 1.  That is the behaviour under test, not an oversight.

Usage: seed_export.py URL [-w W] [-l LIMIT] -o PATH
URL is an offset/limit endpoint, e.g. http://127.0.0.1:8080/offset/items
"""
import argparse
import concurrent.futures
import gzip
import json
import threading

import requests

_local = threading.local()


def session():
    if not hasattr(_local, "s"):
        _local.s = requests.Session()
    return _local.s


def cf_call(url, offset, limit):
    resp = session().get(url, params={"offset": offset, "limit": limit},
                         timeout=60)
    resp.raise_for_status()
    return resp


def fetch_page(url, offset, limit):
    return cf_call(url, offset, limit).json()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("-w", "--workers", type=int, default=10)
    ap.add_argument("-l", "--limit", type=int, default=100)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()

    first = cf_call(a.url, 0, a.limit)
    total = int(first.headers["X-Total-Count"])
    pages = [first.json()]
    offsets = list(range(a.limit, total, a.limit))
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.workers) as ex:
        futures = [ex.submit(fetch_page, a.url, off, a.limit)
                   for off in offsets]
        for f in futures:               # in submission order = offset order
            pages.append(f.result())

    with gzip.open(a.output, "wt", encoding="utf-8") as out:
        for page in pages:
            for item in page:
                out.write(json.dumps(item, separators=(",", ":"),
                                     ensure_ascii=False))
                out.write("\n")


if __name__ == "__main__":
    main()
