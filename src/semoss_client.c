/*-------------------------------------------------------------------------
 *
 * semoss_client.c
 *		  Sessions, HTTP transport and request rules of the SEMOSS client.
 *
 * One SemossSession is one SEMOSS HTTP session (cookies) holding at most
 * one insight.  Each session owns one libcurl easy handle, reused for every
 * request so the TCP/TLS connection is kept alive, driven by its own multi
 * handle: we wait at most 50 ms at a time and ask the caller's
 * interrupt_check() in between, which is how a PostgreSQL query cancel,
 * statement_timeout or pg_terminate_backend stops a hung request.
 *
 * The conversation follows semoss-protocol.md §11:
 *	GET /config (log in; Authorization is sent on every request, so an
 *	expired HTTP session is re-created transparently), the CSRF token when
 *	the server wants one, then POST /engine/runPixel with insightId=new for
 *	the first pixel and the returned insightID afterwards.  Replies meaning
 *	"log in again" (302, 401), "fetch a new CSRF token" (403) and "your
 *	insight is gone" (400 INSIGHT_NOT_FOUND) are each handled once per
 *	call; see pixel_call().
 *
 * Every error leaving this file goes through finish(), which makes sure no
 * credential appears in the message or detail.
 *
 * IDENTIFICATION
 *		  src/semoss_client.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "semoss_client_internal.h"

/* Longest single wait in the transfer loop (the cancel latency bound). */
#define SEMOSS_POLL_MS			50

/* Timeouts used by semoss_session_close when the configuration has none. */
#define SEMOSS_CLOSE_TIMEOUT_MS	10000L

/*
 * Do not reuse a connection idle for longer than this (seconds): Tomcat
 * closes idle keep-alive connections after 20 s by default, and reusing
 * one at that moment is the race that makes libcurl want to re-send.
 */
#define SEMOSS_MAX_CONN_AGE_S	15L

struct SemossSession
{
	/* configuration */
	char	   *base_url;		/* without trailing '/' */
	char	   *auth_header;	/* "Authorization: ..." (secret) */
	char	   *provider_header;	/* "Bearer-Provider: ..." or NULL */
	char	   *secret;			/* secret key or bearer token (scrubbing) */
	char	   *credential;		/* base64 credentials (scrubbing), or NULL */
	long		connect_timeout_ms;
	long		request_timeout_ms;
	SemossInterruptCheck interrupt_check;
	void	   *interrupt_arg;

	/* transport */
	CURL	   *easy;
	CURLM	   *multi;
	char		curl_error[CURL_ERROR_SIZE];
	bool		closing;		/* semoss_session_close is running */

	/* SEMOSS state */
	bool		logged_in;
	char	   *csrf_token;
	char	   *insight_id;
	unsigned	generation;		/* insights replaced so far, plus one */
	char	  **removals;		/* queued RemoveTask ids (SEMOSS ids) */
	int			nremovals;
	int			removals_cap;
	bool		broken;
	SemossSessionStats stats;
};

/* What a runPixel call is for; decides how a lost insight is handled. */
typedef enum PixelPurpose
{
	PURPOSE_RUN,				/* query/exec/run_pixel: retry with a new insight */
	PURPOSE_COLLECT,			/* next page: the task is lost */
	PURPOSE_REMOVE,				/* RemoveTask: nothing left to remove */
	PURPOSE_CLOSE				/* DropInsight on close: never log in again */
} PixelPurpose;

/* One HTTP request and its response. */
typedef struct HttpExchange
{
	SemossSession *session;
	const char *what;			/* "POST /engine/runPixel", for messages */
	const char *path;			/* appended to base_url */
	bool		post;
	const char *body;			/* POST body (form-encoded) */
	size_t		body_len;
	size_t		body_pos;		/* how much of it libcurl has read */
	bool		csrf_fetch;		/* send X-CSRF-Token: Fetch */

	long		status;			/* HTTP status */
	SemossBuf	response;		/* response body */
	bool		too_large;		/* body exceeded SEMOSS_MAX_RESPONSE_BYTES */
	char	   *csrf_header;	/* X-CSRF-Token response header */
	char	   *location;		/* Location (or SEMOSS's "redirect") header */
} HttpExchange;

static bool global_init_done = false;

/* ---- small helpers ---- */

