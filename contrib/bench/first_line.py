#!/usr/bin/env python3
"""first_line.py CMD [ARG...] - seconds from starting CMD to its first line.

Starts CMD with its standard output on a pipe, reads until the first
newline, and prints "SECONDS STATUS": the time from just before the
process was spawned to the moment the first complete line was read, and
CMD's exit status once the pipe has been closed (a clean exit after
EPIPE is 0; killed by SIGPIPE shows as -13).  CMD gets 30 s to exit after
the pipe is closed, then it is killed and STATUS is "killed".
"""
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: first_line.py CMD [ARG...]")
    t0 = time.monotonic()
    p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
    line = p.stdout.readline()
    t1 = time.monotonic()
    p.stdout.close()
    try:
        status = str(p.wait(timeout=30))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        status = "killed"
    if not line.endswith(b"\n"):
        status += "(no line)"
    print("%.4f %s" % (t1 - t0, status))


if __name__ == "__main__":
    main()
