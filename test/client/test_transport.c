/*-------------------------------------------------------------------------
 *
 * test_transport.c
 *		  Group 2: transport behaviour against an in-process HTTP peer.
 *
 * The peer (peer.c) plays a scripted, minimal SEMOSS ("mini"): /config,
 * /config/fetchCsrf, /engine/runPixel and /auth/logout/all.  Knobs in the
 * Mini struct inject the situations of semoss-protocol.md: redirects,
 * CSRF refusals, lost insights, resets, hangs and so on.
 *
 * IDENTIFICATION
 *		  test/client/test_transport.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer.h"
#include "semoss_client_internal.h"
#include "tap.h"
#include "tests.h"

#define ACCESS_KEY	"ak-test"
#define SECRET_KEY	"s3cr3t-Value-42!"
/* base64("ak-test:s3cr3t-Value-42!") */
#define BASIC_CRED	"YWstdGVzdDpzM2NyM3QtVmFsdWUtNDIh"

static Peer *peer;

/* The scripted SEMOSS. */
typedef struct Mini
{
	int			logins;			/* GET /config seen */
	int			runpixels;		/* runPixel requests seen */
	int			next_insight;
	int			next_task;
	int			rows_per_page;	/* rows of a Collect */
	bool		csrf_on;		/* /config says csrf:true and POSTs need it */
	int			csrf_fetches;
	char		csrf_token[32];
	int			refuse_login_from;	/* /config refuses from this login on (0 = never) */
	int			redirects_left; /* runPixel answers 302 this many times */
	int			invalid_session_left;	/* ... 401 User session is invalid */
	int			csrf_reject_left;	/* ... 403 Required even with a token */
	int			insight_lost_left;	/* ... 400 INSIGHT_NOT_FOUND (existing ids) */
	int			action_at;		/* runPixel number (1-based) to misbehave on */
	PeerAction	action;			/* ... with this action */
	const char *raw_at;			/* ... or these raw bytes (PEER_RESPOND) */
	int			status500_at;	/* runPixel number answered with HTML 500 */
	bool		block_with_removal; /* a queued RemoveTask stops the thread */
	bool		set_cookie;
	bool		close_after_login;	/* close the connection after /config */
	bool		gzip;			/* gzip runPixel replies */
} Mini;

static void
mini_init(Mini *m)
{
	memset(m, 0, sizeof(*m));
	m->rows_per_page = 2;
	m->next_insight = 1;
	m->next_task = 1;
}

/* Count non-overlapping occurrences of needle. */
static int
count_of(const char *hay, const char *needle)
{
	int			n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL)
	{
		n++;
		p += strlen(needle);
	}
	return n;
}

