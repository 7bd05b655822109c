/*-------------------------------------------------------------------------
 *
 * test_emulator.c
 *		  Group 3: integration against a running SEMOSS emulator.
 *
 * Runs only when SEMOSS_URL, SEMOSS_ENGINE_ID, SEMOSS_ACCESS_KEY and
 * SEMOSS_SECRET_KEY are set (eval "$(scripts/sandbox start)"); otherwise
 * every test is reported as skipped.  Tables created here are named
 * client_test_* and dropped at the end.  The engine is PostgreSQL-backed.
 *
 * IDENTIFICATION
 *		  test/client/test_emulator.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "tap.h"
#include "tests.h"

static const char *engine;
static SemossSession *session;

/* Server-side counts when the group started (the sandbox may be shared). */
static int	baseline_sessions = -1;
static int	baseline_insights = -1;
static int	baseline_open_tasks = -1;

/* Text that must reach the engine byte for byte. */
#define NASTY_TEXT \
	"it's \"q\" \\ + a+b %41 %20 ; | (x) !~* \n\tline2 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
#define NASTY_SQL_LITERAL \
	"'it''s \"q\" \\ + a+b %41 %20 ; | (x) !~* \n\tline2 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'"

/* ---- the emulator's debug API (SEMOSS_EMULATOR_URL/_emulator/...) ---- */

typedef struct Body
{
	char	   *data;
	size_t		len;
} Body;

static size_t
body_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	Body	   *b = (Body *) arg;
	size_t		n = size * nmemb;
	char	   *p = realloc(b->data, b->len + n + 1);

	if (p == NULL)
		return 0;
	memcpy(p + b->len, data, n);
	b->len += n;
	p[b->len] = '\0';
	b->data = p;
	return n;
}

/* POST (json != NULL) or GET base+path; returns the parsed 200 reply. */
static json_object *
http_json(const char *base, const char *path, const char *json)
{
	CURL	   *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	char		url[512];
	Body		b = {NULL, 0};
	long		status = 0;
	json_object *result = NULL;

	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (json != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200 && b.data != NULL)
		result = json_tokener_parse(b.data);
	else
		tap_check_failed(__FILE__, __LINE__, "%s %s: HTTP %ld %s", json ? "POST" : "GET",
						 path, status, b.data ? b.data : "");
	free(b.data);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return result;
}

/* A debug endpoint of the emulator. */
static json_object *
emu_call(const char *path, const char *json)
{
	return http_json(getenv("SEMOSS_EMULATOR_URL"), path, json);
}

/* Add a fault rule (JSON object text). */
static void
emu_fault(const char *rule)
{
	json_object_put(emu_call("/_emulator/faults", rule));
}

/* An integer from GET /_emulator/stats, -1 if absent. */
static int
emu_stat(const char *key)
{
	json_object *root = emu_call("/_emulator/stats", NULL);
	json_object *v;
	int			result = -1;

	if (root != NULL && json_object_object_get_ex(root, key, &v))
		result = json_object_get_int(v);
	json_object_put(root);
	return result;
}

static SemossSession *
open_session(void)
{
	SemossConfig c;
	SemossError err;
	SemossSession *s;

	memset(&c, 0, sizeof(c));
	c.base_url = getenv("SEMOSS_URL");
	c.auth_kind = SEMOSS_AUTH_BASIC;
	c.access_key = getenv("SEMOSS_ACCESS_KEY");
	c.secret_key = getenv("SEMOSS_SECRET_KEY");
	c.connect_timeout_ms = 5000;
	c.request_timeout_ms = 30000;
	c.verify_tls = true;
	s = semoss_session_new(&c, &err);
	if (s == NULL)
		tap_check_failed(__FILE__, __LINE__, "session_new: %s", err.message);
	return s;
}

/* Text of cell (row, col) or NULL. */
static const char *
cell(const SemossPage *page, int row, int col)
{
	const char *t;
	size_t		len;

	semoss_page_cell(page, row, col, &t, &len);
	return t;
}

