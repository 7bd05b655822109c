/*-------------------------------------------------------------------------
 *
 * test_pure.c
 *		  Group 1: pure functions of the SEMOSS client (no server).
 *
 * Encoders against known java.net.URLEncoder outputs, the <encode>
 * decision, identifier checks, pixel builders, and the parsing of canned
 * runPixel bodies (normal page, errors, piggybacked routines, malformed
 * JSON, number text preservation, JSON cells) and of the metadata
 * reactors' outputs (MyEngines, GetDatabaseTableStructure + metamodel).
 *
 * IDENTIFICATION
 *		  test/client/test_pure.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semoss_client_internal.h"
#include "tap.h"
#include "tests.h"

/* ---- helpers ---- */

/*
 * SEMOSS's Utility.decodeURIComponent: %20 -> '+', then %21 %27 %28 %29
 * %7E back to their characters, then URLDecoder.decode ('+' -> space,
 * %XX -> byte).  Used to prove the encodings round-trip.
 */
static char *
semoss_decode(const char *s)
{
	size_t		len = strlen(s);
	char	   *tmp = malloc(len + 1);
	char	   *out = malloc(len + 1);
	size_t		i;
	size_t		o = 0;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '%' && i + 2 < len)
		{
			char		code[3] = {s[i + 1], s[i + 2], 0};

			if (strcmp(code, "20") == 0)
			{
				tmp[o++] = '+';
				i += 2;
				continue;
			}
			if (strcmp(code, "21") == 0 || strcmp(code, "27") == 0 ||
				strcmp(code, "28") == 0 || strcmp(code, "29") == 0 ||
				strcasecmp(code, "7E") == 0)
			{
				tmp[o++] = (char) strtol(code, NULL, 16);
				i += 2;
				continue;
			}
		}
		tmp[o++] = s[i];
	}
	tmp[o] = '\0';
	len = o;
	o = 0;
	for (i = 0; i < len; i++)
	{
		if (tmp[i] == '+')
			out[o++] = ' ';
		else if (tmp[i] == '%' && i + 2 < len)
		{
			char		code[3] = {tmp[i + 1], tmp[i + 2], 0};

			out[o++] = (char) strtol(code, NULL, 16);
			i += 2;
		}
		else
			out[o++] = tmp[i];
	}
	out[o] = '\0';
	free(tmp);
	return out;
}

/* The pre-processor step: replace <encode>X</encode> by its encoding. */
static char *
preprocess_encode(const char *arg)
{
	const char *open = strstr(arg, "<encode>");
	const char *close = open ? strstr(open, "</encode>") : NULL;
	SemossBuf	buf;

	if (open == NULL || close == NULL)
		return strdup(arg);
	semoss_buf_init(&buf);
	semoss_buf_append(&buf, arg, (size_t) (open - arg));
	semoss_url_encode_append(&buf, open + 8, (size_t) (close - open - 8));
	semoss_buf_appends(&buf, close + 9);
	return semoss_buf_release(&buf);
}

static void
check_url_encode(const char *in, const char *expected)
{
	char	   *got = semoss_url_encode(in);

	CHECK_STR(got, expected);
	free(got);
}

/* Parse a canned runPixel body into a page. */
static SemossStatus
parse_page(const char *body, SemossPage **page, SemossError *err)
{
	SemossPixelResult res;
	SemossStatus st;

	*page = NULL;
	st = semoss_pixel_result_parse(body, strlen(body), 0, SEMOSS_VALUES_AS_CELLS,
								   NULL, NULL, &res, err);
	if (st == SEMOSS_OK)
		st = semoss_page_from_result(&res, 1, page, err);
	semoss_pixel_result_free(&res);
	return st;
}

/* Check cell (row, col) has kind and text. */
static void
check_cell(const SemossPage *page, int row, int col, SemossCellKind kind,
		   const char *text)
{
	const char *t;
	size_t		len;
	SemossCellKind k = semoss_page_cell(page, row, col, &t, &len);

	if (k != kind)
		tap_check_failed(__FILE__, __LINE__, "cell (%d,%d): kind %d, expected %d",
						 row, col, (int) k, (int) kind);
	if (text == NULL)
	{
		if (t != NULL)
			tap_check_failed(__FILE__, __LINE__, "cell (%d,%d): text \"%s\", expected NULL",
							 row, col, t);
	}
	else if (t == NULL || strcmp(t, text) != 0 || len != strlen(text))
		tap_check_failed(__FILE__, __LINE__, "cell (%d,%d): text \"%s\", expected \"%s\"",
						 row, col, t ? t : "(null)", text);
}

#define ENTRY_HEAD "\"pixelId\":\"meta_unstored\",\"pixelExpression\":\"x\",\"isMeta\":true,\"timeToRun\":3,"

static const char *normal_page =
"{\"insightID\":\"iid-1\",\"pixelReturn\":[{" ENTRY_HEAD
"\"output\":{\"data\":{\"values\":[[1,\"alice\",true,\"2024-01-31\",null],[2,\"bob\",false,null,3.5]],"
"\"headers\":[\"id\",\"name\",\"active\",\"born\",\"score\"],"
"\"rawHeaders\":[\"id\",\"name\",\"active\",\"born\",\"score\"]},"
"\"headerInfo\":[{\"alias\":\"id\",\"header\":\"id\",\"derived\":false,\"type\":\"NUMBER\",\"dataType\":\"INT\"},"
"{\"alias\":\"name\",\"header\":\"name\",\"derived\":false,\"type\":\"STRING\",\"dataType\":\"STRING\"},"
"{\"alias\":\"active\",\"header\":\"active\",\"derived\":false,\"type\":\"STRING\",\"dataType\":\"BOOLEAN\"},"
"{\"alias\":\"born\",\"header\":\"born\",\"derived\":false,\"type\":\"DATE\",\"dataType\":\"DATE\"},"
"{\"alias\":\"score\",\"header\":\"score\",\"derived\":false,\"type\":\"NUMBER\",\"dataType\":\"DOUBLE\"}],"
"\"numCollected\":1000,\"sources\":[{\"type\":\"RAW_ENGINE_QUERY\",\"name\":\"db\"}],\"taskId\":\"task1\"},"
"\"operationType\":[\"TASK_DATA\"]}]}";

/* ---- tests: encoders ---- */

static void
test_url_encode(void)
{
	check_url_encode("", "");
	check_url_encode("hello world", "hello%20world");
	check_url_encode("a+b", "a%2Bb");
	check_url_encode("100%", "100%25");
	check_url_encode("'\"", "%27%22");
	check_url_encode("line\nbreak\r\t", "line%0Abreak%0D%09");
	check_url_encode("\xc3\xa9", "%C3%A9");		/* é */
	check_url_encode("\xe2\x82\xac", "%E2%82%AC");	/* € */
	check_url_encode("\xf0\x9f\x98\x80", "%F0%9F%98%80");	/* 😀 */
	check_url_encode("*", "*");
	check_url_encode("~", "%7E");
	check_url_encode("!", "%21");
	check_url_encode(".-_", ".-_");
	check_url_encode("(a);|\\", "%28a%29%3B%7C%5C");
	check_url_encode("<encode>x</encode>", "%3Cencode%3Ex%3C%2Fencode%3E");
	check_url_encode("AZaz09", "AZaz09");
	check_url_encode("=&?#/:@,$", "%3D%26%3F%23%2F%3A%40%2C%24");
	CHECK(semoss_url_encode(NULL) == NULL);
}

