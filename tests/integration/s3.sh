#!/bin/sh
# s3.sh - s3://BUCKET/KEY against a real S3 implementation: s3rver, from
# the npm registry, installed once into the build tree.  It knows one
# access key, S3RVER (SigV4 signatures it does not check: test_s3sign and
# s3sign.sh compare them with botocore's); in front of it,
# s3proxy.py lists and aborts multipart uploads (which s3rver lacks) and
# fails parts on demand.  Objects are compared byte for byte with the same
# export to a local file and with the manifest; failures and kills must
# leave no object and, after the next run, no incomplete upload.
. "$TESTS_SRCDIR/integration/setup.sh"

# --------------------------------------------------------------- s3rver
s3rver_ready || skip_all "$s3rver_why"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for s3proxy.py"
start_s3 bkt

AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
AWS_ENDPOINT_URL=$PX
HOME=$T            # no ~/.aws of the person running the tests
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL HOME
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_DEFAULT_REGION 2>/dev/null || true

# get KEY FILE: the object as s3rver has it (straight, not through the
# proxy); fails when there is none.
get() {
	k=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")
	curl -sS -f -o "$2" "http://127.0.0.1:$S3PORT/bkt/$k" 2>/dev/null
}
absent() { ! get "$1" "$T/absent"; }
# obj_is KEY FILE: the object is there and is FILE, byte for byte.
obj_is() { get "$1" "$T/got" && same "$T/got" "$2"; }
uploads() { curl -sS "$PX/__uploads"; }
no_uploads() {
	if [ -z "$(uploads)" ]; then return 0; fi
	diag "incomplete uploads:" "$(uploads)"
	return 1
}
# fault KIND TIMES [object]: the next part uploads (or whole-object PUTs)
# fail so.
fault() { curl -sS -o /dev/null "$PX/__fault?kind=$1&times=$2&on=${3:-part}"; }
log_count() { grep -c -- "$1" "$T/proxy.log" || true; }

# ---------------------------------------------------------- small: one PUT
start_mock --items 2000
run_invdump -q -o "$T/small.gz" "$BASE/offset/items"
: >"$T/proxy.log"
run_invdump -q -o s3://bkt/small/inv.ndjson.gz "$BASE/offset/items"
check "small: status 0" status_is 0
check "small: the object is the local file, byte for byte" \
	obj_is small/inv.ndjson.gz "$T/small.gz"
check "small: one PUT, no multipart upload" \
	test "$(log_count '^PUT /bkt/small/inv.ndjson.gz 200')" -eq 1 -a \
	"$(log_count '?uploads=')" -eq 0

# ------------------------------------------------------ large: multipart
# 700,000 items make 11 MiB: past one 5 MiB part, under the default cutoff
# of 5 parts (held, then one PUT: below); --s3-upload-cutoff 5M makes them
# a multipart upload from the first part.
MP="--s3-part-size 5M --s3-upload-cutoff 5M"
start_mock --items 700000
BIG=$BASE
run_invdump -q -o "$T/big.gz" "$BIG/offset/items"
: >"$T/proxy.log"
KEY='big/in v+é.ndjson.gz'
run_invdump -q $MP --manifest "s3://bkt/big/manifest.json" \
	-o "s3://bkt/$KEY" "$BIG/offset/items"
check "large: status 0" status_is 0
check "large: the object is the local file, byte for byte" \
	obj_is "$KEY" "$T/big.gz"
check "large: uploaded in 3 parts (5 MiB each, the last smaller)" \
	test "$(log_count 'partNumber=.*&uploadId=.* 200')" -eq 3
check "large: a key with a space, + and unicode: no request refused" \
	test "$(log_count ' 4[0-9][0-9]$')" -eq 0
