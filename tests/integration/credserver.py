"""credserver.py - the AWS credential endpoints, for tests/integration/s3.sh.

  GET /creds                   the container credentials endpoint (ECS,
                               EKS Pod Identity): answers only with the
                               Authorization header TOKEN_FILE holds
  PUT /latest/api/token        IMDSv2: a session token (needs the TTL
                               header)
  GET /latest/meta-data/iam/security-credentials/[ROLE]
                               the role's name, then its credentials (needs
                               the session token)

Every request's method, path and Authorization header go to LOG_FILE.
Credentials expire in 2099, or TTL seconds after they are handed out
when TTL is given (then each answer carries a session token of its own,
session-1, session-2, ...).
Usage: credserver.py TOKEN_FILE PORT_FILE LOG_FILE [TTL]  (keys: S3RVER/S3RVER)
"""
import http.server
import json
import os
import sys
import threading
import time

TOKEN_FILE, PORT_FILE, LOG = sys.argv[1], sys.argv[2], open(sys.argv[3], "a", buffering=1)
TTL = int(sys.argv[4]) if len(sys.argv) > 4 else 0
ISSUED = [0]
LOCK = threading.Lock()


def creds():
    if not TTL:
        return json.dumps({"AccessKeyId": "S3RVER", "SecretAccessKey": "S3RVER",
                           "Expiration": "2099-01-01T00:00:00Z"})
    with LOCK:
        ISSUED[0] += 1
        n = ISSUED[0]
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + TTL))
    return json.dumps({"AccessKeyId": "S3RVER", "SecretAccessKey": "S3RVER",
                       "Token": "session-%d" % n, "Expiration": exp})
SESSION = "imds-session-token"


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body):
        b = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        LOG.write("%s %s %s\n" % (self.command, self.path,
                                  self.headers.get("Authorization", "-")))
        if self.path == "/creds":
            want = open(TOKEN_FILE).read().strip()
            if self.headers.get("Authorization") != want:
                return self.reply(401, "unauthorized")
            return self.reply(200, creds())
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path.startswith(base):
            if self.headers.get("X-aws-ec2-metadata-token") != SESSION:
                return self.reply(401, "")
            return self.reply(200, "invdump-role\n" if self.path == base else creds())
        return self.reply(404, "")

    def do_PUT(self):
        LOG.write("%s %s\n" % (self.command, self.path))
        if (self.path == "/latest/api/token" and
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")):
            return self.reply(200, SESSION)
        return self.reply(403, "")


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(PORT_FILE + ".tmp", PORT_FILE)
srv.serve_forever()