static void
test_encode_sql_argument(void)
{
	struct
	{
		const char *sql;
		bool		wrapped;
	}			cases[] = {
		{"SELECT 1", true},
		{"SELECT 'a < b > c'", true},
		{"SELECT '<ex>'", true},
		{"SELECT '</encode>'", false},
		{"SELECT '<encode>'", false},
		{"SELECT '<ENCODE>x'", false},
		{"SELECT '<sEncode>'", false},
		{"SELECT '</SENCODE>'", false},
		{"SELECT '<e>'", false},
		{"SELECT '</E>'", false},
		{"", true},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *arg = semoss_encode_sql_argument(cases[i].sql);
		char	   *pre;
		char	   *decoded;

		if (cases[i].wrapped)
		{
			char		expected[256];

			snprintf(expected, sizeof(expected), "<encode>%s</encode>", cases[i].sql);
			CHECK_STR(arg, expected);
		}
		else
		{
			char	   *enc = semoss_url_encode(cases[i].sql);

			CHECK_STR(arg, enc);
			free(enc);
		}
		/* whatever the branch, the reactor ends up with the SQL */
		pre = preprocess_encode(arg);
		decoded = semoss_decode(pre);
		CHECK_STR(decoded, cases[i].sql);
		free(pre);
		free(decoded);
		free(arg);
	}
	CHECK(semoss_encode_sql_argument(NULL) == NULL);
}