/* Zero and free a string that may hold a secret. */
static void
free_wiped(char *s)
{
	if (s != NULL)
	{
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* True if s holds an ASCII control character (header injection guard). */
static bool
has_control_char(const char *s)
{
	for (; *s; s++)
	{
		if ((unsigned char) *s < 0x20 || *s == 0x7F)
			return true;
	}
	return false;
}

/* Replace every occurrence of needle in text with asterisks. */
static void
scrub(char *text, const char *needle)
{
	size_t		n;
	char	   *p;

	if (needle == NULL || (n = strlen(needle)) == 0)
		return;
	while ((p = strstr(text, needle)) != NULL)
		memset(p, '*', n);
}

/*
 * Common exit of the public functions: on failure make sure neither the
 * message nor the detail contains a credential (remote text can echo
 * anything back), then return st.
 */
static SemossStatus
finish(SemossSession *session, SemossStatus st, SemossError *err)
{
	if (st == SEMOSS_OK || err == NULL || session == NULL)
		return st;
	err->status = st;
	scrub(err->message, session->secret);
	scrub(err->detail, session->secret);
	scrub(err->message, session->credential);
	scrub(err->detail, session->credential);
	return st;
}

/*
 * Give err a new status and message but keep its detail (used to restate
 * an HTTP error as a more specific failure).
 */
static void relabel_error(SemossError *err, SemossStatus status,
						  const char *fmt,...) SEMOSS_PRINTF(3, 4);

static void
relabel_error(SemossError *err, SemossStatus status, const char *fmt,...)
{
	char		raw[sizeof(err->message)];
	va_list		ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	err->status = status;
	semoss_sanitize_text(err->message, sizeof(err->message), raw, SIZE_MAX,
						 false);
}

/* ---- queued task removals ---- */

/* Forget the first n queued removals (they were sent). */
static void
drop_removals(SemossSession *s, int n)
{
	int			i;

	if (n > s->nremovals)
		n = s->nremovals;
	if (n <= 0)
		return;
	for (i = 0; i < n; i++)
		free(s->removals[i]);
	memmove(s->removals, s->removals + n,
			(size_t) (s->nremovals - n) * sizeof(char *));
	s->nremovals -= n;
}

/* Remove one id from the queue if it is there. */
static void
unqueue_removal(SemossSession *s, const char *task_id)
{
	int			i;

	for (i = 0; i < s->nremovals; i++)
	{
		if (strcmp(s->removals[i], task_id) == 0)
		{
			free(s->removals[i]);
			memmove(s->removals + i, s->removals + i + 1,
					(size_t) (s->nremovals - i - 1) * sizeof(char *));
			s->nremovals--;
			return;
		}
	}
}

/*
 * Forget the current insight: its tasks are gone with it, so queued
 * removals are dropped and the generation moves on, which makes every task
 * id handed out so far unusable (see semoss_task_public_id).
 */
static void
reset_insight(SemossSession *s)
{
	free(s->insight_id);
	s->insight_id = NULL;
	drop_removals(s, s->nremovals);
	s->generation++;
}

/* ---- transport ---- */

/* Prepare an exchange; nothing is allocated until it is performed. */
static void
exchange_init(HttpExchange *ex, SemossSession *s, const char *what,
			  const char *path, bool post)
{
	memset(ex, 0, sizeof(*ex));
	ex->session = s;
	ex->what = what;
	ex->path = path;
	ex->post = post;
	semoss_buf_init(&ex->response);
}

/* Free what an exchange holds. */
static void
exchange_free(HttpExchange *ex)
{
	semoss_buf_free(&ex->response);
	free(ex->csrf_header);
	free(ex->location);
	ex->csrf_header = NULL;
	ex->location = NULL;
}

/*
 * libcurl write callback: append to the response buffer.  The first call
 * sizes the buffer from Content-Length so a large body is not copied by
 * repeated growth.  Returning less than asked makes libcurl fail the
 * transfer with CURLE_WRITE_ERROR (our out-of-memory signal); so does a
 * body, announced or received, larger than SEMOSS_MAX_RESPONSE_BYTES,
 * which keeps a hostile or broken server from exhausting the backend's
 * memory (too_large tells the two apart).
 */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	HttpExchange *ex = (HttpExchange *) arg;
	size_t		n = size * nmemb;

	if (n > SEMOSS_MAX_RESPONSE_BYTES - ex->response.len)
	{
		ex->too_large = true;
		return 0;
	}
	if (ex->response.data == NULL)
	{
		curl_off_t	cl = -1;

		if (curl_easy_getinfo(ex->session->easy,
							  CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
			cl > (curl_off_t) SEMOSS_MAX_RESPONSE_BYTES)
		{
			ex->too_large = true;
			return 0;
		}
		if (cl > 0)
		{
			ex->response.data = malloc((size_t) cl + 1);
			if (ex->response.data != NULL)
				ex->response.cap = (size_t) cl + 1;
		}
	}
	if (!semoss_buf_append(&ex->response, data, n))
		return 0;
	return n;
}

/*
 * libcurl read callback: hand out the POST body.  The body is given this
 * way rather than with CURLOPT_POSTFIELDS so that seek_cb decides whether
 * it may be sent twice.
 */
static size_t
read_cb(char *buffer, size_t size, size_t nitems, void *arg)
{
	HttpExchange *ex = (HttpExchange *) arg;
	size_t		n = size * nitems;

	if (n > ex->body_len - ex->body_pos)
		n = ex->body_len - ex->body_pos;
	memcpy(buffer, ex->body + ex->body_pos, n);
	ex->body_pos += n;
	return n;
}

/*
 * libcurl seek callback, called only to rewind the body when libcurl wants
 * to re-send a request whose reused connection died before any reply byte
 * arrived.  If none of the body was sent, the server cannot have run the
 * pixel and the rewind is harmless; otherwise it may have run it (an
 * ExecQuery, or a Collect that consumed rows from the cursor), so we
 * refuse and the request fails instead of silently running twice.
 */
static int
seek_cb(void *arg, curl_off_t offset, int origin)
{
	HttpExchange *ex = (HttpExchange *) arg;

	if (origin != SEEK_SET || offset != 0 || ex->body_pos > 0)
		return CURL_SEEKFUNC_CANTSEEK;
	return CURL_SEEKFUNC_OK;
}

/*
 * If the header line (not terminated) is "<name>: value", return the
 * trimmed value (malloc'd); otherwise NULL.
 */
static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t		nlen = strlen(name);
	size_t		start;
	size_t		end;
	char	   *value;

	if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
		return NULL;
	start = nlen + 1;
	end = len;
	while (start < end && (line[start] == ' ' || line[start] == '\t'))
		start++;
	while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' ||
						   line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	value = malloc(end - start + 1);
	if (value == NULL)
		return NULL;
	memcpy(value, line + start, end - start);
	value[end - start] = '\0';
	return value;
}

/*
 * libcurl header callback: remember X-CSRF-Token and Location (falling
 * back to the "redirect" header SEMOSS's filters use).  A new status line
 * (e.g. after "100 Continue") starts over.
 */
static size_t
header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	HttpExchange *ex = (HttpExchange *) arg;
	size_t		n = size * nitems;
	char	   *v;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
	{
		free(ex->csrf_header);
		free(ex->location);
		ex->csrf_header = NULL;
		ex->location = NULL;
	}
	else if ((v = header_value(data, n, "X-CSRF-Token")) != NULL)
	{
		free(ex->csrf_header);
		ex->csrf_header = v;
	}
	else if ((v = header_value(data, n, "Location")) != NULL)
	{
		free(ex->location);
		ex->location = v;
	}
	else if ((v = header_value(data, n, "redirect")) != NULL)
	{
		if (ex->location == NULL)
			ex->location = v;
		else
			free(v);
	}
	return n;
}

