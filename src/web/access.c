#include "access.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "request.h"

/* Copy at most outlen - 1 bytes of s[0..len), lower case. */
static void lower(char *out, size_t outlen, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* Whether name (lower case) is in the comma-separated list. */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p != '\0';) {
		p += strspn(p, " \t,");
		size_t k = strcspn(p, ",");
		size_t e = k;
		while (e > 0 && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e == n && strncasecmp(p, name, n) == 0)
			return true;
		p += k;
	}
	return false;
}

void access_init(struct access *a, const char *hostname, const char *allowed_hosts)
{
	memset(a, 0, sizeof *a);
	lower(a->hostname, sizeof a->hostname, hostname, strlen(hostname));
	snprintf(a->allowed, sizeof a->allowed, "%s", allowed_hosts != NULL ? allowed_hosts : "");
	a->any_host = listed(a->allowed, "*");
}

void access_set_password(struct access *a, const char *password)
{
	a->locked = false;
	a->password_on = password != NULL;
	if (password != NULL)
		SHA256((const unsigned char *)password, strlen(password), a->digest);
	else
		memset(a->digest, 0, sizeof a->digest);
}

void access_lock(struct access *a)
{
	a->locked = true;
}

/* The host of an authority "host[:port]" or "[v6]:port", lower case, and
 * whether it is an IP address. false when it is not an authority. */
static bool authority_host(const char *auth, size_t len, char *host, size_t hostlen, bool *ip)
{
	const char *end = auth + len, *colon;
	char tmp[ACCESS_NAME_MAX + 1];
	unsigned char addr[16];

	if (len == 0)
		return false;
	if (auth[0] == '[') {
		const char *close = memchr(auth, ']', len);
		if (close == NULL)
			return false;
		colon = close + 1 < end ? close + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return false;
		lower(tmp, sizeof tmp, auth + 1, (size_t)(close - auth - 1));
		*ip = inet_pton(AF_INET6, tmp, addr) == 1;
		if (!*ip)
			return false;
	} else {
		colon = memchr(auth, ':', len);
		size_t hl = colon != NULL ? (size_t)(colon - auth) : len;
		if (hl == 0 || hl > ACCESS_NAME_MAX)
			return false;
		lower(tmp, sizeof tmp, auth, hl);
		for (const char *c = tmp; *c != '\0'; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.' && *c != '_')
				return false;
		*ip = inet_pton(AF_INET, tmp, addr) == 1;
	}
	if (colon != NULL) {
		size_t pl = (size_t)(end - colon - 1);
		if (pl == 0 || pl > 5 || strspn(colon + 1, "0123456789") < pl)
			return false;
	}
	size_t n = strlen(tmp);
	if (n > 1 && tmp[n - 1] == '.')
		tmp[n - 1] = '\0'; /* "pi.local." is "pi.local" */
	snprintf(host, hostlen, "%s", tmp);
	return true;
}

unsigned access_check_host(const struct access *a, struct http_req *r, char *why, size_t n)
{
	const char *h = http_req_header(r, "Host");
	char host[ACCESS_NAME_MAX + 1];
	bool ip;

	if (h == NULL || a->any_host)
		return 0; /* HTTP/1.0 without Host: no browser sends that */
	if (!authority_host(h, strlen(h), host, sizeof host, &ip)) {
		snprintf(why, n, "the Host header is not a host name and port");
		return 400;
	}
	if (ip || strcmp(host, "localhost") == 0 || strcmp(host, a->hostname) == 0 ||
	    listed(a->allowed, host))
		return 0;
	size_t hn = strlen(a->hostname);
	if (strlen(host) == hn + 6 && strncmp(host, a->hostname, hn) == 0 &&
	    strcmp(host + hn, ".local") == 0)
		return 0;
	snprintf(why, n,
	         "this daemon does not answer to that host name: add it to allowed_hosts in "
	         "[daemon]");
	return 421;
}

/* Whether the URL's authority (after "scheme://") is the Host header's. */
static bool same_authority(const char *url, const char *host)
{
	const char *p = strstr(url, "://");

	if (p == NULL || host == NULL)
		return false;
	p += 3;
	size_t len = strcspn(p, "/?#");
	return len == strlen(host) && strncasecmp(p, host, len) == 0;
}

/* The password's digest matches the one given (constant time). */
static bool password_matches(const struct access *a, const char *given, size_t len)
{
	unsigned char d[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)given, len, d);
	return CRYPTO_memcmp(d, a->digest, sizeof d) == 0;
}

static bool authorized(const struct access *a, const char *auth)
{
	if (auth == NULL)
		return false;
	if (strncasecmp(auth, "Bearer ", 7) == 0)
		return password_matches(a, auth + 7, strlen(auth + 7));
	if (strncasecmp(auth, "Basic ", 6) != 0)
		return false;
	const char *b64 = auth + 6;
	size_t len = strlen(b64);
	unsigned char dec[768];
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof dec - 1)
		return false;
	int got = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)len);
	if (got < 0)
		return false;
	/* EVP_DecodeBlock counts the padding as zero bytes: take them off. */
	size_t k = (size_t)got;
	for (size_t pad = len; pad > 0 && b64[pad - 1] == '='; pad--)
		k--;
	const unsigned char *colon = memchr(dec, ':', k);
	bool ok = colon != NULL &&
	          password_matches(a, (const char *)colon + 1, k - (size_t)(colon + 1 - dec));
	OPENSSL_cleanse(dec, sizeof dec);
	return ok;
}

unsigned access_check_control(const struct access *a, struct http_req *r, char *why, size_t n)
{
	const char *host = http_req_header(r, "Host");
	const char *origin = http_req_header(r, "Origin");
	const char *referer = http_req_header(r, "Referer");
	const char *site = http_req_header(r, "Sec-Fetch-Site");

	if ((site != NULL && strcasecmp(site, "cross-site") == 0) ||
	    (origin != NULL && !same_authority(origin, host)) ||
	    (origin == NULL && referer != NULL && !same_authority(referer, host))) {
		snprintf(why, n,
		         "a request from another web site may not make this daemon measure; "
		         "use its own page or the API without a browser");
		return 403;
	}
	if (a->locked) {
		snprintf(why, n,
		         "measuring on request is off: the control password cannot be "
		         "read (see the daemon's log)");
		return 503;
	}
	if (a->password_on && !authorized(a, http_req_header(r, "Authorization"))) {
		http_add_header(r, "WWW-Authenticate",
		                "Basic realm=\"muricle\", charset=\"UTF-8\"");
		snprintf(why, n, "measuring needs the control password");
		return 401;
	}
	return 0;
}