/* CRC-32 (IEEE), for gzip trailers. */
static uint32_t
crc32_of(const unsigned char *p, size_t n)
{
	uint32_t	c = 0xFFFFFFFFu;
	size_t		i;
	int			k;

	for (i = 0; i < n; i++)
	{
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return c ^ 0xFFFFFFFFu;
}

/* gzip of body made of stored (uncompressed) deflate blocks. */
static char *
gzip_stored(const char *body, size_t len, size_t *outlen)
{
	size_t		nblocks = len / 65535 + 1;
	unsigned char *out = malloc(10 + len + nblocks * 5 + 8);
	unsigned char *p = out;
	size_t		done = 0;
	uint32_t	crc = crc32_of((const unsigned char *) body, len);

	memcpy(p, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
	p += 10;
	do
	{
		size_t		n = len - done > 65535 ? 65535 : len - done;

		*p++ = (done + n == len) ? 1 : 0;
		*p++ = (unsigned char) (n & 0xFF);
		*p++ = (unsigned char) (n >> 8);
		*p++ = (unsigned char) (~n & 0xFF);
		*p++ = (unsigned char) ((~n >> 8) & 0xFF);
		memcpy(p, body + done, n);
		p += n;
		done += n;
	} while (done < len);
	memcpy(p, (unsigned char[]) {crc & 0xFF, (crc >> 8) & 0xFF, (crc >> 16) & 0xFF, crc >> 24}, 4);
	p += 4;
	memcpy(p, (unsigned char[]) {len & 0xFF, (len >> 8) & 0xFF, (len >> 16) & 0xFF, (len >> 24) & 0xFF}, 4);
	p += 4;
	*outlen = (size_t) (p - out);
	return (char *) out;
}

/* runPixel reply for the routines of expression. */
static void
mini_run_pixel(Mini *m, const char *expression, const char *insight,
			   PeerResponse *resp)
{
	SemossBuf	b;
	int			removals = count_of(expression, "RemoveTask(");
	const char *last = expression;
	const char *p;
	int			i;
	char	   *body;

	/* the last routine: text after the last "; " */
	while ((p = strstr(last, "; ")) != NULL)
		last = p + 2;

	semoss_buf_init(&b);
	semoss_buf_printf(&b, "{\"insightID\":\"%s\",\"pixelReturn\":[", insight);
	if (m->block_with_removal && removals > 0)
	{
		semoss_buf_appends(&b, "{\"pixelId\":\"meta_unstored\",\"output\":\"Could not find task id = x\","
						   "\"operationType\":[\"ERROR\"],\"additionalOutput\":[{\"output\":[\"...\"],"
						   "\"operationType\":[\"UNEXECUTED_PIXELS\"]}]}]}");
		goto out;
	}
	if (strstr(last, "RemoveTask(") != NULL)
		removals--;				/* the last routine is a removal itself */
	for (i = 0; i < removals; i++)
		semoss_buf_appends(&b, "{\"pixelId\":\"meta_unstored\",\"output\":\"Could not find task id = x\","
						   "\"operationType\":[\"ERROR\"]},");
	semoss_buf_appends(&b, "{\"pixelId\":\"meta_unstored\",\"pixelExpression\":\"...\",\"isMeta\":true,\"timeToRun\":1,");
	if (strstr(last, "BADSQL") != NULL)
		semoss_buf_appends(&b, "\"output\":\"ERROR: syntax error at or near \\\"BADSQL\\\"\\n  Position: 1\","
						   "\"operationType\":[\"ERROR\"]}");
	else if (strstr(last, "Collect(") != NULL)
	{
		const char *t = strstr(last, "Task(\"");
		char		task[64];

		if (t != NULL)
			snprintf(task, sizeof(task), "%.*s", (int) strcspn(t + 6, "\""), t + 6);
		else
			snprintf(task, sizeof(task), "task%d", m->next_task++);
		semoss_buf_appends(&b, "\"output\":{\"data\":{\"values\":[");
		for (i = 0; i < m->rows_per_page; i++)
			semoss_buf_printf(&b, "%s[%d,\"r%d\"]", i ? "," : "", i, i);
		semoss_buf_printf(&b, "],\"headers\":[\"n\",\"s\"],\"rawHeaders\":[\"n\",\"s\"]},"
						  "\"headerInfo\":[{\"alias\":\"n\",\"dataType\":\"INT\"},{\"alias\":\"s\",\"dataType\":\"STRING\"}],"
						  "\"numCollected\":%d,\"taskId\":\"%s\"},\"operationType\":[\"TASK_DATA\"]}",
						  m->rows_per_page, task);
	}
	else if (strstr(last, "ExecQuery") != NULL)
		semoss_buf_appends(&b, "\"output\":true,\"operationType\":[\"ALTER_DATABASE\"]}");
	else if (strstr(last, "DropInsight") != NULL)
		semoss_buf_appends(&b, "\"output\":true,\"operationType\":[\"DROP_INSIGHT\"]}");
	else if (strstr(last, "RemoveTask") != NULL)
		semoss_buf_appends(&b, "\"output\":{\"taskId\":\"x\"},\"operationType\":[\"REMOVE_TASK\"]}");
	else
		semoss_buf_appends(&b, "\"output\":[{\"database_id\":\"db-1\",\"database_name\":\"x/y\"}],\"operationType\":[\"DATABASE_INFO\"]}");
	semoss_buf_appends(&b, ",{\"pixelId\":\"thread_execution_42\",\"isMeta\":false,\"output\":\"note\",\"operationType\":[\"OPERATION\"]}]}");
out:
	body = semoss_buf_release(&b);
	if (m->gzip)
	{
		size_t		zlen;
		char	   *z = gzip_stored(body, strlen(body), &zlen);
		char	   *raw = malloc(zlen + 256);
		int			h = snprintf(raw, 256, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
								 "Content-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", zlen);

		memcpy(raw + h, z, zlen);
		peer_respond_raw(resp, PEER_RESPOND, raw, (size_t) h + zlen);
		free(raw);
		free(z);
	}
	else
		peer_respond(resp, 200, "Cache-Control: no-store\r\n", "application/json;charset=utf-8", body);
	free(body);
}

/* The mini SEMOSS handler. */
static void
mini_handler(const PeerRequest *req, int index, PeerResponse *resp, void *arg)
{
	Mini	   *m = (Mini *) arg;

	(void) index;
	if (strcmp(req->target, "/api/config") == 0)
	{
		char		hdr[128] = "";

		m->logins++;
		if (m->set_cookie)
			snprintf(hdr, sizeof(hdr), "Set-Cookie: weird_Name-42=v%d; Path=/; HttpOnly\r\n", m->logins);
		if (m->close_after_login)
		{
			peer_respond(resp, 200, hdr, "application/json",
						 "{\"loginDetails\":{\"NATIVE\":{\"id\":\"u1\"}},\"csrf\":false}");
			resp->action = PEER_RESPOND_CLOSE;
		}
		else if (m->refuse_login_from > 0 && m->logins >= m->refuse_login_from)
			peer_respond(resp, 200, hdr, "application/json",
						 "{\"loginDetails\":{},\"logins\":{},\"csrf\":false,\"timeout\":120.0}");
		else
			peer_respond(resp, 200, hdr, "application/json",
						 m->csrf_on ?
						 "{\"security\":true,\"loginDetails\":{\"NATIVE\":{\"id\":\"u1\",\"name\":\"Jane\"}},\"csrf\":true,\"timeout\":120.0}" :
						 "{\"security\":true,\"loginDetails\":{\"NATIVE\":{\"id\":\"u1\",\"name\":\"Jane\"}},\"csrf\":false,\"timeout\":120.0}");
		return;
	}
	if (strcmp(req->target, "/api/config/fetchCsrf") == 0)
	{
		char	   *h = peer_header(req, "X-CSRF-Token");
		char		hdr[96];

		m->csrf_fetches++;
		snprintf(m->csrf_token, sizeof(m->csrf_token), "nonce-%d", m->csrf_fetches);
		snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s\r\n", m->csrf_token);
		if (h != NULL && strcasecmp(h, "Fetch") == 0)
			peer_respond(resp, 200, hdr, "application/json", "true");
		else
			peer_respond(resp, 400, NULL, "text/plain", "no fetch header");
		free(h);
		return;
	}
	if (strcmp(req->target, "/api/auth/logout/all?disableRedirect=true") == 0)
	{
		peer_respond(resp, 200, "Set-Cookie: weird_Name-42=; Max-Age=0\r\n", "application/json", "{\"success\":true}");
		return;
	}
	if (strcmp(req->target, "/api/engine/runPixel") == 0 && strcmp(req->method, "POST") == 0)
	{
		char	   *expression = peer_form_field(req, "expression");
		char	   *insight = peer_form_field(req, "insightId");
		char	   *token = peer_header(req, "X-CSRF-Token");
		char		iid[32];

		m->runpixels++;
		if (m->action_at == m->runpixels)
		{
			if (m->raw_at != NULL)
				peer_respond_raw(resp, m->action, m->raw_at, strlen(m->raw_at));
			else
				resp->action = m->action;
		}
		else if (m->status500_at == m->runpixels)
		{
			char	   *auth = peer_header(req, "Authorization");
			char		body[512];

			/* a hostile error page that echoes the credentials */
			snprintf(body, sizeof(body),
					 "<html><head><title>500</title></head><body><h1>Internal Server Error</h1>"
					 "<p>header was %s, secret " SECRET_KEY "</p></body></html>", auth ? auth : "");
			peer_respond(resp, 500, NULL, "text/html", body);
			free(auth);
		}
		else if (m->redirects_left > 0)
		{
			m->redirects_left--;
			peer_respond(resp, 302, "Location: /api/Monolith/noUserFail/\r\n", "text/html", "");
		}
		else if (m->invalid_session_left > 0)
		{
			m->invalid_session_left--;
			peer_respond(resp, 401, NULL, "application/json", "{\"errorMessage\":\"User session is invalid\"}");
		}
		else if ((m->csrf_on && (token == NULL || strcmp(token, m->csrf_token) != 0)) ||
				 m->csrf_reject_left > 0)
		{
			if (m->csrf_reject_left > 0)
				m->csrf_reject_left--;
			peer_respond(resp, 403, "X-CSRF-Token: Required\r\n", "text/html", "<html>403</html>");
		}
		else if (m->insight_lost_left > 0 && insight != NULL && strcmp(insight, "new") != 0)
		{
			m->insight_lost_left--;
			peer_respond(resp, 400, NULL, "application/json",
						 "{\"errorMessage\":\"Could not find the insight id\",\"errorType\":\"INSIGHT_NOT_FOUND\"}");
		}
		else if (expression == NULL || insight == NULL)
			peer_respond(resp, 400, NULL, "application/json",
						 "{\"errorMessage\":\"Must pass in 'expression' key\",\"errorType\":\"INSIGHT_NOT_FOUND\"}");
		else
		{
			if (strcmp(insight, "new") == 0)
			{
				snprintf(iid, sizeof(iid), "iid-%d", m->next_insight++);
				m->next_task = 1;
			}
			else
				snprintf(iid, sizeof(iid), "%s", insight);
			mini_run_pixel(m, expression, iid, resp);
		}
		free(expression);
		free(insight);
		free(token);
		return;
	}
	peer_respond(resp, 404, NULL, "text/plain", "not found");
}

/* ---- helpers ---- */

typedef struct Interrupt
{
	double		start;
	double		after_ms;		/* <0: never */
	int			calls;
} Interrupt;

static int
interrupt_cb(void *arg)
{
	Interrupt  *in = (Interrupt *) arg;

	in->calls++;
	return in->after_ms >= 0 && now_ms() - in->start >= in->after_ms;
}

static Interrupt no_interrupt = {0, -1, 0};

/* A session on the peer with the standard test credentials. */
static SemossSession *
new_session(long request_timeout_ms, Interrupt *in)
{
	SemossConfig c;
	SemossError err;
	SemossSession *s;
	char	   *url = peer_url(peer, "/api/");

	memset(&c, 0, sizeof(c));
	c.base_url = url;
	c.auth_kind = SEMOSS_AUTH_BASIC;
	c.access_key = ACCESS_KEY;
	c.secret_key = SECRET_KEY;
	c.connect_timeout_ms = 2000;
	c.request_timeout_ms = request_timeout_ms;
	c.verify_tls = true;
	c.interrupt_check = interrupt_cb;
	c.interrupt_arg = in ? in : &no_interrupt;
	s = semoss_session_new(&c, &err);
	if (s == NULL)
		tap_check_failed(__FILE__, __LINE__, "session_new: %s", err.message);
	free(url);
	return s;
}

/* "METHOD target" of logged request i, for sequence checks. */
static const char *
req_line(int i)
{
	static char line[256];
	const PeerRequest *r = peer_request(peer, i);

	if (r == NULL)
		return "(none)";
	snprintf(line, sizeof(line), "%s %s", r->method, r->target);
	return line;
}

static char *
req_field(int i, const char *name)
{
	const PeerRequest *r = peer_request(peer, i);

	return r ? peer_form_field(r, name) : NULL;
}

/* Check the sequence of requests the peer saw. */
static void
check_requests(const char *const *expected, int n)
{
	int			i;

	if (peer_nrequests(peer) != n)
		tap_check_failed(__FILE__, __LINE__, "peer saw %d requests, expected %d",
						 peer_nrequests(peer), n);
	for (i = 0; i < n && i < peer_nrequests(peer); i++)
	{
		if (strcmp(req_line(i), expected[i]) != 0)
			tap_check_failed(__FILE__, __LINE__, "request %d: \"%s\", expected \"%s\"",
							 i, req_line(i), expected[i]);
	}
}

#define CONFIG	"GET /api/config"
#define CSRF	"GET /api/config/fetchCsrf"
#define RUN		"POST /api/engine/runPixel"
#define LOGOUT	"GET /api/auth/logout/all?disableRedirect=true"

/* Every error must be free of the secret and of the base64 credentials. */
static void
check_no_secret(const SemossError *err)
{
	if (strstr(err->message, SECRET_KEY) || strstr(err->detail, SECRET_KEY) ||
		strstr(err->message, BASIC_CRED) || strstr(err->detail, BASIC_CRED))
		tap_check_failed(__FILE__, __LINE__, "credential in error: %s | %s",
						 err->message, err->detail);
}

/* ---- tests ---- */

static Mini mini;

static void
test_login_and_query(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	SemossSessionStats stats;
	char	   *f;
	const char *expected[] = {CONFIG, RUN, RUN};

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT n, s FROM t", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 2);
	CHECK_STR(semoss_page_task_id(page), "task1");
	CHECK_STR(semoss_session_insight_id(s), "iid-1");
	f = req_field(1, "expression");
	CHECK_STR(f, "META | Database(database=[\"db-1\"]) | Query(\"<encode>SELECT n, s FROM t</encode>\") | Collect(2);");
	free(f);
	f = req_field(1, "insightId");
	CHECK_STR(f, "new");
	free(f);
	semoss_page_free(page);
	CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_STR(semoss_page_task_id(page), "task1");
	f = req_field(2, "insightId");
	CHECK_STR(f, "iid-1");
	free(f);
	f = req_field(2, "expression");
	CHECK_STR(f, "META | Task(\"task1\") | Collect(2);");
	free(f);
	semoss_page_free(page);
	check_requests(expected, 3);
	semoss_session_get_stats(s, &stats);
	CHECK_INT(stats.requests, 3);
	CHECK_INT(stats.logins, 1);
	CHECK(stats.bytes_received > 300);
	CHECK(stats.opened_at > 0);
	CHECK(!semoss_session_is_broken(s));
	semoss_session_free(s);
}

static void
test_authorization_every_request(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	char	   *out = NULL;
	int			i;
	SemossConfig c;
	char	   *url;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 5, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	CHECK_ST(semoss_exec(s, "db-1", "DELETE FROM t", &err), SEMOSS_OK, &err);
	CHECK_ST(semoss_run_pixel(s, "META | MyEngines();", &out, &err), SEMOSS_OK, &err);
	free(out);
	CHECK_ST(semoss_task_remove(s, "task1", &err), SEMOSS_OK, &err);
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	CHECK_INT(peer_nrequests(peer), 7);
	for (i = 0; i < peer_nrequests(peer); i++)
	{
		char	   *a = peer_header(peer_request(peer, i), "Authorization");
		char	   *ua = peer_header(peer_request(peer, i), "User-Agent");

		CHECK_STR(a, "Basic " BASIC_CRED);
		CHECK_STR(ua, "semoss_fdw");
		free(a);
		free(ua);
	}
	semoss_session_free(s);

	/* bearer token with provider */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	url = peer_url(peer, "/api");
	memset(&c, 0, sizeof(c));
	c.base_url = url;
	c.auth_kind = SEMOSS_AUTH_BEARER;
	c.bearer_token = "tok-123";
	c.bearer_provider = "ms";
	c.user_agent = "test-agent/1";
	c.request_timeout_ms = 5000;
	s = semoss_session_new(&c, &err);
	CHECK(s != NULL);
	CHECK_ST(semoss_exec(s, "db-1", "DELETE FROM t", &err), SEMOSS_OK, &err);
	for (i = 0; i < peer_nrequests(peer); i++)
	{
		char	   *a = peer_header(peer_request(peer, i), "Authorization");
		char	   *p = peer_header(peer_request(peer, i), "Bearer-Provider");
		char	   *ua = peer_header(peer_request(peer, i), "User-Agent");

		CHECK_STR(a, "Bearer tok-123");
		CHECK_STR(p, "ms");
		CHECK_STR(ua, "test-agent/1");
		free(a);
		free(p);
		free(ua);
	}
	CHECK_INT(peer_nrequests(peer), 2);
	semoss_session_free(s);
	free(url);
}

static void
test_keep_alive(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	int			i;
	int			first;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	for (i = 0; i < 5; i++)
	{
		CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_OK, &err);
		semoss_page_free(page);
	}
	CHECK_INT(peer_nrequests(peer), 7);
	first = peer_request(peer, 0)->conn_id;
	for (i = 1; i < peer_nrequests(peer); i++)
		CHECK_INT(peer_request(peer, i)->conn_id, first);
	semoss_session_free(s);
}

static void
test_relogin_on_302(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	SemossSessionStats stats;
	const char *expected[] = {CONFIG, RUN, RUN, CONFIG, RUN};
	int			i;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	mini.redirects_left = 1;
	CHECK_ST(semoss_exec(s, "db-1", "UPDATE t SET x = 1", &err), SEMOSS_OK, &err);
	check_requests(expected, 5);
	semoss_session_get_stats(s, &stats);
	CHECK_INT(stats.logins, 2);
	/* the redirect target was never requested */
	for (i = 0; i < peer_nrequests(peer); i++)
		CHECK(strstr(peer_request(peer, i)->target, "noUserFail") == NULL);
	semoss_session_free(s);
}

/* A real expiry: 302, log in again, then the old insight is unknown. */
static void
test_expiry_sequence(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	const char *expected[] = {CONFIG, RUN, RUN, CONFIG, RUN, RUN};
	const char *expected2[] = {CONFIG, RUN, RUN, CONFIG, RUN};
	char	   *f;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	mini.redirects_left = 1;
	mini.insight_lost_left = 1;
	CHECK_ST(semoss_query(s, "db-1", "SELECT 2", 2, &page, &err), SEMOSS_OK, &err);
	check_requests(expected, 6);
	f = req_field(5, "insightId");
	CHECK_STR(f, "new");
	free(f);
	CHECK_STR(semoss_page_task_id(page), "task1@2");
	semoss_page_free(page);
	semoss_session_free(s);

	/* the same in the middle of a scan: the task is lost */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	mini.redirects_left = 1;
	mini.insight_lost_left = 1;
	CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
	check_requests(expected2, 5);
	CHECK(semoss_session_insight_id(s) == NULL);
	semoss_session_free(s);
}

static void
test_302_persists(void)
{
	SemossSession *s;
	SemossError err;
	const char *expected[] = {CONFIG, RUN, CONFIG, RUN};

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.redirects_left = 100;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_exec(s, "db-1", "UPDATE t SET x = 1", &err), SEMOSS_ERR_SESSION_EXPIRED, &err);
	CHECK_INT(err.http_status, 302);
	CHECK(strstr(err.detail, "noUserFail") != NULL);
	check_no_secret(&err);
	check_requests(expected, 4);
	semoss_session_free(s);
}