/* Free a header list after zeroing it (it holds the credentials). */
static void
free_headers_wiped(struct curl_slist *list)
{
	struct curl_slist *p;

	for (p = list; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(list);
}

/* Append one header, tracking failure in *ok. */
static struct curl_slist *
add_header(struct curl_slist *list, const char *header, bool *ok)
{
	struct curl_slist *n;

	if (!*ok)
		return list;
	n = curl_slist_append(list, header);
	if (n == NULL)
	{
		*ok = false;
		return list;
	}
	return n;
}

/* The request headers: credentials on every request, CSRF on POSTs. */
static struct curl_slist *
build_headers(SemossSession *s, HttpExchange *ex)
{
	struct curl_slist *list = NULL;
	bool		ok = true;

	list = add_header(list, s->auth_header, &ok);
	if (s->provider_header)
		list = add_header(list, s->provider_header, &ok);
	list = add_header(list, "Accept: application/json", &ok);
	list = add_header(list, "Expect:", &ok);
	if (ex->post)
		list = add_header(list,
						  "Content-Type: application/x-www-form-urlencoded; charset=UTF-8",
						  &ok);
	if (ex->csrf_fetch)
		list = add_header(list, "X-CSRF-Token: Fetch", &ok);
	else if (ex->post && s->csrf_token != NULL)
	{
		SemossBuf	h;
		char	   *line;

		semoss_buf_init(&h);
		semoss_buf_appends(&h, "X-CSRF-Token: ");
		semoss_buf_appends(&h, s->csrf_token);
		line = semoss_buf_release(&h);
		if (line == NULL)
			ok = false;
		else
		{
			list = add_header(list, line, &ok);
			free(line);
		}
	}
	if (!ok)
	{
		free_headers_wiped(list);
		return NULL;
	}
	return list;
}

/*
 * Turn a libcurl failure into a SemossStatus.  `sent` says whether the
 * request may have reached the server; if so the session is marked
 * broken, since we do not know what SEMOSS did with it.
 */
static SemossStatus
transport_error(SemossSession *s, HttpExchange *ex, CURLcode cc, bool sent,
				SemossError *err)
{
	/* libcurl's generic text is stable; its detailed text goes to detail */
	const char *reason = curl_easy_strerror(cc);
	SemossStatus st;

	switch (cc)
	{
		case CURLE_OPERATION_TIMEDOUT:
			if (sent)
				st = semoss_error_set(err, SEMOSS_ERR_TIMEOUT, 0,
									  "%s to SEMOSS timed out: %s",
									  ex->what, reason);
			else
				st = semoss_error_set(err, SEMOSS_ERR_TIMEOUT, 0,
									  "connecting to SEMOSS timed out: %s",
									  reason);
			break;
		case CURLE_WRITE_ERROR:
		case CURLE_OUT_OF_MEMORY:
			if (ex->too_large)
			{
				st = semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 0,
									  "the reply to %s is larger than %zu bytes",
									  ex->what, (size_t) SEMOSS_MAX_RESPONSE_BYTES);
				semoss_error_set_detail(err,
										"A reply is held in memory whole; a smaller fetch_size makes smaller pages.",
										SIZE_MAX, false);
				if (sent)
					s->broken = true;
				return st;
			}
			st = semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
								  "out of memory receiving the reply to %s",
								  ex->what);
			break;
		case CURLE_BAD_CONTENT_ENCODING:
			st = semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 0,
								  "SEMOSS sent an undecodable reply to %s: %s",
								  ex->what, reason);
			break;
		case CURLE_SEND_FAIL_REWIND:
			st = semoss_error_set(err, SEMOSS_ERR_CONNECTION_LOST, 0,
								  "the connection to SEMOSS was lost after %s was sent; it was not repeated because it may already have run",
								  ex->what);
			break;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CACERT_BADFILE:
			st = semoss_error_set(err, SEMOSS_ERR_TLS, 0,
								  "TLS with SEMOSS failed for %s: %s",
								  ex->what, reason);
			break;
		case CURLE_URL_MALFORMAT:
		case CURLE_UNSUPPORTED_PROTOCOL:
			st = semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								  "cannot send %s: %s", ex->what, reason);
			break;
		default:
			st = semoss_error_set(err, sent ? SEMOSS_ERR_CONNECTION_LOST : SEMOSS_ERR_CONNECT, 0,
								  "%s to SEMOSS failed: %s", ex->what, reason);
			break;
	}
	if (s->curl_error[0] != '\0')
		semoss_error_set_detail(err, s->curl_error, SIZE_MAX, false);
	if (sent)
		s->broken = true;
	return st;
}

/*
 * Perform one HTTP request on the session's easy handle.  Returns SEMOSS_OK
 * when a complete HTTP response arrived (whatever its status), else a
 * transport error.  The transfer is driven through the multi handle in
 * waits of at most SEMOSS_POLL_MS, calling interrupt_check after each; a
 * cancelled transfer is removed at once, which closes its connection.
 */
static SemossStatus
http_perform(SemossSession *s, HttpExchange *ex, SemossError *err)
{
	struct curl_slist *headers;
	SemossBuf	url;
	char	   *urltext;
	CURLMcode	mc;
	CURLcode	cc = CURLE_OK;
	bool		cancelled = false;
	bool		finished = false;
	bool		sent;
	long		reqsize = 0;
	curl_off_t	pretransfer = 0;
	long		connect_ms = s->connect_timeout_ms;
	long		request_ms = s->request_timeout_ms;
	SemossStatus st = SEMOSS_OK;

	if (s->closing)
	{
		if (connect_ms == 0 || connect_ms > SEMOSS_CLOSE_TIMEOUT_MS)
			connect_ms = SEMOSS_CLOSE_TIMEOUT_MS;
		if (request_ms == 0 || request_ms > SEMOSS_CLOSE_TIMEOUT_MS)
			request_ms = SEMOSS_CLOSE_TIMEOUT_MS;
	}

	semoss_buf_init(&url);
	semoss_buf_appends(&url, s->base_url);
	semoss_buf_appends(&url, ex->path);
	urltext = semoss_buf_release(&url);
	headers = build_headers(s, ex);
	if (urltext == NULL || headers == NULL)
	{
		free(urltext);
		free_headers_wiped(headers);
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
								"out of memory preparing %s", ex->what);
	}

	curl_easy_setopt(s->easy, CURLOPT_URL, urltext);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, ex);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, ex);
	curl_easy_setopt(s->easy, CURLOPT_READDATA, ex);
	curl_easy_setopt(s->easy, CURLOPT_SEEKDATA, ex);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, request_ms);
	if (ex->post)
	{
		ex->body_pos = 0;
		curl_easy_setopt(s->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE,
						 (curl_off_t) ex->body_len);
	}
	else
		curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
	s->curl_error[0] = '\0';
	s->stats.requests++;

	mc = curl_multi_add_handle(s->multi, s->easy);
	if (mc != CURLM_OK)
	{
		st = semoss_error_set(err, SEMOSS_ERR_CONNECT, 0,
							  "cannot start %s: %s", ex->what,
							  curl_multi_strerror(mc));
		goto done;
	}
	for (;;)
	{
		int			running = 0;

		mc = curl_multi_perform(s->multi, &running);
		if (mc != CURLM_OK || running == 0)
			break;
		mc = curl_multi_poll(s->multi, NULL, 0, SEMOSS_POLL_MS, NULL);
		if (mc != CURLM_OK)
			break;
		if (s->interrupt_check != NULL && s->interrupt_check(s->interrupt_arg))
		{
			cancelled = true;
			break;
		}
	}
	if (!cancelled && mc == CURLM_OK)
	{
		CURLMsg    *msg;
		int			left;

		while ((msg = curl_multi_info_read(s->multi, &left)) != NULL)
		{
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == s->easy)
			{
				cc = msg->data.result;
				finished = true;
			}
		}
	}
	curl_easy_getinfo(s->easy, CURLINFO_REQUEST_SIZE, &reqsize);
	curl_easy_getinfo(s->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
	sent = reqsize > 0 || pretransfer > 0;
	curl_multi_remove_handle(s->multi, s->easy);
	s->stats.bytes_received += ex->response.len;

	if (cancelled)
	{
		if (sent)
			s->broken = true;
		st = semoss_error_set(err, SEMOSS_ERR_CANCELLED, 0,
							  "%s to SEMOSS was cancelled", ex->what);
	}
	else if (mc != CURLM_OK)
	{
		s->broken = true;
		st = semoss_error_set(err, sent ? SEMOSS_ERR_CONNECTION_LOST : SEMOSS_ERR_CONNECT, 0,
							  "%s to SEMOSS failed: %s", ex->what,
							  curl_multi_strerror(mc));
	}
	else if (!finished)
	{
		s->broken = true;
		st = semoss_error_set(err, sent ? SEMOSS_ERR_CONNECTION_LOST : SEMOSS_ERR_CONNECT, 0,
							  "%s to SEMOSS ended without a result", ex->what);
	}
	else if (cc != CURLE_OK)
		st = transport_error(s, ex, cc, sent, err);
	else
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &ex->status);

done:
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(s->easy, CURLOPT_READDATA, NULL);
	curl_easy_setopt(s->easy, CURLOPT_SEEKDATA, NULL);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, NULL);
	free_headers_wiped(headers);
	free(urltext);
	if (st != SEMOSS_OK)
		semoss_buf_free(&ex->response);
	return st;
}