check "large: no incomplete upload" no_uploads
manifest_agrees() {
	get big/manifest.json "$T/m.json" || return 1
	python3 - "$T/m.json" "$T/big.gz" "s3://bkt/$KEY" <<'PY'
import hashlib, json, os, sys
m = json.load(open(sys.argv[1]))
f = m["files"][0]
data = open(sys.argv[2], "rb").read()
# s3rver gives a multipart object the MD5 of its bytes; S3, of its
# parts' MD5s with "-N": invdump checked it against either.
ok = (len(m["files"]) == 1 and f["path"] == sys.argv[3] and
      f["bytes"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest() and
      f.get("etag") == hashlib.md5(data).hexdigest())
sys.exit(0 if ok else 1)
PY
}
check "large: the manifest (an object too) names it with its size, SHA-256 and ETag" \
	manifest_agrees

# ------------------------------------------------------------ split parts
: >"$T/proxy.log"
run_invdump -q --split-bytes 2M --manifest s3://bkt/sp/manifest.json \
	-o s3://bkt/sp/inv.ndjson.gz "$BIG/offset/items"
check "split: status 0" status_is 0
split_agrees() {
	get sp/manifest.json "$T/sm.json" || return 1
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["files"]))' "$T/sm.json")
	[ "$n" -ge 4 ] || { diag "only $n parts"; return 1; }
	: >"$T/parts.gz"
	i=0
	while [ "$i" -lt "$n" ]; do
		p=$(printf 'sp/inv-%05d.ndjson.gz' "$i")
		get "$p" "$T/part" || { diag "$p missing"; return 1; }
		sha=$(sha256sum "$T/part" | cut -d' ' -f1)
		grep -q "\"path\":\"s3://bkt/$p\",[^}]*\"sha256\":\"$sha\"" "$T/sm.json" ||
			{ diag "$p: not as the manifest says"; return 1; }
		cat "$T/part" >>"$T/parts.gz"
		i=$((i + 1))
	done
	gzip -dc "$T/big.gz" >"$T/big.ndjson"
	gzip -dc "$T/parts.gz" | cmp -s - "$T/big.ndjson"
}
check "split: every part as the manifest says, together the whole export" split_agrees
# The completions (POST ...?uploadId=) and the manifest's PUT, in order.
grep -E '^(POST /bkt/sp/[^ ]*\?uploadId=|PUT /bkt/sp/manifest.json )' "$T/proxy.log" |
	cut -d' ' -f2 | sed 's/?.*//' >"$T/order"
check "split: published in order, the manifest last" sh -c "
	tail -n 1 '$T/order' | grep -q manifest.json &&
	head -n -1 '$T/order' | sort -c && [ \$(wc -l <'$T/order') -ge 5 ]"
check "split: no incomplete upload" no_uploads

# ------------------------------------- held, then one PUT of its buffers
# The same 11 MiB with the default cutoff (5 parts of 5 MiB): held in three
# buffers, sent in one PUT once the count is verified.
: >"$T/proxy.log"
run_invdump -q --s3-part-size 5M -o s3://bkt/held.gz "$BIG/offset/items"
check "held: status 0" status_is 0
check "held: the object is the local file, byte for byte" obj_is held.gz "$T/big.gz"
check "held: one PUT of it all, no multipart upload" \
	test "$(log_count '^PUT /bkt/held.gz 200')" -eq 1 -a \
	"$(log_count '?uploads=')" -eq 0 -a "$(log_count 'partNumber')" -eq 0
# A cutoff of 7M: one part held, then the upload begins with it at the
# 7th MiB; 5 + 5 + the rest.
: >"$T/proxy.log"
run_invdump -q --s3-part-size 5M --s3-upload-cutoff 7M -o s3://bkt/spill.gz \
	"$BIG/offset/items"
check "past the cutoff: status 0" status_is 0
check "past the cutoff: the object is the local file, byte for byte" \
	obj_is spill.gz "$T/big.gz"
check "past the cutoff: a multipart upload of 3 parts, no whole PUT" \
	test "$(log_count 'partNumber=.*&uploadId=.* 200')" -eq 3 -a \
	"$(log_count '^PUT /bkt/spill.gz 200')" -eq 0
check "past the cutoff: no incomplete upload" no_uploads
# The one PUT failing twice (500, 503, a reset): sent again from its first
# byte; failing for good: nothing.  Under valgrind, the reset alone (the
# three take the same way back to the first byte).
if [ "$INVDUMP_VALGRIND" = 1 ]; then held_faults=reset; else held_faults="500 503 reset"; fi
for kind in $held_faults; do
	fault "$kind" 2 object
	run_invdump -q --s3-part-size 5M -o "s3://bkt/held-$kind.gz" "$BIG/offset/items"
	check "held, $kind twice on its PUT: status 0" status_is 0
	check "held, $kind twice on its PUT: the object is whole" \
		obj_is "held-$kind.gz" "$T/big.gz"