static void
test_relogin_on_401(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	const char *expected[] = {CONFIG, RUN, CONFIG, RUN};

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.invalid_session_left = 1;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	check_requests(expected, 4);
	semoss_session_free(s);
}

static void
test_relogin_refused(void)
{
	SemossSession *s;
	SemossError err;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.redirects_left = 1;
	mini.refuse_login_from = 2;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_exec(s, "db-1", "UPDATE t SET x = 1", &err), SEMOSS_ERR_AUTH, &err);
	CHECK(strstr(err.message, "refused the credentials") != NULL);
	check_no_secret(&err);
	semoss_session_free(s);
}

static void
test_login_refused(void)
{
	SemossSession *s;
	SemossError err;
	SemossSessionStats stats;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.refuse_login_from = 1;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_session_login(s, &err), SEMOSS_ERR_AUTH, &err);
	CHECK_STR(err.message, "SEMOSS refused the credentials");
	CHECK(strstr(err.detail, "loginDetails") != NULL);
	check_no_secret(&err);
	CHECK_ST(semoss_exec(s, "db-1", "x", &err), SEMOSS_ERR_AUTH, &err);
	CHECK_INT(peer_nrequests(peer), 2);	/* two logins, no runPixel */
	semoss_session_get_stats(s, &stats);
	CHECK_INT(stats.opened_at, 0);
	semoss_session_free(s);
}