/* ---- logging in ---- */

/*
 * GET /config/fetchCsrf with X-CSRF-Token: Fetch and keep the token the
 * server returns in the X-CSRF-Token response header (§2.4).  A reply
 * without a token is an error when `required` (the login said csrf is on);
 * after a 403 it only means the server no longer wants one, so the request
 * is retried without a token.
 */
static SemossStatus
fetch_csrf(SemossSession *s, bool required, SemossError *err)
{
	HttpExchange ex;
	SemossStatus st;

	free(s->csrf_token);
	s->csrf_token = NULL;
	exchange_init(&ex, s, "GET /config/fetchCsrf", "/config/fetchCsrf", false);
	ex.csrf_fetch = true;
	st = http_perform(s, &ex, err);
	if (st == SEMOSS_OK)
	{
		if (ex.status != 200)
			semoss_http_error(err, ex.status, ex.what, ex.location,
							  ex.response.data, ex.response.len);
		else if (ex.csrf_header == NULL || ex.csrf_header[0] == '\0')
		{
			if (required)
				semoss_error_set(err, SEMOSS_ERR_CSRF, ex.status,
								 "SEMOSS did not return a CSRF token from GET /config/fetchCsrf");
		}
		else
		{
			s->csrf_token = ex.csrf_header;
			ex.csrf_header = NULL;
		}
		if (s->csrf_token == NULL && (required || ex.status != 200))
			st = err ? err->status : SEMOSS_ERR_CSRF;
	}
	exchange_free(&ex);
	return st;
}

/*
 * Log in (§2.2): GET /config carrying the credentials.  A non-empty
 * loginDetails object means the filter accepted them; an empty one means
 * SEMOSS refused them.  If the reply says csrf is on, fetch a token.
 */
static SemossStatus
session_login(SemossSession *s, SemossError *err)
{
	HttpExchange ex;
	SemossStatus st;
	json_object *root = NULL;
	json_object *details;
	json_object *csrf;
	bool		want_csrf = false;

	s->logged_in = false;
	free(s->csrf_token);
	s->csrf_token = NULL;
	exchange_init(&ex, s, "GET /config", "/config", false);
	s->stats.logins++;
	st = http_perform(s, &ex, err);
	if (st != SEMOSS_OK)
		goto done;
	if (ex.status == 401 || ex.status == 403)
	{
		st = semoss_error_set(err, SEMOSS_ERR_AUTH, ex.status,
							  "SEMOSS refused the credentials (HTTP status %ld on GET /config)",
							  ex.status);
		semoss_error_set_detail(err, ex.response.data,
								ex.response.len < SEMOSS_BODY_EXCERPT_LEN ?
								ex.response.len : SEMOSS_BODY_EXCERPT_LEN, false);
		goto done;
	}
	if (ex.status != 200)
	{
		semoss_http_error(err, ex.status, ex.what, ex.location,
						  ex.response.data, ex.response.len);
		if (ex.status >= 300 && ex.status < 400)
			semoss_error_prefix(err, "redirects are not followed (check base_url)");
		st = SEMOSS_ERR_HTTP;
		goto done;
	}
	st = semoss_json_parse(ex.response.data, ex.response.len,
						   s->interrupt_check, s->interrupt_arg, &root, err);
	if (st != SEMOSS_OK)
	{
		if (st == SEMOSS_ERR_PROTOCOL)
		{
			semoss_error_prefix(err, "GET /config");
			semoss_error_set_detail(err, ex.response.data,
									ex.response.len < SEMOSS_BODY_EXCERPT_LEN ?
									ex.response.len : SEMOSS_BODY_EXCERPT_LEN, false);
		}
		goto done;
	}
	if (!json_object_is_type(root, json_type_object) ||
		!json_object_object_get_ex(root, "loginDetails", &details) ||
		!json_object_is_type(details, json_type_object))
	{
		st = semoss_error_set(err, SEMOSS_ERR_PROTOCOL, ex.status,
							  "GET /config reply has no loginDetails object (is base_url the SEMOSS .../api URL?)");
		goto done;
	}
	if (json_object_object_length(details) == 0)
	{
		st = semoss_error_set(err, SEMOSS_ERR_AUTH, ex.status,
							  "SEMOSS refused the credentials");
		semoss_error_set_detail(err,
								"GET /config returned an empty loginDetails. Check the access and secret keys "
								"(or the bearer token and provider), and that access keys are allowed for the "
								"user's login provider.", SIZE_MAX, false);
		goto done;
	}
	if (json_object_object_get_ex(root, "csrf", &csrf) && csrf != NULL)
	{
		if (json_object_is_type(csrf, json_type_boolean))
			want_csrf = json_object_get_boolean(csrf);
		else if (json_object_is_type(csrf, json_type_string))
			want_csrf = strcasecmp(json_object_get_string(csrf), "true") == 0;
	}
	s->logged_in = true;
	if (s->stats.opened_at == 0)
		s->stats.opened_at = time(NULL);
	if (want_csrf)
		st = fetch_csrf(s, true, err);

done:
	json_object_put(root);
	exchange_free(&ex);
	return st;
}

/* ---- runPixel ---- */

/*
 * Run a pixel on the session's insight and return its result entry.
 *
 * Queued RemoveTask routines are sent in front of the pixel; they are
 * forgotten once a reply shows the request ran (their own errors are
 * ignored: the task may be gone already), and if they kept our pixel from
 * running, it is sent again without them.  The first request of an
 * insight sends insightId=new and the returned insightID is kept.
 *
 * Retries, each at most once per call: 302/401 -> log in again (AUTH if
 * refused, SESSION_EXPIRED if it persists); 403 CSRF -> new token (CSRF if
 * it persists); 400 INSIGHT_NOT_FOUND -> the insight is forgotten, and
 * for PURPOSE_RUN the pixel runs again on a new one, while a page of an
 * old task is TASK_LOST and removals/close have nothing left to do.
 *
 * On SEMOSS_OK and SEMOSS_ERR_PIXEL, res holds the parsed reply (to be
 * freed by the caller); for REMOVE/CLOSE it may be empty (root NULL).
 * `values` says whether Collect rows are wanted as a page's cells or
 * left in the json-c tree (see semoss_pixel_result_parse).
 */