/* Run one SELECT returning a single text value; returns it (malloc'd). */
static char *
select_one(const char *sql, SemossError *err)
{
	SemossPage *page = NULL;
	char	   *result = NULL;
	SemossStatus st = semoss_query(session, engine, sql, 10, &page, err);

	CHECK_ST(st, SEMOSS_OK, err);
	if (st == SEMOSS_OK)
	{
		CHECK_INT(semoss_page_nrows(page), 1);
		if (semoss_page_nrows(page) == 1 && cell(page, 0, 0) != NULL)
			result = strdup(cell(page, 0, 0));
		semoss_task_remove_later(session, semoss_page_task_id(page));
	}
	semoss_page_free(page);
	return result;
}

static void
test_login(void)
{
	SemossError err;
	SemossSessionStats stats;

	session = open_session();
	if (session == NULL)
		return;
	CHECK_ST(semoss_session_login(session, &err), SEMOSS_OK, &err);
	semoss_session_get_stats(session, &stats);
	CHECK_INT(stats.logins, 1);
	CHECK(stats.opened_at > 0);
	CHECK(semoss_session_insight_id(session) == NULL);
}

static void
test_exec_setup(void)
{
	SemossError err;
	int			i;
	char		sql[4096];
	size_t		o;

	CHECK_ST(semoss_exec(session, engine, "DROP TABLE IF EXISTS client_test_paging", &err), SEMOSS_OK, &err);
	CHECK(semoss_session_insight_id(session) != NULL);
	CHECK_ST(semoss_exec(session, engine,
						 "CREATE TABLE client_test_paging (id integer PRIMARY KEY, name varchar(40), "
						 "ratio double precision, flag boolean, big bigint, note text)",
						 &err), SEMOSS_OK, &err);
	o = (size_t) snprintf(sql, sizeof(sql), "INSERT INTO client_test_paging VALUES ");
	for (i = 1; i <= 25; i++)
		o += (size_t) snprintf(sql + o, sizeof(sql) - o, "%s(%d, 'name %d', %d.5, %s, %s, %s)",
							   i > 1 ? ", " : "", i, i, i, i % 2 ? "true" : "false",
							   i == 1 ? "9007199254740993" : "NULL", i == 2 ? "NULL" : "'n'");
	CHECK_ST(semoss_exec(session, engine, sql, &err), SEMOSS_OK, &err);
}

static void
test_paging(void)
{
	SemossError err;
	SemossPage *page = NULL;
	int			seen = 0;
	int			pages = 0;
	char	   *task = NULL;
	SemossStatus st;

	st = semoss_query(session, engine,
					  "SELECT id, name, ratio, flag, big, note FROM client_test_paging ORDER BY id",
					  10, &page, &err);
	CHECK_ST(st, SEMOSS_OK, &err);
	while (st == SEMOSS_OK)
	{
		int			n = semoss_page_nrows(page);
		int			r;

		pages++;
		CHECK_INT(semoss_page_ncols(page), 6);
		CHECK_STR(semoss_page_header(page, 0), "id");
		CHECK_STR(semoss_page_header(page, 5), "note");
		for (r = 0; r < n; r++)
		{
			char		expect[32];

			seen++;
			snprintf(expect, sizeof(expect), "%d", seen);
			CHECK_STR(cell(page, r, 0), expect);
			snprintf(expect, sizeof(expect), "name %d", seen);
			CHECK_STR(cell(page, r, 1), expect);
			snprintf(expect, sizeof(expect), "%d.5", seen);
			CHECK_STR(cell(page, r, 2), expect);
			CHECK_STR(cell(page, r, 3), seen % 2 ? "true" : "false");
			if (seen == 1)
				CHECK_STR(cell(page, r, 4), "9007199254740993");
			else
				CHECK(cell(page, r, 4) == NULL);
			if (seen == 2)
				CHECK(cell(page, r, 5) == NULL);
		}
		free(task);
		task = strdup(semoss_page_task_id(page));
		semoss_page_free(page);
		page = NULL;
		if (n < 10)
			break;				/* short page: end of data */
		st = semoss_task_collect(session, task, 10, &page, &err);
		CHECK_ST(st, SEMOSS_OK, &err);
	}
	CHECK_INT(seen, 25);
	CHECK_INT(pages, 3);
	/* the finished task still sits in SEMOSS's store: remove it */
	CHECK_ST(semoss_task_remove(session, task, &err), SEMOSS_OK, &err);
	free(task);
}