static void
test_csrf_at_login(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	const char *expected[] = {CONFIG, CSRF, RUN, RUN};
	char	   *tok;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.csrf_on = true;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	CHECK_ST(semoss_exec(s, "db-1", "DELETE FROM t", &err), SEMOSS_OK, &err);
	check_requests(expected, 4);
	tok = peer_header(peer_request(peer, 2), "X-CSRF-Token");
	CHECK_STR(tok, "nonce-1");
	free(tok);
	tok = peer_header(peer_request(peer, 0), "X-CSRF-Token");
	CHECK(tok == NULL);			/* not on GETs */
	free(tok);
	semoss_session_free(s);
}

static void
test_csrf_refetch(void)
{
	SemossSession *s;
	SemossError err;
	const char *expected[] = {CONFIG, RUN, CSRF, RUN};
	char	   *tok;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_session_login(s, &err), SEMOSS_OK, &err);
	mini.csrf_on = true;		/* switched on after our login */
	CHECK_ST(semoss_exec(s, "db-1", "DELETE FROM t", &err), SEMOSS_OK, &err);
	check_requests(expected, 4);
	tok = peer_header(peer_request(peer, 3), "X-CSRF-Token");
	CHECK_STR(tok, "nonce-1");
	free(tok);
	semoss_session_free(s);
}

