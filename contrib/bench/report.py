#!/usr/bin/env python3
"""report.py RESULTS SHELL_RESULTS (--scenario NAME | --targets)

Prints bench.sh's tables.  RESULTS has one tab-separated line per run:
scenario, tool, round, exit status, wall, user, sys (s), max RSS (KiB),
connections, 429 answers, items, pages, workers, latency (ms), rate (/s),
output verdict.  SHELL_RESULTS has the shell scenario's runs.

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
Nothing here judges a time as pass or fail for the build: the target lines
say "met" or "missed" for this one run, for the reader.
"""
import math
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
                other=float(p[16]) if len(p) > 16 else 0.0))
    return rows


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


def tools_of(rows, scen):
    groups = OrderedDict()
    for r in rows:
        if r["scen"] == scen:
            groups.setdefault(r["tool"], []).append(r)
    return OrderedDict((k, Tool(k, v)) for k, v in groups.items())


def floor_of(tools):
    for t in tools.values():
        if t.name.startswith("floor") and t.any_ok:
            return t.wall
    return None


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def table(headers, body):
    body = [[str(c).replace("|", "\\|") for c in r] for r in body]
    w = [max(len(str(x)) for x in col) for col in zip(headers, *body)]
    line = lambda cells: "| " + " | ".join(
        str(c).ljust(w[i]) if i in (0, len(w) - 1) else str(c).rjust(w[i])
        for i, c in enumerate(cells)) + " |"
    out = [line(headers),
           "|" + "|".join(("-" * (x + 1) + ":") if 0 < i < len(w) - 1
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
}


def print_scenario(rows, shell, scen):
    if scen == "shell":
        print_shell(shell)
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


def targets(rows, shell, scen):
    out = []
    if scen == "shell":
        return shell_targets(shell)
    tools = tools_of(rows, scen)
    if not tools:
        return out
    inv = inv_tool(tools)
    floor = floor_of(tools)
    py = find(tools, "seed_export")
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
    elif scen == "faults":
        out += common_targets(tools)
        out.append(conn_target(inv, info=True) +
                   " (each dropped connection has to be replaced)")
        for o in (py, cj):
            if o:
                out.append(fmt_target(o.name + " (expected to fail)",
                                      o.check, None))
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
    if a[2] == "--scenario":
        print_scenario(rows, shell, a[3])
    elif a[2] == "--targets":
        scens = list(OrderedDict((r["scen"], 1) for r in rows))
        if shell:
            scens.append("shell")
        print()
        print("### Targets (this run)")
        for s in scens:
            for l in targets(rows, shell, s):
                print("- [%s] %s" % (s, l[2:]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
