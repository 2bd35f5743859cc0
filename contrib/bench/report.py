#!/usr/bin/env python3
"""report.py RESULTS SHELL_RESULTS [--info INFO] (--scenario NAME | --targets)

Prints bench.sh's tables.  RESULTS has one tab-separated line per run:
scenario, tool, round, exit status, wall, user, sys (s), max RSS (KiB),
connections, 429 answers, items, pages, workers, latency (ms), rate (/s),
output verdict, other CPU (s), role ("clean" for the fault-free twin of a
run), 5xx answers, faults injected, list requests.  SHELL_RESULTS has the
shell scenario's runs.  INFO has "SCENARIO KEY VALUE" lines: the longest
Retry-After of scenario e, the stall length, the fleet's slow latency, or
why a scenario was skipped.  The fleet scenario's lines have three more
columns: when the five fast devices' outputs were all published, when the
slow device's were (s after the start; "" when the run has no such
device, "-" when an output is missing), and the number of targets.

Columns, per tool, over the rounds:
  wall s        median wall-clock time (of the successful runs when there
                are any; a tool that failed every round shows its time to
                failure)
  CPU s         median user+sys, children included (the whole pipeline for
                curl+jq+gzip)
  other CPU s   median CPU time the machine spent on anything but the tool
                and the server during the run (other users' jobs,
                interrupts): near 0 on a quiet machine; when it is not, the
                wall times of that table are disturbed
  RSS MiB       largest peak resident set of any round; for a pipeline it is
                the largest single process (GNU time reports no sum)
  items/s       items / median wall, successful runs only
  conns         TCP connections the server accepted during the run (/stats)
  429s          requests the server refused with 429 during the run
  × limit       median wall / physical limit.  The limit is
                (1 + ceil((pages - 1) / W)) x latency when latency-bound,
                pages / rate under a rate limit, and, with neither, the
                measured floor (curl fetching every page to /dev/null) when
                the scenario has one.
  output        ndjson_check.py's verdict, per distinct verdict x rounds

The "at the limit when the API misbehaves" scenarios (a c d e stall) have
their own tables: each puts a tool's median wall next to the bound the
issue gives for it and their ratio (x bound):
  a, d     ceil(P/W) x latency (P pages, W workers)
  c        (P - R)/R + latency: a token bucket of R/s with a burst of R
           admits the first R pages at once and one per 1/R s after that
  e        the same tool's fault-free median wall, from the same rounds,
           + the longest Retry-After the server sends
  stall    the same tool's stall-free median wall, from the same rounds;
           "+ s" is what the stalls cost, against the stall length
  walls s  every round's wall, in round order
The fleet table (six devices, one of them slow, three paths each):
  targets       exports the tool made (devices x paths; seed_export.py can
                only do the offset path)
  x --jobs      median wall / invdump --jobs' median wall
  five fast s   median time from the start until the last output of the
                five fast devices was published (its ctime: the rename,
                or the script's last write)
  slow s        the same for the slow device's outputs
  requests, conns   summed over the six servers
The slow-device line compares invdump --jobs' "five fast s" with the same
run's without the slow device in the jobs file.
The f5fleet and onepage tables (many small calls, a jobs file of one
section per call, against fleet_pool.py's thread pool):
  calls           targets in the jobs file (sections but [defaults])
  invdump / this  invdump --jobs' median wall / this tool's
  requests        list requests the servers counted, summed over them
  req/call        median requests / calls (1.00: one request a call)
  fast done s, slow done s   (f5fleet) median time from the start until
                  the last output of the fast appliances, and of the slow
                  ones, was published
Nothing here judges a time as pass or fail for the build: the target lines
say "met" or "missed" for this one run, for the reader.
"""
import math
import re
import statistics
import sys
from collections import OrderedDict


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 16:
                continue
            rows.append(dict(
                scen=p[0], tool=p[1], round=int(p[2]), rc=int(p[3]),
                wall=float(p[4]), cpu=float(p[5]) + float(p[6]),
                rss=int(p[7]) / 1024.0, conns=int(p[8]), n429=int(p[9]),
                items=int(p[10]), pages=int(p[11]), w=int(p[12]),
                lat=float(p[13]) / 1000.0, rate=float(p[14]), check=p[15],
                other=float(p[16]) if len(p) > 16 else 0.0,
                role=p[17] if len(p) > 17 else "",
                n5xx=int(p[18]) if len(p) > 18 else 0,
                nfaults=int(p[19]) if len(p) > 19 else 0,
                nreq=int(p[20]) if len(p) > 20 else 0,
                fast=fnum(p[21]) if len(p) > 21 else None,
                slow=fnum(p[22]) if len(p) > 22 else None,
                ntargets=int(p[23]) if len(p) > 23 else 1))
    return rows


def fnum(x):
    """A float, or None for "" and "-" (no such output)."""
    try:
        return float(x)
    except ValueError:
        return None


def load_info(path):
    info = {}
    if not path:
        return info
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t", 2)
            if len(p) == 3:
                info.setdefault(p[0], {})[p[1]] = p[2]
    return info


