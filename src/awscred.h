/*
 * awscred.h - credentials, region and endpoint for S3, taken as the AWS
 * tools take them, never from the command line.
 *
 * Credentials, in the AWS SDKs' order: AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN) from the environment;
 * else the profile AWS_PROFILE (or "default") of
 * AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), then of
 * AWS_CONFIG_FILE (~/.aws/config, "[profile NAME]"); else the container
 * credentials endpoint that ECS and EKS Pod Identity set
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI, on loopback, the link-local
 * container addresses or https, or ..._RELATIVE_URI under
 * http://169.254.170.2, with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
 * ..._TOKEN); else the EC2 instance metadata service, IMDSv2 only
 * (AWS_EC2_METADATA_SERVICE_ENDPOINT, or http://169.254.169.254; not
 * when AWS_EC2_METADATA_DISABLED is true).  Credentials from an endpoint
 * carry their Expiration (expires below); s3req.c loads them again
 * before they run out (see s3req.h).  Region:
 * AWS_REGION, AWS_DEFAULT_REGION, the profile's "region", else us-east-1.
 * Endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
 * "endpoint_url"; none means AWS itself.
 *
 * Nothing here prints a secret: messages name the file and the profile.
 */
#ifndef INVDUMP_AWSCRED_H
#define INVDUMP_AWSCRED_H

#include <time.h>

struct awscred {
	char *akid, *secret, *token;    /* token NULL without a session */
	char *region;
	char *endpoint;                 /* NULL: AWS's own */
	time_t expires;                 /* an endpoint's Expiration (UTC);
	                                   0: none given, never renewed */
};

/* Fills c (every string its own); 0, or -1 after a message that says
 * where credentials are looked for. */
int awscred_load(struct awscred *c);
/* An ISO 8601 instant in UTC as the endpoints write it
 * (2026-12-07T20:48:33Z, a fraction allowed), or 0 when it is not one:
 * s3xml_time_ms's, in seconds. */
time_t awscred_time(const char *s);
/* A credentials endpoint's answer (container or IMDS: {"AccessKeyId",
 * "SecretAccessKey", "Token", "Expiration"}) into c's akid, secret, token
 * and expires: 0, or -1 with none of them set (no JSON, or no key or
 * secret). */
int awscred_json(const char *body, struct awscred *c);
/* Frees c's strings, wiping the secret first. */
void awscred_free(struct awscred *c);
/* The first line of path, blanks trimmed (a token file), or NULL. */
char *awscred_file_line(const char *path);
/* One value of a section of an INI file as the AWS tools write it
 * ("key = value" lines under "[section]"); NULL when absent. */
char *awscred_ini(const char *path, const char *section, const char *key);

#endif