static void
test_csrf_persists(void)
{
	SemossSession *s;
	SemossError err;
	const char *expected[] = {CONFIG, RUN, CSRF, RUN};

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.csrf_reject_left = 100;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_exec(s, "db-1", "DELETE FROM t", &err), SEMOSS_ERR_CSRF, &err);
	check_requests(expected, 4);
	semoss_session_free(s);
}

static void
test_insight_lost_on_query(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	char	   *f;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_STR(semoss_page_task_id(page), "task1");
	semoss_page_free(page);
	semoss_task_remove_later(s, "task1");
	CHECK_INT(semoss_pending_removals(s), 1);
	mini.insight_lost_left = 1;
	CHECK_ST(semoss_query(s, "db-1", "SELECT 2", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(peer_nrequests(peer), 4);
	f = req_field(2, "insightId");
	CHECK_STR(f, "iid-1");
	free(f);
	f = req_field(3, "insightId");
	CHECK_STR(f, "new");
	free(f);
	/* the removal belonged to the lost insight and was dropped */
	f = req_field(3, "expression");
	CHECK(f != NULL && strstr(f, "RemoveTask") == NULL);
	free(f);
	CHECK_INT(semoss_pending_removals(s), 0);
	CHECK_STR(semoss_session_insight_id(s), "iid-2");
	/* the new insight numbers tasks from 1 again: the id is qualified */
	CHECK_STR(semoss_page_task_id(page), "task1@2");
	semoss_page_free(page);
	/* the old scan's task1 must not read the new scan's task1 */
	CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
	CHECK_INT(peer_nrequests(peer), 4);
	CHECK_ST(semoss_task_collect(s, "task1@2", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_STR(semoss_page_task_id(page), "task1@2");
	f = req_field(4, "expression");
	CHECK_STR(f, "META | Task(\"task1\") | Collect(2);");
	free(f);
	semoss_page_free(page);
	semoss_session_free(s);
}

static void
test_insight_lost_on_collect(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	char	   *f;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	mini.insight_lost_left = 1;
	CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
	CHECK(page == NULL);
	CHECK_INT(peer_nrequests(peer), 3);	/* not retried */
	CHECK(semoss_session_insight_id(s) == NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	f = req_field(3, "insightId");
	CHECK_STR(f, "new");
	free(f);
	semoss_page_free(page);
	semoss_session_free(s);
}

static void
test_http_500_html(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.status500_at = 1;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_ERR_HTTP, &err);
	CHECK_INT(err.http_status, 500);
	CHECK(strstr(err.message, "500") != NULL);
	CHECK(strstr(err.detail, "Internal Server Error") != NULL);
	check_no_secret(&err);
	CHECK(!semoss_session_is_broken(s));
	semoss_session_free(s);
}

static void
test_connection_reset(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_RESET;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_ERR_CONNECTION_LOST, &err);
	CHECK(semoss_session_is_broken(s));
	check_no_secret(&err);
	/* the request arrived whole on a reused connection: never re-sent */
	CHECK_INT(peer_nrequests(peer), 2);
	/* the session can still be used afterwards, on a new connection */
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	CHECK(peer_request(peer, 2) && peer_request(peer, 2)->conn_id != peer_request(peer, 1)->conn_id);
	semoss_page_free(page);
	semoss_session_free(s);

	/* a connection closed without an answer after an ExecQuery arrived */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_CLOSE;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_exec(s, "db-1", "INSERT INTO t VALUES (1)", &err), SEMOSS_ERR_CONNECTION_LOST, &err);
	CHECK(strstr(err.message, "not repeated") != NULL);
	CHECK_INT(peer_nrequests(peer), 2);
	CHECK(semoss_session_is_broken(s));
	semoss_session_free(s);
}

static void
test_connection_refused(void)
{
	SemossConfig c;
	SemossError err;
	SemossSession *s;

	memset(&c, 0, sizeof(c));
	c.base_url = "http://127.0.0.1:1/api";	/* nothing listens on port 1 */
	c.access_key = ACCESS_KEY;
	c.secret_key = SECRET_KEY;
	c.connect_timeout_ms = 2000;
	s = semoss_session_new(&c, &err);
	CHECK_ST(semoss_exec(s, "db-1", "x", &err), SEMOSS_ERR_CONNECT, &err);
	CHECK(strstr(err.message, "GET /config") != NULL);
	CHECK(!semoss_session_is_broken(s));
	check_no_secret(&err);
	semoss_session_free(s);
}

static double cancel_latency_ms = -1;

static void
test_cancel_hung_request(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	Interrupt	in = {0, -1, 0};
	double		t0;
	double		elapsed;
	int			conn_before;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 2;
	mini.action = PEER_HANG;
	s = new_session(0, &in);	/* no request timeout at all */
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	conn_before = peer_request(peer, 1)->conn_id;
	in.start = now_ms();
	in.after_ms = 200;
	in.calls = 0;
	t0 = now_ms();
	CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_ERR_CANCELLED, &err);
	elapsed = now_ms() - t0;
	cancel_latency_ms = elapsed - 200;
	tap_diag("cancel: returned %.1f ms after the start, %.1f ms after interrupt_check began returning 1 (%d calls)",
			 elapsed, elapsed - 200, in.calls);
	CHECK(elapsed >= 200 && elapsed < 300);
	CHECK(in.calls >= 4);		/* polled at <= 50 ms */
	CHECK(semoss_session_is_broken(s));

	/* the next request uses a new connection */
	in.after_ms = -1;
	CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	CHECK_INT(peer_nrequests(peer), 4);
	CHECK(peer_request(peer, 3) && peer_request(peer, 3)->conn_id != conn_before);
	semoss_session_free(s);
}

static void
test_request_timeout(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	double		t0;
	double		elapsed;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_HANG;
	s = new_session(300, NULL);
	t0 = now_ms();
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_ERR_TIMEOUT, &err);
	elapsed = now_ms() - t0;
	CHECK(elapsed >= 250 && elapsed < 1500);
	CHECK(semoss_session_is_broken(s));
	check_no_secret(&err);
	semoss_session_free(s);
}