static SemossStatus
pixel_call(SemossSession *s, const char *pixel, PixelPurpose purpose,
		   SemossValuesHandling values, SemossPixelResult *res,
		   SemossError *err)
{
	bool		relogged = false;
	bool		csrf_refetched = false;
	bool		insight_renewed = false;
	SemossStatus st;

	memset(res, 0, sizeof(*res));
	if (purpose == PURPOSE_CLOSE)
		drop_removals(s, s->nremovals);
	if (!s->logged_in)
	{
		if (purpose == PURPOSE_CLOSE)
			return SEMOSS_OK;
		if ((st = session_login(s, err)) != SEMOSS_OK)
			return st;
	}

	for (;;)
	{
		int			nrem = s->nremovals;
		bool		sent_new = (s->insight_id == NULL);
		char	   *expression;
		char	   *body;
		HttpExchange ex;
		SemossReplyClass cls;

		expression = semoss_build_expression(s->removals, nrem, pixel);
		body = expression ? semoss_form_body(expression,
											 sent_new ? "new" : s->insight_id) : NULL;
		free(expression);
		if (body == NULL)
			return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
									"out of memory building a runPixel request");
		exchange_init(&ex, s, "POST /engine/runPixel", "/engine/runPixel", true);
		ex.body = body;
		ex.body_len = strlen(body);
		st = http_perform(s, &ex, err);
		free(body);
		if (st != SEMOSS_OK)
		{
			exchange_free(&ex);
			return st;
		}
		cls = semoss_classify_reply(ex.status, ex.csrf_header,
									ex.response.data, ex.response.len);
		switch (cls)
		{
			case SEMOSS_REPLY_OK:
				st = semoss_pixel_result_parse(ex.response.data,
											   ex.response.len, nrem, values,
											   s->interrupt_check,
											   s->interrupt_arg, res, err);
				exchange_free(&ex); /* free the body as soon as it is parsed */
				if (res->root == NULL)
					return st;
				/* the request ran: the piggybacked removals are done */
				drop_removals(s, nrem);
				if (res->insight_id != NULL &&
					(sent_new || strcmp(res->insight_id, s->insight_id) != 0))
				{
					char	   *iid = strdup(res->insight_id);

					if (iid == NULL)
					{
						semoss_pixel_result_free(res);
						return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
												"out of memory");
					}
					if (!sent_new)
						reset_insight(s);
					free(s->insight_id);
					s->insight_id = iid;
				}
				else if (sent_new && res->insight_id == NULL)
				{
					semoss_pixel_result_free(res);
					return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
											"runPixel reply with insightId=new has no insightID");
				}
				if (res->removals_blocked)
				{
					semoss_pixel_result_free(res);
					continue;
				}
				return st;

			case SEMOSS_REPLY_RELOGIN:
				if (purpose == PURPOSE_CLOSE)
				{
					/* the HTTP session is gone, and its insights with it */
					exchange_free(&ex);
					s->logged_in = false;
					return SEMOSS_OK;
				}
				if (relogged)
				{
					semoss_http_error(err, ex.status, ex.what, ex.location,
									  ex.response.data, ex.response.len);
					relabel_error(err, SEMOSS_ERR_SESSION_EXPIRED,
								  "SEMOSS still rejects the session after logging in again (HTTP status %ld)",
								  ex.status);
					exchange_free(&ex);
					return SEMOSS_ERR_SESSION_EXPIRED;
				}
				exchange_free(&ex);
				relogged = true;
				if ((st = session_login(s, err)) != SEMOSS_OK)
					return st;
				continue;

			case SEMOSS_REPLY_CSRF:
				exchange_free(&ex);
				if (csrf_refetched)
					return semoss_error_set(err, SEMOSS_ERR_CSRF, 403,
											"SEMOSS still rejects the CSRF token after fetching a new one");
				csrf_refetched = true;
				if ((st = fetch_csrf(s, false, err)) != SEMOSS_OK)
					return st;
				continue;

			case SEMOSS_REPLY_INSIGHT_LOST:
				if (sent_new || insight_renewed)
				{
					/* not about our insight (e.g. the expression was refused) */
					semoss_http_error(err, ex.status, ex.what, ex.location,
									  ex.response.data, ex.response.len);
					exchange_free(&ex);
					return SEMOSS_ERR_HTTP;
				}
				exchange_free(&ex);
				reset_insight(s);
				if (purpose == PURPOSE_COLLECT)
					return semoss_error_set(err, SEMOSS_ERR_TASK_LOST, 400,
											"SEMOSS no longer has the insight holding this task (the SEMOSS session expired or the server restarted)");
				if (purpose != PURPOSE_RUN)
					return SEMOSS_OK;
				insight_renewed = true;
				continue;

			case SEMOSS_REPLY_HTTP_ERROR:
				semoss_http_error(err, ex.status, ex.what, ex.location,
								  ex.response.data, ex.response.len);
				exchange_free(&ex);
				return SEMOSS_ERR_HTTP;
		}
	}
}

/* ---- public API: sessions ---- */

/* Names of the status codes, for messages and tests. */
const char *
semoss_status_name(SemossStatus status)
{
	switch (status)
	{
		case SEMOSS_OK:
			return "OK";
		case SEMOSS_ERR_INVALID_ARGUMENT:
			return "INVALID_ARGUMENT";
		case SEMOSS_ERR_OUT_OF_MEMORY:
			return "OUT_OF_MEMORY";
		case SEMOSS_ERR_CONNECT:
			return "CONNECT";
		case SEMOSS_ERR_CONNECTION_LOST:
			return "CONNECTION_LOST";
		case SEMOSS_ERR_TLS:
			return "TLS";
		case SEMOSS_ERR_TIMEOUT:
			return "TIMEOUT";
		case SEMOSS_ERR_CANCELLED:
			return "CANCELLED";
		case SEMOSS_ERR_AUTH:
			return "AUTH";
		case SEMOSS_ERR_SESSION_EXPIRED:
			return "SESSION_EXPIRED";
		case SEMOSS_ERR_CSRF:
			return "CSRF";
		case SEMOSS_ERR_TASK_LOST:
			return "TASK_LOST";
		case SEMOSS_ERR_HTTP:
			return "HTTP";
		case SEMOSS_ERR_PROTOCOL:
			return "PROTOCOL";
		case SEMOSS_ERR_PIXEL:
			return "PIXEL";
	}
	return "UNKNOWN";
}

/*
 * Initialise libcurl once per process.  semoss_session_new also calls it,
 * so calling it explicitly is only needed to do it early (at _PG_init,
 * before any thread could exist).
 */
SemossStatus
semoss_global_init(SemossError *err)
{
	CURLcode	cc;

	semoss_error_clear(err);
	if (global_init_done)
		return SEMOSS_OK;
	cc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (cc != CURLE_OK)
		return semoss_error_set(err, SEMOSS_ERR_CONNECT, 0,
								"could not initialise libcurl: %s",
								curl_easy_strerror(cc));
	global_init_done = true;
	return SEMOSS_OK;
}

/*
 * Check base_url: an absolute http:// or https:// URL with a host, and
 * without user info (credentials belong in the configuration, where they
 * are kept out of messages), query or fragment (paths are appended).
 * The URL itself is not quoted in messages, as it might hold a password.
 */
static SemossStatus
validate_base_url(const char *base_url, SemossError *err)
{
	CURLU	   *u;
	CURLUcode	rc;
	char	   *part = NULL;
	SemossStatus st = SEMOSS_OK;

	if (base_url == NULL || base_url[0] == '\0')
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								"base_url must not be empty");
	if (has_control_char(base_url))
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								"base_url must not contain control characters");
	u = curl_url();
	if (u == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	rc = curl_url_set(u, CURLUPART_URL, base_url, CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK)
	{
		st = semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
							  "base_url is not a valid absolute URL (%s)",
							  curl_url_strerror(rc));
		goto done;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) != CURLUE_OK ||
		(strcasecmp(part, "http") != 0 && strcasecmp(part, "https") != 0))
	{
		st = semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
							  "base_url must start with http:// or https://");
		goto done;
	}
	curl_free(part);
	part = NULL;
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
		curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK)
	{
		st = semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
							  "base_url must not contain a user name or password; give the credentials as options instead");
		goto done;
	}
	if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK ||
		part[0] == '\0')
	{
		st = semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
							  "base_url has no host name");
		goto done;
	}
	curl_free(part);
	part = NULL;
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
		curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK)
	{
		st = semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
							  "base_url must not contain a query string or fragment");
		goto done;
	}