done
check "held: the faults were met" \
	test "$(log_count '^PUT /bkt/held-.* fault-')" -eq $((2 * $(echo $held_faults | wc -w)))
fault 500 -1 object
run_invdump -q --s3-part-size 5M -o s3://bkt/held-dead.gz "$BIG/offset/items"
fault 500 0
check "held, its PUT failing for good: status 6" status_is 6
check "held, its PUT failing for good: no object" absent held-dead.gz

# ------------------------------------------- an API failure mid-export
# One worker, so that the pages before the failing one are all written
# (two parts' worth uploaded) when it fails for good.
start_mock --items 700000 --fault 500:1:0@690000-
: >"$T/proxy.log"
run_invdump -q -w 1 --retries 0 $MP -o s3://bkt/apifail/inv.ndjson.gz \
	"$BASE/offset/items"
check "API failure: status 1" status_is 1
check "API failure: parts had been uploaded" \
	test "$(log_count '^PUT /bkt/apifail/inv.ndjson.gz?partNumber=1&.* 200')" -eq 1
check "API failure: no object" absent apifail/inv.ndjson.gz
check "API failure: no incomplete upload" no_uploads
: >"$T/proxy.log"
run_invdump -q -w 1 --retries 0 --s3-part-size 5M -o s3://bkt/apifail/held.gz \
	"$BASE/offset/items"
check "API failure while held: status 1" status_is 1
check "API failure while held: nothing was sent to the bucket" \
	test "$(log_count '/bkt/apifail/held.gz')" -eq 0
check "API failure while held: no object" absent apifail/held.gz
# A total that the items do not reach: every part uploaded, then exit 3.
start_mock --items 700000 --fake-total 700100
run_invdump -q $MP -o s3://bkt/short/inv.ndjson.gz "$BASE/offset/items"
check "does not add up: status 3" status_is 3
check "does not add up: no object" absent short/inv.ndjson.gz
check "does not add up: no incomplete upload" no_uploads

# ------------------------------------------------- transient part faults
# Under valgrind, the reset alone: the three take the same way back.
if [ "$INVDUMP_VALGRIND" = 1 ]; then part_faults=reset; else part_faults="500 503 reset"; fi
for kind in $part_faults; do
	fault "$kind" 2
	run_invdump -q $MP -o "s3://bkt/flaky-$kind.gz" "$BIG/offset/items"
	check "$kind twice on parts: status 0" status_is 0
	check "$kind twice on parts: the object is whole" \
		obj_is flaky-$kind.gz "$T/big.gz"
done
check "the faults were met" \
	test "$(log_count 'fault-')" -ge $((2 * $(echo $part_faults | wc -w)))
check "transient faults: no incomplete upload" no_uploads

# ------------------------------------------------ a part failing for good
fault 503 -1
run_invdump -q $MP -o s3://bkt/dead.gz "$BIG/offset/items"
fault 503 0
check "a part failing for good: status 6" status_is 6
check "a part failing for good: says so" err_has "SlowDown"
check "a part failing for good: no object" absent dead.gz
check "a part failing for good: the upload aborted" no_uploads

# ------------------------------------------------ kill -9 mid-upload
start_mock --items 700000 --latency-ms 5
SLOW=$BASE
: >"$T/proxy.log"
"$INVDUMP" -q $MP -o s3://bkt/killed.gz "$SLOW/offset/items" 2>"$T/err" &
pid=$!
i=0
until grep -q 'partNumber=1&.* 200' "$T/proxy.log"; do
	i=$((i + 1))
	[ "$i" -lt 600 ] || break
	sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
check "kill -9: no object" absent killed.gz
check "kill -9: an incomplete upload is left" test -n "$(uploads)"
# Killed while held (more than a part's worth of pages in: 3,500 of 100
# items are 5.6 MiB): nothing at all is left, not even an upload.
served() { curl -sS "$SLOW/stats" | sed 's/.*"requests":\([0-9]*\).*/\1/'; }
before=$(served)
"$INVDUMP" -q --s3-part-size 5M -o s3://bkt/killed-held.gz "$SLOW/offset/items" \
	2>"$T/err" &
