"""s3proxy.py - a small proxy in front of s3rver for tests/integration/s3.sh.

It forwards every request unchanged (the Host header included, so that
s3rver still checks the SigV4 signature) and adds what s3rver 3.7 lacks:

  - ListMultipartUploads (GET /BUCKET/?uploads) and AbortMultipartUpload
    (DELETE /BUCKET/KEY?uploadId=ID): s3rver answers 501 and 405, so the
    proxy keeps the uploads begun through it (until completed or
    aborted), lists those and aborts them itself (s3rver drops the parts
    of an upload never completed with the upload); GET /__uploads prints
    them, one "KEY UPLOADID" a line, for the test to look at; a listing
    gives each upload's Initiated (when the proxy saw it begin) and pages
    as S3 does: max-uploads (else GET /__pagesize?n=N, 1000 at first)
    uploads in (key, id) order after key-marker and upload-id-marker, with
    IsTruncated, NextKeyMarker and NextUploadIdMarker;
  - uploads no run began: GET /__leftover?key=K&age=S adds one to the
    list, begun S seconds ago (S < 0: in the future);
  - faults on UploadPart: GET /__fault?kind=K&times=N makes the next N
    part uploads fail (K: 500, 503 SlowDown, reset: the connection
    closed with no answer); times=-1 fails every one from now on; with
    &on=object, the next N PUTs of a whole object instead.

Every request but the control ones is logged to LOG_FILE as
"METHOD PATH?QUERY STATUS", then the encryption and ACL headers as
" NAME=VALUE", then a session token as " token=VALUE" (the tests' tokens
are no secrets).

Usage: s3proxy.py UPSTREAM_PORT PORT_FILE LOG_FILE
"""
import http.client
import os
import http.server
import re
import socket
import sys
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

UP = int(sys.argv[1])
LOG = open(sys.argv[3], "a", buffering=1)
LOCK = threading.Lock()
UPLOADS = {}            # upload id -> (key, when it began: Unix s)
FAULT = {"kind": None, "times": 0, "on": "part"}
PAGE = {"size": 1000}
SERIAL = [0]


def take_fault(on):
    with LOCK:
        if FAULT["kind"] is None or FAULT["times"] == 0 or FAULT["on"] != on:
            return None
        if FAULT["times"] > 0:
            FAULT["times"] -= 1
        return FAULT["kind"]


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, ctype="application/xml"):
        if not self.path.startswith("/__"):
            LOG.write("%s %s %d\n" % (self.command, self.path, status))
        b = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def control(self, u, q):
        if u.path == "/__fault":
            with LOCK:
                FAULT["kind"] = q.get("kind", [None])[0]
                FAULT["times"] = int(q.get("times", ["1"])[0])
                FAULT["on"] = q.get("on", ["part"])[0]
            return self.answer(200, "ok\n", "text/plain")
        if u.path == "/__pagesize":
            with LOCK:
                PAGE["size"] = int(q["n"][0])
            return self.answer(200, "ok\n", "text/plain")
        if u.path == "/__leftover":
            with LOCK:
                SERIAL[0] += 1
                UPLOADS["leftover-%d" % SERIAL[0]] = (
                    q["key"][0], time.time() - float(q["age"][0]))
            return self.answer(200, "ok\n", "text/plain")
        with LOCK:
            lines = "".join("%s %s\n" % (k, i) for i, (k, _) in UPLOADS.items())
        return self.answer(200, lines, "text/plain")

    def list_uploads(self, u, q):
        bucket = u.path.strip("/")
        prefix = q.get("prefix", [""])[0]
        km = q.get("key-marker", [""])[0]
        im = q.get("upload-id-marker", [""])[0]
        with LOCK:
            size = int(q.get("max-uploads", [PAGE["size"]])[0])
            ups = sorted((k, i, t) for i, (k, t) in UPLOADS.items()
                         if k.startswith(prefix))
        if km:
            ups = [x for x in ups if x[0] > km or (im and x[0] == km and x[1] > im)]
        page, more = ups[:size], len(ups) > size
        x = "".join("<Upload><Key>%s</Key><UploadId>%s</UploadId>"
                    "<Initiated>%s.%03dZ</Initiated></Upload>"
                    % (escape(k), escape(i),
                       time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)),
                       int(t * 1000) % 1000) for k, i, t in page)
        nxt = ("<NextKeyMarker>%s</NextKeyMarker><NextUploadIdMarker>%s"
               "</NextUploadIdMarker>" % (escape(page[-1][0]), escape(page[-1][1]))
               if more else "")
        return self.answer(200, '<?xml version="1.0" encoding="UTF-8"?>'
                           "<ListMultipartUploadsResult><Bucket>%s</Bucket>"
                           "<MaxUploads>%d</MaxUploads>%s"
                           "<IsTruncated>%s</IsTruncated>%s"
                           "</ListMultipartUploadsResult>"
                           % (bucket, size, nxt, "true" if more else "false", x))

    def forward(self, body):
        c = http.client.HTTPConnection("127.0.0.1", UP, timeout=60)
        c.putrequest(self.command, self.path, skip_host=True,
                     skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() != "expect":   # answered here already
                c.putheader(k, v)
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection",
                                 "content-length"):
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        else:
            self.send_header("Content-Length", r.getheader("Content-Length", "0"))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        c.close()
        return r.status, data

    def fault(self, kind):
        LOG.write("%s %s fault-%s\n" % (self.command, self.path, kind))
        if kind == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "503":
            return self.answer(503, "<Error><Code>SlowDown</Code><Message>"
                               "Please reduce your request rate.</Message></Error>")
        return self.answer(500, "<Error><Code>InternalError</Code><Message>"
                           "We encountered an internal error.</Message></Error>")

    def handle_any(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else b""
        if u.path.startswith("/__"):
            return self.control(u, q)
        if self.command == "GET" and "uploads" in q:
            return self.list_uploads(u, q)
        if self.command == "DELETE" and "uploadId" in q:
            with LOCK:
                known = UPLOADS.pop(q["uploadId"][0], None)
            if known is None:
                return self.answer(404, "<Error><Code>NoSuchUpload</Code></Error>")
            return self.answer(204, "")
        if self.command == "PUT":
            kind = take_fault("part" if "partNumber" in q else "object")
            if kind is not None:
                return self.fault(kind)
        status, data = self.forward(body)
        extra = "".join(" %s=%s" % (h, self.headers[h]) for h in
                        ("x-amz-server-side-encryption",
                         "x-amz-server-side-encryption-aws-kms-key-id",
                         "x-amz-acl") if self.headers.get(h))
        if self.headers.get("x-amz-security-token"):
            extra += " token=%s" % self.headers["x-amz-security-token"]
        LOG.write("%s %s %d%s\n" % (self.command, self.path, status, extra))
        key = urllib.parse.unquote(u.path.split("/", 2)[2]) if u.path.count("/") >= 2 else ""
        if self.command == "POST" and "uploads" in q and status == 200:
            m = re.search(rb"<UploadId>([^<]*)</UploadId>", data)
            if m:
                with LOCK:
                    UPLOADS[m.group(1).decode()] = (key, time.time())
        elif "uploadId" in q and status // 100 == 2 and self.command == "POST":
            with LOCK:
                UPLOADS.pop(q["uploadId"][0], None)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