static void
test_cookies(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	char	   *cookie;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.set_cookie = true;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	cookie = peer_header(peer_request(peer, 0), "Cookie");
	CHECK(cookie == NULL);
	free(cookie);
	cookie = peer_header(peer_request(peer, 1), "Cookie");
	CHECK_STR(cookie, "weird_Name-42=v1");
	free(cookie);
	/* a re-login replaces the cookie */
	mini.redirects_left = 1;
	CHECK_ST(semoss_exec(s, "db-1", "x", &err), SEMOSS_OK, &err);
	cookie = peer_header(peer_request(peer, 4), "Cookie");
	CHECK_STR(cookie, "weird_Name-42=v2");
	free(cookie);
	semoss_session_free(s);
}

/* /config answers with a redirect (e.g. http -> https) */
static void
redirect_handler(const PeerRequest *req, int index, PeerResponse *resp, void *arg)
{
	(void) arg;
	(void) index;
	if (strcmp(req->target, "/api/config") == 0)
		peer_respond(resp, 301, "Location: /elsewhere/api/config\r\n", "text/html", "moved");
	else
		peer_respond(resp, 200, NULL, "application/json", "{\"loginDetails\":{\"X\":{}}}");
}

static void
test_redirect_not_followed(void)
{
	SemossSession *s;
	SemossError err;

	peer_reset(peer, redirect_handler, NULL);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_session_login(s, &err), SEMOSS_ERR_HTTP, &err);
	CHECK_INT(err.http_status, 301);
	CHECK(strstr(err.message, "redirects are not followed") != NULL);
	CHECK(strstr(err.detail, "/elsewhere/api/config") != NULL);
	CHECK_INT(peer_nrequests(peer), 1);
	semoss_session_free(s);
}

