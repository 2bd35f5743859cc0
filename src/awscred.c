/*
 * awscred.c - S3 credentials, region and endpoint from the environment
 * and the AWS tools' files (see awscred.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <yajl/yajl_tree.h>

#include "awscred.h"
#include "log.h"
#include "s3xml.h"
#include "xalloc.h"

/* s without its leading and trailing blanks, in place. */
static char *
cred_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

char *
awscred_ini(const char *path, const char *section, const char *key)
{
	char line[4096], *l, *eq, *val = NULL;
	int in = 0;
	FILE *f;

	if (path == NULL || (f = fopen(path, "re")) == NULL)
		return NULL;
	while (val == NULL && fgets(line, sizeof line, f) != NULL) {
		l = cred_trim(line);
		if (*l == '#' || *l == ';' || *l == '\0')
			continue;
		if (*l == '[') {
			l[strcspn(l, "]")] = '\0';
			in = strcmp(cred_trim(l + 1), section) == 0;
			continue;
		}
		if (!in || (eq = strchr(l, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(cred_trim(l), key) == 0)
			val = xstrdup(cred_trim(eq + 1));
	}
	fclose(f);
	return val;
}

/* The environment's value, or NULL when it is unset or empty. */
static char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

/* ~/.aws/NAME, or the file the variable var names. */
static char *
aws_file(const char *var, const char *name)
{
	const char *home = getenv("HOME");

	if (getenv(var) != NULL && *getenv(var) != '\0')
		return xstrdup(getenv(var));
	return home != NULL ? xasprintf("%s/.aws/%s", home, name) : NULL;
}

struct files {
	char *creds, *config;
	char *profile;          /* as in the credentials file */
	char *section;          /* as in the config file */
};

/* key of the profile: the credentials file first, then the config. */
static char *
profile_value(const struct files *fs, const char *key, int config_only)
{
	char *v = config_only ? NULL :
	    awscred_ini(fs->creds, fs->profile, key);

	return v != NULL ? v : awscred_ini(fs->config, fs->section, key);
}

static void
files_init(struct files *fs)
{
	const char *p = getenv("AWS_PROFILE");

	if (p == NULL || *p == '\0')
		p = "default";
	fs->creds = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	fs->config = aws_file("AWS_CONFIG_FILE", "config");
	fs->profile = xstrdup(p);
	fs->section = strcmp(p, "default") == 0 ? xstrdup(p) :
	    xasprintf("profile %s", p);
}

static void
files_free(struct files *fs)
{
	free(fs->creds);
	free(fs->config);
	free(fs->profile);
	free(fs->section);
}

static int from_container(struct awscred *c);
static int from_imds(struct awscred *c);

/* Credentials from the container endpoint, then IMDS; 0, or -1 (after a
 * message from a container endpoint that failed). */
static int
from_endpoints(struct awscred *c)
{
	int rc = from_container(c);

	if (rc == 1)
		rc = from_imds(c) == 0 ? 0 : 1;
	return rc < 0 ? -1 : rc == 0 ? 0 : 1;
}

int
awscred_load(struct awscred *c)
{
	struct files fs;
	int rc = 1;

	memset(c, 0, sizeof *c);
	files_init(&fs);
	c->akid = env("AWS_ACCESS_KEY_ID");
	c->secret = env("AWS_SECRET_ACCESS_KEY");
	if (c->akid != NULL && c->secret != NULL)
		c->token = env("AWS_SESSION_TOKEN");
	else {
		free(c->akid);
		free(c->secret);
		c->akid = profile_value(&fs, "aws_access_key_id", 0);
		c->secret = profile_value(&fs, "aws_secret_access_key", 0);
		c->token = profile_value(&fs, "aws_session_token", 0);
	}
	if ((c->region = env("AWS_REGION")) == NULL &&
	    (c->region = env("AWS_DEFAULT_REGION")) == NULL &&
	    (c->region = profile_value(&fs, "region", 1)) == NULL)
		c->region = xstrdup("us-east-1");
	if ((c->endpoint = env("AWS_ENDPOINT_URL_S3")) == NULL &&
	    (c->endpoint = env("AWS_ENDPOINT_URL")) == NULL)
		c->endpoint = profile_value(&fs, "endpoint_url", 1);
	if (c->akid == NULL || c->secret == NULL) {
		free(c->akid);
		free(c->secret);
		free(c->token);
		c->akid = c->secret = c->token = NULL;
		if ((rc = from_endpoints(c)) == 0) {
			files_free(&fs);
			return 0;
		}
	}
	if (c->akid == NULL || c->secret == NULL) {
		if (rc < 0) {
			files_free(&fs);
			awscred_free(c);
			return -1;
		}
		log_error("no S3 credentials: set AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (now \"%s\") with "
		    "keys in %s, or run where a container credentials endpoint "
		    "or an EC2 instance role gives them", fs.profile,
		    fs.creds != NULL ? fs.creds : "~/.aws/credentials");
		files_free(&fs);
		awscred_free(c);
		return -1;
	}
	files_free(&fs);
	return 0;
}

void
awscred_free(struct awscred *c)
{
	if (c->secret != NULL)
		memset(c->secret, 0, strlen(c->secret));
	if (c->token != NULL)
		memset(c->token, 0, strlen(c->token));
	free(c->akid);
	free(c->secret);
	free(c->token);
	free(c->region);
	free(c->endpoint);
	memset(c, 0, sizeof *c);
}

/* ------------------------------------------------ credential endpoints */

#define ENDPOINT_BODY_MAX 65536

struct body {
	char *p;
	size_t n;
};

static size_t
cred_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;

	if (b->n + n > ENDPOINT_BODY_MAX)
		return 0;       /* too big for credentials: fail the transfer */
	b->p = xrealloc(b->p, b->n + n + 1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

/* method url with the header line hdr (or NULL): the body of a 200, or
 * NULL.  A link-local service answers at once or not at all. */
static char *
cred_fetch(const char *method, const char *url, const char *hdr)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = hdr != NULL ? curl_slist_append(NULL, hdr) :
	    NULL;
	struct body b = { NULL, 0 };
	long status = 0;

	if (h == NULL)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cred_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(h) != CURLE_OK ||
	    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
	    status != 200) {
		free(b.p);
		b.p = NULL;
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return b.p;
}

/* A string member of a JSON object, or NULL. */
static char *
json_str(yajl_val root, const char *name)
{
	const char *path[] = { name, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);

	return v != NULL ? xstrdup(YAJL_GET_STRING(v)) : NULL;
}

time_t
awscred_time(const char *s)
{
	return (time_t)(s3xml_time_ms(s) / 1000);
}

int
awscred_json(const char *body, struct awscred *c)
{
	yajl_val root = body != NULL ? yajl_tree_parse(body, NULL, 0) : NULL;
	char *exp;

	if (root == NULL)
		return -1;
	c->akid = json_str(root, "AccessKeyId");
	c->secret = json_str(root, "SecretAccessKey");
	c->token = json_str(root, "Token");
	exp = json_str(root, "Expiration");
	c->expires = awscred_time(exp);
	free(exp);
	yajl_tree_free(root);
	if (c->akid == NULL || c->secret == NULL) {
		free(c->akid);
		free(c->secret);
		free(c->token);
		c->akid = c->secret = c->token = NULL;
		return -1;
	}
	return 0;
}

/* A FULL_URI the SDKs accept: https, or http to loopback or the
 * container addresses of ECS and EKS Pod Identity. */
static int
container_host_ok(const char *url)
{
	static const char *const ok[] = {
		"http://127.", "http://localhost:", "http://localhost/",
		"http://[::1]", "http://169.254.170.2:", "http://169.254.170.2/",
		"http://169.254.170.23", "http://[fd00:ec2::23]", "https://"
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strncmp(url, ok[i], strlen(ok[i])) == 0)
			return 1;
	return 0;
}

/* The container credentials endpoint; 0, 1 when none is set, or -1 after
 * a message. */
static int
from_container(struct awscred *c)
{
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	char *url, *tok = NULL, *hdr = NULL, *body;
	int rc;

	if (rel != NULL && *rel != '\0')
		url = xasprintf("http://169.254.170.2%s", rel);
	else if (full != NULL && *full != '\0')
		url = xstrdup(full);
	else
		return 1;
	if (!container_host_ok(url)) {
		log_error("AWS_CONTAINER_CREDENTIALS_FULL_URI: %s is neither "
		    "https nor a container or loopback address", url);
		free(url);
		return -1;
	}
	if (tokfile != NULL && *tokfile != '\0')
		tok = awscred_file_line(tokfile);
	else if (getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL)
		tok = xstrdup(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	if (tok != NULL)
		hdr = xasprintf("Authorization: %s", tok);
	body = cred_fetch("GET", url, hdr);
	rc = awscred_json(body, c);
	if (rc < 0)
		log_error("no S3 credentials from the container endpoint %s "
		    "(AWS_CONTAINER_CREDENTIALS_*): no answer, or not one with "
		    "AccessKeyId and SecretAccessKey", url);
	free(body);
	free(url);
	if (hdr != NULL)
		memset(hdr, 0, strlen(hdr));
	free(hdr);
	if (tok != NULL)
		memset(tok, 0, strlen(tok));
	free(tok);
	return rc;
}

/* IMDSv2: a session token, the role's name, its credentials; 0, or 1
 * when there is no such service (or a role). */
static int
from_imds(struct awscred *c)
{
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	char *tok, *hdr, *url, *role, *body;
	int rc = 1;

	if (off != NULL && strcasecmp(off, "true") == 0)
		return 1;
	if (base == NULL || *base == '\0')
		base = "http://169.254.169.254";
	url = xasprintf("%s/latest/api/token", base);
	tok = cred_fetch("PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	free(url);
	if (tok == NULL)
		return 1;
	hdr = xasprintf("X-aws-ec2-metadata-token: %s", cred_trim(tok));
	url = xasprintf("%s/latest/meta-data/iam/security-credentials/", base);
	role = cred_fetch("GET", url, hdr);
	free(url);
	if (role != NULL) {
		role[strcspn(role, "\r\n")] = '\0';
		url = xasprintf("%s/latest/meta-data/iam/security-credentials/%s",
		    base, cred_trim(role));
		body = cred_fetch("GET", url, hdr);
		rc = awscred_json(body, c) == 0 ? 0 : 1;
		free(body);
		free(url);
		free(role);
	}
	memset(hdr, 0, strlen(hdr));
	free(hdr);
	free(tok);
	return rc;
}

char *
awscred_file_line(const char *path)
{
	char line[8192];
	FILE *f = fopen(path, "re");
	char *s = NULL;

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof line, f) != NULL)
		s = xstrdup(cred_trim(line));
	fclose(f);
	return s;
}