pid=$!
i=0
until [ $(($(served) - before)) -ge 3500 ]; do
	i=$((i + 1))
	[ "$i" -lt 1200 ] || break
	sleep 0.05
done
check "kill -9 while held: killed with more than a part held" \
	test $(($(served) - before)) -ge 3500
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
check "kill -9 while held: no object, and no upload of it" sh -c "
	! curl -sS -f -o /dev/null 'http://127.0.0.1:$S3PORT/bkt/killed-held.gz' 2>/dev/null &&
	! curl -sS '$PX/__uploads' | grep -q killed-held"
# The next run holds its object (the default cutoff) and still aborts the
# upload the killed one left.
run_invdump -q --s3-part-size 5M -o s3://bkt/killed.gz "$BIG/offset/items"
check "the next run: status 0" status_is 0
check "the next run: the object is whole" \
	obj_is killed.gz "$T/big.gz"
check "the next run aborted the upload left" no_uploads

# ------------------------------------------------ a jobs file, shards
start_mock --items 3000
J=$BASE
run_invdump -q -o "$T/j.gz" "$J/offset/items"
run_invdump -q -p drf -o "$T/jd.gz" "$J/drf/items"
cat >"$T/jobs.ini" <<INI
[offset]
url = $J/offset/items
output = s3://bkt/jobs/offset.ndjson.gz

[drf]
url = $J/drf/items
profile = drf
output = s3://bkt/jobs/drf.ndjson.gz
INI
run_invdump -q --manifest s3://bkt/jobs/run.json --jobs "$T/jobs.ini"
check "a jobs file to s3://: status 0" status_is 0
check "a jobs file: the first target's object" obj_is jobs/offset.ndjson.gz "$T/j.gz"
check "a jobs file: the second target's object" obj_is jobs/drf.ndjson.gz "$T/jd.gz"
check "a jobs file: the run's manifest names both" sh -c "
	curl -sS -f 'http://127.0.0.1:$S3PORT/bkt/jobs/run.json' |
	grep -q 's3://bkt/jobs/offset.ndjson.gz' &&
	curl -sS -f 'http://127.0.0.1:$S3PORT/bkt/jobs/run.json' |
	grep -q 's3://bkt/jobs/drf.ndjson.gz'"
for i in 0 1; do
	run_invdump -q --shard "$i/2" --manifest "s3://bkt/shards/s$i.json" \
		-o "s3://bkt/shards/s$i.gz" "$J/offset/items"
	check "shard $i/2 to s3://: status 0" status_is 0
done
shards_whole() {
	get shards/s0.gz "$T/s0.gz" && get shards/s1.gz "$T/s1.gz" &&
	get shards/s0.json "$T/s0.json" && get shards/s1.json "$T/s1.json" &&
	cat "$T/s0.gz" "$T/s1.gz" | gzip -dc >"$T/shards" &&
	gzip -dc "$T/j.gz" | cmp -s - "$T/shards"
}
check "the shards' objects make the whole export, each with its manifest" shards_whole

# Threads: an object smaller than one part is one PUT from the writer's
# thread, so a jobs run of 200 small objects has the threads of a run of
# one: the crew's W, main and signal (and a sanitizer's own, if any).
start_mock --items 40 --latency-ms 20
{
	printf '[defaults]\nprofile = offset\nlimit = 100\n'
	i=0
	while [ "$i" -lt 200 ]; do
		printf '[t%d]\nurl = %s/offset/items?n=%d\noutput = s3://bkt/many/t%d.gz\n' \
			"$i" "$BASE" "$i" "$i"
		i=$((i + 1))
	done
} >"$T/many.ini"
chmod 600 "$T/many.ini"
max_threads -w 4 -l 20 -o s3://bkt/one.gz "$BASE/offset/items"
one=$most
max_threads -w 4 --jobs "$T/many.ini"
check "200 small objects to s3:// have the threads of one ($most, $one): W + 2, and a runtime's" \
	test "$most" -eq "$one" -a "$most" -ge 6 -a "$most" -le 7
check "... every one of them published" get many/t199.gz "$T/t199.gz"

