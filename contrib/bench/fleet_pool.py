#!/usr/bin/env python3
"""fleet_pool.py - the fleet script invdump --jobs replaces, as people write it.

The F5 dashboard pattern ("234 s -> 45 s with 16 threads"): one Python
process, one concurrent.futures.ThreadPoolExecutor(max_workers=W) shared
by every device and every page, standard library only:

  * urllib.request.urlopen per request (no keep-alive: a new connection
    for every page), timeout 60 s, no retries; or, with --session, one
    requests.Session per pool thread (threading.local), which keeps its
    connections open between requests (the keep-alive version of the
    script, the one the fleet issue's figures were measured with);
  * each target's first page is submitted at once; when it comes back with
    the total, the target's other pages are submitted to the same pool;
  * a target's pages are held in memory (json.loads) until the last one is
    in, then written in order, one json.dumps(item, separators=(',', ':'),
    ensure_ascii=False) per line, into gzip.open(OUTPUT, 'wt') at Python's
    default level (9) (a plain file when OUTPUT does not end in .gz).

The first failure (HTTP error, dropped connection, bad JSON) ends the run
with a traceback and exit status 1, as the seed-style scripts do.

Usage: fleet_pool.py [-w W] [-l LIMIT] [--session] TARGETS
TARGETS has one target a line, tab-separated: PROFILE URL OUTPUT, where
PROFILE is offset (?offset=&limit=, total in X-Total-Count, the body is the
array), f5 (?$skip=&$top=, body {"totalItems":N,"items":[...]}) or object
(one request; the body is written as one line).
"""
import argparse
import concurrent.futures as cf
import gzip
import json
import threading
import urllib.request

requests = None                 # the module, with --session
local = threading.local()       # --session: each thread's Session


def get(url):
    if requests is not None:
        s = getattr(local, "session", None)
        if s is None:
            s = local.session = requests.Session()
        resp = s.get(url, timeout=60)
        resp.raise_for_status()
        return resp.headers, json.loads(resp.content)
    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.headers, json.loads(resp.read())


def sep(url):
    return "&" if "?" in url else "?"


def page_url(profile, url, off, limit):
    if profile == "f5":
        return "%s%s$skip=%d&$top=%d" % (url, sep(url), off, limit)
    return "%s%soffset=%d&limit=%d" % (url, sep(url), off, limit)


def fetch(profile, url, off, limit):
    """(total or None, items) of one page."""
    if profile == "object":
        _, body = get(url)
        return 1, [body]
    headers, body = get(page_url(profile, url, off, limit))
    if profile == "f5":
        return int(body["totalItems"]), body.get("items", [])
    return int(headers["X-Total-Count"]), body


def write(path, pages):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        for page in pages:
            for item in page:
                out.write(json.dumps(item, separators=(",", ":"),
                                     ensure_ascii=False))
                out.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets")
    ap.add_argument("-w", "--workers", type=int, default=16)
    ap.add_argument("-l", "--limit", type=int, default=100)
    ap.add_argument("--session", action="store_true",
                    help="one requests.Session (keep-alive) per thread")
    a = ap.parse_args()
    if a.session:
        global requests
        import requests

    targets = []
    with open(a.targets, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                targets.append(line.rstrip("\n").split("\t"))

    pages = [None] * len(targets)       # per target: one list per page
    left = [0] * len(targets)           # pages not yet in
    with cf.ThreadPoolExecutor(max_workers=a.workers) as ex:
        pending = {}
        for t, (profile, url, _) in enumerate(targets):
            pending[ex.submit(fetch, profile, url, 0, a.limit)] = (t, 0)
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                t, n = pending.pop(fut)
                total, items = fut.result()
                profile, url, out = targets[t]
                if pages[t] is None:    # the first page: plan the rest
                    offs = [] if profile == "object" else \
                        list(range(a.limit, total, a.limit))
                    pages[t] = [None] * (1 + len(offs))
                    left[t] = 1 + len(offs)
                    for i, off in enumerate(offs, 1):
                        pending[ex.submit(fetch, profile, url, off,
                                          a.limit)] = (t, i)
                pages[t][n] = items
                left[t] -= 1
                if left[t] == 0:
                    write(out, pages[t])
                    pages[t] = []


if __name__ == "__main__":
    main()
