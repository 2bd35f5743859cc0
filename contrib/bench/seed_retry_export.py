#!/usr/bin/env python3
"""seed_retry_export.py - seed_export.py with the retry policy people add.

The fair peer for the rate-limited and faulty scenarios: everything as in
seed_export.py (requests.Session per thread, the total from X-Total-Count,
ThreadPoolExecutor(max_workers=W), every page's JSON kept in memory, one
json.dumps line per item into gzip.open(path, 'wt')), plus the usual
"requests + urllib3 Retry" recipe on every session:

    Retry(total=10, backoff_factor=0.5,
          status_forcelist=(429, 500, 502, 503, 504),
          allowed_methods={"GET"})       # respect_retry_after_header=True
    session.mount("http://", HTTPAdapter(max_retries=retry))

so 429/500/502/503/504 answers and connection errors (refused, reset before
the answer, read timeouts waiting for the headers) are retried, sleeping
Retry-After when the answer has one (urllib3 honours it on 429 and 503)
and otherwise backoff_factor * 2**(n-1) seconds (0 for the first retry;
0, 1, 2, 4, 8 ... s), at most 10 retries per request.

One addition, because the adapter alone does not do what its policy says:
requests reads the body after urllib3's retry loop has returned, so a
connection that breaks, or stalls past the read timeout, in the middle of
a body (ChunkedEncodingError / ConnectionError from resp.content) is never
retried by the adapter.  Those are fed to the same Retry object here
(Retry.increment + Retry.sleep: the same count and the same backoff), so
the whole policy is "retry on 429/5xx and on connection errors".  The
requests are made with stream=True only so that a broken body can be told
apart from a request the adapter already gave up on.

Usage: seed_retry_export.py URL [-w W] [-l LIMIT] -o PATH
URL is an offset/limit endpoint, e.g. http://127.0.0.1:8080/offset/items
"""
import argparse
import concurrent.futures
import gzip
import json
import threading

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ProtocolError
from urllib3.util.retry import Retry

RETRY = Retry(total=10, backoff_factor=0.5,
              status_forcelist=(429, 500, 502, 503, 504),
              allowed_methods=frozenset({"GET"}))

_local = threading.local()


def session():
    if not hasattr(_local, "s"):
        s = requests.Session()
        adapter = HTTPAdapter(max_retries=RETRY)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        _local.s = s
    return _local.s


def cf_call(url, offset, limit):
    retry = RETRY
    while True:
        resp = session().get(url, params={"offset": offset, "limit": limit},
                             timeout=60, stream=True)
        resp.raise_for_status()
        try:
            resp.content            # reads the whole body
            return resp
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ConnectionError) as e:
            resp.close()
            # raises urllib3's MaxRetryError once the retries are used up
            retry = retry.increment(method="GET", url=resp.url,
                                    error=ProtocolError(str(e)))
            retry.sleep()


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
