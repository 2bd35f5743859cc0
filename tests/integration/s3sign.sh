#!/bin/sh
# s3sign.sh - invdump's SigV4 signatures (libcurl's, as s3req.c sets it up)
# against an independent implementation, botocore's S3SigV4Auth: the same
# request, signed both ways at the same date, must carry the same
# Authorization header.  s3rver does not check signatures; this does.
. "$TESTS_SRCDIR/integration/setup.sh"

S3SIGN=$(dirname "$INVDUMP")/../tests/unit/s3sign
# Debian's python3 has python3-botocore; a python3 earlier on PATH (pyenv)
# may not.
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import botocore' 2>/dev/null ||
	skip_all "botocore is not installed for /usr/bin/python3 (Debian: python3-botocore)"

cat >"$T/boto.py" <<'PY'
"""Signs the request s3sign printed (stdin) with botocore; prints both
Authorization headers, invdump's first."""
import datetime, sys
from unittest import mock
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

raw = sys.stdin.buffer.read()
head, _, body = raw.partition(b"--\n")
lines = head.decode("utf-8").split("\r\n")
method, target, _ = lines[0].split(" ")
hdrs = {}
for l in lines[1:]:
    if ":" in l:
        k, v = l.split(":", 1)
        hdrs.setdefault(k.strip().lower(), v.strip())
theirs = hdrs["authorization"]
signed = theirs.split("SignedHeaders=")[1].split(",")[0].split(";")
token = hdrs.get("x-amz-security-token")
keep = {k: hdrs[k] for k in signed if k not in ("host", "x-amz-date")}
req = AWSRequest(method=method, url="http://" + hdrs["host"] + target,
                 data=body, headers=keep)
auth = S3SigV4Auth(Credentials("AKID", "SECRET", token), "s3", "us-east-1")
with mock.patch("botocore.auth.datetime") as d:
    d.datetime.utcnow.return_value = datetime.datetime(2026, 12, 7, 12, 0, 0)
    d.datetime.now.return_value = datetime.datetime(2026, 12, 7, 12, 0, 0)
    auth.add_auth(req)
print(theirs)
print(req.headers["Authorization"])
PY

# sign DESCRIPTION METHOD KEY QUERY BODY MD5 TOKEN
sign() {
	desc=$1; shift
	if ! "$S3SIGN" "$@" >"$T/req" 2>"$T/err"; then
		not_ok "$desc: s3sign failed: $(cat "$T/err")"
		return
	fi
	if ! "$PY" "$T/boto.py" <"$T/req" >"$T/both" 2>"$T/err"; then
		not_ok "$desc: botocore failed: $(tail -n 1 "$T/err")"
		return
	fi
	if [ "$(sed -n 1p "$T/both")" = "$(sed -n 2p "$T/both")" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "invdump:  $(sed -n 1p "$T/both")" "botocore: $(sed -n 2p "$T/both")" \
			"$(head -n 1 "$T/req")"
	fi
}

sign "CreateMultipartUpload (?uploads)" POST "inv/devices.ndjson.gz" "uploads=" - - -
sign "UploadPart (?partNumber=&uploadId=) with Content-MD5" PUT "inv/devices.ndjson.gz" \
	"partNumber=7&uploadId=2~abc_DEF-123.x" "hello, parts" "XUFAKrxLKna5cZ2REBfFkg==" -
sign "a key with spaces" PUT "my dir/a file name.gz" - "x" - -
sign "a key with +" PUT "a+b/c+d.ndjson.gz" "partNumber=1&uploadId=abc" "y" - -
sign "a unicode key" HEAD "données/é ü ñ 日本.gz" - - - -
sign "a key with every reserved character" PUT 'k!*()'"'"';:@&=$,?#[]%.gz' - "z" - -
sign "CompleteMultipartUpload with an XML body" POST "inv/x.gz" "uploadId=abc" \
	'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag></Part></CompleteMultipartUpload>' - -
sign "ListMultipartUploads with an encoded prefix" GET - "prefix=inv%2Fa%20b&uploads=" - - -
sign "AbortMultipartUpload with a session token" DELETE "inv/x.gz" "uploadId=abc" - - \
	"FwoGZXIvYXdzEJr//////////wEaDH+token/with=odd+chars"
sign "HeadBucket" HEAD - - - - -
sign "a whole object's PUT sent in pieces (a held object's buffers)" PUT \
	"inv/held.ndjson.gz" - "the first buffer, the second, and the last one" \
	"NqMWkwuO1nzQQKyVT+c/UQ==" - pieces

done_testing