# ---------------------------------------- encryption and ACL settings
: >"$T/proxy.log"
run_invdump -q --s3-sse AES256 --s3-acl bucket-owner-full-control \
	--manifest s3://bkt/sse/m.json -o s3://bkt/sse/small.gz "$J/offset/items"
check "--s3-sse AES256 --s3-acl: status 0" status_is 0
SSE='x-amz-server-side-encryption'
check "--s3-sse AES256 --s3-acl: the object and the manifest are created with both" \
	test "$(log_count "^PUT /bkt/sse/.* 200 $SSE=AES256 x-amz-acl=bucket-owner-full-control\$")" -eq 2
: >"$T/proxy.log"
run_invdump -q --s3-sse-kms-key-id alias/inv $MP -o s3://bkt/sse/big.gz \
	"$BIG/offset/items"
check "--s3-sse-kms-key-id: status 0" status_is 0
check "--s3-sse-kms-key-id: CreateMultipartUpload asks for aws:kms with the key" \
	test "$(log_count \
	"^POST /bkt/sse/big.gz?uploads= 200 $SSE=aws:kms $SSE-aws-kms-key-id=alias/inv\$")" -eq 1
check "--s3-sse-kms-key-id: the parts carry no settings of their own" \
	test "$(log_count 'partNumber=.* 200 x-amz')" -eq 0
run_invdump -q --s3-sse DES -o s3://bkt/sse/x.gz "$J/offset/items"
check "--s3-sse DES: usage error" status_is 2

# ----------------------------------------------- SIGINT mid-upload
: >"$T/proxy.log"
"$INVDUMP" -q $MP -o s3://bkt/int.gz "$SLOW/offset/items" 2>"$T/err" &
pid=$!
i=0
until grep -q 'partNumber=1&.* 200' "$T/proxy.log"; do
	i=$((i + 1))
	[ "$i" -lt 600 ] || break
	sleep 0.05
done
kill -INT "$pid" 2>/dev/null || true
set +e; wait "$pid"; rc=$?; set -e
check "SIGINT mid-upload: status 130" status_is 130
check "SIGINT mid-upload: no object" absent int.gz
check "SIGINT mid-upload: the upload aborted at once" no_uploads

# --------------------------------------------- credentials and the bucket
start_mock --items 100 --log "$T/api.log"
AWS_ACCESS_KEY_ID=NOSUCHKEY AWS_SECRET_ACCESS_KEY=SeCrEt42 "$INVDUMP" -q \
	-o s3://bkt/x.gz "$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
check "an unknown key: status 4 (credentials refused)" status_is 4
check "an unknown key: 403, with the likely fix" err_has "check the credentials"
check "an unknown key: the bucket named, its credentials told from the API's" sh -c "
	grep -q 's3://bkt: the bucket refused its S3 credentials (HTTP 403)' '$T/err' &&
	grep -q 'the API.s own credentials are not the ones refused' '$T/err'"
check "an unknown key: no page of the API fetched" test ! -s "$T/api.log"
check "an unknown key: the secret never printed" sh -c "! grep -q SeCrEt42 '$T/err'"
run_invdump -q -o s3://nosuchbucket/x.gz "$BASE/offset/items"
check "no such bucket: status 6" status_is 6
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true \
	"$INVDUMP" -q -o s3://bkt/x.gz \
	"$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
check "no credentials: status 6" status_is 6
check "no credentials: says where they are looked for" err_has "AWS_ACCESS_KEY_ID"
mkdir -p "$T/.aws"
printf '[prof]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' \
	>"$T/.aws/credentials"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=prof "$INVDUMP" -q \
	-o s3://bkt/profile.gz "$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
check "AWS_PROFILE from ~/.aws/credentials: status 0" status_is 0
# The container credentials endpoint (ECS, EKS Pod Identity), then IMDSv2.
echo "pod-identity-token-42" >"$T/podtoken"
start_credserver cred
: >"$T/api.log"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="$CRED/creds" \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/podtoken" \
	"$INVDUMP" -q -o s3://bkt/pod.gz "$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
check "the container endpoint with its token file: status 0" status_is 0
check "the container endpoint: asked with the token" \
	grep -q "^GET /creds pod-identity-token-42$" "$T/cred.log"
check "the container endpoint: the token never goes to the API" \
	sh -c "! grep -q pod-identity '$T/api.log'"