static void
test_exact_page_multiple(void)
{
	SemossError err;
	SemossPage *page = NULL;
	char	   *task;

	/* 25 rows in pages of 25: the next Collect returns an empty page */
	CHECK_ST(semoss_query(session, engine, "SELECT id FROM client_test_paging ORDER BY id", 25, &page, &err),
			 SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 25);
	task = page ? strdup(semoss_page_task_id(page)) : NULL;
	semoss_page_free(page);
	page = NULL;
	if (task == NULL)
		return;
	CHECK_ST(semoss_task_collect(session, task, 25, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 0);
	CHECK_INT(semoss_page_ncols(page), 1);
	semoss_page_free(page);
	semoss_task_remove_later(session, task);
	free(task);
}

static void
test_remove_task(void)
{
	SemossError err;
	SemossPage *page = NULL;
	char	   *task;

	CHECK_ST(semoss_query(session, engine, "SELECT id FROM client_test_paging ORDER BY id", 5, &page, &err),
			 SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 5);
	task = page ? strdup(semoss_page_task_id(page)) : NULL;
	semoss_page_free(page);
	page = NULL;
	if (task == NULL)
		return;
	CHECK_ST(semoss_task_remove(session, task, &err), SEMOSS_OK, &err);
	/* the task is gone: SEMOSS reports an error for it */
	CHECK_ST(semoss_task_collect(session, task, 5, &page, &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(page == NULL);

	/* queued removal piggybacks on the next request */
	CHECK_ST(semoss_query(session, engine, "SELECT id FROM client_test_paging ORDER BY id", 5, &page, &err),
			 SEMOSS_OK, &err);
	free(task);
	task = page ? strdup(semoss_page_task_id(page)) : NULL;
	semoss_page_free(page);
	page = NULL;
	if (task == NULL)
		return;
	semoss_task_remove_later(session, task);
	CHECK_INT(semoss_pending_removals(session), 1);
	free(select_one("SELECT 'x'", &err));
	CHECK_INT(semoss_pending_removals(session), 1);	/* select_one queued its own */
	CHECK_ST(semoss_task_collect(session, task, 5, &page, &err), SEMOSS_ERR_PIXEL, &err);
	free(task);
}

static void
test_exec_read_back(void)
{
	SemossError err;
	char	   *v;

	CHECK_ST(semoss_exec(session, engine, "DROP TABLE IF EXISTS client_test_text", &err), SEMOSS_OK, &err);
	CHECK_ST(semoss_exec(session, engine, "CREATE TABLE client_test_text (k integer, v text)", &err),
			 SEMOSS_OK, &err);
	CHECK_ST(semoss_exec(session, engine, "INSERT INTO client_test_text VALUES (1, " NASTY_SQL_LITERAL ")", &err),
			 SEMOSS_OK, &err);
	CHECK_ST(semoss_exec(session, engine,
						 "INSERT INTO client_test_text VALUES (2, 'a </encode> b <encode> c <e> </E> <sEncode>x</sEncode>')",
						 &err), SEMOSS_OK, &err);
	CHECK_ST(semoss_exec(session, engine, "UPDATE client_test_text SET k = k + 10 WHERE k = 1", &err),
			 SEMOSS_OK, &err);
	v = select_one("SELECT v FROM client_test_text WHERE k = 11", &err);
	CHECK_STR(v, NASTY_TEXT);
	free(v);
	v = select_one("SELECT v FROM client_test_text WHERE k = 2", &err);
	CHECK_STR(v, "a </encode> b <encode> c <e> </E> <sEncode>x</sEncode>");
	free(v);
}

static void
test_special_sql(void)
{
	SemossError err;
	char	   *v;

	/* the <encode> branch */
	v = select_one("SELECT " NASTY_SQL_LITERAL " AS v", &err);
	CHECK_STR(v, NASTY_TEXT);
	free(v);
	/* the URL-encoded branch: tags inside a string literal */
	v = select_one("SELECT 'x </encode> y' || " NASTY_SQL_LITERAL " AS v", &err);
	CHECK_STR(v, "x </encode> y" NASTY_TEXT);
	free(v);
	v = select_one("SELECT '<encode>a</encode>' AS v", &err);
	CHECK_STR(v, "<encode>a</encode>");
	free(v);
	/* a statement separator and pipe inside the SQL text, plus a comment */
	v = select_one("SELECT 'a;b|c' AS v -- trailing comment ; |", &err);
	CHECK_STR(v, "a;b|c");
	free(v);
}

static void
test_pixel_error(void)
{
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(semoss_query(session, engine, "SELEC 1", 10, &page, &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(page == NULL);
	CHECK(err.detail[0] != '\0');
	tap_diag("bad SQL detail: %s", err.detail);
	CHECK_ST(semoss_exec(session, engine, "INSERT INTO client_test_nonexistent VALUES (1)", &err),
			 SEMOSS_ERR_PIXEL, &err);
	CHECK(err.detail[0] != '\0');
	CHECK_ST(semoss_query(session, "no-such-engine-id", "SELECT 1", 10, &page, &err), SEMOSS_ERR_PIXEL, &err);
	/* the session survives pixel errors */
	CHECK(!semoss_session_is_broken(session));
}

static void
test_run_pixel(void)
{
	SemossError err;
	char	   *out = NULL;

	CHECK_ST(semoss_run_pixel(session, "META | MyEngines(engineTypes=[\"DATABASE\"]);", &out, &err),
			 SEMOSS_OK, &err);
	CHECK(out != NULL && strstr(out, engine) != NULL);
	free(out);
}

static void
test_metadata(void)
{
	SemossError err;
	SemossEngineInfo *engines = NULL;
	SemossColumnInfo *cols = NULL;
	int			n = 0;
	int			i;
	bool		found = false;

	CHECK_ST(semoss_list_engines(session, &engines, &n, &err), SEMOSS_OK, &err);
	for (i = 0; i < n; i++)
	{
		if (strcmp(engines[i].id, engine) != 0)
			continue;
		found = true;
		CHECK(engines[i].name != NULL);
		CHECK_STR(engines[i].subtype, "POSTGRES");
		CHECK_STR(engines[i].type, "DATABASE");
		CHECK(engines[i].permission != NULL);
	}
	CHECK(found);
	semoss_engines_free(engines, n);

	/* the sandbox's sample table regions: (id smallint, code char(3), name text) */
	CHECK_ST(semoss_table_structure(session, engine, &cols, &n, &err), SEMOSS_OK, &err);
	found = false;
	for (i = 0; i < n; i++)
	{
		if (strcmp(cols[i].table, "regions") != 0 || strcmp(cols[i].column, "id") != 0)
			continue;
		found = true;
		CHECK_STR(cols[i].type, "NUMBER");
		CHECK_STR(cols[i].data_type, "INT");
		CHECK_STR(cols[i].physical_type, "INT2");
	}
	if (!found)
		tap_diag("no regions.id in the table structure (not the sandbox's database?)");
	semoss_columns_free(cols, n);

	CHECK_ST(semoss_table_structure(session, "no-such-engine-id", &cols, &n, &err),
			 SEMOSS_ERR_PIXEL, &err);
	CHECK(cols == NULL);
	CHECK(strstr(err.detail, "does not have access") != NULL);
	CHECK_ST(semoss_table_structure(session, "bad\"id", &cols, &n, &err),
			 SEMOSS_ERR_INVALID_ARGUMENT, &err);
}

static void
test_close(void)
{
	SemossError err;
	SemossPage *page = NULL;
	SemossSessionStats stats;

	CHECK_ST(semoss_exec(session, engine, "DROP TABLE IF EXISTS client_test_paging", &err), SEMOSS_OK, &err);
	CHECK_ST(semoss_exec(session, engine, "DROP TABLE IF EXISTS client_test_text", &err), SEMOSS_OK, &err);
	CHECK_ST(semoss_query(session, engine, "SELECT 1 AS one", 10, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	CHECK_ST(semoss_session_close(session, &err), SEMOSS_OK, &err);
	CHECK(semoss_session_insight_id(session) == NULL);
	CHECK_ST(semoss_task_collect(session, "task1", 10, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
	semoss_session_get_stats(session, &stats);
	tap_diag("emulator session: %llu requests, %llu logins, %llu bytes received",
			 (unsigned long long) stats.requests, (unsigned long long) stats.logins,
			 (unsigned long long) stats.bytes_received);
	semoss_session_free(session);
	session = NULL;
}

/* ---- end-to-end failure handling, driven by the debug API ---- */

typedef struct Deadline
{
	double		start;
	double		after_ms;
} Deadline;

static int
deadline_cb(void *arg)
{
	Deadline   *d = (Deadline *) arg;

	return d->after_ms >= 0 && now_ms() - d->start >= d->after_ms;
}

static void
test_expiry_between_statements(void)
{
	SemossSession *s = open_session();
	SemossError err;
	SemossSessionStats before;
	SemossSessionStats after;
	char	   *out = NULL;
	char	   *old_insight = NULL;

	CHECK_ST(semoss_exec(s, engine, "SELECT 1", &err), SEMOSS_OK, &err);
	if (semoss_session_insight_id(s) != NULL)
		old_insight = strdup(semoss_session_insight_id(s));
	json_object_put(emu_call("/_emulator/sessions/expire", "{}"));
	semoss_session_get_stats(s, &before);
	CHECK_ST(semoss_run_pixel(s, "META | MyEngines(engineTypes=[\"DATABASE\"]);", &out, &err), SEMOSS_OK, &err);
	free(out);
	semoss_session_get_stats(s, &after);
	/*
	 * The Basic header re-creates the HTTP session by itself (a 302 would
	 * make us log in again); the old insight is gone, so the pixel is run
	 * again on a new one.
	 */
	CHECK(after.requests - before.requests >= 2);
	CHECK(old_insight != NULL && semoss_session_insight_id(s) != NULL &&
		  strcmp(old_insight, semoss_session_insight_id(s)) != 0);
	free(old_insight);
	CHECK(!semoss_session_is_broken(s));
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	semoss_session_free(s);
}

static void
test_expiry_mid_scan(void)
{
	SemossSession *s = open_session();
	SemossError err;
	SemossPage *page = NULL;
	char	   *task = NULL;

	CHECK_ST(semoss_query(s, engine, "SELECT g FROM generate_series(1, 20) g", 5, &page, &err), SEMOSS_OK, &err);
	if (page != NULL)
		task = strdup(semoss_page_task_id(page));
	semoss_page_free(page);
	page = NULL;
	json_object_put(emu_call("/_emulator/sessions/expire", "{}"));
	if (task != NULL)
		CHECK_ST(semoss_task_collect(s, task, 5, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
	CHECK(page == NULL);
	/* a new scan gets a new insight; its task1 is not the lost task1 */
	CHECK_ST(semoss_query(s, engine, "SELECT g FROM generate_series(1, 20) g", 5, &page, &err), SEMOSS_OK, &err);
	if (page != NULL && task != NULL)
	{
		CHECK(strcmp(semoss_page_task_id(page), task) != 0);
		semoss_task_remove_later(s, semoss_page_task_id(page));
	}
	semoss_page_free(page);
	if (task != NULL)
		CHECK_ST(semoss_task_collect(s, task, 5, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
	free(task);
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	semoss_session_free(s);
}

static void
test_emulated_faults(void)
{
	SemossSession *s = open_session();
	SemossError err;
	SemossPage *page = NULL;
	SemossSessionStats before;
	SemossSessionStats after;

	CHECK_ST(semoss_query(s, engine, "SELECT 1 AS v", 5, &page, &err), SEMOSS_OK, &err);
	if (page != NULL)
		semoss_task_remove_later(s, semoss_page_task_id(page));
	semoss_page_free(page);
	page = NULL;

	/*
	 * A nonce refused with 403 + X-CSRF-Token: Required: one refetch, then
	 * success (with the filter off, fetchCsrf hands out no nonce, meaning
	 * none is wanted, and the retry goes without one); a second 403 is
	 * CSRF.
	 */
	emu_fault("{\"kind\":\"csrf_required\",\"match\":\"client_test_csrf\",\"count\":1}");
	semoss_session_get_stats(s, &before);
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_csrf' AS v", 5, &page, &err), SEMOSS_OK, &err);
	semoss_session_get_stats(s, &after);
	CHECK_INT(after.requests - before.requests, 3);
	if (page != NULL)
		semoss_task_remove_later(s, semoss_page_task_id(page));
	semoss_page_free(page);
	page = NULL;
	emu_fault("{\"kind\":\"csrf_required\",\"match\":\"client_test_csrf2\",\"count\":2}");
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_csrf2' AS v", 5, &page, &err), SEMOSS_ERR_CSRF, &err);
	CHECK(strstr(err.message, "still rejects the CSRF token") != NULL);

	/* the insight vanished: the query is re-run on a new one */
	emu_fault("{\"kind\":\"insight_not_found\",\"match\":\"client_test_inf\",\"count\":1}");
	semoss_session_get_stats(s, &before);
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_inf' AS v", 5, &page, &err), SEMOSS_OK, &err);
	semoss_session_get_stats(s, &after);
	CHECK_INT(after.requests - before.requests, 2);
	if (page != NULL)
	{
		CHECK(strchr(semoss_page_task_id(page), '@') != NULL);
		semoss_task_remove_later(s, semoss_page_task_id(page));
	}
	semoss_page_free(page);
	page = NULL;

	/* malformed and failed replies */
	emu_fault("{\"kind\":\"truncated_json\",\"match\":\"client_test_trunc\",\"count\":1}");
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_trunc'", 5, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	emu_fault("{\"kind\":\"invalid_utf8\",\"match\":\"client_test_utf8\",\"count\":1}");
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_utf8'", 5, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	emu_fault("{\"kind\":\"non_json\",\"match\":\"client_test_html\",\"count\":1}");
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_html'", 5, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	emu_fault("{\"kind\":\"status\",\"match\":\"client_test_500\",\"count\":1}");
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_500'", 5, &page, &err), SEMOSS_ERR_HTTP, &err);
	CHECK_INT(err.http_status, 500);
	emu_fault("{\"kind\":\"pixel_error\",\"match\":\"client_test_pixerr\",\"count\":1}");
	CHECK_ST(semoss_exec(s, engine, "SELECT 'client_test_pixerr'", &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(strstr(err.detail, "Emulated pixel failure") != NULL);
	CHECK(!semoss_session_is_broken(s));
	emu_fault("{\"kind\":\"reset\",\"match\":\"client_test_reset\",\"count\":1}");
	CHECK_ST(semoss_exec(s, engine, "SELECT 'client_test_reset'", &err), SEMOSS_ERR_CONNECTION_LOST, &err);
	CHECK(semoss_session_is_broken(s));
	/* a big cell */
	emu_fault("{\"kind\":\"huge_cell\",\"match\":\"client_test_huge\",\"bytes\":3000000,\"count\":1}");
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_huge' AS v", 5, &page, &err), SEMOSS_OK, &err);
	if (page != NULL)
	{
		const char *t;
		size_t		len;

		semoss_page_cell(page, 0, 0, &t, &len);
		CHECK(len >= 3000000);
		semoss_task_remove_later(s, semoss_page_task_id(page));
	}
	semoss_page_free(page);
	json_object_put(emu_call("/_emulator/faults/clear", "{}"));
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	semoss_session_free(s);
}

static void
test_cancel_against_emulator(void)
{
	SemossConfig c;
	SemossError err;
	SemossSession *s;
	SemossPage *page = NULL;
	Deadline	d = {0, -1};
	double		t0;
	double		elapsed;

	memset(&c, 0, sizeof(c));
	c.base_url = getenv("SEMOSS_URL");
	c.access_key = getenv("SEMOSS_ACCESS_KEY");
	c.secret_key = getenv("SEMOSS_SECRET_KEY");
	c.connect_timeout_ms = 5000;
	c.interrupt_check = deadline_cb;
	c.interrupt_arg = &d;
	s = semoss_session_new(&c, &err);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_ST(semoss_session_login(s, &err), SEMOSS_OK, &err);
	emu_fault("{\"kind\":\"delay\",\"match\":\"client_test_hang\",\"seconds\":1,\"count\":1}");
	d.start = now_ms();
	d.after_ms = 200;
	t0 = now_ms();
	CHECK_ST(semoss_query(s, engine, "SELECT 'client_test_hang'", 5, &page, &err), SEMOSS_ERR_CANCELLED, &err);
	elapsed = now_ms() - t0;
	tap_diag("emulator cancel: returned after %.1f ms (interrupt from 200 ms)", elapsed);
	CHECK(elapsed >= 200 && elapsed < 300);
	CHECK(semoss_session_is_broken(s));

	/*
	 * The server finishes the abandoned request anyway and makes an insight
	 * we never hear of (as SEMOSS would); let that happen inside our HTTP
	 * session, whose logout below then drops it.
	 */
	usleep(1300 * 1000);
	d.after_ms = -1;
	CHECK_ST(semoss_query(s, engine, "SELECT 1 AS one", 5, &page, &err), SEMOSS_OK, &err);
	if (page != NULL)
		semoss_task_remove_later(s, semoss_page_task_id(page));
	semoss_page_free(page);
	CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	semoss_session_free(s);
}

static void
test_nothing_left_open(void)
{
	int			open_tasks = emu_stat("open_tasks");
	int			insights = emu_stat("insights");
	int			sessions = emu_stat("sessions");

	/*
	 * Every session above was closed, so none of ours remains.  Compared
	 * with the start of the group rather than with zero, as the sandbox
	 * may hold other clients' state (the expiry tests wipe it, hence <=).
	 */
	if (open_tasks > baseline_open_tasks || insights > baseline_insights ||
		sessions > baseline_sessions)
		tap_check_failed(__FILE__, __LINE__,
						 "server holds %d sessions, %d insights, %d open tasks (at start: %d, %d, %d)",
						 sessions, insights, open_tasks, baseline_sessions,
						 baseline_insights, baseline_open_tasks);
}

void
run_emulator_tests(void)
{
	static const struct
	{
		const char *name;
		TestFunc	fn;
	}			tests[] = {
		{"emulator: login", test_login},
		{"emulator: ExecQuery creates and fills a table", test_exec_setup},
		{"emulator: paging across pages to a short page", test_paging},
		{"emulator: page size dividing the row count ends with an empty page", test_exact_page_multiple},
		{"emulator: RemoveTask now and piggybacked", test_remove_task},
		{"emulator: ExecQuery + read back of ' \" \\ + % ; | newline Unicode </encode>", test_exec_read_back},
		{"emulator: special SQL reaches the engine intact (both encodings)", test_special_sql},
		{"emulator: pixel errors for bad SQL and bad engine", test_pixel_error},
		{"emulator: run_pixel MyEngines", test_run_pixel},
		{"emulator: engine list and SEMOSS's table structure", test_metadata},
		{"emulator: close (DropInsight + logout)", test_close},
	};
	size_t		i;
	bool		have = getenv("SEMOSS_URL") && getenv("SEMOSS_ENGINE_ID") &&
		getenv("SEMOSS_ACCESS_KEY") && getenv("SEMOSS_SECRET_KEY");

	engine = getenv("SEMOSS_ENGINE_ID");
	if (have && getenv("SEMOSS_EMULATOR_URL") != NULL)
	{
		baseline_sessions = emu_stat("sessions");
		baseline_insights = emu_stat("insights");
		baseline_open_tasks = emu_stat("open_tasks");
	}
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
	{
		if (!have)
			skip_test(tests[i].name, "no emulator");
		else if (session == NULL && i > 0)
			skip_test(tests[i].name, "no session");
		else
			run_test(tests[i].name, tests[i].fn);
	}
	if (session != NULL)
	{
		semoss_session_free(session);
		session = NULL;
	}

	/* these need the emulator's /_emulator debug API */
	{
		static const struct
		{
			const char *name;
			TestFunc	fn;
		}			debug_tests[] = {
			{"emulator: session expiry between statements is transparent", test_expiry_between_statements},
			{"emulator: session expiry mid-scan -> TASK_LOST, new insight after", test_expiry_mid_scan},
			{"emulator: CSRF, lost insight, bad replies, reset, huge cell", test_emulated_faults},
			{"emulator: hung request cancelled within 300 ms", test_cancel_against_emulator},
			{"emulator: no insight, task or session left on the server", test_nothing_left_open},
		};

		for (i = 0; i < sizeof(debug_tests) / sizeof(debug_tests[0]); i++)
		{
			if (!have || getenv("SEMOSS_EMULATOR_URL") == NULL)
				skip_test(debug_tests[i].name, have ? "no emulator debug API" : "no emulator");
			else
				run_test(debug_tests[i].name, debug_tests[i].fn);
		}
	}
}