def load_shell(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            rows.append(p)
    return rows


def span(vals):
    lo, hi = min(vals), max(vals)
    return str(lo) if lo == hi else "%d-%d" % (lo, hi)


def verdicts(runs):
    c = OrderedDict()
    for r in runs:
        c[r["check"]] = c.get(r["check"], 0) + 1
    if len(c) == 1:
        return next(iter(c))
    return "; ".join("%s x%d" % (v, n) for v, n in c.items())


class Tool:
    def __init__(self, name, runs):
        self.name = name
        self.runs = runs
        ok = [r for r in runs if r["rc"] == 0]
        self.all_ok = len(ok) == len(runs)
        self.any_ok = bool(ok)
        use = ok or runs
        self.wall = statistics.median(r["wall"] for r in use)
        self.cpu = statistics.median(r["cpu"] for r in use)
        self.other = statistics.median(r["other"] for r in use)
        self.rss = max(r["rss"] for r in runs)
        self.items = runs[0]["items"]
        self.ips = self.items / self.wall if ok and self.wall > 0 else None
        self.conns = span([r["conns"] for r in runs])
        self.conns_max = max(r["conns"] for r in runs)
        self.n429 = span([r["n429"] for r in runs])
        self.n429_max = max(r["n429"] for r in runs)
        self.check = verdicts(runs)
        self.exact = all(r["check"] == "ok" for r in runs)
        self.n5xx = span([r["n5xx"] for r in runs])
        self.nfaults = span([r["nfaults"] for r in runs])
        self.nreq = span([r["nreq"] for r in runs])
        self.walls = [r["wall"] for r in sorted(runs, key=lambda r: r["round"])]
        r0 = runs[0]
        self.pages, self.w, self.lat, self.rate = \
            r0["pages"], r0["w"], r0["lat"], r0["rate"]

    def limit(self, floor):
        if self.rate > 0:
            return self.pages / self.rate, "pages / rate"
        if self.lat > 0:
            return ((1 + math.ceil((self.pages - 1) / self.w)) * self.lat,
                    "(1 + ceil((pages-1)/W)) x latency")
        if floor is not None:
            return floor, "measured fetch floor"
        return None, None


def tools_of(rows, scen, role=""):
    groups = OrderedDict()
    for r in rows:
        if r["scen"] == scen and r["role"] == role:
            groups.setdefault(r["tool"], []).append(r)
    return OrderedDict((k, Tool(k, v)) for k, v in groups.items())


def floor_of(tools):
    for t in tools.values():
        if t.name.startswith("floor") and t.any_ok:
            return t.wall
    return None


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def table(headers, body, left=None):
    """A Markdown table; columns in LEFT (default: the first and the last)
    are left-aligned, the others right-aligned."""
    body = [[str(c).replace("|", "\\|") for c in r] for r in body]
    w = [max(len(str(x)) for x in col) for col in zip(headers, *body)]
    if left is None:
        left = (0, len(w) - 1)
    line = lambda cells: "| " + " | ".join(
        str(c).ljust(w[i]) if i in left else str(c).rjust(w[i])
        for i, c in enumerate(cells)) + " |"
    out = [line(headers),
           "|" + "|".join(("-" * (x + 1) + ":") if i not in left
                          else "-" * (x + 2) for i, x in enumerate(w)) + "|"]
    out += [line(r) for r in body]
    return "\n".join(out)


DESCR = {
    "latency": "20,000 items, 200 pages of 100, W=16, 50 ms per request",
    "cpu": "200,000 items of 300 bytes, 200 pages of 1,000, W=2, no latency",
    "memory": "invdump only; 1,000,000 and 10,000 items, 100 per page, W=16,"
              " no latency",
    "ratelimit": "20,000 items, 200 pages of 100, W=16, server --rate 20"
                 " (burst 20, then 429 with Retry-After: 1)",
    "faults": "20,000 items, 200 pages of 100, W=16, --fault 503:0.02"
              " --fault drop:0.01",
    "session": "20,000 items, 200 pages of 100, W=4, 50 ms per request,"
               " --session ibm-iam: one token for the run beside tokens of"
               " 1 s renewed at 80% of their life",
    "s3": "invdump only; 1,000,000 items, 100 per page, W=16, no latency:"
          " to a local file and to s3:// on s3rver (loopback), side by side;"
          " the 16 MiB object held and sent in one PUT, and in 8M parts as"
          " the export runs (--s3-upload-cutoff 8M)",
}


def print_scenario(rows, shell, scen, info=None):
    if scen == "shell":
        print_shell(shell)
        return
    if scen == "fleet":
        print_fleet(rows, (info or {}).get("fleet", {}))
        return
    if scen in CALLS_SCENS:
        print_calls(rows, scen, info or {})
        return
    if scen in LIMIT_SCENS:
        print_limit(rows, scen, info or {})
        return
    if scen == "s3" and "skipped" in (info or {}).get("s3", {}):
        print()
        print("### s3: SKIPPED: %s" % info["s3"]["skipped"])
        return
    tools = tools_of(rows, scen)
    if not tools:
        return
    floor = floor_of(tools)
    first = next(iter(tools.values()))
    lim, how = first.limit(floor)
    nrounds = max(len(t.runs) for t in tools.values())
    print()
    print("### %s: %s (%d rounds)" % (scen, DESCR.get(scen, ""), nrounds))
    if lim is not None and how != "measured fetch floor":
        print("physical limit: %s = %.3f s" % (how, lim))
    elif lim is not None:
        print("no latency and no rate limit: the x limit column is relative"
              " to the measured floor (%.3f s)" % lim)
    print()
    body = []
    for t in tools.values():
        tl, _ = t.limit(floor)
        body.append([
            t.name, "%.2f" % t.wall, "%.2f" % t.cpu, "%.2f" % t.other,
            "%.1f" % t.rss,
            fmt_int(t.ips) if t.ips else "-", t.conns, t.n429,
            "%.2f" % (t.wall / tl) if tl and t.any_ok else "-",
            t.check])
    print(table(["tool", "wall s", "CPU s", "other CPU s", "RSS MiB",
                 "items/s", "conns",
                 "429s", "x limit", "output"], body))
    lines = targets(rows, shell, scen)
    if lines:
        print()
        for l in lines:
            print(l)


def fmt_target(name, figure, met):
    tag = {True: "target met", False: "target missed", None: "info"}[met]
    return "- %s: %s -> %s" % (name, figure, tag)


def inv_tool(tools):
    for t in tools.values():
        if t.name.startswith("invdump"):
            return t
    return None


def find(tools, prefix):
    for t in tools.values():
        if t.name.startswith(prefix):
            return t
    return None


def ratio_text(a, b, fmt="%.2f"):
    if a is None or b is None or b == 0:
        return None
    return a / b


def common_targets(tools, exact_target=True):
    out = []
    inv = inv_tool(tools)
    if inv is None:
        return out
    out.append(fmt_target("invdump output byte-exact in every round",
                          inv.check, inv.exact if exact_target else None))
    return out


def conn_target(t, info=False):
    return fmt_target("%s connections <= W+1 = %d" % (t.name, t.w + 1),
                      "%s" % t.conns,
                      None if info else t.conns_max <= t.w + 1)


def speed_vs(inv, other, need=None):
    """invdump items/s / other items/s; None when the other failed."""
    if inv.ips is None:
        return "invdump failed", False if need else None
    if other.ips is None:
        return "%s failed (%s); invdump %s items/s" % (
            other.name, other.check, fmt_int(inv.ips)), \
            (True if need else None)
    r = inv.ips / other.ips
    return ("%s / %s items/s = %.2fx" % (fmt_int(inv.ips),
                                         fmt_int(other.ips), r),
            (r >= need) if need else None)


def targets(rows, shell, scen, info=None):
    out = []
    if scen == "shell":
        return shell_targets(shell)
    if scen in LIMIT_SCENS:
        return limit_targets(rows, scen, info or {})
    if scen == "fleet":
        return fleet_targets(rows)
    if scen in CALLS_SCENS:
        return calls_targets(rows, scen, info or {})
    if scen == "s3" and "skipped" in (info or {}).get("s3", {}):
        return [fmt_target("scenario skipped", info["s3"]["skipped"], None)]
    tools = tools_of(rows, scen)
    if not tools:
        return out
    inv = inv_tool(tools)
    floor = floor_of(tools)
    py = find(tools, "seed_export")
    pr = find(tools, "seed_retry_export")
    cj = find(tools, "curl+jq")
    if scen == "latency":
        lim, _ = inv.limit(None)
        r = inv.wall / lim
        out.append(fmt_target("invdump wall <= 1.10x the limit",
                              "%.3f s / %.3f s = %.2fx" % (inv.wall, lim, r),
                              inv.any_ok and r <= 1.10))
        out += common_targets(tools)
        out.append(conn_target(inv))
        for o in (py, cj):
            if o:
                f, _ = speed_vs(inv, o)
                out.append(fmt_target("invdump vs " + o.name, f, None))
    elif scen == "cpu":
        for o, need in ((py, 4.0), (cj, 2.0)):
            if o:
                f, m = speed_vs(inv, o, need)
                out.append(fmt_target(
                    "invdump items/s >= %gx %s's" % (need, o.name), f, m))
        none = find(tools, "invdump --compress none")
        if none:
            r = inv.wall / none.wall
            out.append(fmt_target(
                "invdump gzip wall <= 1.25x --compress none wall",
                "%.3f s / %.3f s = %.2fx" % (inv.wall, none.wall, r),
                inv.any_ok and none.any_ok and r <= 1.25))
        for o in (py, cj):
            if o and inv.cpu > 0:
                out.append(fmt_target(
                    "CPU seconds, %s / invdump" % o.name,
                    "%.2f / %.2f = %.1fx" % (o.cpu, inv.cpu, o.cpu / inv.cpu),
                    None))
        if floor:
            out.append(fmt_target("invdump wall / fetch floor",
                                  "%.3f / %.3f s = %.2fx"
                                  % (inv.wall, floor, inv.wall / floor), None))
        out += common_targets(tools)
        out.append(conn_target(inv))
    elif scen == "memory":
        big = find(tools, "invdump, 1,000,000")
        small = find(tools, "invdump, 10,000")
        if big:
            out.append(fmt_target("peak RSS for 1,000,000 items <= 32 MiB",
                                  "%.1f MiB" % big.rss, big.rss <= 32))
        if big and small:
            r = big.rss / small.rss
            out.append(fmt_target(
                "peak RSS for 1,000,000 items within 10% of 10,000 items'",
                "%.1f / %.1f MiB = %.3fx" % (big.rss, small.rss, r),
                r <= 1.10))
        for t in (big, small):
            if t:
                out.append(fmt_target(t.name + ": output byte-exact",
                                      t.check, t.exact))
                out.append(conn_target(t))
    elif scen == "ratelimit":
        lim, _ = inv.limit(None)
        r = inv.wall / lim
        out += common_targets(tools)
        out.append(fmt_target("invdump wall <= 1.10x the limit",
                              "%.3f s / %.3f s = %.2fx" % (inv.wall, lim, r),
                              inv.any_ok and r <= 1.10))
        out.append(fmt_target("invdump rejected requests (429) < 90",
                              "%s (worst round %d)" % (inv.n429, inv.n429_max),
                              inv.n429_max < 90))
        out.append(conn_target(inv))
        for o in (py, cj):
            if o:
                out.append(fmt_target(o.name + " (expected to fail)",
                                      o.check, None))
        if pr:
            out.append(fmt_target(
                pr.name + " (urllib3 Retry)", "%.2f s, %s" % (pr.wall, pr.check)
                if pr.any_ok else pr.check, None))
    elif scen == "s3":
        out += s3_targets(tools)
    elif scen == "faults":
        out += common_targets(tools)
        out.append(conn_target(inv, info=True) +
                   " (each dropped connection has to be replaced)")
        for o in (py, cj):
            if o:
                out.append(fmt_target(o.name + " (expected to fail)",
                                      o.check, None))
        if pr:
            out.append(fmt_target(
                pr.name + " (urllib3 Retry)", "%.2f s, %s" % (pr.wall, pr.check)
                if pr.any_ok else pr.check, None))
    return out


def paired(a, b):
    """b's wall / a's, round by round (successful rounds of both)."""
    wa = {r["round"]: r["wall"] for r in a.runs if r["rc"] == 0}
    return [r["wall"] / wa[r["round"]] for r in
            sorted(b.runs, key=lambda r: r["round"])
            if r["rc"] == 0 and wa.get(r["round"])]


def paired_text(a, b):
    """paired()'s ratios and their median: what load that comes and goes
    does to both alike."""
    rs = paired(a, b)
    if not rs:
        return "no round where both succeeded"
    return "%s; median %.2fx" % (" ".join("%.2f" % x for x in rs),
                                 statistics.median(rs))


def s3_targets(tools):
    """The s3 scenario: s3:// wall against the local file's, and RSS."""
    loc = find(tools, "invdump to a local")
    s3 = find(tools, "invdump to s3")
    parts = find(tools, "invdump, s3:// in")
    if loc is None or s3 is None:
        return []
    # The target compares each s3:// run with the local run just before
    # it: the machine's load drifts from one round to the next by as much
    # as the two differ, and moves both of a pair alike.
    rs = paired(loc, s3)
    return [
        fmt_target("invdump to s3:// wall <= 1.10x to a local file (median"
                   " of the rounds' ratios, the two run back to back)",
                   paired_text(loc, s3), bool(rs) and
                   statistics.median(rs) <= 1.10),
        fmt_target("median walls, s3:// / local",
                   "%.3f s / %.3f s = %.2fx" % (s3.wall, loc.wall,
                                                s3.wall / loc.wall), None),
        fmt_target("peak RSS, s3:// / local file",
                   "%.1f / %.1f MiB" % (s3.rss, loc.rss), None),
    ] + ([] if parts is None else [
        fmt_target("s3:// in parts as it runs (the multipart upload a larger"
                   " object gets) / local file",
                   "%.3f s / %.3f s = %.2fx; %.1f MiB" % (
                       parts.wall, loc.wall, parts.wall / loc.wall,
                       parts.rss), None),
    ]) + [
        fmt_target("s3:// object byte-exact in every round", s3.check,
                   s3.exact),
        fmt_target("local file byte-exact in every round", loc.check,
                   loc.exact),
    ]


# ------------------------------------ at the limit when the API misbehaves
LIMIT_SCENS = ("a", "c", "d", "e", "stall")

LIMIT_DESCR = {
    "a": "20,000 items, 200 pages of 100, W=16, 50 ms per request",
    "c": "20,000 items, 200 pages of 100, W=10, 20 ms per request, server"
         " --rate 20 (token bucket, burst 20, then 429 with Retry-After: 1)",
    "d": "2,000 items, 20 pages of 100, W=10, 200 ms per request",
    "e": "20,000 items, 200 pages of 100, W=10, 50 ms per request, 2% of"
         " pages 503 with Retry-After, 1% dropped connections; each tool"
         " also ran fault-free in the same rounds",
    "stall": "20,000 items, 200 pages of 100, W=16, 50 ms per request,"
             " --fault stall:0.03 (about 100 bytes, then nothing for %s s,"
             " then the rest); each tool also ran stall-free in the same"
             " rounds",
}


def walls_text(t):
    return ", ".join("%.2f" % w for w in t.walls)


def limit_bound(scen, t, clean, info):
    """(bound in s, how) for tool t, or (None, why)."""
    if scen in ("a", "d"):
        return math.ceil(t.pages / t.w) * t.lat, None
    if scen == "c":
        return (t.pages - t.rate) / t.rate + t.lat, None
    if clean is None or not clean.any_ok:
        return None, "no fault-free run"
    if scen == "e":
        return clean.wall + float(info.get("retry_after", 0)), None
    return clean.wall, None


def bound_formula(scen, t, info):
    if scen in ("a", "d"):
        return ("ceil(P/W) x latency = ceil(%d/%d) x %.3f s = %.3f s"
                % (t.pages, t.w, t.lat, math.ceil(t.pages / t.w) * t.lat))
    if scen == "c":
        return ("(P - R)/R + latency = (%d - %g)/%g + %.3f s = %.3f s"
                % (t.pages, t.rate, t.rate, t.lat,
                   (t.pages - t.rate) / t.rate + t.lat))
    if scen == "e":
        return ("the tool's fault-free wall + the longest Retry-After (%s s)"
                % info.get("retry_after", "?"))
    return ("the tool's stall-free wall (a stall lasts %s s; invdump's"
            " --speed-time default is 60 s)" % info.get("stall_s", "?"))


def ratio(t, b):
    return "%.2f" % (t.wall / b) if b and t.any_ok else "-"


def print_limit(rows, scen, info):
    inf = info.get(scen, {})
    descr = LIMIT_DESCR[scen]
    if scen == "stall":
        descr = descr % inf.get("stall_s", "?")
    if "skipped" in inf:
        print()
        print("### %s: %s" % (scen, descr))
        print("SKIPPED: %s" % inf["skipped"])
        return
    tools = tools_of(rows, scen)
    clean = tools_of(rows, scen, "clean")
    if not tools:
        return
    first = next(iter(tools.values()))
    nrounds = max(r["round"] for r in rows if r["scen"] == scen)
    print()
    print("### %s: %s (%d rounds)" % (scen, descr, nrounds))
    if scen == "e" and "fault" in inf:
        print("server faults: %s" % inf["fault"])
    print("bound: %s" % bound_formula(scen, first, inf))
    print()
    body = []
    for t in tools.values():
        c = clean.get(t.name)
        b, _ = limit_bound(scen, t, c, inf)
        bt = "%.3f" % b if b is not None else "-"
        if scen in ("a", "d"):
            body.append([t.name, "%.2f" % t.wall, bt, ratio(t, b),
                         walls_text(t), "%.2f" % t.cpu, "%.2f" % t.other,
                         "%.1f" % t.rss, t.conns, t.check])
        elif scen == "c":
            body.append([t.name, "%.2f" % t.wall, t.n429, bt, ratio(t, b),
                         walls_text(t), t.nreq, "%.2f" % t.cpu,
                         "%.2f" % t.other, t.conns, t.check])
        elif scen == "e":
            body.append([t.name, "%.2f" % t.wall,
                         "%.2f" % c.wall if c else "-",
                         inf.get("retry_after", "?"), bt, ratio(t, b),
                         walls_text(t), t.nfaults, t.n5xx, t.nreq,
                         "%.2f" % t.other, t.conns, t.check,
                         c.check if c else "-"])
        else:
            body.append([t.name, "%.2f" % t.wall,
                         "%.2f" % c.wall if c else "-", ratio(t, b),
                         "%+.2f" % (t.wall - c.wall)
                         if c and c.any_ok and t.any_ok else "-",
                         walls_text(t), t.nfaults, t.nreq,
                         "%.2f" % t.other, t.conns, t.check,
                         c.check if c else "-"])
    if scen in ("a", "d"):
        head = ["tool", "wall s", "bound s", "x bound", "walls s", "CPU s",
                "other CPU s", "RSS MiB", "conns", "output"]
    elif scen == "c":
        head = ["tool", "wall s", "429s", "bound s", "x bound", "walls s",
                "requests", "CPU s", "other CPU s", "conns", "output"]
    elif scen == "e":
        head = ["tool", "wall s", "fault-free wall s", "+ Retry-After s",
                "bound s", "x bound", "walls s", "faults", "5xx",
                "requests", "other CPU s", "conns", "output",
                "output fault-free"]
    else:
        head = ["tool", "wall s", "stall-free wall s", "x stall-free",
                "+ s", "walls s", "stalls", "requests", "other CPU s",
                "conns", "output", "output stall-free"]
    print(table(head, body, left=(0, head.index("walls s")) +
                tuple(i for i, h in enumerate(head) if h.startswith("output"))))
    lines = limit_targets(rows, scen, info)
    if lines:
        print()
        for l in lines:
            print(l)


def limit_targets(rows, scen, info):
    inf = info.get(scen, {})
    if "skipped" in inf:
        return [fmt_target("scenario skipped", inf["skipped"], None)]
    tools = tools_of(rows, scen)
    clean = tools_of(rows, scen, "clean")
    inv = inv_tool(tools)
    if inv is None:
        return []
    out = []
    c = clean.get(inv.name)
    b, why = limit_bound(scen, inv, c, inf)
    if b is None:
        fig = why
    elif not inv.any_ok:
        fig = "invdump failed (%s)" % inv.check
    else:
        fig = "%.3f s / %.3f s = %.2fx" % (inv.wall, b, inv.wall / b)
    name = {"e": "invdump wall / (fault-free wall + longest Retry-After)",
            "stall": "invdump wall / stall-free wall"}.get(
                scen, "invdump wall / bound")
    out.append(fmt_target(name, fig, None))
    floor = floor_of(tools)
    if floor and b:
        # What the bound leaves for everything but the requests: the
        # floor (curl fetching the same pages to /dev/null, nothing
        # parsed or written) is the least any libcurl client takes here.
        out.append(fmt_target(
            "fetch floor / bound (curl -Z to /dev/null)",
            "%.3f s / %.3f s = %.2fx" % (floor, b, floor / b), None))
        if inv.any_ok:
            out.append(fmt_target(
                "invdump wall / fetch floor",
                "%.3f s / %.3f s = %.2fx" % (inv.wall, floor, inv.wall / floor),
                None))
    if scen == "c":
        out.append(fmt_target("invdump rejected requests (429)",
                              "%s (worst round %d)" % (inv.n429,
                                                       inv.n429_max), None))
    out.append(fmt_target("invdump output byte-exact in every round",
                          inv.check, inv.exact))
    for o in tools.values():
        if o is inv:
            continue
        oc = clean.get(o.name)
        ob, _ = limit_bound(scen, o, oc, inf)
        if not o.any_ok:
            f = "%s failed (%s)" % (o.name, o.check)
        elif ob:
            f = "%s %.2fx, invdump %s" % (
                o.name, o.wall / ob,
                "%.2fx" % (inv.wall / b) if b and inv.any_ok else "-")
        else:
            f = "%s %.2f s" % (o.name, o.wall)
        out.append(fmt_target("vs " + o.name, f, None))
    return out


# --------------------------------------------------------------- fleet
ALONE = ", the five fast devices alone"


def med_of(runs, key):
    vals = [r[key] for r in runs if r[key] is not None and r["rc"] == 0]
    return statistics.median(vals) if vals else None


def fmt_s(x):
    return "-" if x is None else "%.2f" % x


def fleet_tools(rows):
    """The tools in order, each run without the slow device right after
    the run it is the baseline of; and invdump --jobs (all targets)."""
    tools = tools_of(rows, "fleet")
    base = tools_of(rows, "fleet", "baseline")
    out = []
    for t in tools.values():
        out.append(t)
        if t.name + ALONE in base:
            out.append(base[t.name + ALONE])
    out += [b for b in base.values() if b not in out]
    return out, tools, base, tools.get("invdump --jobs")


def print_fleet(rows, inf):
    order, tools, base, jobs = fleet_tools(rows)
    if not tools:
        return
    first = next(iter(tools.values()))
    nrounds = max(r["round"] for r in rows if r["scen"] == "fleet")
    print()
    print("### fleet: %s devices (one mockapi each), %s items each, %d per"
          " page, %d ms per request, one of them (the slow appliance) at"
          " %s ms; paths %s; W=%d (%d rounds)"
          % (inf.get("devices", "?"), fmt_int(first.items),
             first.items // first.pages if first.pages else 0,
             round(first.lat * 1000), inf.get("slow_ms", "?"),
             inf.get("paths", "?"), first.w, nrounds))
    print()
    body = []
    for t in order:
        body.append([
            t.name, span([r["ntargets"] for r in t.runs]), "%.2f" % t.wall,
            "%.2f" % (t.wall / jobs.wall) if jobs and jobs.any_ok
            and t.any_ok and jobs.wall > 0 else "-",
            walls_text(t), fmt_s(med_of(t.runs, "fast")),
            fmt_s(med_of(t.runs, "slow")), "%.2f" % t.cpu,
            "%.2f" % t.other, t.nreq, t.conns, t.check])
    head = ["tool", "targets", "wall s", "x --jobs", "walls s",
            "five fast s", "slow s", "CPU s", "other CPU s", "requests",
            "conns", "output"]
    print(table(head, body, left=(0, 4, len(head) - 1)))
    print()
    for l in fleet_targets(rows):
        print(l)


def rounds_of(t, key):
    return ", ".join(fmt_s(x[key])
                     for x in sorted(t.runs, key=lambda x: x["round"]))


def fleet_targets(rows):
    order, tools, base, jobs = fleet_tools(rows)
    out = []
    for t in tools.values():
        alone = base.get(t.name + ALONE)
        if alone is None:
            continue
        n = span([r["ntargets"] for r in t.runs])
        f1 = med_of(t.runs, "fast")
        f0 = med_of(alone.runs, "fast")
        name = ("%s (%s targets): five fast devices published with the"
                " slow one / without it <= 1.10" % (t.name, n))
        if f1 is None or f0 is None or f0 == 0:
            out.append(fmt_target(name, "not measured (a run failed)",
                                  False))
            continue
        out.append(fmt_target(name, "%.3f s / %.3f s = %.2fx (rounds: %s"
                              " / %s)" % (f1, f0, f1 / f0,
                                          rounds_of(t, "fast"),
                                          rounds_of(alone, "fast")),
                              f1 / f0 <= 1.10))
        out.append(fmt_target("%s (%s targets): the slow device's outputs"
                              " published after" % (t.name, n),
                              "%s s (rounds: %s)"
                              % (fmt_s(med_of(t.runs, "slow")),
                                 rounds_of(t, "slow")), None))
    inv = [t for t in order if t.name.startswith("invdump")]
    out.append(fmt_target(
        "invdump output byte-exact in every round (every run of it)",
        "; ".join("%s: %s" % (t.name, t.check) for t in inv),
        all(r["rc"] == 0 and re.match(r"ok \(\d+ of \d+\)$", r["check"])
            for t in inv for r in t.runs)))
    if jobs is None:
        return out
    for o in tools.values():
        if o is jobs or o.name.startswith("invdump --jobs"):
            continue
        f = ("%s failed (%s)" % (o.name, o.check) if not o.any_ok else
             "%.2f s / %.2f s = %.2fx (%s targets)"
             % (o.wall, jobs.wall, o.wall / jobs.wall,
                span([r["ntargets"] for r in o.runs])))
        out.append(fmt_target("wall, %s / invdump --jobs" % o.name, f, None))
    return out


# ------------------------------------------ the fleet as people have it
CALLS_SCENS = ("f5fleet", "onepage")

# The issue's targets: wall in s (f5fleet: 1.2 x the slow appliances'
# latency, filled in from the info file), requests for all the calls, peak
# RSS in MiB, and whether invdump must beat the Python pool's wall.
CALLS_TARGETS = {
    "f5fleet": dict(wall_x_slow=1.2, req=80, rss=40, below_peer=True),
    "onepage": dict(wall=0.6, req=220),
}


def calls_descr(scen, inf, first, nrounds):
    if scen == "f5fleet":
        return ("%s appliances, each a mockapi on its own loopback address,"
                " 3 calls each (-p f5 %s-item pool list: one page; -p"
                " object sys/version and cm/failover-status): %s calls;"
                " %s answer in %d ms, %s in %s ms; jobs file: [defaults] +"
                " one section per call; W=%d (%d rounds)"
                % (inf.get("devices", "?"), first.items,
                   inf.get("calls", "?"),
                   int(inf.get("devices", 0)) - int(inf.get("slow", 0)),
                   round(first.lat * 1000), inf.get("slow", "?"),
                   fmt_int(float(inf.get("slow_ms", 0))), first.w, nrounds))
    return ("one mockapi at %d ms, %s calls of one page each"
            " (/offset/items?site=N, %s items); jobs file: [defaults] + one"
            " section per call; W=%d (%d rounds)"
            % (round(first.lat * 1000), inf.get("calls", "?"),
               first.items, first.w, nrounds))


def calls_tools(rows, scen):
    tools = tools_of(rows, scen)
    return tools, tools.get("invdump --jobs")


def med_req(t):
    ok = [r["nreq"] for r in t.runs if r["rc"] == 0] or \
        [r["nreq"] for r in t.runs]
    return statistics.median(ok)


def ncalls(t):
    return max(r["ntargets"] for r in t.runs)


def print_calls(rows, scen, info):
    inf = info.get(scen, {})
    tools, inv = calls_tools(rows, scen)
    if not tools:
        return
    first = next(iter(tools.values()))
    nrounds = max(r["round"] for r in rows if r["scen"] == scen)
    print()
    print("### %s: %s" % (scen, calls_descr(scen, inf, first, nrounds)))
    print()
    f5 = scen == "f5fleet"
    body = []
    for t in tools.values():
        n = ncalls(t)
        row = [t.name, n, "%.2f" % t.wall,
               "%.2f" % (inv.wall / t.wall) if inv and inv.any_ok and
               t.any_ok and t.wall > 0 else "-",
               walls_text(t), t.nreq, "%.2f" % (med_req(t) / n) if n else "-",
               "%.1f" % t.rss, "%.2f" % t.cpu, "%.2f" % t.other, t.conns]
        if f5:
            row += [fmt_s(med_of(t.runs, "fast")),
                    fmt_s(med_of(t.runs, "slow"))]
        body.append(row + [t.check])
    head = ["tool", "calls", "wall s", "invdump / this", "walls s",
            "requests", "req/call", "RSS MiB", "CPU s", "other CPU s",
            "conns"]
    if f5:
        head += ["fast done s", "slow done s"]
    head.append("output")
    print(table(head, body, left=(0, 4, len(head) - 1)))
    print()
    for l in calls_targets(rows, scen, info):
        print(l)


def calls_targets(rows, scen, info):
    inf = info.get(scen, {})
    tools, inv = calls_tools(rows, scen)
    if inv is None:
        return []
    tg = CALLS_TARGETS[scen]
    out = []
    n = ncalls(inv)
    wall_t = tg.get("wall")
    how = ""
    if "wall_x_slow" in tg and "slow_ms" in inf:
        wall_t = tg["wall_x_slow"] * float(inf["slow_ms"]) / 1000
        how = " (%g x the slow appliances' %.1f s)" % (
            tg["wall_x_slow"], float(inf["slow_ms"]) / 1000)
    if wall_t is not None:
        out.append(fmt_target(
            "invdump wall <= %.2f s%s" % (wall_t, how),
            "%.3f s (rounds: %s)" % (inv.wall, walls_text(inv))
            if inv.any_ok else "invdump failed (%s)" % inv.check,
            inv.any_ok and inv.wall <= wall_t))
    peers = [t for t in tools.values() if t is not inv]
    okp = [t for t in peers if t.any_ok]
    if tg.get("below_peer"):
        if not okp:
            out.append(fmt_target("invdump wall below the Python pool's",
                                  "no pool run succeeded", None))
        else:
            best = min(okp, key=lambda t: t.wall)
            out.append(fmt_target(
                "invdump wall below the Python pool's (the faster: %s)"
                % best.name, "%.3f s / %.3f s = %.2fx"
                % (inv.wall, best.wall, inv.wall / best.wall),
                inv.any_ok and inv.wall < best.wall))
    worst = max(r["nreq"] for r in inv.runs)
    out.append(fmt_target(
        "invdump requests <= %d for %d calls" % (tg["req"], n),
        "%s (worst round %d = %.2f per call)" % (inv.nreq, worst,
                                                 worst / n if n else 0),
        worst <= tg["req"]))
    if "rss" in tg:
        out.append(fmt_target("invdump peak RSS <= %d MiB" % tg["rss"],
                              "%.1f MiB" % inv.rss, inv.rss <= tg["rss"]))
    out.append(fmt_target(
        "invdump output byte-exact in every round", inv.check,
        all(r["rc"] == 0 and re.match(r"ok \(\d+ of \d+\)$", r["check"])
            for r in inv.runs)))
    for o in peers:
        if not o.any_ok:
            f = "%s failed (%s)" % (o.name, o.check)
        else:
            f = ("wall %.2f / %.2f s = %.2fx; requests %s / %s" % (
                inv.wall, o.wall, inv.wall / o.wall, fmt_int(med_req(inv)),
                fmt_int(med_req(o))))
        out.append(fmt_target("invdump / " + o.name, f, None))
    return out


def print_shell(shell):
    if not shell:
        return
    print()
    print("### shell: invdump -w 16 -o - URL, 200,000 items, 100 per page,"
          " 50 ms per request (%d rounds)" % len([s for s in shell
                                                  if s[0] == "head"]))
    print("a full export would take at least (1 + ceil(1999/16)) x 0.050 ="
          " 6.300 s")
    print()
    body = []
    head = [s for s in shell if s[0] == "head"]
    first = [s for s in shell if s[0] == "first"]
    if head:
        walls = [float(s[2]) for s in head]
        med = statistics.median(walls)
        body.append(["invdump -o - | head -n 3: wall s",
                     "%.3f" % med, "%.1fx" % (med / 0.05),
                     ", ".join(s[3] for s in head),
                     "requests " + ", ".join(s[4] for s in head) +
                     "; conns " + ", ".join(s[5] for s in head) +
                     "; lines " + ",".join(sorted(set(s[6] for s in head)))])
    if first:
        vals = [float(s[2]) for s in first]
        med = statistics.median(vals)
        body.append(["start to first line on stdout: s", "%.3f" % med,
                     "%.1fx" % (med / 0.05), ", ".join(s[3] for s in first),
                     "rounds: " + ", ".join("%.3f" % v for v in vals)])
    print(table(["measure", "median", "/ 50 ms", "exit status (invdump/head)",
                 "notes"], body))
    print()
    for l in shell_targets(shell):
        print(l)


def shell_targets(shell):
    out = []
    head = [s for s in shell if s[0] == "head"]
    first = [s for s in shell if s[0] == "first"]
    if head:
        med = statistics.median(float(s[2]) for s in head)
        sts = [s[3].split("/")[0] for s in head]
        out.append(fmt_target(
            "invdump -o - | head -n 3 exits 0 at once (<= 0.25 s: 5 request"
            " latencies, 4% of the full export)",
            "%.3f s, invdump exit %s" % (med, ",".join(sts)),
            all(x == "0" for x in sts) and med <= 0.25))
    if first:
        med = statistics.median(float(s[2]) for s in first)
        out.append(fmt_target("first line vs one request latency (50 ms)",
                              "%.3f s = %.1f latencies" % (med, med / 0.05),
                              None))
    return out


def main():
    a = sys.argv[1:]
    if len(a) < 3:
        sys.exit(__doc__.splitlines()[0])
    rows = load(a[0])
    shell = load_shell(a[1])
    a = a[2:]
    info = {}
    if a and a[0] == "--info":
        info = load_info(a[1])
        a = a[2:]
    if not a:
        sys.exit(__doc__.splitlines()[0])
    if a[0] == "--scenario":
        print_scenario(rows, shell, a[1], info)
    elif a[0] == "--targets":
        scens = list(OrderedDict((r["scen"], 1) for r in rows))
        scens += [s for s in info if s not in scens and "skipped" in info[s]]
        if shell:
            scens.append("shell")
        print()
        print("### Targets (this run)")
        for s in scens:
            for l in targets(rows, shell, s, info):
                print("- [%s] %s" % (s, l[2:]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