echo "another-token" >"$T/badtoken"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="$CRED/creds" \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/badtoken" \
	"$INVDUMP" -q -o s3://bkt/pod2.gz "$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
check "the container endpoint refusing the token: status 6" status_is 6
check "... says which endpoint" err_has "container endpoint $CRED/creds"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://198.51.100.7/creds" \
	"$INVDUMP" -q -o s3://bkt/pod3.gz "$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
check "a container endpoint on another host over http: refused" err_has "neither https"
: >"$T/cred.log"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_SERVICE_ENDPOINT="$CRED" \
	"$INVDUMP" -q -o s3://bkt/imds.gz "$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
check "IMDSv2: status 0" status_is 0
check "IMDSv2: a session token first, then the role and its credentials" sh -c "
	head -n 1 '$T/cred.log' | grep -q '^PUT /latest/api/token' &&
	grep -q 'security-credentials/invdump-role' '$T/cred.log'"
# Credentials that expire: 301 s of life, so that fewer than the 300 s
# margin remain after a second or two, and each new set has its own session
# token: a multipart upload of several seconds must renew them as it goes.
start_credserver cred2 301
: >"$T/proxy.log"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="$CRED/creds" \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/podtoken" \
	"$INVDUMP" -q $MP -o s3://bkt/renew.gz "$SLOW/offset/items" \
	2>"$T/err" && rc=0 || rc=$?
check "credentials about to expire: status 0" status_is 0
check "credentials about to expire: the object is whole" obj_is renew.gz "$T/big.gz"
check "credentials about to expire: fetched again during the upload" \
	test "$(grep -c '^GET /creds ' "$T/cred2.log")" -ge 2
check "credentials about to expire: later requests signed with the new token" sh -c "
	grep -q ' token=session-1\$' '$T/proxy.log' &&
	grep -E -q '^(PUT|POST) /bkt/renew.gz.* 200 token=session-([2-9]|[1-9][0-9]+)\$' '$T/proxy.log'"
run_invdump -q --resume -o s3://bkt/r.gz "$BASE/offset/items"
check "--resume with s3://: usage error" status_is 2
run_invdump -q --s3-part-size 1M -o s3://bkt/r.gz "$BASE/offset/items"
check "--s3-part-size under 5M: usage error" status_is 2
run_invdump -q --s3-upload-cutoff 0 -o s3://bkt/r.gz "$BASE/offset/items"
check "--s3-upload-cutoff 0: usage error" status_is 2

# ------------------------------ leftovers over several pages, and a newer one
# Five uploads of the destination begun a minute ago, one of another key,
# and one begun after this run will have started (a concurrent run's):
# listed two a page, the five aborted, the other two left alone.
curl -sS -o /dev/null "$PX/__pagesize?n=2"
for i in 1 2 3 4 5; do curl -sS -o /dev/null "$PX/__leftover?key=paged.gz&age=60"; done
curl -sS -o /dev/null "$PX/__leftover?key=paged.gz.other&age=60"
curl -sS -o /dev/null "$PX/__leftover?key=paged.gz&age=-3600"
: >"$T/proxy.log"
run_invdump -v -o s3://bkt/paged.gz "$BASE/offset/items"
curl -sS -o /dev/null "$PX/__pagesize?n=1000"
check "leftovers on several pages: status 0" status_is 0
check "leftovers on several pages: every page listed (4 of 2)" \
	test "$(log_count '^GET /bkt/?.*uploads=.* 200$')" -eq 4
check "leftovers on several pages: the five older ones aborted" \
	test "$(log_count '^DELETE /bkt/paged.gz?uploadId=leftover-[1-5] 204$')" -eq 5
check "a newer upload of the same key (another run's) left alone, and said" sh -c "
	[ \"\$(curl -sS '$PX/__uploads' | sort | tr '\n' ' ')\" = \
	  'paged.gz leftover-7 paged.gz.other leftover-6 ' ] &&
	grep -q 'begun after this run started' '$T/err'"
curl -sS -o /dev/null -X DELETE "$PX/bkt/paged.gz?uploadId=leftover-7"
curl -sS -o /dev/null -X DELETE "$PX/bkt/paged.gz.other?uploadId=leftover-6"

done_testing