static void
test_piggybacked_removals(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	char	   *f;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 2", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_STR(semoss_page_task_id(page), "task2");
	semoss_page_free(page);
	semoss_task_remove_later(s, "task1");
	semoss_task_remove_later(s, "task2");
	semoss_task_remove_later(s, "task1");	/* duplicate */
	semoss_task_remove_later(s, "bad\"id");	/* ignored */
	CHECK_INT(semoss_pending_removals(s), 2);
	CHECK_INT(peer_nrequests(peer), 3);	/* queued, nothing sent */
	/* the mini answers the removals with errors: ignored */
	CHECK_ST(semoss_query(s, "db-1", "SELECT 3", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_STR(semoss_page_task_id(page), "task3");
	CHECK_INT(semoss_page_nrows(page), 2);
	semoss_page_free(page);
	f = req_field(3, "expression");
	CHECK_STR(f, "META | RemoveTask(\"task1\", true); META | RemoveTask(\"task2\", true); "
			  "META | Database(database=[\"db-1\"]) | Query(\"<encode>SELECT 3</encode>\") | Collect(2);");
	free(f);
	CHECK_INT(semoss_pending_removals(s), 0);
	/* an explicit removal takes the id out of the queue */
	semoss_task_remove_later(s, "task3");
	CHECK_ST(semoss_task_remove(s, "task3", &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_pending_removals(s), 0);
	f = req_field(4, "expression");
	CHECK_STR(f, "META | RemoveTask(\"task3\", true);");
	free(f);
	semoss_session_free(s);
}

static void
test_removal_blocked_resent(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	char	   *f;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	semoss_task_remove_later(s, "task1");
	mini.block_with_removal = true;
	CHECK_ST(semoss_query(s, "db-1", "SELECT 2", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 2);
	semoss_page_free(page);
	CHECK_INT(peer_nrequests(peer), 4);
	f = req_field(3, "expression");
	CHECK(f != NULL && strstr(f, "RemoveTask") == NULL);
	free(f);
	semoss_session_free(s);
}

static void
test_chunked_reply(void)
{
	static const char *pieces[] = {
		"{\"insightID\":\"i", "id-1\",\"pixelRetu",
		"rn\":[{\"output\":{\"data\":{\"values\":[[1]],\"headers\":[\"a\"]},\"taskId\":\"t",
		"ask1\"},\"operationType\":[\"TASK_", "DATA\"]", "}]}"
	};
	char		raw[1024];
	size_t		o;
	size_t		i;
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	o = (size_t) snprintf(raw, sizeof(raw), "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\n"
						  "Transfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
		o += (size_t) snprintf(raw + o, sizeof(raw) - o, "%zx\r\n%s\r\n", strlen(pieces[i]), pieces[i]);
	snprintf(raw + o, sizeof(raw) - o, "0\r\n\r\n");

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_RESPOND;
	mini.raw_at = raw;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 1);
	CHECK_STR(semoss_page_task_id(page), "task1");
	semoss_page_free(page);
	semoss_session_free(s);
}

static void
test_truncated_transfer(void)
{
	static const char raw[] =
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
		"{\"insightID\":\"iid-1\",\"pixelReturn\":[{\"output\":{\"data\":";
	static const char raw2[] =
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 47\r\n\r\n"
		"{\"insightID\":\"iid-1\",\"pixelReturn\":[{\"output\":{";
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_RESPOND_CLOSE;
	mini.raw_at = raw;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_ERR_CONNECTION_LOST, &err);
	CHECK(semoss_session_is_broken(s));
	semoss_session_free(s);

	/* complete HTTP message, truncated JSON */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_RESPOND;
	mini.raw_at = raw2;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "truncated") != NULL);
	CHECK(!semoss_session_is_broken(s));
	semoss_session_free(s);
}

/* A reply announced or grown beyond SEMOSS_MAX_RESPONSE_BYTES is refused. */
static void
test_oversized_reply(void)
{
	static const char raw[] =
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n"
		"{\"insightID\":\"iid-1\",\"pixelReturn\":[";
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_RESPOND_CLOSE;
	mini.raw_at = raw;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "larger than") != NULL);
	CHECK(page == NULL);
	CHECK(semoss_session_is_broken(s));
	semoss_session_free(s);
}

static void
test_non_json_reply(void)
{
	static const char raw[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 30\r\n\r\n"
		"<html><body>login</body></html";
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 1;
	mini.action = PEER_RESPOND;
	mini.raw_at = raw;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.detail, "login") != NULL);
	semoss_session_free(s);
}

