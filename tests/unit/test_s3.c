/*
 * test_s3.c - the pieces of an s3:// destination that need no server:
 * credentials, region and endpoint from the environment and the AWS
 * files (awscred.c), the endpoint and key encoding (s3req.c), and S3's
 * XML answers (s3xml.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awscred.h"
#include "log.h"
#include "s3req.h"
#include "s3xml.h"
#include "tap.h"

static char dir[] = "/tmp/test_s3.XXXXXX";

static void
put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/.aws/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void
clear_env(void)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"
	};
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
}

static void
test_env(void)
{
	struct awscred c;

	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
	setenv("AWS_SESSION_TOKEN", "TOKENV", 1);
	setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
	ok(awscred_load(&c) == 0, "the environment's keys");
	ok(strcmp(c.akid, "AKENV") == 0 && strcmp(c.secret, "SKENV") == 0 &&
	    strcmp(c.token, "TOKENV") == 0, "... key, secret and token");
	ok(strcmp(c.region, "eu-west-3") == 0, "AWS_DEFAULT_REGION");
	ok(c.endpoint == NULL, "no endpoint: AWS's own");
	awscred_free(&c);
	setenv("AWS_REGION", "ap-south-1", 1);
	setenv("AWS_ENDPOINT_URL", "http://one", 1);
	setenv("AWS_ENDPOINT_URL_S3", "http://s3only", 1);
	awscred_load(&c);
	ok(strcmp(c.region, "ap-south-1") == 0, "AWS_REGION before "
	    "AWS_DEFAULT_REGION");
	ok(strcmp(c.endpoint, "http://s3only") == 0, "AWS_ENDPOINT_URL_S3 "
	    "before AWS_ENDPOINT_URL");
	awscred_free(&c);
}

static void
test_files(void)
{
	struct awscred c;

	clear_env();
	put("credentials", "[default]\naws_access_key_id = AKDEF\n"
	    "aws_secret_access_key=SKDEF\n\n# a comment\n[prof]\n"
	    "  aws_access_key_id = AKPROF  \naws_secret_access_key = SKPROF\n"
	    "aws_session_token = TKPROF\n");
	put("config", "[default]\nregion = us-west-2\n[profile prof]\n"
	    "region = eu-central-1\nendpoint_url = http://minio:9000\n"
	    "[prof]\nregion = wrong\n");
	ok(awscred_load(&c) == 0 && strcmp(c.akid, "AKDEF") == 0 &&
	    strcmp(c.region, "us-west-2") == 0 && c.token == NULL,
	    "[default] of both files");
	awscred_free(&c);
	setenv("AWS_PROFILE", "prof", 1);
	ok(awscred_load(&c) == 0 && strcmp(c.akid, "AKPROF") == 0 &&
	    strcmp(c.secret, "SKPROF") == 0 && strcmp(c.token, "TKPROF") == 0,
	    "AWS_PROFILE: its section, blanks trimmed");
	ok(strcmp(c.region, "eu-central-1") == 0 &&
	    strcmp(c.endpoint, "http://minio:9000") == 0,
	    "the config's [profile NAME], not [NAME]");
	awscred_free(&c);
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	ok(awscred_load(&c) == 0 && strcmp(c.akid, "AKPROF") == 0,
	    "a key id without its secret in the environment: the profile's");
	awscred_free(&c);
	setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
	ok(awscred_load(&c) == 0 && strcmp(c.akid, "AKENV") == 0 &&
	    c.token == NULL, "the environment before the profile, and no "
	    "token of the profile's with it");
	awscred_free(&c);
	clear_env();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_PROFILE", "nosuch", 1);
	ok(awscred_load(&c) < 0, "no credentials: an error");
}

static void
test_encoding(void)
{
	struct s3conf c;
	char *u, *k;

	k = s3_encode_key("a b+c/é~_.-!*");
	ok(strcmp(k, "a%20b%2Bc/%C3%A9~_.-%21%2A") == 0, "keys encoded as "
	    "S3 wants, '/' kept: %s", k);
	free(k);
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "A", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
	setenv("AWS_REGION", "eu-west-1", 1);
	s3conf_init(&c, "my-bucket");
	u = s3_url(&c, "x y", "uploads=");
	ok(strcmp(u, "https://my-bucket.s3.eu-west-1.amazonaws.com/x%20y"
	    "?uploads=") == 0, "AWS: virtual-hosted: %s", u);
	free(u);
	s3conf_free(&c);
	s3conf_init(&c, "My.Bucket");
	u = s3_url(&c, NULL, NULL);
	ok(strcmp(u, "https://s3.eu-west-1.amazonaws.com/My.Bucket/") == 0,
	    "AWS, a bucket no host name can hold: path-style: %s", u);
	free(u);
	s3conf_free(&c);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000//", 1);
	s3conf_init(&c, "b");
	u = s3_url(&c, "k", NULL);
	ok(strcmp(u, "http://127.0.0.1:9000/b/k") == 0, "a custom endpoint: "
	    "path-style: %s", u);
	free(u);
	s3conf_free(&c);
}

static void
test_time(void)
{
	ok(awscred_time("2026-12-07T20:48:33Z") == 1796676513, "an "
	    "endpoint's Expiration: %lld",
	    (long long)awscred_time("2026-12-07T20:48:33Z"));
	ok(awscred_time("2026-12-07T20:48:33.250Z") == 1796676513 &&
	    awscred_time("2026-12-07T20:48:33+00:00") == 1796676513,
	    "... with a fraction, or +00:00");
	ok(awscred_time("2026-12-07 20:48:33") == 0 &&
	    awscred_time("2026-12-07T20:48:33+02:00") == 0 &&
	    awscred_time("") == 0 && awscred_time(NULL) == 0,
	    "not UTC, or not an instant: none (never renewed)");
}

static void
test_xml(void)
{
	static const char err[] = "<?xml version=\"1.0\"?>\n<Error><Code>"
	    "AccessDenied</Code><Message>Access &amp; Denied</Message></Error>";
	static const char list[] = "<ListMultipartUploadsResult xmlns=\"http:"
	    "//s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>true"
	    "</IsTruncated><NextKeyMarker>d</NextKeyMarker><NextUploadIdMarker>"
	    "2</NextUploadIdMarker><Upload><Key>a b</Key>"
	    "<UploadId>1</UploadId><Initiated>2026-12-07T20:48:33.250Z"
	    "</Initiated></Upload><Upload><Key>c</Key></Upload>"
	    "<Upload><Key>d</Key><UploadId>2</UploadId></Upload>"
	    "</ListMultipartUploadsResult>";
	static const char last[] = "<ListMultipartUploadsResult><IsTruncated>"
	    "false</IsTruncated></ListMultipartUploadsResult>";
	static const char dtd[] = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY"
	    " a \"aaaaaaaa\">]><Error><Code>&a;&a;</Code></Error>";
	struct s3uploads u;
	char *s;

	s = s3xml_text(err, sizeof err - 1, "Message");
	ok(s != NULL && strcmp(s, "Access & Denied") == 0, "an error's "
	    "Message, entities of XML's own decoded");
	free(s);
	ok(s3xml_text("not xml", 7, "Code") == NULL, "not XML: no Code");
	ok(s3xml_text(dtd, sizeof dtd - 1, "Code") == NULL, "a DTD: refused");
	s3xml_uploads(list, sizeof list - 1, &u);
	ok(u.n == 2 && strcmp(u.v[0].key, "a b") == 0 &&
	    strcmp(u.v[0].id, "1") == 0 && strcmp(u.v[1].key, "d") == 0 &&
	    strcmp(u.v[1].id, "2") == 0,
	    "uploads listed, one without an id left out, in a namespace");
	ok(u.v[0].initiated_ms == 1796676513250LL && u.v[1].initiated_ms == 0,
	    "... each one's Initiated, in milliseconds (0: none given)");
	ok(u.truncated && strcmp(u.next_key, "d") == 0 &&
	    strcmp(u.next_id, "2") == 0, "... a truncated page's markers");
	s3xml_uploads_free(&u);
	ok(s3xml_uploads(last, sizeof last - 1, &u) == 0 && !u.truncated &&
	    u.next_key == NULL && u.next_id == NULL, "the last page: no "
	    "markers");
	s3xml_uploads_free(&u);
	ok(s3xml_time_ms("2026-12-07T20:48:33Z") == 1796676513000LL &&
	    s3xml_time_ms("2026-12-07T20:48:33.5Z") == 1796676513500LL &&
	    s3xml_time_ms("1969-12-31T23:59:59Z") == 0 &&
	    s3xml_time_ms("2026-12-07T20:48:33") == 0, "Initiated: UTC "
	    "instants after 1970 only");
}

int
main(void)
{
	char path[256];

	log_set_level(log_level_quiet);
	s3xml_init();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/.aws", dir);
	mkdir(path, 0700);
	setenv("HOME", dir, 1);
	test_env();
	test_files();
	test_encoding();
	test_time();
	test_xml();
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