done:
	if (part != NULL)
	{
		explicit_bzero(part, strlen(part));
		curl_free(part);
	}
	curl_url_cleanup(u);
	return st;
}

/* Check the credentials part of the configuration. */
static SemossStatus
validate_credentials(const SemossConfig *config, SemossError *err)
{
	switch (config->auth_kind)
	{
		case SEMOSS_AUTH_BASIC:
			if (config->access_key == NULL || config->access_key[0] == '\0')
				return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
										"access key must not be empty");
			if (config->secret_key == NULL || config->secret_key[0] == '\0')
				return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
										"secret key must not be empty");
			if (strchr(config->access_key, ':') != NULL)
			{
				semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								 "access key must not contain \":\"");
				semoss_error_set_detail(err,
										"SEMOSS splits the Basic credentials at \":\" and requires exactly two parts, so it would refuse this key pair.",
										SIZE_MAX, false);
				return SEMOSS_ERR_INVALID_ARGUMENT;
			}
			if (strchr(config->secret_key, ':') != NULL)
			{
				semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								 "secret key must not contain \":\"");
				semoss_error_set_detail(err,
										"SEMOSS splits the Basic credentials at \":\" and requires exactly two parts, so it would refuse this key pair.",
										SIZE_MAX, false);
				return SEMOSS_ERR_INVALID_ARGUMENT;
			}
			return SEMOSS_OK;
		case SEMOSS_AUTH_BEARER:
			if (config->bearer_token == NULL || config->bearer_token[0] == '\0')
				return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
										"bearer token must not be empty");
			if (has_control_char(config->bearer_token))
				return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
										"bearer token must not contain control characters");
			if (config->bearer_provider != NULL &&
				has_control_char(config->bearer_provider))
				return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
										"bearer provider must not contain control characters");
			return SEMOSS_OK;
	}
	return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
							"unknown authentication kind %d",
							(int) config->auth_kind);
}

/* Build the Authorization (and Bearer-Provider) header lines. */
static bool
build_auth(SemossSession *s, const SemossConfig *config)
{
	SemossBuf	buf;

	semoss_buf_init(&buf);
	if (config->auth_kind == SEMOSS_AUTH_BASIC)
	{
		SemossBuf	pair;

		semoss_buf_init(&pair);
		semoss_buf_appends(&pair, config->access_key);
		semoss_buf_appends(&pair, ":");
		semoss_buf_appends(&pair, config->secret_key);
		if (!pair.oom)
			s->credential = semoss_base64_encode(pair.data, pair.len);
		semoss_buf_free_wiped(&pair);
		s->secret = strdup(config->secret_key);
		if (s->credential == NULL || s->secret == NULL)
			return false;
		semoss_buf_appends(&buf, "Authorization: Basic ");
		semoss_buf_appends(&buf, s->credential);
	}
	else
	{
		s->secret = strdup(config->bearer_token);
		if (s->secret == NULL)
			return false;
		semoss_buf_appends(&buf, "Authorization: Bearer ");
		semoss_buf_appends(&buf, config->bearer_token);
		if (config->bearer_provider != NULL && config->bearer_provider[0] != '\0')
		{
			SemossBuf	p;

			semoss_buf_init(&p);
			semoss_buf_appends(&p, "Bearer-Provider: ");
			semoss_buf_appends(&p, config->bearer_provider);
			s->provider_header = semoss_buf_release(&p);
			if (s->provider_header == NULL)
			{
				semoss_buf_free_wiped(&buf);
				return false;
			}
		}
	}
	if (buf.oom)
	{
		semoss_buf_free_wiped(&buf);
		return false;
	}
	s->auth_header = semoss_buf_release(&buf);
	return s->auth_header != NULL;
}

/*
 * Set the easy-handle options that never change: cookie engine on (all
 * cookies kept, whatever their names), redirects never followed, only
 * http/https, TLS verification per configuration, keepalive, no signals,
 * never verbose; POST bodies are never re-sent once (partly) sent.
 */
static bool
setup_easy(SemossSession *s, const SemossConfig *config)
{
	CURL	   *e = s->easy;
	bool		ok = true;

	ok &= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_VERBOSE, 0L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_NOPROGRESS, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_COOKIEFILE, "") == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK;
#else
	ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS,
						   (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS)) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
						   (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS)) == CURLE_OK;
#endif
	ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
						   config->verify_tls ? 1L : 0L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
						   config->verify_tls ? 2L : 0L) == CURLE_OK;
	if (config->ca_file != NULL && config->ca_file[0] != '\0')
		ok &= curl_easy_setopt(e, CURLOPT_CAINFO, config->ca_file) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 60L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 30L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_USERAGENT,
						   config->user_agent ? config->user_agent : "semoss_fdw") == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->curl_error) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, seek_cb) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, SEMOSS_MAX_CONN_AGE_S) == CURLE_OK;
	return ok;
}

/*
 * Validate the configuration and create a session object (no network
 * I/O).  The curl handles are created here so that a broken libcurl shows
 * up at once rather than on the first query.
 */
SemossSession *
semoss_session_new(const SemossConfig *config, SemossError *err)
{
	SemossSession *s;
	size_t		n;

	semoss_error_clear(err);
	if (config == NULL)
	{
		semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
						 "no configuration given");
		return NULL;
	}
	if (semoss_global_init(err) != SEMOSS_OK ||
		validate_base_url(config->base_url, err) != SEMOSS_OK ||
		validate_credentials(config, err) != SEMOSS_OK)
		return NULL;
	if (config->connect_timeout_ms < 0 || config->request_timeout_ms < 0)
	{
		semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
						 "timeouts must not be negative");
		return NULL;
	}
	if (config->user_agent != NULL && has_control_char(config->user_agent))
	{
		semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
						 "user agent must not contain control characters");
		return NULL;
	}

	s = calloc(1, sizeof(SemossSession));
	if (s == NULL)
		goto oom;
	s->generation = 1;
	s->connect_timeout_ms = config->connect_timeout_ms;
	s->request_timeout_ms = config->request_timeout_ms;
	s->interrupt_check = config->interrupt_check;
	s->interrupt_arg = config->interrupt_arg;
	s->base_url = strdup(config->base_url);
	if (s->base_url == NULL || !build_auth(s, config))
		goto oom;
	n = strlen(s->base_url);
	while (n > 0 && s->base_url[n - 1] == '/')
		s->base_url[--n] = '\0';

	s->easy = curl_easy_init();
	s->multi = curl_multi_init();
	if (s->easy == NULL || s->multi == NULL)
		goto oom;
	if (!setup_easy(s, config))
	{
		semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
						 "libcurl rejected the connection options (is libcurl too old?)");
		semoss_session_free(s);
		return NULL;
	}
	return s;