static void
test_pixel_error(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "BADSQL", 2, &page, &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(strstr(err.message, "db-1") != NULL);
	CHECK_STR(err.detail, "ERROR: syntax error at or near \"BADSQL\"\n  Position: 1");
	CHECK_STR(semoss_session_insight_id(s), "iid-1");	/* kept even on error */
	CHECK_ST(semoss_exec(s, "db-1", "BADSQL", &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(!semoss_session_is_broken(s));
	semoss_session_free(s);
}

static void
test_run_pixel_output(void)
{
	SemossSession *s;
	SemossError err;
	char	   *out = NULL;
	char	   *f;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_run_pixel(s, "META | MyEngines(engineTypes=[\"DATABASE\"]);", &out, &err), SEMOSS_OK, &err);
	CHECK_STR(out, "[{\"database_id\":\"db-1\",\"database_name\":\"x/y\"}]");
	free(out);
	f = req_field(1, "expression");
	CHECK_STR(f, "META | MyEngines(engineTypes=[\"DATABASE\"]);");
	free(f);
	CHECK_ST(semoss_run_pixel(s, "", &out, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	semoss_session_free(s);
}

static void
test_close(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	const char *expected[] = {CONFIG, RUN, RUN, LOGOUT};
	char	   *f;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	semoss_task_remove_later(s, "task1");
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	check_requests(expected, 4);
	f = req_field(2, "expression");
	CHECK_STR(f, "META | DropInsight();");	/* queued removals are moot */
	free(f);
	f = req_field(2, "insightId");
	CHECK_STR(f, "iid-1");
	free(f);
	CHECK(semoss_session_insight_id(s) == NULL);
	CHECK_INT(semoss_pending_removals(s), 0);
	/* the task is gone with the insight */
	CHECK_ST(semoss_task_collect(s, "task1", 2, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
	/* a second close does nothing */
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	CHECK_INT(peer_nrequests(peer), 4);
	/* the object stays usable: a new request logs in again */
	CHECK_ST(semoss_exec(s, "db-1", "x", &err), SEMOSS_OK, &err);
	CHECK_INT(peer_nrequests(peer), 6);
	semoss_session_free(s);

	/* logged in but no insight: logout only */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_session_login(s, &err), SEMOSS_OK, &err);
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	{
		const char *expected2[] = {CONFIG, LOGOUT};

		check_requests(expected2, 2);
	}
	semoss_session_free(s);

	/* session already expired at close: DropInsight gets 302, no re-login */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	s = new_session(5000, NULL);
	CHECK_ST(semoss_exec(s, "db-1", "x", &err), SEMOSS_OK, &err);
	mini.redirects_left = 5;
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	{
		const char *expected3[] = {CONFIG, RUN, RUN};

		check_requests(expected3, 3);
	}
	semoss_session_free(s);
}

static void
test_close_unreachable(void)
{
	SemossSession *s;
	SemossError err;
	double		t0;

	/* DropInsight hangs: close gives up after the request timeout, skips logout */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.action_at = 2;
	mini.action = PEER_HANG;
	s = new_session(300, NULL);
	CHECK_ST(semoss_exec(s, "db-1", "x", &err), SEMOSS_OK, &err);
	t0 = now_ms();
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_ERR_TIMEOUT, &err);
	CHECK(now_ms() - t0 < 1500);
	CHECK_INT(peer_nrequests(peer), 3);
	semoss_session_free(s);
}

static void
test_large_page_over_http(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	SemossSessionStats stats;
	const char *t;
	size_t		len;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.rows_per_page = 100000;
	s = new_session(20000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 100000, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 100000);
	CHECK(semoss_page_cell(page, 99999, 1, &t, &len) == SEMOSS_CELL_STRING);
	CHECK_STR(t, "r99999");
	semoss_session_get_stats(s, &stats);
	CHECK(stats.bytes_received > semoss_page_bytes(page));
	CHECK(semoss_page_bytes(page) > 1000000);
	semoss_page_free(page);
	semoss_session_free(s);
}

static void
test_gzip_reply(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;
	char	   *ae;
	const char *t;
	size_t		len;

	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.gzip = true;
	mini.rows_per_page = 20000;	/* several stored blocks */
	s = new_session(5000, NULL);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 20000, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 20000);
	CHECK(semoss_page_cell(page, 19999, 1, &t, &len) == SEMOSS_CELL_STRING);
	CHECK_STR(t, "r19999");
	semoss_page_free(page);
	ae = peer_header(peer_request(peer, 1), "Accept-Encoding");
	CHECK(ae != NULL && strstr(ae, "gzip") != NULL);
	free(ae);
	semoss_session_free(s);
}

static void
test_stale_connection(void)
{
	SemossSession *s;
	SemossError err;
	SemossPage *page = NULL;

	/* the server closed the idle keep-alive connection: a new one is used */
	mini_init(&mini);
	peer_reset(peer, mini_handler, &mini);
	mini.close_after_login = true;
	s = new_session(5000, NULL);
	CHECK_ST(semoss_session_login(s, &err), SEMOSS_OK, &err);
	usleep(50 * 1000);
	CHECK_ST(semoss_query(s, "db-1", "SELECT 1", 2, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	CHECK_INT(peer_nrequests(peer), 2);
	CHECK(peer_request(peer, 1) && peer_request(peer, 1)->conn_id != peer_request(peer, 0)->conn_id);
	CHECK(!semoss_session_is_broken(s));
	semoss_session_free(s);
}

static void
test_no_secret_in_errors(void)
{
	int			i;
	int			n = tap_recorded_errors();

	CHECK(n >= 20);
	for (i = 0; i < n; i++)
		check_no_secret(tap_recorded_error(i));
	tap_diag("checked %d recorded errors for credentials", n);
}

void
run_transport_tests(void)
{
	peer = peer_start();
	if (peer == NULL)
	{
		skip_test("transport tests", "cannot listen on 127.0.0.1");
		return;
	}
	run_test("login, query, next page (insightId new, then kept)", test_login_and_query);
	run_test("Authorization on every request (Basic and Bearer)", test_authorization_every_request);
	run_test("keep-alive: consecutive requests share one connection", test_keep_alive);
	run_test("302 -> log in again -> retry; redirect not followed", test_relogin_on_302);
	run_test("302 persists -> SESSION_EXPIRED", test_302_persists);
	run_test("expiry: 302, re-login, INSIGHT_NOT_FOUND (query renews, scan lost)", test_expiry_sequence);
	run_test("401 User session is invalid -> log in again -> retry", test_relogin_on_401);
	run_test("re-login refused -> AUTH", test_relogin_refused);
	run_test("empty loginDetails -> AUTH", test_login_refused);
	run_test("csrf:true at login -> token fetched and sent on POSTs", test_csrf_at_login);
	run_test("403 X-CSRF-Token: Required -> refetch -> retry", test_csrf_refetch);
	run_test("403 CSRF persists -> CSRF", test_csrf_persists);
	run_test("400 INSIGHT_NOT_FOUND on query -> retried with insightId=new", test_insight_lost_on_query);
	run_test("400 INSIGHT_NOT_FOUND on task collect -> TASK_LOST", test_insight_lost_on_collect);
	run_test("500 HTML -> HTTP with body excerpt", test_http_500_html);
	run_test("connection reset/closed after the request -> CONNECTION_LOST, broken, never re-sent", test_connection_reset);
	run_test("connection refused -> CONNECT, not broken", test_connection_refused);
	run_test("idle connection closed by the server -> new connection", test_stale_connection);
	run_test("hung server + interrupt after 200 ms -> CANCELLED within 300 ms", test_cancel_hung_request);
	run_test("request timeout -> TIMEOUT", test_request_timeout);
	run_test("Set-Cookie with any name is sent back", test_cookies);
	run_test("redirect on GET /config is not followed", test_redirect_not_followed);
	run_test("queued RemoveTask piggybacked on the next request", test_piggybacked_removals);
	run_test("a removal that blocked the pixel -> resent without it", test_removal_blocked_resent);
	run_test("chunked reply without Content-Length", test_chunked_reply);
	run_test("gzip-encoded reply", test_gzip_reply);
	run_test("truncated transfer and truncated JSON", test_truncated_transfer);
	run_test("reply over 1 GB (Content-Length) -> PROTOCOL, broken", test_oversized_reply);
	run_test("non-JSON 200 reply -> PROTOCOL", test_non_json_reply);
	run_test("pixel error -> PIXEL with the remote message", test_pixel_error);
	run_test("run_pixel returns the output JSON", test_run_pixel_output);
	run_test("close: DropInsight on our insight, then logout", test_close);
	run_test("close with a hung server is bounded by the timeout", test_close_unreachable);
	run_test("100000-row page over HTTP", test_large_page_over_http);
	run_test("no credential in any error message or detail", test_no_secret_in_errors);
	if (cancel_latency_ms >= 0)
		tap_diag("measured cancel latency: %.1f ms", cancel_latency_ms);
	peer_stop(peer);
	peer = NULL;
}
