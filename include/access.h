/*
 * Who may use the page and the control endpoints (the ones that make the
 * sensors measure and the LED blink: POST /measure, POST /api/v1/measure).
 *
 * - Host names: every request must name this daemon in its Host header: an
 *   IP address, localhost, this machine's name or NAME.local, or a name of
 *   `allowed_hosts`. Anything else is a name some other site's DNS points
 *   at us (DNS rebinding) and gets 421, so a page elsewhere cannot read
 *   the API through the user's browser.
 * - Cross-site requests: a control request whose Origin (or, without one,
 *   Referer) is not this daemon's own address as the Host header gives it,
 *   or that the browser marks Sec-Fetch-Site: cross-site, gets 403: a form
 *   on another web site cannot make the Pi measure. The page's own form and
 *   script are same-origin; clients that send neither header (curl,
 *   scripts) are not browsers carrying someone else's intent.
 * - A password, when one is configured: control requests need HTTP Basic
 *   credentials (any user name) or "Authorization: Bearer PASSWORD",
 *   compared in constant time; otherwise 401 with a Basic challenge, which
 *   makes browsers show their login prompt. Reading stays open.
 */
#ifndef MURICLE_ACCESS_H
#define MURICLE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

struct http_req;

#define ACCESS_NAME_MAX 255

struct access {
	char hostname[ACCESS_NAME_MAX + 1]; /* this machine's, lower case */
	char allowed[1024];                 /* allowed_hosts: more names, comma-separated */
	bool any_host;                      /* allowed_hosts has "*" */
	bool password_on;                   /* control requests need the password */
	bool locked;                        /* a password was configured but cannot be read */
	unsigned char digest[32];           /* SHA-256 of the password */
};

/* Set up for this machine's name and the configured names. */
void access_init(struct access *a, const char *hostname, const char *allowed_hosts);
/* Require this password for control requests (NULL: none). */
void access_set_password(struct access *a, const char *password);
/* Control requests are refused until a password can be read: one was
 * configured but its file is unreadable. */
void access_lock(struct access *a);

/* 0 when r may go on; else the status to answer, with the reason in why
 * (and, for 401, the challenge header added to r). */
unsigned access_check_host(const struct access *a, struct http_req *r, char *why, size_t n);
unsigned access_check_control(const struct access *a, struct http_req *r, char *why, size_t n);

#endif