static void
test_encode_round_trip(void)
{
	const char *nasty =
		"SELECT 'it''s', \"q\", '\\', 'a+b', '100%', '%41', 'x;y|z', '(!~*)'\n"
		"  , '\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80', '  two  spaces', 'tab\there' -- end";
	char	   *arg = semoss_encode_sql_argument(nasty);
	char	   *pre = preprocess_encode(arg);
	char	   *decoded = semoss_decode(pre);
	const char *p;

	CHECK_STR(decoded, nasty);
	/* the pre-processed literal is a legal pixel string body */
	for (p = pre; *p; p++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-*_%", *p) != NULL);
	free(arg);
	free(pre);
	free(decoded);
}

static void
test_identifier_is_safe(void)
{
	char		long_id[260];

	CHECK(semoss_identifier_is_safe("task1"));
	CHECK(semoss_identifier_is_safe("2f0b5c4e-1a2b-4c3d-9e8f-0123456789ab"));
	CHECK(semoss_identifier_is_safe("my db (prod) #1 \xc3\xa9"));
	CHECK(semoss_identifier_is_safe("task1@2"));
	CHECK(!semoss_identifier_is_safe(NULL));
	CHECK(!semoss_identifier_is_safe(""));
	CHECK(!semoss_identifier_is_safe("a\"b"));
	CHECK(!semoss_identifier_is_safe("a\\b"));
	CHECK(!semoss_identifier_is_safe("a<b"));
	CHECK(!semoss_identifier_is_safe("a>b"));
	CHECK(!semoss_identifier_is_safe("a\nb"));
	CHECK(!semoss_identifier_is_safe("a\tb"));
	CHECK(!semoss_identifier_is_safe("a\x7f"));
	memset(long_id, 'x', 200);
	long_id[200] = '\0';
	CHECK(semoss_identifier_is_safe(long_id));
	long_id[200] = 'x';
	long_id[201] = '\0';
	CHECK(!semoss_identifier_is_safe(long_id));
}

static void
test_base64(void)
{
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar", "ak:s3cr\xc3\xa9t"};
	const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy", "YWs6czNjcsOpdA=="};
	size_t		i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
	{
		char	   *b = semoss_base64_encode(in[i], strlen(in[i]));

		CHECK_STR(b, out[i]);
		free(b);
	}
}

static void
test_pixel_builders(void)
{
	SemossError err;
	char	   *pixel;

	CHECK_ST(semoss_build_query_pixel("db-1", "SELECT 1", 500, &pixel, &err), SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | Database(database=[\"db-1\"]) | Query(\"<encode>SELECT 1</encode>\") | Collect(500);");
	free(pixel);
	CHECK_ST(semoss_build_query_pixel("db-1", "SELECT 1", -1, &pixel, &err), SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | Database(database=[\"db-1\"]) | Query(\"<encode>SELECT 1</encode>\") | Collect(-1);");
	free(pixel);
	CHECK_ST(semoss_build_query_pixel("db-1", "SELECT '</encode>'", 10, &pixel, &err), SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | Database(database=[\"db-1\"]) | Query(\"SELECT%20%27%3C%2Fencode%3E%27\") | Collect(10);");
	free(pixel);
	CHECK_ST(semoss_build_collect_pixel("task7", 1000, &pixel, &err), SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | Task(\"task7\") | Collect(1000);");
	free(pixel);
	CHECK_ST(semoss_build_remove_task_pixel("task7", &pixel, &err), SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | RemoveTask(\"task7\", true);");
	free(pixel);
	CHECK_ST(semoss_build_exec_pixel("db-1", "DELETE FROM t", &pixel, &err), SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | Database(database=[\"db-1\"]) | Query(\"<encode>DELETE FROM t</encode>\") | ExecQuery(commit=[true]);");
	free(pixel);
	pixel = semoss_build_drop_insight_pixel();
	CHECK_STR(pixel, "META | DropInsight();");
	free(pixel);

	/* rejected arguments */
	CHECK_ST(semoss_build_query_pixel("db\"1", "SELECT 1", 1, &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK(pixel == NULL);
	CHECK(strstr(err.message, "engine id") != NULL);
	CHECK_ST(semoss_build_query_pixel("", "SELECT 1", 1, &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK_ST(semoss_build_query_pixel(NULL, "SELECT 1", 1, &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK_ST(semoss_build_query_pixel("db", NULL, 1, &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK_ST(semoss_build_query_pixel("db", "SELECT 1", -2, &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK_ST(semoss_build_query_pixel("db", "SELECT 1", 2147483648L, &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK_ST(semoss_build_collect_pixel("task<1>", 1, &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK_ST(semoss_build_remove_task_pixel("t\\1", &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK_ST(semoss_build_exec_pixel("d\x01", "x", &pixel, &err), SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK(strchr(err.message, '\x01') == NULL);
}

static void
test_expression_and_form(void)
{
	char	   *removals[] = {"task1", "task2"};
	char	   *e = semoss_build_expression(removals, 2, "META | Task(\"task3\") | Collect(5);");
	char	   *f;

	CHECK_STR(e, "META | RemoveTask(\"task1\", true); META | RemoveTask(\"task2\", true); META | Task(\"task3\") | Collect(5);");
	free(e);
	e = semoss_build_expression(removals, 0, "META | DropInsight();");
	CHECK_STR(e, "META | DropInsight();");
	free(e);
	f = semoss_form_body("META | x(\"a+b\");", "new");
	CHECK_STR(f, "expression=META%20%7C%20x%28%22a%2Bb%22%29%3B&insightId=new");
	free(f);
}

static void
test_task_public_ids(void)
{
	unsigned	g;
	char	   *s;

	s = semoss_task_public_id("task1", 1);
	CHECK_STR(s, "task1");
	free(s);
	s = semoss_task_public_id("task1", 3);
	CHECK_STR(s, "task1@3");
	free(s);
	s = semoss_task_public_id("odd@7", 1);	/* could be mistaken: qualified */
	CHECK_STR(s, "odd@7@1");
	free(s);
	s = semoss_task_parse_public_id("task1", &g);
	CHECK_STR(s, "task1");
	CHECK_INT(g, 1);
	free(s);
	s = semoss_task_parse_public_id("task12@3", &g);
	CHECK_STR(s, "task12");
	CHECK_INT(g, 3);
	free(s);
	s = semoss_task_parse_public_id("odd@7@1", &g);
	CHECK_STR(s, "odd@7");
	CHECK_INT(g, 1);
	free(s);
	s = semoss_task_parse_public_id("a@b", &g);
	CHECK_STR(s, "a@b");
	CHECK_INT(g, 1);
	free(s);
}

static void
test_status_names(void)
{
	int			i;

	for (i = SEMOSS_OK; i <= SEMOSS_ERR_PIXEL; i++)
		CHECK(strcmp(semoss_status_name((SemossStatus) i), "UNKNOWN") != 0);
	CHECK_STR(semoss_status_name(SEMOSS_ERR_TASK_LOST), "TASK_LOST");
}

static void
test_sanitize(void)
{
	char		out[32];
	char		small[12];

	semoss_sanitize_text(out, sizeof(out), "a\nb\x01" "c\xff" "d", SIZE_MAX, false);
	CHECK_STR(out, "a b c?d");
	semoss_sanitize_text(out, sizeof(out), "a\r\nb\tc", SIZE_MAX, true);
	CHECK_STR(out, "a\nb\tc");
	semoss_sanitize_text(out, sizeof(out), "a  \n\n  b", SIZE_MAX, false);
	CHECK_STR(out, "a b");
	/* truncation keeps whole characters and marks the cut */
	semoss_sanitize_text(small, sizeof(small), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", SIZE_MAX, false);
	CHECK_STR(small, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...");
	/* overlong and surrogate encodings are not valid UTF-8 */
	semoss_sanitize_text(out, sizeof(out), "\xc0\xaf\xed\xa0\x80", SIZE_MAX, false);
	CHECK_STR(out, "?????");
}

/* ---- tests: response parsing ---- */

static void
test_parse_normal_page(void)
{
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(parse_page(normal_page, &page, &err), SEMOSS_OK, &err);
	if (page == NULL)
		return;
	CHECK_INT(semoss_page_nrows(page), 2);
	CHECK_INT(semoss_page_ncols(page), 5);
	CHECK_STR(semoss_page_task_id(page), "task1");
	CHECK_STR(semoss_page_header(page, 1), "name");
	CHECK(semoss_page_header(page, 5) == NULL);
	CHECK(semoss_page_header(page, -1) == NULL);
	CHECK_STR(semoss_page_data_type(page, 0), "INT");
	CHECK_STR(semoss_page_data_type(page, 4), "DOUBLE");
	CHECK_INT(semoss_page_bytes(page), strlen(normal_page));
	check_cell(page, 0, 0, SEMOSS_CELL_NUMBER, "1");
	check_cell(page, 0, 1, SEMOSS_CELL_STRING, "alice");
	check_cell(page, 0, 2, SEMOSS_CELL_BOOLEAN, "true");
	check_cell(page, 0, 3, SEMOSS_CELL_STRING, "2024-01-31");
	check_cell(page, 0, 4, SEMOSS_CELL_NULL, NULL);
	check_cell(page, 1, 2, SEMOSS_CELL_BOOLEAN, "false");
	check_cell(page, 1, 4, SEMOSS_CELL_NUMBER, "3.5");
	check_cell(page, 2, 0, SEMOSS_CELL_NULL, NULL);	/* out of range */
	/* the same cell twice gives the same text */
	check_cell(page, 1, 4, SEMOSS_CELL_NUMBER, "3.5");
	semoss_page_free(page);
}

static void
test_parse_empty_page(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{" ENTRY_HEAD
		"\"output\":{\"data\":{\"values\":[],\"headers\":[\"a\",\"b\"],\"rawHeaders\":[\"a\",\"b\"]},"
		"\"headerInfo\":[],\"numCollected\":10,\"taskId\":\"task4\"},\"operationType\":[\"TASK_DATA\"]}]}";
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_OK, &err);
	if (page == NULL)
		return;
	CHECK_INT(semoss_page_nrows(page), 0);
	CHECK_INT(semoss_page_ncols(page), 2);
	CHECK_STR(semoss_page_task_id(page), "task4");
	CHECK(semoss_page_data_type(page, 0) == NULL);	/* headerInfo unusable */
	semoss_page_free(page);
}

static void
test_parse_error_entry(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{" ENTRY_HEAD
		"\"output\":\"ERROR: relation \\\"x\\\" does not exist\\n  Position: 15\",\"operationType\":[\"ERROR\"]}]}";
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(page == NULL);
	CHECK_STR(err.detail, "ERROR: relation \"x\" does not exist\n  Position: 15");
	CHECK(strchr(err.message, '\n') == NULL);
	CHECK_INT(err.http_status, 200);

	/* ERROR among other types, non-string output */
	body = "{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"msg\":\"too big\"},"
		"\"operationType\":[\"FRAME_SIZE_LIMIT_EXCEEDED\",\"ERROR\"]}]}";
	CHECK_ST(parse_page(body, &page, &err), SEMOSS_ERR_PIXEL, &err);
	CHECK_STR(err.detail, "{\"msg\":\"too big\"}");
}

static void
test_parse_invalid_syntax(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"pixelId\":\"meta_unstored\",\"isMeta\":true,"
		"\"output\":\"[1,12] expecting: ')' . Error in syntax around Query(\\\"x\",\"operationType\":[\"ERROR\",\"INVALID_SYNTAX\"]}]}";
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(strstr(err.message, "INVALID_SYNTAX") != NULL);
	CHECK(strstr(err.detail, "expecting") != NULL);
}

static void
test_parse_piggybacked(void)
{
	/* RemoveTask routine (failed: task gone), then our page, then a thread entry */
	const char *body =
		"{\"insightID\":\"iid-9\",\"pixelReturn\":["
		"{\"pixelId\":\"meta_unstored\",\"output\":\"Could not find task id = task1\",\"operationType\":[\"ERROR\"]},"
		"{\"pixelId\":\"meta_unstored\",\"output\":{\"data\":{\"values\":[[7]],\"headers\":[\"n\"]},\"taskId\":\"task2\"},"
		"\"operationType\":[\"TASK_DATA\"]},"
		"{\"pixelId\":\"thread_execution_000123\",\"isMeta\":false,\"output\":\"late message\",\"operationType\":[\"ERROR\"]}]}";
	SemossPixelResult res;
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 1, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_OK, &err);
	CHECK(!res.removals_blocked);
	CHECK_INT(res.nroutines, 2);
	CHECK_INT(res.target_index, 1);
	CHECK_STR(res.insight_id, "iid-9");
	CHECK_ST(semoss_page_from_result(&res, 1, &page, &err), SEMOSS_OK, &err);
	check_cell(page, 0, 0, SEMOSS_CELL_NUMBER, "7");
	CHECK_STR(semoss_page_task_id(page), "task2");
	semoss_page_free(page);
	semoss_pixel_result_free(&res);

	/* two removals OK, our pixel OK */
	body = "{\"insightID\":\"i\",\"pixelReturn\":["
		"{\"output\":{\"taskId\":\"task1\"},\"operationType\":[\"REMOVE_TASK\"]},"
		"{\"output\":{\"taskId\":\"task2\"},\"operationType\":[\"REMOVE_TASK\"]},"
		"{\"output\":true,\"operationType\":[\"ALTER_DATABASE\"]}]}";
	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 2, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_OK, &err);
	CHECK(!res.removals_blocked);
	CHECK(json_object_get_boolean(res.output));
	semoss_pixel_result_free(&res);
}

static void
test_parse_removals_blocked(void)
{
	/* the removal failed and stopped the thread: our pixel never ran */
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":["
		"{\"pixelId\":\"meta_unstored\",\"output\":\"boom\",\"operationType\":[\"ERROR\"],"
		"\"additionalOutput\":[{\"output\":[\"META | Task(\\\"task3\\\") | Collect(5);\"],\"operationType\":[\"UNEXECUTED_PIXELS\"]}]}]}";
	SemossPixelResult res;
	SemossError err;

	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 1, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_OK, &err);
	CHECK(res.removals_blocked);
	semoss_pixel_result_free(&res);
	/* without removals the same body is our own failure */
	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_ERR_PIXEL, &err);
	CHECK(!res.removals_blocked);
	semoss_pixel_result_free(&res);
}

static void
test_parse_thread_execution_only_before(void)
{
	/* thread entries anywhere are skipped; the last real entry wins */
	const char *body =
		"{\"pixelReturn\":[{\"pixelId\":\"thread_execution_1\",\"output\":\"x\",\"operationType\":[\"ERROR\"]},"
		"{\"pixelId\":\"p1\",\"output\":2,\"operationType\":[\"OPERATION\"]},"
		"{\"pixelId\":\"thread_execution_2\",\"output\":\"y\",\"operationType\":[\"ERROR\"]}],\"insightID\":\"z\"}";
	SemossPixelResult res;
	SemossError err;

	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_OK, &err);
	CHECK_INT(res.nroutines, 1);
	CHECK_INT(json_object_get_int(res.output), 2);
	semoss_pixel_result_free(&res);

	body = "{\"insightID\":\"z\",\"pixelReturn\":[{\"pixelId\":\"thread_execution_1\",\"output\":\"x\",\"operationType\":[\"ERROR\"]}]}";
	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_ERR_PROTOCOL, &err);
	semoss_pixel_result_free(&res);
}

static void
test_parse_extra_and_reordered_keys(void)
{
	/* keys in a different order, unknown keys everywhere, newer task meta */
	const char *body =
		"{\"newTopLevel\":{\"a\":[1,2]},\"pixelReturn\":[{\"operationType\":[\"TASK_DATA\"],\"extra\":null,"
		"\"output\":{\"taskId\":\"task9\",\"format\":{\"type\":\"table\"},\"numRows\":3,"
		"\"data\":{\"rawHeaders\":[\"x\"],\"headers\":[\"x\"],\"values\":[[\"v\"]],\"more\":1},"
		"\"headerInfo\":[{\"dataType\":\"STRING\",\"alias\":\"x\",\"newKey\":true}]},"
		"\"timeToRun\":1,\"isMeta\":true,\"pixelId\":\"meta_unstored\"}],\"insightID\":\"iid-2\",\"zzz\":1}";
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_OK, &err);
	if (page == NULL)
		return;
	CHECK_STR(semoss_page_task_id(page), "task9");
	CHECK_STR(semoss_page_data_type(page, 0), "STRING");
	check_cell(page, 0, 0, SEMOSS_CELL_STRING, "v");
	semoss_page_free(page);
}

static void
test_parse_not_json(void)
{
	SemossError err;
	SemossPage *page;

	CHECK_ST(parse_page("<html><body>Proxy Error</body></html>", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "invalid JSON") != NULL);
	CHECK(strstr(err.detail, "Proxy Error") != NULL);
	CHECK_ST(parse_page("", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "empty") != NULL);
	CHECK_ST(parse_page("  \r\n", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK_ST(parse_page("{\"a\":1} trailing", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "invalid JSON at byte 8") != NULL);
	CHECK_ST(parse_page("{\"a\":1}  \n", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "pixelReturn") != NULL);	/* trailing space is fine */
	CHECK_ST(parse_page("{'a':1}", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK_ST(parse_page("[1,2]", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "not an object") != NULL);
	CHECK_ST(parse_page("\"just a string\"", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK_ST(parse_page("42", &page, &err), SEMOSS_ERR_PROTOCOL, &err);
}

static void
test_parse_truncated(void)
{
	size_t		len = strlen(normal_page);
	size_t		cut;
	SemossError err;
	SemossPixelResult res;

	/* every proper prefix must fail cleanly, as truncated */
	for (cut = 1; cut < len; cut++)
	{
		SemossStatus st = semoss_pixel_result_parse(normal_page, cut, 0, SEMOSS_VALUES_AS_CELLS,
													NULL, NULL, &res, &err);

		if (st != SEMOSS_ERR_PROTOCOL || strstr(err.message, "truncated JSON") == NULL)
			tap_check_failed(__FILE__, __LINE__, "prefix %zu: %s %s", cut,
							 semoss_status_name(st), err.message);
		semoss_pixel_result_free(&res);
	}
	CHECK_ST(semoss_pixel_result_parse(normal_page, len - 2, 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "truncated") != NULL);
	semoss_pixel_result_free(&res);
}

static void
test_parse_invalid_utf8(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"ok\xff\"]],\"headers\":[\"a\"]},"
		"\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}";
	const char *overlong = "{\"a\":\"\xc0\xaf\"}";
	SemossError err;
	SemossPage *page;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "utf-8") != NULL || strstr(err.message, "UTF-8") != NULL);
	CHECK_ST(parse_page(overlong, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	/* the detail excerpt itself is valid, printable text */
	CHECK(strchr(err.detail, '\xc0') == NULL);
}

static void
test_parse_ragged_rows(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[1,2],[3],[4,5]],"
		"\"headers\":[\"a\",\"b\"]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}";
	SemossError err;
	SemossPage *page;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "row 1 has 1 cells but there are 2 headers") != NULL);
}

static void
test_parse_wrong_types(void)
{
	const char *bad[][2] = {
		{"{\"insightID\":\"i\",\"pixelReturn\":{}}", "pixelReturn"},
		{"{\"insightID\":\"i\"}", "pixelReturn"},
		{"{\"insightID\":5,\"pixelReturn\":[]}", "insightID"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[]}", "no routine"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[7]}", "pixelReturn[0]"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"pixelId\":3,\"output\":1,\"operationType\":[]}]}", "pixelId"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":1}]}", "operationType"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":1,\"operationType\":5}]}", "operationType"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":1,\"operationType\":[1]}]}", "operationType"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"operationType\":[\"TASK_DATA\"]}]}", "no output"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":[],\"operationType\":[\"TASK_DATA\"]}]}", "not an object"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"taskId\":\"t\"},\"operationType\":[\"TASK_DATA\"]}]}", "\"data\""},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":{},\"headers\":[]},\"taskId\":\"t\"},\"operationType\":[\"TASK_DATA\"]}]}", "values"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[],\"headers\":\"a\"},\"taskId\":\"t\"},\"operationType\":[\"TASK_DATA\"]}]}", "headers"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[],\"headers\":[\"a\",2]},\"taskId\":\"t\"},\"operationType\":[\"TASK_DATA\"]}]}", "headers[1]"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[5],\"headers\":[\"a\"]},\"taskId\":\"t\"},\"operationType\":[\"TASK_DATA\"]}]}", "row 0"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[],\"headers\":[]},\"taskId\":7},\"operationType\":[\"TASK_DATA\"]}]}", "taskId"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[],\"headers\":[]}},\"operationType\":[\"TASK_DATA\"]}]}", "taskId"},
		{"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[],\"headers\":[]},\"taskId\":\"t\\\"x\"},\"operationType\":[\"TASK_DATA\"]}]}", "taskId"},
	};
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		SemossError err;
		SemossPage *page = NULL;
		SemossStatus st = parse_page(bad[i][0], &page, &err);

		if (st != SEMOSS_ERR_PROTOCOL || strstr(err.message, bad[i][1]) == NULL)
			tap_check_failed(__FILE__, __LINE__, "case %zu: %s \"%s\" (wanted PROTOCOL mentioning \"%s\")",
							 i, semoss_status_name(st), err.message, bad[i][1]);
		if (page != NULL)
			semoss_page_free(page);
	}
}

static void
test_number_text(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[["
		"1.0E20, 9007199254740993, -0.0, 0.1, 12.0, -5, 18446744073709551615, -9223372036854775808,"
		"1.2345678901234567E17, 2.5e-7, 0, \"5\", 9223372036854775807]],"
		"\"headers\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\"]},"
		"\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}";
	const char *expected[] = {"1.0E20", "9007199254740993", "-0.0", "0.1", "12.0", "-5",
		"18446744073709551615", "-9223372036854775808", "1.2345678901234567E17",
	"2.5e-7", "0", NULL, "9223372036854775807"};
	SemossError err;
	SemossPage *page = NULL;
	int			i;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_OK, &err);
	if (page == NULL)
		return;
	for (i = 0; i < 13; i++)
	{
		if (expected[i])
			check_cell(page, 0, i, SEMOSS_CELL_NUMBER, expected[i]);
	}
	check_cell(page, 0, 11, SEMOSS_CELL_STRING, "5");	/* SMALLINT arrives quoted */
	semoss_page_free(page);
}

static void
test_oversized_integers(void)
{
	/* outside the rows json-c would clamp them: refused, naming the byte */
	const char *big[] = {
		"{\"pixelReturn\":[],\"x\":18446744073709551616}",
		"{\"pixelReturn\":[],\"x\":-9223372036854775809}",
		"{\"pixelReturn\":[],\"x\":[123456789012345678901234567890]}",
	};
	const size_t offsets[] = {sizeof("{\"pixelReturn\":[],\"x\":") - 1,
		sizeof("{\"pixelReturn\":[],\"x\":") - 1,
	sizeof("{\"pixelReturn\":[],\"x\":[") - 1};
	const char *fine = "{\"x\":[\"123456789012345678901234567890\", 1.23456789012345678901234567890E5, "
		"18446744073709551615, -9223372036854775808]}";
	/* a Collect page whose metadata holds one */
	const char *meta =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[1]],\"headers\":[\"a\"]},"
		"\"numCollected\":99999999999999999999,\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}";
	/* in the rows they are kept as the exact text */
	const char *rows =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[18446744073709551616,"
		"-9223372036854775809,123456789012345678901234567890,{\"n\":99999999999999999999}]],"
		"\"headers\":[\"a\",\"b\",\"c\",\"d\"]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}";
	SemossError err;
	SemossPixelResult res;
	SemossPage *page = NULL;
	json_object *root = NULL;
	char		expected[128];
	size_t		i;

	for (i = 0; i < 3; i++)
	{
		root = NULL;
		CHECK_ST(semoss_json_parse(big[i], strlen(big[i]), NULL, NULL, &root, &err), SEMOSS_ERR_PROTOCOL, &err);
		snprintf(expected, sizeof(expected),
				 "integer at byte %zu of the response does not fit in 64 bits", offsets[i]);
		CHECK_STR(err.message, expected);
		CHECK(root == NULL);
	}
	CHECK_ST(semoss_json_parse(fine, strlen(fine), NULL, NULL, &root, &err), SEMOSS_OK, &err);
	json_object_put(root);

	CHECK_ST(parse_page(meta, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "integer at byte 98 of") != NULL);

	CHECK_ST(parse_page(rows, &page, &err), SEMOSS_OK, &err);
	check_cell(page, 0, 0, SEMOSS_CELL_NUMBER, "18446744073709551616");
	check_cell(page, 0, 1, SEMOSS_CELL_NUMBER, "-9223372036854775809");
	check_cell(page, 0, 2, SEMOSS_CELL_NUMBER, "123456789012345678901234567890");
	check_cell(page, 0, 3, SEMOSS_CELL_JSON, "{\"n\":99999999999999999999}");
	semoss_page_free(page);
	/* left in the json-c tree (no page wanted) they are still refused */
	CHECK_ST(semoss_pixel_result_parse(rows, strlen(rows), 0, SEMOSS_VALUES_AS_JSON, NULL, NULL, &res, &err),
			 SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "64 bits") != NULL);
	semoss_pixel_result_free(&res);
}

static void
test_json_cells(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[["
		"{\"type\":\"jsonb\",\"value\":\"{\\\"a\\\": 1}\"}, [1,2,3], [], {}, \"a\\/b\", [\"x/y\", 1.50, null, true],"
		"\"nul\\u0000inside\", \"\\u00e9\\ud83d\\ude00\"]],"
		"\"headers\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}";
	SemossError err;
	SemossPage *page = NULL;
	const char *t;
	size_t		len;

	CHECK_ST(parse_page(body, &page, &err), SEMOSS_OK, &err);
	if (page == NULL)
		return;
	check_cell(page, 0, 0, SEMOSS_CELL_JSON, "{\"type\":\"jsonb\",\"value\":\"{\\\"a\\\": 1}\"}");
	check_cell(page, 0, 1, SEMOSS_CELL_JSON, "[1,2,3]");
	check_cell(page, 0, 2, SEMOSS_CELL_JSON, "[]");
	check_cell(page, 0, 3, SEMOSS_CELL_JSON, "{}");
	check_cell(page, 0, 4, SEMOSS_CELL_STRING, "a/b");
	check_cell(page, 0, 5, SEMOSS_CELL_JSON, "[\"x/y\", 1.50, null, true]");	/* as sent */
	CHECK(semoss_page_cell(page, 0, 6, &t, &len) == SEMOSS_CELL_STRING);
	CHECK_INT(len, 10);
	CHECK(t != NULL && memcmp(t, "nul\0inside", 10) == 0);
	check_cell(page, 0, 7, SEMOSS_CELL_STRING, "\xc3\xa9\xf0\x9f\x98\x80");
	semoss_page_free(page);
}

static void
test_classify_reply(void)
{
	const char *inf = "{\"errorMessage\":\"Could not find the insight id\",\"errorType\":\"INSIGHT_NOT_FOUND\"}";
	const char *usi = "{\"errorMessage\":\"User session is invalid\"}";

	CHECK_INT(semoss_classify_reply(200, NULL, "", 0), SEMOSS_REPLY_OK);
	CHECK_INT(semoss_classify_reply(302, NULL, "", 0), SEMOSS_REPLY_RELOGIN);
	CHECK_INT(semoss_classify_reply(401, NULL, usi, strlen(usi)), SEMOSS_REPLY_RELOGIN);
	CHECK_INT(semoss_classify_reply(401, NULL, "nope", 4), SEMOSS_REPLY_HTTP_ERROR);
	CHECK_INT(semoss_classify_reply(403, "Required", "", 0), SEMOSS_REPLY_CSRF);
	CHECK_INT(semoss_classify_reply(403, "required", "", 0), SEMOSS_REPLY_CSRF);
	CHECK_INT(semoss_classify_reply(403, NULL, "", 0), SEMOSS_REPLY_HTTP_ERROR);
	CHECK_INT(semoss_classify_reply(400, NULL, inf, strlen(inf)), SEMOSS_REPLY_INSIGHT_LOST);
	CHECK_INT(semoss_classify_reply(400, NULL, "{\"errorType\":\"OTHER\"}", 21), SEMOSS_REPLY_HTTP_ERROR);
	CHECK_INT(semoss_classify_reply(400, NULL, "<html>", 6), SEMOSS_REPLY_HTTP_ERROR);
	CHECK_INT(semoss_classify_reply(500, NULL, "", 0), SEMOSS_REPLY_HTTP_ERROR);
	CHECK_INT(semoss_classify_reply(301, NULL, "", 0), SEMOSS_REPLY_HTTP_ERROR);
}

static void
test_http_error_detail(void)
{
	char		body[2000];
	SemossError err;

	memset(body, 'x', sizeof(body));
	memcpy(body, "<html>\n<body>\tbad\x01 gateway", 26);
	semoss_http_error(&err, 502, "POST /engine/runPixel", NULL, body, sizeof(body));
	CHECK_INT(err.status, SEMOSS_ERR_HTTP);
	CHECK_INT(err.http_status, 502);
	CHECK(strstr(err.message, "502") != NULL);
	CHECK(strncmp(err.detail, "body: <html> <body> bad gateway", 31) == 0);
	CHECK(strlen(err.detail) < 520);
	CHECK(strcmp(err.detail + strlen(err.detail) - 3, "...") == 0);
	semoss_http_error(&err, 302, "GET /config", "https://x/login", "", 0);
	CHECK(strstr(err.detail, "redirect to https://x/login") != NULL);
}

/* A big page whose multi-byte characters straddle the parse chunk edges. */
static char *
big_page(int nrows, size_t *len)
{
	SemossBuf	b;
	int			i;

	semoss_buf_init(&b);
	semoss_buf_appends(&b, "{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[");
	for (i = 0; i < nrows; i++)
	{
		/* odd-length padding shifts the multi-byte characters around */
		semoss_buf_printf(&b, "%s[%d,\"%.*s\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",%d.5]",
						  i ? "," : "", i, i % 7, "aaaaaaa", i);
	}
	semoss_buf_appends(&b, "],\"headers\":[\"i\",\"s\",\"d\"]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}");
	*len = b.len;
	return semoss_buf_release(&b);
}

static void
test_big_page_chunked_parse(void)
{
	size_t		len;
	char	   *body = big_page(200000, &len);
	SemossPixelResult res;
	SemossError err;
	SemossPage *page = NULL;

	CHECK(len > 3 * SEMOSS_PARSE_CHUNK);
	CHECK_ST(semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL, &res, &err), SEMOSS_OK, &err);
	free(body);
	if (res.root != NULL)
	{
		CHECK_ST(semoss_page_from_result(&res, 1, &page, &err), SEMOSS_OK, &err);
		CHECK_INT(semoss_page_nrows(page), 200000);
		check_cell(page, 199999, 0, SEMOSS_CELL_NUMBER, "199999");
		check_cell(page, 12345, 1, SEMOSS_CELL_STRING, "aaaa\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
		check_cell(page, 12345, 2, SEMOSS_CELL_NUMBER, "12345.5");
		CHECK_INT(semoss_page_bytes(page), len);
		semoss_page_free(page);
	}
	semoss_pixel_result_free(&res);
}

static int	interrupt_calls;

static int
interrupt_after_two(void *arg)
{
	(void) arg;
	return ++interrupt_calls >= 2;
}

static void
test_big_page_parse_interrupted(void)
{
	size_t		len;
	char	   *body = big_page(200000, &len);
	SemossPixelResult res;
	SemossError err;

	interrupt_calls = 0;
	CHECK_ST(semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS, interrupt_after_two, NULL, &res, &err),
			 SEMOSS_ERR_CANCELLED, &err);
	CHECK(res.root == NULL);
	CHECK_INT(interrupt_calls, 2);
	free(body);
}

static void
test_config_validation(void)
{
	SemossConfig c;
	SemossError err;
	SemossSession *s;
	struct
	{
		const char *url;
		const char *secret;
		const char *word;
	}			cases[] = {
		{"ftp://host/api", "sk", "http"},
		{"file:///etc/passwd", "sk", "http"},
		{"host/Monolith/api", "sk", "URL"},
		{"", "sk", "empty"},
		{"http://user:pw@host/api", "sk", "user name or password"},
		{"http://host/api?x=1", "sk", "query"},
		{"http://host/api#f", "sk", "query"},
		{"http://host/api\r\nX: y", "sk", "control"},
		{"http://host/api", "s:k", ":"},
		{"http://host/api", "", "secret"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		memset(&c, 0, sizeof(c));
		c.base_url = cases[i].url;
		c.auth_kind = SEMOSS_AUTH_BASIC;
		c.access_key = "ak";
		c.secret_key = cases[i].secret;
		s = semoss_session_new(&c, &err);
		if (s != NULL || err.status != SEMOSS_ERR_INVALID_ARGUMENT ||
			strstr(err.message, cases[i].word) == NULL)
			tap_check_failed(__FILE__, __LINE__, "case %zu: %s \"%s\"", i,
							 semoss_status_name(err.status), err.message);
		CHECK(strstr(err.message, "pw") == NULL);
		semoss_session_free(s);
	}
	/* the ':' rule is explained */
	memset(&c, 0, sizeof(c));
	c.base_url = "https://host/Monolith/api/";
	c.access_key = "ak";
	c.secret_key = "top:secret";
	CHECK(semoss_session_new(&c, &err) == NULL);
	CHECK(strstr(err.detail, "splits") != NULL);
	CHECK(strstr(err.message, "top") == NULL && strstr(err.detail, "top:secret") == NULL);
	/* bearer: token required, no header injection */
	c.auth_kind = SEMOSS_AUTH_BEARER;
	c.bearer_token = "tok\r\nX-Evil: 1";
	CHECK(semoss_session_new(&c, &err) == NULL);
	CHECK_INT(err.status, SEMOSS_ERR_INVALID_ARGUMENT);
	c.bearer_token = NULL;
	CHECK(semoss_session_new(&c, &err) == NULL);
	c.bearer_token = "tok";
	c.bearer_provider = "ms";
	c.connect_timeout_ms = -1;
	CHECK(semoss_session_new(&c, &err) == NULL);
	c.connect_timeout_ms = 0;
	s = semoss_session_new(&c, &err);
	CHECK(s != NULL);
	CHECK(semoss_session_insight_id(s) == NULL);
	CHECK(!semoss_session_is_broken(s));
	CHECK_INT(semoss_pending_removals(s), 0);
	/* no insight: nothing to collect or remove, nothing queued */
	if (s != NULL)
	{
		SemossPage *page;

		CHECK_ST(semoss_task_collect(s, "task1", 10, &page, &err), SEMOSS_ERR_TASK_LOST, &err);
		CHECK_ST(semoss_task_remove(s, "task1", &err), SEMOSS_OK, &err);
		semoss_task_remove_later(s, "task1");
		CHECK_INT(semoss_pending_removals(s), 0);
		/* close of an unused session does no I/O */
		CHECK_ST(semoss_session_close(s, &err), SEMOSS_OK, &err);
	}
	semoss_session_free(s);
}

/* ---- tests: metadata reactors ---- */

/* Parse JSON text for the metadata parsers (the caller puts it). */
static json_object *
json_of(const char *text)
{
	json_object *obj = json_tokener_parse(text);

	if (obj == NULL)
		tap_check_failed(__FILE__, __LINE__, "bad test JSON: %s", text);
	return obj;
}

static void
test_engine_pixel(void)
{
	SemossError err;
	char	   *pixel;

	CHECK_ST(semoss_build_engine_pixel("GetDatabaseTableStructure", "db-1", NULL, &pixel, &err),
			 SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | GetDatabaseTableStructure(database=[\"db-1\"]);");
	free(pixel);
	CHECK_ST(semoss_build_engine_pixel("GetDatabaseMetamodel", "db-1", ", options=[\"datatypes\"]",
									   &pixel, &err), SEMOSS_OK, &err);
	CHECK_STR(pixel, "META | GetDatabaseMetamodel(database=[\"db-1\"], options=[\"datatypes\"]);");
	free(pixel);
	CHECK_ST(semoss_build_engine_pixel("GetDatabaseTableStructure", "db\"]);x", NULL, &pixel, &err),
			 SEMOSS_ERR_INVALID_ARGUMENT, &err);
	CHECK(pixel == NULL);
	CHECK(strstr(err.message, "engine id") != NULL);
}

static void
test_parse_engine_list(void)
{
	SemossError err;
	SemossEngineInfo *engines = NULL;
	int			n = -1;
	json_object *out;

	/* newer keys win; legacy-only maps; permission codes; no id: skipped */
	out = json_of("[{\"engine_id\":\"e1\",\"engine_name\":\"sales\",\"engine_type\":\"DATABASE\","
				  "\"engine_subtype\":\"POSTGRES\",\"database_id\":\"old\",\"user_permission\":2,"
				  "\"description\":\"Sales mart\",\"tags\":[\"a\"]},"
				  "{\"app_id\":\"e2\",\"app_name\":\"hr\",\"app_subtype\":\"H2_DB\",\"user_permission\":3},"
				  "{\"database_id\":\"e3\",\"database_name\":\"own\",\"user_permission\":1,\"description\":5},"
				  "{\"database_name\":\"no id\"},"
				  "{\"database_id\":\"e4\",\"user_permission\":null,\"group_permission\":\"EDIT\"},"
				  "{\"database_id\":\"e5\",\"user_permission\":7}]");
	CHECK_ST(semoss_parse_engine_list(out, &engines, &n, &err), SEMOSS_OK, &err);
	CHECK_INT(n, 5);
	if (engines != NULL && n == 5)
	{
		CHECK_STR(engines[0].id, "e1");
		CHECK_STR(engines[0].name, "sales");
		CHECK_STR(engines[0].type, "DATABASE");
		CHECK_STR(engines[0].subtype, "POSTGRES");
		CHECK_STR(engines[0].permission, "edit");
		CHECK_STR(engines[0].description, "Sales mart");
		CHECK_STR(engines[1].id, "e2");
		CHECK_STR(engines[1].name, "hr");
		CHECK_STR(engines[1].subtype, "H2_DB");
		CHECK_STR(engines[1].permission, "view");
		CHECK(engines[1].description == NULL);
		CHECK_STR(engines[2].id, "e3");
		CHECK_STR(engines[2].permission, "owner");
		CHECK(engines[2].description == NULL);	/* not a string */
		CHECK(engines[2].type == NULL);
		CHECK_STR(engines[3].id, "e4");
		CHECK(engines[3].name == NULL);
		CHECK_STR(engines[3].permission, "EDIT");
		CHECK_STR(engines[4].permission, "7");
	}
	semoss_engines_free(engines, n);
	json_object_put(out);

	/* an empty list */
	out = json_of("[]");
	CHECK_ST(semoss_parse_engine_list(out, &engines, &n, &err), SEMOSS_OK, &err);
	CHECK_INT(n, 0);
	semoss_engines_free(engines, n);
	json_object_put(out);

	/* wrong shapes */
	out = json_of("{\"engine_id\":\"e1\"}");
	CHECK_ST(semoss_parse_engine_list(out, &engines, &n, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(engines == NULL);
	json_object_put(out);
	out = json_of("[{\"engine_id\":\"e1\"}, 5]");
	CHECK_ST(semoss_parse_engine_list(out, &engines, &n, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(engines == NULL);
	CHECK_INT(n, 0);
	json_object_put(out);
	CHECK_ST(semoss_parse_engine_list(NULL, &engines, &n, &err), SEMOSS_ERR_PROTOCOL, &err);
}

static void
test_parse_table_structure(void)
{
	SemossError err;
	SemossColumnInfo *cols = NULL;
	int			n = -1;
	json_object *structure;
	json_object *metamodel;

	/* pixel names differ from physical ones; the metamodel is keyed by pixel names */
	structure = json_of("[[\"ORDERS\",\"ID\",\"NUMBER\",false,\"id\",\"orders\"],"
						"[\"ORDERS\",\"PAID\",\"STRING\",false,\"paid\",\"orders\"],"
						"[\"ORDERS\",\"PLACED\",\"TIMESTAMP\",false],"
						"[\"users\",\"email\",\"STRING\",false,null,\"users\"]]");
	metamodel = json_of("{\"nodes\":[],\"edges\":[],"
						"\"dataTypes\":{\"ORDERS__ID\":\"INT\",\"ORDERS__PAID\":\"STRING\",\"users__email\":7},"
						"\"physicalTypes\":{\"ORDERS__ID\":\"INT4\",\"ORDERS__PAID\":\"BOOL\"}}");
	CHECK_ST(semoss_parse_table_structure(structure, metamodel, &cols, &n, &err), SEMOSS_OK, &err);
	CHECK_INT(n, 4);
	if (cols != NULL && n == 4)
	{
		CHECK_STR(cols[0].table, "orders");
		CHECK_STR(cols[0].column, "id");
		CHECK_STR(cols[0].type, "NUMBER");
		CHECK_STR(cols[0].data_type, "INT");
		CHECK_STR(cols[0].physical_type, "INT4");
		CHECK_STR(cols[1].physical_type, "BOOL");
		/* no physical names: the pixel names are used */
		CHECK_STR(cols[2].table, "ORDERS");
		CHECK_STR(cols[2].column, "PLACED");
		CHECK(cols[2].data_type == NULL);
		CHECK(cols[2].physical_type == NULL);
		CHECK_STR(cols[3].table, "users");
		CHECK_STR(cols[3].column, "email");
		CHECK(cols[3].data_type == NULL);	/* not a string */
	}
	semoss_columns_free(cols, n);

	/* without a metamodel the coarse types remain */
	CHECK_ST(semoss_parse_table_structure(structure, NULL, &cols, &n, &err), SEMOSS_OK, &err);
	CHECK_INT(n, 4);
	if (cols != NULL && n == 4)
	{
		CHECK_STR(cols[0].type, "NUMBER");
		CHECK(cols[0].data_type == NULL);
	}
	semoss_columns_free(cols, n);
	json_object_put(structure);
	json_object_put(metamodel);

	/* wrong shapes */
	structure = json_of("[[\"t\",\"c\",\"STRING\"],[\"t\",5,\"STRING\"]]");
	CHECK_ST(semoss_parse_table_structure(structure, NULL, &cols, &n, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(cols == NULL);
	CHECK(strstr(err.message, "row 1") != NULL);
	json_object_put(structure);
	structure = json_of("{\"t\":1}");
	CHECK_ST(semoss_parse_table_structure(structure, NULL, &cols, &n, &err), SEMOSS_ERR_PROTOCOL, &err);
	json_object_put(structure);
	structure = json_of("[]");
	CHECK_ST(semoss_parse_table_structure(structure, NULL, &cols, &n, &err), SEMOSS_OK, &err);
	CHECK_INT(n, 0);
	semoss_columns_free(cols, n);
	json_object_put(structure);
}

void
run_pure_tests(void)
{
	run_test("url_encode matches java.net.URLEncoder (+ as %20)", test_url_encode);
	run_test("encode_sql_argument: <encode> wrapping vs URL-encoding", test_encode_sql_argument);
	run_test("encoded SQL round-trips through SEMOSS's decoding", test_encode_round_trip);
	run_test("identifier_is_safe", test_identifier_is_safe);
	run_test("base64 (RFC 4648 vectors)", test_base64);
	run_test("pixel builders", test_pixel_builders);
	run_test("piggybacked expression and form body", test_expression_and_form);
	run_test("public task ids carry the insight generation", test_task_public_ids);
	run_test("status names", test_status_names);
	run_test("error text sanitizing", test_sanitize);
	run_test("parse: normal Collect page", test_parse_normal_page);
	run_test("parse: empty page", test_parse_empty_page);
	run_test("parse: ERROR entry -> PIXEL with detail", test_parse_error_entry);
	run_test("parse: INVALID_SYNTAX", test_parse_invalid_syntax);
	run_test("parse: piggybacked RemoveTask routines", test_parse_piggybacked);
	run_test("parse: removal that blocked our pixel", test_parse_removals_blocked);
	run_test("parse: thread_execution entries skipped", test_parse_thread_execution_only_before);
	run_test("parse: extra and reordered keys", test_parse_extra_and_reordered_keys);
	run_test("parse: non-JSON bodies", test_parse_not_json);
	run_test("parse: truncated JSON", test_parse_truncated);
	run_test("parse: invalid UTF-8", test_parse_invalid_utf8);
	run_test("parse: ragged rows", test_parse_ragged_rows);
	run_test("parse: missing and ill-typed keys", test_parse_wrong_types);
	run_test("number text preserved exactly", test_number_text);
	run_test("integers beyond 64 bits rejected", test_oversized_integers);
	run_test("JSON, slash and NUL cells", test_json_cells);
	run_test("reply classification", test_classify_reply);
	run_test("HTTP error detail excerpt", test_http_error_detail);
	run_test("5 MB page parsed in chunks (UTF-8 across chunk edges)", test_big_page_chunked_parse);
	run_test("interrupt stops a long parse", test_big_page_parse_interrupted);
	run_test("configuration validation", test_config_validation);
	run_test("metadata pixel builder", test_engine_pixel);
	run_test("parse: MyEngines list (legacy and newer keys)", test_parse_engine_list);
	run_test("parse: table structure refined by the metamodel", test_parse_table_structure);
}