oom:
	semoss_session_free(s);
	semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
					 "out of memory creating a SEMOSS session");
	return NULL;
}

/*
 * End the session politely: DropInsight on our insight (closing all its
 * tasks and cursors), then log out.  Best effort with short timeouts: a
 * transport failure of the first step skips the second, and the first
 * failure is what is reported.
 */
SemossStatus
semoss_session_close(SemossSession *session, SemossError *err)
{
	SemossStatus first = SEMOSS_OK;
	SemossStatus st;
	SemossError scratch;
	bool		reachable = true;

	semoss_error_clear(err);
	if (session == NULL)
		return SEMOSS_OK;
	session->closing = true;
	drop_removals(session, session->nremovals);
	if (session->insight_id != NULL && session->logged_in)
	{
		SemossPixelResult res;
		char	   *pixel = semoss_build_drop_insight_pixel();

		if (pixel == NULL)
			st = semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
		else
		{
			st = pixel_call(session, pixel, PURPOSE_CLOSE,
							SEMOSS_VALUES_AS_JSON, &res, err);
			semoss_pixel_result_free(&res);
			free(pixel);
		}
		if (st == SEMOSS_ERR_PIXEL)
			semoss_error_prefix(err, "DropInsight failed");
		if (st == SEMOSS_ERR_CONNECT || st == SEMOSS_ERR_CONNECTION_LOST ||
			st == SEMOSS_ERR_TLS || st == SEMOSS_ERR_TIMEOUT ||
			st == SEMOSS_ERR_CANCELLED)
			reachable = false;
		first = st;
	}
	if (session->insight_id != NULL)
		reset_insight(session);

	if (session->logged_in && reachable)
	{
		HttpExchange ex;

		exchange_init(&ex, session, "GET /auth/logout/all",
					  "/auth/logout/all?disableRedirect=true", false);
		st = http_perform(session, &ex, first == SEMOSS_OK ? err : &scratch);
		/* 400 = nobody logged in, 302 = session already gone: both fine */
		if (st == SEMOSS_OK && ex.status != 200 && ex.status != 400 &&
			ex.status != 302)
		{
			semoss_http_error(first == SEMOSS_OK ? err : &scratch, ex.status,
							  ex.what, ex.location, ex.response.data,
							  ex.response.len);
			st = SEMOSS_ERR_HTTP;
		}
		if (first == SEMOSS_OK)
			first = st;
		exchange_free(&ex);
	}
	session->logged_in = false;
	free(session->csrf_token);
	session->csrf_token = NULL;
	session->closing = false;
	return finish(session, first, err);
}

/* Free the session and wipe its secrets; no network I/O. */
void
semoss_session_free(SemossSession *session)
{
	if (session == NULL)
		return;
	if (session->multi != NULL && session->easy != NULL)
		curl_multi_remove_handle(session->multi, session->easy);
	if (session->easy != NULL)
		curl_easy_cleanup(session->easy);
	if (session->multi != NULL)
		curl_multi_cleanup(session->multi);
	free_wiped(session->auth_header);
	free_wiped(session->provider_header);
	free_wiped(session->secret);
	free_wiped(session->credential);
	free_wiped(session->csrf_token);
	free(session->base_url);
	free(session->insight_id);
	drop_removals(session, session->nremovals);
	free(session->removals);
	explicit_bzero(session, sizeof(*session));
	free(session);
}

/* Log in now instead of on the first request. */
SemossStatus
semoss_session_login(SemossSession *session, SemossError *err)
{
	semoss_error_clear(err);
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");
	return finish(session, session_login(session, err), err);
}

/* The insight in use, or NULL before the first pixel (or after a loss). */
const char *
semoss_session_insight_id(const SemossSession *session)
{
	return session ? session->insight_id : NULL;
}

/* True once a request died after it may have reached the server. */
bool
semoss_session_is_broken(const SemossSession *session)
{
	return session ? session->broken : false;
}

/* Copy the session's counters. */
void
semoss_session_get_stats(const SemossSession *session,
						 SemossSessionStats *stats)
{
	if (session == NULL)
		memset(stats, 0, sizeof(*stats));
	else
		*stats = session->stats;
}

/* ---- public API: reading ---- */

/*
 * Run sql on an engine and collect its first `limit` rows (Database |
 * Query | Collect).  The page's task id continues the scan.
 */
SemossStatus
semoss_query(SemossSession *session, const char *engine_id, const char *sql,
			 long limit, SemossPage **page, SemossError *err)
{
	SemossPixelResult res;
	char	   *pixel;
	SemossStatus st;

	*page = NULL;
	semoss_error_clear(err);
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");
	st = semoss_build_query_pixel(engine_id, sql, limit, &pixel, err);
	if (st != SEMOSS_OK)
		return st;
	st = pixel_call(session, pixel, PURPOSE_RUN,
					SEMOSS_VALUES_AS_CELLS, &res, err);
	free(pixel);
	if (st == SEMOSS_OK)
		st = semoss_page_from_result(&res, session->generation, page, err);
	else if (st == SEMOSS_ERR_PIXEL)
		semoss_error_prefix(err, "query on engine \"%s\" failed", engine_id);
	semoss_pixel_result_free(&res);
	return finish(session, st, err);
}

/*
 * Collect the next page of a task.  A task of an insight that has since
 * been replaced is reported lost without asking the server (the new
 * insight may have a task of the same name).
 */
