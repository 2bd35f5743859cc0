/*
 * awscred.c - S3 credentials, region and endpoint from the environment
 * and the AWS tools' files (see awscred.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awscred.h"
#include "log.h"
#include "xalloc.h"

/* s without its leading and trailing blanks, in place. */
static char *
trim(char *s)
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
		l = trim(line);
		if (*l == '#' || *l == ';' || *l == '\0')
			continue;
		if (*l == '[') {
			l[strcspn(l, "]")] = '\0';
			in = strcmp(trim(l + 1), section) == 0;
			continue;
		}
		if (!in || (eq = strchr(l, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(trim(l), key) == 0)
			val = xstrdup(trim(eq + 1));
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

int
awscred_load(struct awscred *c)
{
	struct files fs;

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
		log_error("no S3 credentials: set AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (now \"%s\") with "
		    "keys in %s", fs.profile, fs.creds != NULL ? fs.creds :
		    "~/.aws/credentials");
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