SemossStatus
semoss_task_collect(SemossSession *session, const char *task_id, long limit,
					SemossPage **page, SemossError *err)
{
	SemossPixelResult res;
	char	   *semoss_id;
	char	   *pixel;
	unsigned	generation;
	SemossStatus st;

	*page = NULL;
	semoss_error_clear(err);
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");
	if (!semoss_identifier_is_safe(task_id))
		return semoss_build_collect_pixel(task_id, limit, &pixel, err);
	semoss_id = semoss_task_parse_public_id(task_id, &generation);
	if (semoss_id == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	if (generation != session->generation || session->insight_id == NULL)
	{
		free(semoss_id);
		return semoss_error_set(err, SEMOSS_ERR_TASK_LOST, 0,
								"task %s belonged to a SEMOSS insight that no longer exists",
								task_id);
	}
	st = semoss_build_collect_pixel(semoss_id, limit, &pixel, err);
	free(semoss_id);
	if (st != SEMOSS_OK)
		return st;
	st = pixel_call(session, pixel, PURPOSE_COLLECT,
					SEMOSS_VALUES_AS_CELLS, &res, err);
	free(pixel);
	if (st == SEMOSS_OK)
		st = semoss_page_from_result(&res, generation, page, err);
	else if (st == SEMOSS_ERR_PIXEL)
		semoss_error_prefix(err, "collecting rows of task %s failed", task_id);
	semoss_pixel_result_free(&res);
	return finish(session, st, err);
}

/* RemoveTask(task, true) now; a task of a vanished insight is already gone. */
SemossStatus
semoss_task_remove(SemossSession *session, const char *task_id,
				   SemossError *err)
{
	SemossPixelResult res;
	char	   *semoss_id;
	char	   *pixel;
	unsigned	generation;
	SemossStatus st;

	semoss_error_clear(err);
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");
	if (!semoss_identifier_is_safe(task_id))
		return semoss_build_remove_task_pixel(task_id, &pixel, err);
	semoss_id = semoss_task_parse_public_id(task_id, &generation);
	if (semoss_id == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	if (generation != session->generation || session->insight_id == NULL)
	{
		free(semoss_id);
		return SEMOSS_OK;
	}
	unqueue_removal(session, semoss_id);
	st = semoss_build_remove_task_pixel(semoss_id, &pixel, err);
	free(semoss_id);
	if (st != SEMOSS_OK)
		return st;
	st = pixel_call(session, pixel, PURPOSE_REMOVE,
					SEMOSS_VALUES_AS_JSON, &res, err);
	free(pixel);
	if (st == SEMOSS_ERR_PIXEL)
		semoss_error_prefix(err, "removing task %s failed", task_id);
	semoss_pixel_result_free(&res);
	return finish(session, st, err);
}

/*
 * Queue RemoveTask(task, true) for the next request.  Ids that cannot be
 * used, tasks of a vanished insight and duplicates are ignored, and so is
 * an allocation failure: removal is an optimisation (SEMOSS drops the
 * tasks with the insight anyway).
 */
void
semoss_task_remove_later(SemossSession *session, const char *task_id)
{
	char	   *semoss_id;
	unsigned	generation;
	int			i;

	if (session == NULL || !semoss_identifier_is_safe(task_id))
		return;
	semoss_id = semoss_task_parse_public_id(task_id, &generation);
	if (semoss_id == NULL)
		return;
	if (generation != session->generation || session->insight_id == NULL)
	{
		free(semoss_id);
		return;
	}
	for (i = 0; i < session->nremovals; i++)
	{
		if (strcmp(session->removals[i], semoss_id) == 0)
		{
			free(semoss_id);
			return;
		}
	}
	if (session->nremovals == session->removals_cap)
	{
		int			newcap = session->removals_cap ? session->removals_cap * 2 : 8;
		char	  **p = realloc(session->removals, (size_t) newcap * sizeof(char *));

		if (p == NULL)
		{
			free(semoss_id);
			return;
		}
		session->removals = p;
		session->removals_cap = newcap;
	}
	session->removals[session->nremovals++] = semoss_id;
}

/* Number of queued removals. */
int
semoss_pending_removals(const SemossSession *session)
{
	return session ? session->nremovals : 0;
}

/* ---- public API: writing and arbitrary pixels ---- */

/* Run a statement through ExecQuery; SEMOSS reports no row count. */
SemossStatus
semoss_exec(SemossSession *session, const char *engine_id, const char *sql,
			SemossError *err)
{
	SemossPixelResult res;
	char	   *pixel;
	SemossStatus st;

	semoss_error_clear(err);
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");
	st = semoss_build_exec_pixel(engine_id, sql, &pixel, err);
	if (st != SEMOSS_OK)
		return st;
	st = pixel_call(session, pixel, PURPOSE_RUN,
					SEMOSS_VALUES_AS_JSON, &res, err);
	free(pixel);
	if (st == SEMOSS_ERR_PIXEL)
		semoss_error_prefix(err, "statement on engine \"%s\" failed", engine_id);
	semoss_pixel_result_free(&res);
	return finish(session, st, err);
}

/* Run a caller-built pixel and return its last routine's output as JSON. */
SemossStatus
semoss_run_pixel(SemossSession *session, const char *pixel,
				 char **output_json, SemossError *err)
{
	SemossPixelResult res;
	SemossStatus st;

	*output_json = NULL;
	semoss_error_clear(err);
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");
	if (pixel == NULL || pixel[0] == '\0')
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								"pixel must not be empty");
	st = pixel_call(session, pixel, PURPOSE_RUN,
					SEMOSS_VALUES_AS_JSON, &res, err);
	if (st == SEMOSS_OK)
	{
		*output_json = semoss_json_text(res.output);
		if (*output_json == NULL)
			st = semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	}
	semoss_pixel_result_free(&res);
	return finish(session, st, err);
}

/* ---- public API: metadata ---- */

/* MyEngines(engineTypes=["DATABASE"]): the database engines the user sees. */
SemossStatus
semoss_list_engines(SemossSession *session, SemossEngineInfo **engines,
					int *nengines, SemossError *err)
{
	SemossPixelResult res;
	SemossStatus st;

	*engines = NULL;
	*nengines = 0;
	semoss_error_clear(err);
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");
	st = pixel_call(session, "META | MyEngines(engineTypes=[\"DATABASE\"]);",
					PURPOSE_RUN, SEMOSS_VALUES_AS_JSON, &res, err);
	if (st == SEMOSS_OK)
		st = semoss_parse_engine_list(res.output, engines, nengines, err);
	else if (st == SEMOSS_ERR_PIXEL)
		semoss_error_prefix(err, "listing the engines failed");
	semoss_pixel_result_free(&res);
	return finish(session, st, err);
}

/*
 * SEMOSS's registered structure of an engine's tables: one request for
 * GetDatabaseTableStructure and one for GetDatabaseMetamodel, whose finer
 * types are optional (a pixel error there leaves them NULL).
 */
SemossStatus
semoss_table_structure(SemossSession *session, const char *engine_id,
					   SemossColumnInfo **columns, int *ncolumns,
					   SemossError *err)
{
	SemossPixelResult structure;
	SemossPixelResult metamodel;
	char	   *pixel;
	SemossStatus st;

	*columns = NULL;
	*ncolumns = 0;
	semoss_error_clear(err);
	memset(&metamodel, 0, sizeof(metamodel));
	if (session == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0, "no session");

	st = semoss_build_engine_pixel("GetDatabaseTableStructure", engine_id, NULL,
								   &pixel, err);
	if (st != SEMOSS_OK)
		return st;
	st = pixel_call(session, pixel, PURPOSE_RUN,
					SEMOSS_VALUES_AS_JSON, &structure, err);
	free(pixel);
	if (st != SEMOSS_OK)
	{
		if (st == SEMOSS_ERR_PIXEL)
			semoss_error_prefix(err, "reading the table structure of engine \"%s\" failed",
								engine_id);
		semoss_pixel_result_free(&structure);
		return finish(session, st, err);
	}

	st = semoss_build_engine_pixel("GetDatabaseMetamodel", engine_id,
								   ", options=[\"datatypes\"]", &pixel, err);
	if (st == SEMOSS_OK)
	{
		st = pixel_call(session, pixel, PURPOSE_RUN,
						SEMOSS_VALUES_AS_JSON, &metamodel, err);
		free(pixel);
		if (st == SEMOSS_ERR_PIXEL)
		{
			/* only the finer types are lost */
			semoss_pixel_result_free(&metamodel);
			semoss_error_clear(err);
			st = SEMOSS_OK;
		}
	}
	if (st == SEMOSS_OK)
		st = semoss_parse_table_structure(structure.output, metamodel.output,
										  columns, ncolumns, err);
	semoss_pixel_result_free(&metamodel);
	semoss_pixel_result_free(&structure);
	return finish(session, st, err);
}
