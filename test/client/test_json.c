/*-------------------------------------------------------------------------
 *
 * test_json.c
 *		  Group "json": the strict JSON scanner and the Collect cell tables
 *		  of src/semoss_json.c.
 *
 * Every strictness rule, with the byte the error names, both for a body
 * that is the bad JSON itself and for the same JSON as a cell of a page
 * (the scanner's cell decoding path); what each kind of cell decodes to;
 * how the values array is found (key order, several pixelReturn entries,
 * "values" keys elsewhere, escaped and repeated keys, which follow json-c's
 * rules); truncation at every byte; and differential checks against
 * json-c (json_oracle.c) over generated pages and mutated bodies.
 *
 * IDENTIFICATION
 *		  test/client/test_json.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_oracle.h"
#include "tap.h"
#include "tests.h"

/* A one-column page whose only cell is whatever goes between these. */
#define CELL_HEAD "{\"insightID\":\"i\",\"pixelReturn\":[{\"pixelId\":\"meta_unstored\"," \
	"\"output\":{\"data\":{\"values\":[["
#define CELL_TAIL "]],\"headers\":[\"a\"]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}"

/* ---- helpers ---- */

/* Parse body (len bytes) as a Collect reply into a page. */
static SemossStatus
page_of(const char *body, size_t len, SemossPage **page, SemossError *err)
{
	SemossPixelResult res;
	SemossStatus st;

	*page = NULL;
	st = semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS,
								   NULL, NULL, &res, err);
	if (st == SEMOSS_OK)
		st = semoss_page_from_result(&res, 1, page, err);
	semoss_pixel_result_free(&res);
	return st;
}

/* Check cell (row, col): kind and exactly len bytes of text. */
static void
check_bytes(const SemossPage *page, int row, int col, SemossCellKind kind,
			const char *bytes, size_t len)
{
	const char *t;
	size_t		n;
	SemossCellKind k = semoss_page_cell(page, row, col, &t, &n);

	if (k != kind || (bytes == NULL ? t != NULL :
					  (t == NULL || n != len || memcmp(t, bytes, len) != 0 || t[n] != '\0')))
		tap_check_failed(__FILE__, __LINE__, "cell (%d,%d): kind %d len %zu \"%s\", expected kind %d len %zu \"%s\"",
						 row, col, (int) k, n, t ? t : "(null)", (int) kind, len,
						 bytes ? bytes : "(null)");
}

/* body = head + middle + tail, as a malloc'd buffer; *len its length. */
static char *
concat3(const char *head, const char *middle, size_t middle_len,
		const char *tail, size_t *len)
{
	size_t		h = strlen(head);
	size_t		t = strlen(tail);
	char	   *body = malloc(h + middle_len + t + 1);

	memcpy(body, head, h);
	memcpy(body + h, middle, middle_len);
	memcpy(body + h + middle_len, tail, t + 1);
	*len = h + middle_len + t;
	return body;
}

/* ---- strictness ---- */

typedef struct RejectCase
{
	const char *json;
	size_t		len;			/* 0: strlen(json) */
	size_t		at;				/* byte the error names */
	const char *reason;
	bool		json_c_accepts; /* json-c's strict mode lets it through */
} RejectCase;

static const RejectCase reject_cases[] = {
	/* structure */
	{"[1,2,]", 0, 5, "unexpected character", false},
	{"{\"a\":1,}", 0, 7, "unexpected character", false},
	{"[,1]", 0, 1, "unexpected character", false},
	{"[1,,2]", 0, 3, "unexpected character", false},
	{"[1 2]", 0, 3, "array value separator ',' expected", false},
	{"[1:2]", 0, 2, "array value separator ',' expected", false},
	{"{\"a\" 1}", 0, 5, "object property name separator ':' expected", false},
	{"{\"a\":1 \"b\":2}", 0, 7, "object value separator ',' expected", false},
	{"{\"a\":}", 0, 5, "unexpected character", false},
	{"{a:1}", 0, 1, "quoted object property name expected", false},
	{"{1:1}", 0, 1, "quoted object property name expected", false},
	{"{'a':1}", 0, 1, "quoted object property name expected", true},
	{"['a']", 0, 1, "unexpected character", false},
	{"[1,/*c*/2]", 0, 3, "unexpected character", false},
	{"[1 // c\n]", 0, 3, "array value separator ',' expected", false},
	{"[1,\f2]", 0, 3, "unexpected character", false},
	{"[1,\v2]", 0, 3, "unexpected character", false},
	{"[\xc2\xa0" "1]", 0, 1, "unexpected character", false},
	{"[\xc3\xa9]", 0, 1, "unexpected character", false},
	{"[undefined]", 0, 1, "unexpected character", false},
	/* literals */
	{"[tru]", 0, 4, "boolean expected", false},
	{"[trUe]", 0, 3, "boolean expected", false},
	{"[True]", 0, 1, "unexpected character", false},
	{"[fals]", 0, 5, "boolean expected", false},
	{"[nul]", 0, 4, "null expected", false},
	{"[nan]", 0, 2, "null expected", false},
	{"[NaN]", 0, 1, "unexpected character", true},
	{"[Infinity]", 0, 1, "unexpected character", true},
	{"[-Infinity]", 0, 2, "number expected", true},
	/* numbers */
	{"[01]", 0, 2, "number expected", false},
	{"[00]", 0, 2, "number expected", true},
	{"[-01]", 0, 3, "number expected", true},
	{"[01.5]", 0, 2, "number expected", true},
	{"[-00.5]", 0, 3, "number expected", true},
	{"[+1]", 0, 1, "unexpected character", false},
	{"[.5]", 0, 1, "unexpected character", false},
	{"[-.5]", 0, 2, "number expected", true},
	{"[1.]", 0, 3, "number expected", true},
	{"[1.e5]", 0, 3, "number expected", true},
	{"[1.5.2]", 0, 4, "number expected", false},
	{"[1e]", 0, 3, "number expected", false},
	{"[1e+]", 0, 4, "number expected", false},
	{"[1e5e]", 0, 4, "number expected", false},
	{"[1e5.0]", 0, 4, "number expected", false},
	{"[--1]", 0, 2, "number expected", false},
	{"[-]", 0, 2, "number expected", false},
	{"[1-2]", 0, 2, "number expected", false},
	{"[0x10]", 0, 2, "array value separator ',' expected", false},
	/* escapes */
	{"[\"\\x\"]", 0, 3, "invalid string sequence", false},
	{"[\"\\'\"]", 0, 3, "invalid string sequence", false},
	{"[\"\\U0041\"]", 0, 3, "invalid string sequence", false},
	{"[\"\\u12G4\"]", 0, 6, "invalid string sequence", false},
	{"[\"\\u 123\"]", 0, 4, "invalid string sequence", false},
	{"[\"\\ud83d\\uDE0x\"]", 0, 13, "invalid string sequence", false},
	/* surrogates */
	{"[\"\\ud800\"]", 0, 2, "unpaired UTF-16 surrogate in a \\u escape", true},
	{"[\"\\ud800x\"]", 0, 2, "unpaired UTF-16 surrogate in a \\u escape", true},
	{"[\"\\ud800\\n\"]", 0, 2, "unpaired UTF-16 surrogate in a \\u escape", true},
	{"[\"\\ud800\\ud800\"]", 0, 2, "unpaired UTF-16 surrogate in a \\u escape", true},
	{"[\"\\ud800\\u0041\"]", 0, 2, "unpaired UTF-16 surrogate in a \\u escape", true},
	{"[\"\\udc00\"]", 0, 2, "unpaired UTF-16 surrogate in a \\u escape", true},
	{"[\"a\\uDFFF\\uD800\"]", 0, 3, "unpaired UTF-16 surrogate in a \\u escape", true},
	/* raw control characters */
	{"[\"a\x01" "b\"]", 0, 3, "unescaped control character in a string", true},
	{"[\"a\tb\"]", 0, 3, "unescaped control character in a string", true},
	{"[\"a\nb\"]", 0, 3, "unescaped control character in a string", true},
	{"[\"\x1f\"]", 0, 2, "unescaped control character in a string", true},
	{"{\"k\x01\":1}", 0, 3, "unescaped control character in a string", true},
	{"[\"a\0b\"]", 7, 3, "unescaped control character in a string", false},
	/* UTF-8 */
	{"[\"\xff\"]", 0, 2, "invalid utf-8 string", false},
	{"[\"\x80\"]", 0, 2, "invalid utf-8 string", false},
	{"[\"\xc3\x28\"]", 0, 2, "invalid utf-8 string", false},
	{"[\"\xc0\xaf\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xc1\xbf\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xe0\x80\xaf\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xf0\x80\x80\xaf\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xed\xa0\x80\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xed\xbf\xbf\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xf4\x90\x80\x80\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xf5\x80\x80\x80\"]", 0, 2, "invalid utf-8 string", true},
	{"[\"\xf8\x88\x80\x80\x80\"]", 0, 2, "invalid utf-8 string", false},
	{"[\"ok\xe2\x82\"]", 0, 4, "invalid utf-8 string", false},
	{"{\"\xc0\x80\":1}", 0, 2, "invalid utf-8 string", true},
};

/*
 * Every case is refused with the byte and reason named, as a body of its
 * own and as a cell of a page (4 + 2 tests per case); the oracle agrees,
 * and json-c's own strict mode accepts exactly the cases marked so.
 */
static void
test_rejects(void)
{
	size_t		i;

	for (i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++)
	{
		const RejectCase *c = &reject_cases[i];
		size_t		len = c->len ? c->len : strlen(c->json);
		char		expected[600];
		SemossError err;
		json_object *root = NULL;
		SemossPage *page = NULL;
		size_t		body_len;
		char	   *body;
		bool		json_c_ok;
		SemossStatus st;

		st = semoss_json_parse(c->json, len, NULL, NULL, &root, &err);
		snprintf(expected, sizeof(expected), "invalid JSON at byte %zu of %zu: %s",
				 c->at, len, c->reason);
		if (st != SEMOSS_ERR_PROTOCOL || strcmp(err.message, expected) != 0)
			tap_check_failed(__FILE__, __LINE__, "case %zu (%s): %s \"%s\", expected \"%s\"",
							 i, c->json, semoss_status_name(st), err.message, expected);
		CHECK(root == NULL);
		if (oracle_accepts(c->json, len))
			tap_check_failed(__FILE__, __LINE__, "case %zu: the oracle accepts it", i);
		json_object_put(oracle_json_c_parse(c->json, len, &json_c_ok));
		if (json_c_ok != c->json_c_accepts)
			tap_check_failed(__FILE__, __LINE__, "case %zu (%s): json-c %s it", i, c->json,
							 json_c_ok ? "accepts" : "refuses");

		/* the same JSON as a cell of a page */
		body = concat3(CELL_HEAD, c->json, len, CELL_TAIL, &body_len);
		st = page_of(body, body_len, &page, &err);
		snprintf(expected, sizeof(expected), "invalid JSON at byte %zu of %zu: %s",
				 c->at + strlen(CELL_HEAD), body_len, c->reason);
		if (st != SEMOSS_ERR_PROTOCOL || strcmp(err.message, expected) != 0)
			tap_check_failed(__FILE__, __LINE__, "case %zu in a cell: %s \"%s\", expected \"%s\"",
							 i, semoss_status_name(st), err.message, expected);
		CHECK(page == NULL);
		free(body);
	}
}

/* Errors about the body as a whole, with their exact messages. */
static void
test_whole_body_errors(void)
{
	static const struct
	{
		const char *body;
		size_t		len;
		const char *message;
	}			cases[] = {
		{"", 0, "empty response body where JSON was expected"},
		{" \t\r\n ", 0, "empty response body where JSON was expected"},
		{"{} x", 0, "invalid JSON at byte 3 of 4: unexpected data after the JSON value"},
		{"{}{}", 0, "invalid JSON at byte 2 of 4: unexpected data after the JSON value"},
		{"1 2", 0, "invalid JSON at byte 2 of 3: unexpected data after the JSON value"},
		{"[1]]", 0, "invalid JSON at byte 3 of 4: unexpected data after the JSON value"},
		{"{}\0", 3, "invalid JSON at byte 2 of 3: unexpected data after the JSON value"},
		{"\xef\xbb\xbf{}", 0, "invalid JSON at byte 0 of 5: unexpected character"},
		{"<html>", 0, "invalid JSON at byte 0 of 6: unexpected character"},
		{"[1,", 0, "truncated JSON: the response ended after 3 bytes in the middle of a value"},
		{"{\"a\"", 0, "truncated JSON: the response ended after 4 bytes in the middle of a value"},
		{"\"abc", 0, "truncated JSON: the response ended after 4 bytes in the middle of a value"},
		{"tru", 0, "truncated JSON: the response ended after 3 bytes in the middle of a value"},
		{"-", 0, "truncated JSON: the response ended after 1 bytes in the middle of a value"},
		{"1.", 0, "truncated JSON: the response ended after 2 bytes in the middle of a value"},
		{"1e+", 0, "truncated JSON: the response ended after 3 bytes in the middle of a value"},
		{"\"\\u12", 0, "truncated JSON: the response ended after 5 bytes in the middle of a value"},
		{"\"\\ud83d", 0, "truncated JSON: the response ended after 7 bytes in the middle of a value"},
		{"\"\\ud83d\\", 0, "truncated JSON: the response ended after 8 bytes in the middle of a value"},
		{"\"\\ud83d\\uDE", 0, "truncated JSON: the response ended after 11 bytes in the middle of a value"},
		{"\"\xe2\x82", 0, "truncated JSON: the response ended after 3 bytes in the middle of a value"},
		{"\"\\", 0, "truncated JSON: the response ended after 2 bytes in the middle of a value"},
	};
	size_t		i;
	char		one;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		size_t		len = cases[i].len ? cases[i].len : strlen(cases[i].body);
		SemossError err;
		json_object *root = NULL;
		SemossStatus st = semoss_json_parse(cases[i].body, len, NULL, NULL, &root, &err);

		if (st != SEMOSS_ERR_PROTOCOL || strcmp(err.message, cases[i].message) != 0)
			tap_check_failed(__FILE__, __LINE__, "case %zu: %s \"%s\", expected \"%s\"",
							 i, semoss_status_name(st), err.message, cases[i].message);
		CHECK(root == NULL);
	}
	/* top-level scalars are JSON too (the reply check refuses them later) */
	{
		const char *const scalars[] = {"0", "-1.5e3", "\"x\"", "true", "false", "null", " 42 "};

		for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		{
			SemossError err;
			json_object *root = NULL;

			CHECK_ST(semoss_json_parse(scalars[i], strlen(scalars[i]), NULL, NULL, &root, &err),
					 SEMOSS_OK, &err);
			json_object_put(root);
		}
	}
	/* a body over the limit is refused before a byte of it is read */
	{
		SemossJsonScan scan;
		SemossError err;

		CHECK_ST(semoss_json_scan(&one, SEMOSS_MAX_RESPONSE_BYTES + 1, true, NULL, NULL, &scan, &err),
				 SEMOSS_ERR_PROTOCOL, &err);
		CHECK(strstr(err.message, "larger than") != NULL);
		semoss_json_scan_free(&scan);
	}
}

/* n nested arrays, innermost empty: "[[...[]...]]". */
static char *
nested_arrays(int n, size_t *len)
{
	char	   *s = malloc((size_t) n * 2 + 1);
	int			i;

	for (i = 0; i < n; i++)
	{
		s[i] = '[';
		s[2 * n - 1 - i] = ']';
	}
	s[2 * n] = '\0';
	*len = (size_t) n * 2;
	return s;
}

/*
 * SEMOSS_JSON_MAX_DEPTH levels are allowed, one more is not, as with
 * json-c; in a cell the envelope's 7 levels count too.
 */
static void
test_nesting_depth(void)
{
	SemossError err;
	json_object *root = NULL;
	SemossPage *page;
	char		expected[200];
	size_t		len;
	size_t		body_len;
	char	   *json = nested_arrays(SEMOSS_JSON_MAX_DEPTH, &len);
	char	   *body;
	bool		ok;

	CHECK_ST(semoss_json_parse(json, len, NULL, NULL, &root, &err), SEMOSS_OK, &err);
	json_object_put(root);
	json_object_put(oracle_json_c_parse(json, len, &ok));
	CHECK(ok);
	free(json);

	json = nested_arrays(SEMOSS_JSON_MAX_DEPTH + 1, &len);
	CHECK_ST(semoss_json_parse(json, len, NULL, NULL, &root, &err), SEMOSS_ERR_PROTOCOL, &err);
	snprintf(expected, sizeof(expected), "invalid JSON at byte %d of %zu: nesting too deep",
			 SEMOSS_JSON_MAX_DEPTH, len);
	CHECK_STR(err.message, expected);
	json_object_put(oracle_json_c_parse(json, len, &ok));
	CHECK(!ok);
	free(json);

	/* objects: the value of the deepest member is what is too deep */
	CHECK_ST(semoss_json_parse("{\"a\":1}", 7, NULL, NULL, &root, &err), SEMOSS_OK, &err);
	json_object_put(root);

	/* a cell sits at depth 7: 249 levels fit in it, 250 do not */
	json = nested_arrays(SEMOSS_JSON_MAX_DEPTH - 7, &len);
	body = concat3(CELL_HEAD, json, len, CELL_TAIL, &body_len);
	CHECK_ST(page_of(body, body_len, &page, &err), SEMOSS_OK, &err);
	check_bytes(page, 0, 0, SEMOSS_CELL_JSON, json, len);
	semoss_page_free(page);
	json_object_put(oracle_json_c_parse(body, body_len, &ok));
	CHECK(ok);
	free(body);
	free(json);
	json = nested_arrays(SEMOSS_JSON_MAX_DEPTH - 6, &len);
	body = concat3(CELL_HEAD, json, len, CELL_TAIL, &body_len);
	CHECK_ST(page_of(body, body_len, &page, &err), SEMOSS_ERR_PROTOCOL, &err);
	CHECK(strstr(err.message, "nesting too deep") != NULL);
	json_object_put(oracle_json_c_parse(body, body_len, &ok));
	CHECK(!ok);
	free(body);
	free(json);
}

/* ---- what cells decode to ---- */

/*
 * Each kind of cell, with the exact bytes it must read as; the page as a
 * whole must also match json-c's tree of the same body.
 */
static void
test_cell_decoding(void)
{
	static const struct
	{
		const char *source;
		SemossCellKind kind;
		const char *bytes;
		size_t		len;		/* 0: strlen(bytes) */
	}			cells[] = {
		{"\"plain\"", SEMOSS_CELL_STRING, "plain", 0},
		{"\"\"", SEMOSS_CELL_STRING, "", 0},
		{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", SEMOSS_CELL_STRING, "\"\\/\b\f\n\r\t", 0},
		{"\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"", SEMOSS_CELL_STRING, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0},
		{"\"\\uD83D\\uDE00\\uDBFF\\uDFFF\\uD800\\uDC00\"", SEMOSS_CELL_STRING,
		"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xf0\x90\x80\x80", 0},
		{"\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"", SEMOSS_CELL_STRING,
		"\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 0},
		{"\"a\\u0000b\"", SEMOSS_CELL_STRING, "a\0b", 3},
		{"\"\\u0000\"", SEMOSS_CELL_STRING, "\0", 1},
		{"\"\\u001f\\u0001\"", SEMOSS_CELL_STRING, "\x1f\x01", 0},
		{"\"raw \xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f\"",
			SEMOSS_CELL_STRING,
		"raw \xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f", 0},
		{"0", SEMOSS_CELL_NUMBER, "0", 0},
		{"-0", SEMOSS_CELL_NUMBER, "-0", 0},
		{"-0.0", SEMOSS_CELL_NUMBER, "-0.0", 0},
		{"-12", SEMOSS_CELL_NUMBER, "-12", 0},
		{"1E+5", SEMOSS_CELL_NUMBER, "1E+5", 0},
		{"2.50e-7", SEMOSS_CELL_NUMBER, "2.50e-7", 0},
		{"-1.5E300", SEMOSS_CELL_NUMBER, "-1.5E300", 0},
		{"1e999", SEMOSS_CELL_NUMBER, "1e999", 0},
		{"0.000", SEMOSS_CELL_NUMBER, "0.000", 0},
		{"123456789012345678901234567890", SEMOSS_CELL_NUMBER, "123456789012345678901234567890", 0},
		{"-99999999999999999999.5", SEMOSS_CELL_NUMBER, "-99999999999999999999.5", 0},
		{"true", SEMOSS_CELL_BOOLEAN, "true", 0},
		{"false", SEMOSS_CELL_BOOLEAN, "false", 0},
		{"null", SEMOSS_CELL_NULL, NULL, 0},
		{"[]", SEMOSS_CELL_JSON, "[]", 0},
		{"{}", SEMOSS_CELL_JSON, "{}", 0},
		{"[ 1 ,\n\t2 ]", SEMOSS_CELL_JSON, "[ 1 ,\n\t2 ]", 0},
		{"{\"a\" : [1, {\"b\":null}], \"c\":\"\\u00e9\\/\"}", SEMOSS_CELL_JSON,
		"{\"a\" : [1, {\"b\":null}], \"c\":\"\\u00e9\\/\"}", 0},
		{"[18446744073709551616, -0]", SEMOSS_CELL_JSON, "[18446744073709551616, -0]", 0},
	};
	SemossBuf	b;
	SemossError err;
	SemossPage *page = NULL;
	json_object *root;
	char		why[300];
	size_t		i;
	bool		ok;

	semoss_buf_init(&b);
	semoss_buf_appends(&b, "{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[");
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		semoss_buf_printf(&b, "%s%s", i ? "," : "", cells[i].source);
	semoss_buf_appends(&b, "]],\"headers\":[");
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		semoss_buf_printf(&b, "%s\"c%zu\"", i ? "," : "", i);
	semoss_buf_appends(&b, "]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}");

	CHECK_ST(page_of(b.data, b.len, &page, &err), SEMOSS_OK, &err);
	if (page != NULL)
	{
		CHECK_INT(semoss_page_nrows(page), 1);
		for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
			check_bytes(page, 0, (int) i, cells[i].kind, cells[i].bytes,
						cells[i].bytes && cells[i].len == 0 ? strlen(cells[i].bytes) : cells[i].len);
		root = oracle_json_c_parse(b.data, b.len, &ok);
		CHECK(ok);
		if (!oracle_page_matches(page, oracle_values(root), why, sizeof(why)))
			tap_check_failed(__FILE__, __LINE__, "json-c disagrees: %s", why);
		json_object_put(root);
		semoss_page_free(page);
	}
	semoss_buf_free(&b);
}

/* Empty values, rows without cells, whitespace everywhere. */
static void
test_page_shapes(void)
{
	const char *empty =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[],"
		"\"headers\":[\"a\",\"b\"]},\"taskId\":\"task2\"},\"operationType\":[\"TASK_DATA\"]}]}";
	const char *no_columns =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[],[],[]],"
		"\"headers\":[]},\"taskId\":\"task2\"},\"operationType\":[\"TASK_DATA\"]}]}";
	const char *spaced =
		" \r\n{ \"insightID\" :\t\"i\" , \"pixelReturn\" : [ { \"output\" : { \"data\" : { \"values\"\n:\n[\n"
		"[ 1 , \"a\" ] ,\n\t[ null ,\"b\"]\r\n] , \"headers\" : [ \"x\" , \"y\" ] } , \"taskId\" : \"task2\" } ,"
		" \"operationType\" : [ \"TASK_DATA\" ] } ] } \n";
	SemossError err;
	SemossPage *page;
	const char *t;
	size_t		n;

	CHECK_ST(page_of(empty, strlen(empty), &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 0);
	CHECK_INT(semoss_page_ncols(page), 2);
	CHECK(semoss_page_cell(page, 0, 0, &t, &n) == SEMOSS_CELL_NULL && t == NULL);
	semoss_page_free(page);

	CHECK_ST(page_of(no_columns, strlen(no_columns), &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 3);
	CHECK_INT(semoss_page_ncols(page), 0);
	CHECK(semoss_page_cell(page, 0, 0, &t, &n) == SEMOSS_CELL_NULL);
	semoss_page_free(page);

	CHECK_ST(page_of(spaced, strlen(spaced), &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_nrows(page), 2);
	check_bytes(page, 0, 0, SEMOSS_CELL_NUMBER, "1", 1);
	check_bytes(page, 0, 1, SEMOSS_CELL_STRING, "a", 1);
	check_bytes(page, 1, 0, SEMOSS_CELL_NULL, NULL, 0);
	check_bytes(page, 1, 1, SEMOSS_CELL_STRING, "b", 1);
	CHECK_STR(semoss_page_header(page, 1), "y");
	semoss_page_free(page);
}

/* The first row unlike the headers is named, whatever its kind. */
static void
test_row_shape_errors(void)
{
	static const struct
	{
		const char *values;
		const char *headers;
		const char *message;
	}			cases[] = {
		{"[5]", "[\"a\"]", "Collect output: row 0 is a JSON int, not an array"},
		{"[[1,2],[3,4],5]", "[\"a\",\"b\"]", "Collect output: row 2 is a JSON int, not an array"},
		{"[[1,2],2.5e3]", "[\"a\",\"b\"]", "Collect output: row 1 is a JSON double, not an array"},
		{"[[1],\"x\"]", "[\"a\"]", "Collect output: row 1 is a JSON string, not an array"},
		{"[{}]", "[\"a\"]", "Collect output: row 0 is a JSON object, not an array"},
		{"[[1],null]", "[\"a\"]", "Collect output: row 1 is a JSON null, not an array"},
		{"[[1],true]", "[\"a\"]", "Collect output: row 1 is a JSON boolean, not an array"},
		{"[[1],99999999999999999999]", "[\"a\"]", "Collect output: row 1 is a JSON int, not an array"},
		{"[[1,2],[3]]", "[\"a\",\"b\"]", "Collect output: row 1 has 1 cells but there are 2 headers"},
		{"[[1],[2,3]]", "[\"a\",\"b\"]", "Collect output: row 0 has 1 cells but there are 2 headers"},
		{"[[1,2,3],[4,5,6]]", "[\"a\",\"b\"]", "Collect output: row 0 has 3 cells but there are 2 headers"},
		{"[[1],[2],[3,4],5]", "[\"a\"]", "Collect output: row 2 has 2 cells but there are 1 headers"},
		{"[[1],[2],5,[3,4]]", "[\"a\"]", "Collect output: row 2 is a JSON int, not an array"},
		{"[[]]", "[\"a\"]", "Collect output: row 0 has 0 cells but there are 1 headers"},
		{"[[1]]", "[]", "Collect output: row 0 has 1 cells but there are 0 headers"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		body[600];
		SemossError err;
		SemossPage *page = NULL;
		SemossStatus st;

		snprintf(body, sizeof(body),
				 "{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":%s,"
				 "\"headers\":%s},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}",
				 cases[i].values, cases[i].headers);
		st = page_of(body, strlen(body), &page, &err);
		if (st != SEMOSS_ERR_PROTOCOL || strcmp(err.message, cases[i].message) != 0)
			tap_check_failed(__FILE__, __LINE__, "case %zu: %s \"%s\", expected \"%s\"",
							 i, semoss_status_name(st), err.message, cases[i].message);
		CHECK(page == NULL);
	}
}

/* ---- finding the values array ---- */

/* All orders of the keys of the entry, the output and data. */
static void
test_key_orders(void)
{
	static const char *const entry_members[] = {
		"\"pixelId\":\"meta_unstored\"", "\"output\":%s", "\"operationType\":[\"TASK_DATA\"]"};
	static const char *const output_members[] = {
		"\"data\":%s", "\"taskId\":\"task7\"", "\"headerInfo\":[{\"dataType\":\"INT\"},{\"dataType\":\"STRING\"}]"};
	static const char *const data_members[] = {
		"\"values\":[[1,\"x\"],[2,\"y\"]]", "\"headers\":[\"n\",\"s\"]", "\"rawHeaders\":[\"n\",\"s\"]"};
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	int			e;
	int			o;
	int			d;
	int			failures = 0;

	for (e = 0; e < 6; e++)
		for (o = 0; o < 6; o++)
			for (d = 0; d < 6; d++)
			{
				char		data[300] = "{";
				char		output[600] = "{";
				char		entry[900] = "{";
				char		body[1200];
				char		part[700];
				SemossError err;
				SemossPage *page = NULL;
				int			k;

				for (k = 0; k < 3; k++)
				{
					strcat(data, k ? "," : "");
					strcat(data, data_members[orders[d][k]]);
				}
				strcat(data, "}");
				for (k = 0; k < 3; k++)
				{
					snprintf(part, sizeof(part), output_members[orders[o][k]], data);
					strcat(output, k ? "," : "");
					strcat(output, part);
				}
				strcat(output, "}");
				for (k = 0; k < 3; k++)
				{
					snprintf(part, sizeof(part), entry_members[orders[e][k]], output);
					strcat(entry, k ? "," : "");
					strcat(entry, part);
				}
				strcat(entry, "}");
				snprintf(body, sizeof(body), e % 2 ? "{\"pixelReturn\":[%s],\"insightID\":\"i\"}" :
						 "{\"insightID\":\"i\",\"pixelReturn\":[%s]}", entry);
				if (page_of(body, strlen(body), &page, &err) != SEMOSS_OK ||
					semoss_page_nrows(page) != 2 || semoss_page_ncols(page) != 2)
				{
					if (failures++ < 3)
						tap_check_failed(__FILE__, __LINE__, "%s: %s", body, err.message);
				}
				else
				{
					check_bytes(page, 1, 1, SEMOSS_CELL_STRING, "y", 1);
					check_bytes(page, 0, 0, SEMOSS_CELL_NUMBER, "1", 1);
					CHECK_STR(semoss_page_data_type(page, 1), "STRING");
					CHECK_STR(semoss_page_task_id(page), "task7");
				}
				semoss_page_free(page);
			}
}

/*
 * The target is the second of three entries: the first (a piggybacked
 * routine) and the third (a thread_execution message) have values arrays
 * of their own, which are decoded and then dropped.
 */
static void
test_several_entries(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":["
		"{\"pixelId\":\"meta_unstored\",\"output\":{\"data\":{\"values\":[[\"first\"]],\"headers\":[\"a\"]},"
		"\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]},"
		"{\"pixelId\":\"meta_unstored\",\"output\":{\"data\":{\"values\":[[\"second\",2],[\"row2\",3]],"
		"\"headers\":[\"a\",\"b\"]},\"taskId\":\"task2\"},\"operationType\":[\"TASK_DATA\"]},"
		"{\"pixelId\":\"thread_execution_7\",\"output\":{\"data\":{\"values\":[[\"third\"]]}},"
		"\"operationType\":[\"OPERATION\"]}]}";
	SemossPixelResult res;
	SemossError err;
	SemossPage *page = NULL;

	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 1, SEMOSS_VALUES_AS_CELLS, NULL, NULL,
									   &res, &err), SEMOSS_OK, &err);
	CHECK_INT(res.target_entry, 1);
	CHECK_INT(res.target_index, 1);
	CHECK_INT(res.nroutines, 2);
	CHECK(res.cells != NULL);
	CHECK_ST(semoss_page_from_result(&res, 1, &page, &err), SEMOSS_OK, &err);
	CHECK(res.cells == NULL && res.root == NULL);
	check_bytes(page, 0, 0, SEMOSS_CELL_STRING, "second", 6);
	check_bytes(page, 1, 1, SEMOSS_CELL_NUMBER, "3", 1);
	CHECK_STR(semoss_page_task_id(page), "task2");
	semoss_page_free(page);
	semoss_pixel_result_free(&res);
}

/*
 * Arrays under a "values" key anywhere but pixelReturn[i].output.data
 * stay in the json-c tree, untouched.
 */
static void
test_values_elsewhere(void)
{
	static const struct
	{
		const char *output;		/* the target entry's output */
		const char *extra;		/* more members of the entry */
		const char *root_extra; /* more members of the root */
	}			cases[] = {
		{"{\"values\":[[1]],\"data\":5}", "", ""},
		{"{\"data\":{\"data\":{\"values\":[[1]]}}}", "", ""},
		{"{\"data\":{\"x\":{\"values\":[[1]]}}}", "", ""},
		{"{\"data\":{\"Values\":[[1]]}}", "", ""},
		{"{\"data\":{\"values \":[[1]]}}", "", ""},
		{"{\"data\":{\"valu\\u0065s2\":[[1]]}}", "", ""},
		{"{\"data\":{\"\\u0000values\":[[1]]}}", "", ""},
		{"{\"d\\u0061t\\u0061\":{\"v\\u0061lue\":[[1]]}}", "", ""},
		{"{\"data\":[{\"values\":[[1]]}]}", "", ""},
		{"{\"x\":{\"data\":{\"values\":[[1]]}}}", "", ""},
		{"[{\"data\":{\"values\":[[1]]}}]", "", ""},
		{"{}", ",\"values\":[[1]]", ""},
		{"{}", ",\"data\":{\"values\":[[1]]}", ""},
		{"{}", "", ",\"values\":[[1]]"},
		{"{}", "", ",\"output\":{\"data\":{\"values\":[[1]]}}"},
		{"{}", "", ",\"x\":{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[1]]}}}]}"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		body[600];
		SemossPixelResult res;
		SemossError err;
		char	   *text;

		snprintf(body, sizeof(body),
				 "{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":%s,\"operationType\":[\"X\"]%s}]%s}",
				 cases[i].output, cases[i].extra, cases[i].root_extra);
		CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL,
										   &res, &err), SEMOSS_OK, &err);
		if (res.cells != NULL)
			tap_check_failed(__FILE__, __LINE__, "case %zu: values decoded", i);
		/* the whole reply is still there, as json-c parsed it */
		text = semoss_json_text(res.root);
		if (text == NULL || strstr(text, "[[1]]") == NULL)
			tap_check_failed(__FILE__, __LINE__, "case %zu: tree %s", i, text ? text : "(null)");
		free(text);
		semoss_pixel_result_free(&res);
	}
}

/* Keys are compared as json-c stores them: unescaped, cut at a NUL. */
static void
test_escaped_keys(void)
{
	static const char *const bodies[] = {
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"v\\u0061lues\":[[\"e\"]],\"headers\":[\"a\"]},"
		"\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}",
		"{\"insightID\":\"i\",\"pixel\\u0052eturn\":[{\"\\u006futput\":{\"d\\u0061ta\":{\"values\":[[\"e\"]],\"headers\":[\"a\"]},"
		"\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}",
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\\u0000ignored\":[[\"e\"]],\"headers\":[\"a\"]},"
		"\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}",
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"\\u0076\\u0061\\u006c\\u0075\\u0065\\u0073\":[[\"e\"]],"
		"\"headers\":[\"a\"]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}",
	};
	size_t		i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
	{
		SemossError err;
		SemossPage *page = NULL;
		json_object *root;
		char		why[300];
		bool		ok;

		CHECK_ST(page_of(bodies[i], strlen(bodies[i]), &page, &err), SEMOSS_OK, &err);
		if (page == NULL)
			continue;
		check_bytes(page, 0, 0, SEMOSS_CELL_STRING, "e", 1);
		root = oracle_json_c_parse(bodies[i], strlen(bodies[i]), &ok);
		if (!oracle_page_matches(page, oracle_values(root), why, sizeof(why)))
			tap_check_failed(__FILE__, __LINE__, "case %zu: %s", i, why);
		json_object_put(root);
		semoss_page_free(page);
	}
}

/*
 * A repeated key keeps its last value, in json-c's tree and in the cell
 * table alike: the page holds json-c's values, or fails as json-c's tree
 * says it must.
 */
static void
test_duplicate_keys(void)
{
	static const struct
	{
		const char *body;
		const char *first_cell; /* NULL: no page */
		const char *error;
	}			cases[] = {
		/* values twice in data */
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"],\"values\":[[\"new\"],[\"2\"]]},"
			"\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", "new", NULL},
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"],\"values\":5},"
			"\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", NULL, "no data.values array"},
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":5,\"headers\":[\"a\"],\"values\":[[\"new\"]]},"
			"\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", "new", NULL},
		/* data twice */
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"]},"
			"\"data\":{\"headers\":[\"a\"]},\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", NULL, "no data.values array"},
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"]},"
			"\"data\":{\"headers\":[\"a\"],\"values\":[[\"new\"]]},\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", "new", NULL},
		/* output twice */
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"]},\"taskId\":\"t1\"},"
			"\"output\":{\"data\":{\"values\":[[\"new\"]],\"headers\":[\"a\"]},\"taskId\":\"t2\"},\"operationType\":[\"X\"]}]}",
		"new", NULL},
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"]},\"taskId\":\"t1\"},"
			"\"output\":{\"taskId\":\"t2\"},\"operationType\":[\"X\"]}]}", NULL, "\"data\""},
		/* pixelReturn twice: the first one's tables are dropped */
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"]},\"taskId\":\"t1\"},"
			"\"operationType\":[\"X\"]}],\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"new\"]],\"headers\":[\"a\"]},"
			"\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", "new", NULL},
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"]},\"taskId\":\"t1\"},"
			"\"operationType\":[\"X\"]}],\"pixelReturn\":[{\"output\":{\"data\":{\"headers\":[\"a\"]},"
			"\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", NULL, "no data.values array"},
		{"{\"pixelReturn\":[{\"output\":1,\"operationType\":[\"X\"]},{\"output\":{\"data\":{\"values\":[[\"old\"]],"
			"\"headers\":[\"a\"]},\"taskId\":\"t1\"},\"operationType\":[\"X\"]}],\"pixelReturn\":[{\"output\":{\"data\":"
			"{\"values\":[[\"new\"]],\"headers\":[\"a\"]},\"taskId\":\"t1\"},\"operationType\":[\"X\"]}]}", "new", NULL},
		{"{\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[\"old\"]],\"headers\":[\"a\"]},\"taskId\":\"t1\"},"
			"\"operationType\":[\"X\"]}],\"pixelReturn\":5}", NULL, "pixelReturn"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const char *body = cases[i].body;
		SemossError err;
		SemossPage *page = NULL;
		SemossStatus st = page_of(body, strlen(body), &page, &err);
		json_object *root;
		char		why[300];
		bool		ok;

		if (cases[i].first_cell == NULL)
		{
			if (st != SEMOSS_ERR_PROTOCOL || strstr(err.message, cases[i].error) == NULL)
				tap_check_failed(__FILE__, __LINE__, "case %zu: %s \"%s\", expected an error about %s",
								 i, semoss_status_name(st), err.message, cases[i].error);
			semoss_page_free(page);
			continue;
		}
		CHECK_ST(st, SEMOSS_OK, &err);
		if (page == NULL)
			continue;
		check_bytes(page, 0, 0, SEMOSS_CELL_STRING, cases[i].first_cell, strlen(cases[i].first_cell));
		root = oracle_json_c_parse(body, strlen(body), &ok);
		if (!oracle_page_matches(page, oracle_values(root), why, sizeof(why)))
			tap_check_failed(__FILE__, __LINE__, "case %zu: %s", i, why);
		json_object_put(root);
		semoss_page_free(page);
	}
}

/*
 * Without cells wanted (semoss_run_pixel, metadata), the values stay in
 * the tree, and so does the 64-bit rule for them.
 */
static void
test_values_as_json(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[1,\"x\"]],"
		"\"headers\":[\"a\",\"b\"]},\"taskId\":\"task1\"},\"operationType\":[\"TASK_DATA\"]}]}";
	SemossPixelResult res;
	SemossError err;
	char	   *text;

	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 0, SEMOSS_VALUES_AS_JSON, NULL, NULL,
									   &res, &err), SEMOSS_OK, &err);
	CHECK(res.cells == NULL);
	text = semoss_json_text(res.output);
	CHECK_STR(text, "{\"data\":{\"values\":[[1,\"x\"]],\"headers\":[\"a\",\"b\"]},\"taskId\":\"task1\"}");
	free(text);
	semoss_pixel_result_free(&res);

	/* the cells' way, the tree has an empty array there */
	CHECK_ST(semoss_pixel_result_parse(body, strlen(body), 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL,
									   &res, &err), SEMOSS_OK, &err);
	CHECK(res.cells != NULL && res.cells->nrows == 1 && res.cells->ncells == 2);
	text = semoss_json_text(res.output);
	CHECK_STR(text, "{\"data\":{\"values\":[],\"headers\":[\"a\",\"b\"]},\"taskId\":\"task1\"}");
	free(text);
	semoss_pixel_result_free(&res);
}

/* ---- truncation ---- */

/* Every proper prefix of a page rich in escapes and UTF-8 is truncated. */
static void
test_truncated_everywhere(void)
{
	const char *body =
		"{\"insightID\":\"i\",\"pixelReturn\":[{\"output\":{\"data\":{\"values\":[[-12.5e-3, \"a\\\"\\u00e9\\ud83d\\ude00\xc3\xa9"
		"\xe2\x82\xac\xf0\x9f\x98\x80\", true, false, null, {\"k\": [1, \"v\"]}, 18446744073709551616]],"
		"\"headers\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]},\"numCollected\":-1,\"taskId\":\"task1\"},"
		"\"operationType\":[\"TASK_DATA\"]}]}";
	size_t		len = strlen(body);
	size_t		cut;
	int			failures = 0;
	SemossError err;
	SemossPage *page;

	CHECK_ST(page_of(body, len, &page, &err), SEMOSS_OK, &err);
	semoss_page_free(page);
	for (cut = 1; cut < len; cut++)
	{
		char		expected[200];
		SemossStatus st = page_of(body, cut, &page, &err);

		snprintf(expected, sizeof(expected),
				 "truncated JSON: the response ended after %zu bytes in the middle of a value", cut);
		if ((st != SEMOSS_ERR_PROTOCOL || strcmp(err.message, expected) != 0) && failures++ < 5)
			tap_check_failed(__FILE__, __LINE__, "prefix %zu: %s \"%s\"", cut,
							 semoss_status_name(st), err.message);
		semoss_page_free(page);
	}
}

/* ---- interrupts ---- */

static int	interrupt_count;
static int	interrupt_at;

/* Count calls; ask to stop at call number interrupt_at (0: never). */
static int
count_interrupts(void *arg)
{
	(void) arg;
	return ++interrupt_count == interrupt_at;
}

/*
 * The check runs about every SEMOSS_PARSE_CHUNK bytes, inside a huge
 * string too; asked to stop, the parse stops there.
 */
static void
test_interrupt_spacing(void)
{
	size_t		cell_len = 5 * SEMOSS_PARSE_CHUNK + 123;
	size_t		len;
	char	   *cell = malloc(cell_len + 2);
	char	   *body;
	SemossPixelResult res;
	SemossError err;
	SemossPage *page;
	const char *text;
	size_t		text_len;

	memset(cell + 1, 'x', cell_len);
	cell[0] = '"';
	cell[cell_len + 1] = '"';
	body = concat3(CELL_HEAD, cell, cell_len + 2, CELL_TAIL, &len);
	free(cell);

	/* the scan checks 5 times; json-c then parses the small skeleton */
	interrupt_count = 0;
	interrupt_at = 0;
	CHECK_ST(semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS, count_interrupts, NULL,
									   &res, &err), SEMOSS_OK, &err);
	CHECK_INT(interrupt_count, 5);
	CHECK_ST(semoss_page_from_result(&res, 1, &page, &err), SEMOSS_OK, &err);
	CHECK_INT(semoss_page_cell(page, 0, 0, &text, &text_len), SEMOSS_CELL_STRING);
	CHECK_INT(text_len, cell_len);
	semoss_page_free(page);
	semoss_pixel_result_free(&res);

	/* the whole body as a json-c tree: 5 more checks between its chunks */
	interrupt_count = 0;
	CHECK_ST(semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_JSON, count_interrupts, NULL,
									   &res, &err), SEMOSS_OK, &err);
	CHECK_INT(interrupt_count, 10);
	semoss_pixel_result_free(&res);

	/* stopped in the middle of the string, on the third check */
	interrupt_count = 0;
	interrupt_at = 3;
	CHECK_ST(semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS, count_interrupts, NULL,
									   &res, &err), SEMOSS_ERR_CANCELLED, &err);
	CHECK_STR(err.message, "request cancelled while parsing the response");
	CHECK_INT(interrupt_count, 3);
	CHECK(res.root == NULL && res.cells == NULL);
	semoss_pixel_result_free(&res);
	free(body);
}

/* ---- differential tests against json-c ---- */

/* xorshift64*: a small deterministic generator for the random pages. */
typedef struct Rng
{
	uint64_t	state;
} Rng;

/* The next pseudo-random 64 bits. */
static uint64_t
rng_next(Rng *rng)
{
	rng->state ^= rng->state >> 12;
	rng->state ^= rng->state << 25;
	rng->state ^= rng->state >> 27;
	return rng->state * 2685821657736338717ULL;
}

/* A number in [0, n). */
static unsigned
rng_below(Rng *rng, unsigned n)
{
	return (unsigned) (rng_next(rng) >> 33) % n;
}

/* Random JSON whitespace, often none. */
static void
gen_space(Rng *rng, SemossBuf *src)
{
	static const char *const spaces[] = {"", "", "", "", " ", "\n", "\t", "\r\n", "  \t "};

	semoss_buf_appends(src, spaces[rng_below(rng, sizeof(spaces) / sizeof(spaces[0]))]);
}

/* Code point cp as UTF-8 (written here from RFC 3629, for the test). */
static void
put_utf8(SemossBuf *out, unsigned cp)
{
	char		b[4];
	size_t		n;

	if (cp < 0x80)
	{
		b[0] = (char) cp;
		n = 1;
	}
	else if (cp < 0x800)
	{
		b[0] = (char) (0xC0 | (cp >> 6));
		b[1] = (char) (0x80 | (cp & 0x3F));
		n = 2;
	}
	else if (cp < 0x10000)
	{
		b[0] = (char) (0xE0 | (cp >> 12));
		b[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char) (0x80 | (cp & 0x3F));
		n = 3;
	}
	else
	{
		b[0] = (char) (0xF0 | (cp >> 18));
		b[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char) (0x80 | (cp & 0x3F));
		n = 4;
	}
	semoss_buf_append(out, b, n);
}

/*
 * A random non-ASCII code point that is not a surrogate, of every UTF-8
 * length.
 */
static unsigned
gen_code_point(Rng *rng)
{
	unsigned	cp;

	switch (rng_below(rng, 3))
	{
		case 0:
			return 0x80 + rng_below(rng, 0x800 - 0x80);
		case 1:
			cp = 0x800 + rng_below(rng, 0x10000 - 0x800);
			return (cp >= 0xD800 && cp <= 0xDFFF) ? cp + 0x800 : cp;
		default:
			return 0x10000 + rng_below(rng, 0x110000 - 0x10000);
	}
}

/* A \u escape of a UTF-16 unit, in random letter case. */
static void
put_u_escape(Rng *rng, SemossBuf *src, unsigned unit)
{
	semoss_buf_printf(src, rng_below(rng, 2) ? "\\u%04x" : "\\u%04X", unit);
}

/* A random string: its JSON in src, its decoded bytes in text. */
static void
gen_string(Rng *rng, SemossBuf *src, SemossBuf *text)
{
	static const char escapes[] = "\"\\/bfnrt";
	static const char decoded[] = "\"\\/\b\f\n\r\t";
	unsigned	n = rng_below(rng, 12);
	unsigned	i;

	semoss_buf_appends(src, "\"");
	for (i = 0; i < n; i++)
	{
		unsigned	cp;
		unsigned	k;
		char		byte;

		switch (rng_below(rng, 7))
		{
			case 0:
				k = rng_below(rng, 8);
				semoss_buf_printf(src, "\\%c", escapes[k]);
				semoss_buf_append(text, decoded + k, 1);
				break;
			case 1:
				cp = rng_below(rng, 0x20);
				put_u_escape(rng, src, cp);
				byte = (char) cp;
				semoss_buf_append(text, &byte, 1);
				break;
			case 2:
				cp = gen_code_point(rng);
				if (cp >= 0x10000)
				{
					put_u_escape(rng, src, 0xD800 + ((cp - 0x10000) >> 10));
					put_u_escape(rng, src, 0xDC00 + ((cp - 0x10000) & 0x3FF));
				}
				else
					put_u_escape(rng, src, cp);
				put_utf8(text, cp);
				break;
			case 3:
				cp = gen_code_point(rng);
				put_utf8(src, cp);
				put_utf8(text, cp);
				break;
			default:
				cp = 0x20 + rng_below(rng, 0x5F);
				if (cp == '"' || cp == '\\')
					cp = 'q';
				put_utf8(src, cp);
				put_utf8(text, cp);
				break;
		}
	}
	semoss_buf_appends(src, "\"");
}

/* A random number, any JSON form, sometimes beyond 64 bits. */
static void
gen_number(Rng *rng, SemossBuf *src)
{
	static const char *const signs[] = {"", "+", "-"};
	unsigned	digits;
	unsigned	i;

	if (rng_below(rng, 3) == 0)
		semoss_buf_appends(src, "-");
	if (rng_below(rng, 6) == 0)
		semoss_buf_appends(src, "0");
	else
	{
		digits = rng_below(rng, 5) == 0 ? 18 + rng_below(rng, 12) : 1 + rng_below(rng, 9);
		semoss_buf_printf(src, "%u", 1 + rng_below(rng, 9));
		for (i = 1; i < digits; i++)
			semoss_buf_printf(src, "%u", rng_below(rng, 10));
	}
	if (rng_below(rng, 3) == 0)
		semoss_buf_printf(src, ".%u", rng_below(rng, 100000));
	if (rng_below(rng, 4) == 0)
		semoss_buf_printf(src, "%s%s%u", rng_below(rng, 2) ? "e" : "E",
						  signs[rng_below(rng, 3)], rng_below(rng, 400));
}

static void gen_json(Rng *rng, SemossBuf *src, int depth);

/* A random scalar or (depth > 0) container, only its source text kept. */
static void
gen_any(Rng *rng, SemossBuf *src, int depth)
{
	SemossBuf	ignored;

	switch (rng_below(rng, depth > 0 ? 6 : 5))
	{
		case 0:
			semoss_buf_init(&ignored);
			gen_string(rng, src, &ignored);
			semoss_buf_free(&ignored);
			break;
		case 1:
			gen_number(rng, src);
			break;
		case 2:
			semoss_buf_appends(src, rng_below(rng, 2) ? "true" : "false");
			break;
		case 3:
			semoss_buf_appends(src, "null");
			break;
		default:
			if (depth > 0)
				gen_json(rng, src, depth - 1);
			else
				gen_number(rng, src);
			break;
	}
}

/* A random object or array with random whitespace inside. */
static void
gen_json(Rng *rng, SemossBuf *src, int depth)
{
	bool		object = rng_below(rng, 2) == 0;
	unsigned	n = rng_below(rng, 4);
	unsigned	i;

	semoss_buf_appends(src, object ? "{" : "[");
	for (i = 0; i < n; i++)
	{
		SemossBuf	ignored;

		gen_space(rng, src);
		if (i > 0)
		{
			semoss_buf_appends(src, ",");
			gen_space(rng, src);
		}
		if (object)
		{
			semoss_buf_init(&ignored);
			gen_string(rng, src, &ignored);
			semoss_buf_free(&ignored);
			gen_space(rng, src);
			semoss_buf_appends(src, ":");
			gen_space(rng, src);
		}
		gen_any(rng, src, depth);
	}
	gen_space(rng, src);
	semoss_buf_appends(src, object ? "}" : "]");
}

/* What a generated cell must read as. */
typedef struct ExpectedCell
{
	SemossCellKind kind;
	char	   *text;
	size_t		len;
} ExpectedCell;

/* A random cell of any kind: JSON in src, expectation in *cell. */
static void
gen_cell(Rng *rng, SemossBuf *src, ExpectedCell *cell)
{
	SemossBuf	text;
	size_t		start = src->len;

	semoss_buf_init(&text);
	cell->kind = SEMOSS_CELL_NULL;
	switch (rng_below(rng, 6))
	{
		case 0:
			cell->kind = SEMOSS_CELL_STRING;
			gen_string(rng, src, &text);
			break;
		case 1:
			cell->kind = SEMOSS_CELL_NUMBER;
			gen_number(rng, src);
			semoss_buf_append(&text, src->data + start, src->len - start);
			break;
		case 2:
			cell->kind = SEMOSS_CELL_BOOLEAN;
			semoss_buf_appends(src, rng_below(rng, 2) ? "true" : "false");
			semoss_buf_append(&text, src->data + start, src->len - start);
			break;
		case 3:
			semoss_buf_appends(src, "null");
			break;
		default:
			cell->kind = SEMOSS_CELL_JSON;
			gen_json(rng, src, 2);
			semoss_buf_append(&text, src->data + start, src->len - start);
			break;
	}
	cell->len = text.len;
	cell->text = cell->kind == SEMOSS_CELL_NULL ? NULL : semoss_buf_release(&text);
	semoss_buf_free(&text);
}

/*
 * A random Collect reply: random cells, random whitespace between all
 * tokens, data's members in random order.  *cells gets nrows * ncols
 * expectations (free with free_expected).
 */
static char *
gen_page(Rng *rng, int nrows, int ncols, size_t *len, ExpectedCell **cells)
{
	SemossBuf	b;
	SemossBuf	values;
	SemossBuf	headers;
	int			r;
	int			c;
	unsigned	order = rng_below(rng, 2);

	*cells = calloc((size_t) (nrows * ncols + 1), sizeof(ExpectedCell));
	semoss_buf_init(&values);
	semoss_buf_appends(&values, "\"values\"");
	gen_space(rng, &values);
	semoss_buf_appends(&values, ":");
	gen_space(rng, &values);
	semoss_buf_appends(&values, "[");
	for (r = 0; r < nrows; r++)
	{
		gen_space(rng, &values);
		semoss_buf_appends(&values, r ? "," : "");
		gen_space(rng, &values);
		semoss_buf_appends(&values, "[");
		for (c = 0; c < ncols; c++)
		{
			gen_space(rng, &values);
			semoss_buf_appends(&values, c ? "," : "");
			gen_space(rng, &values);
			gen_cell(rng, &values, &(*cells)[r * ncols + c]);
		}
		gen_space(rng, &values);
		semoss_buf_appends(&values, "]");
	}
	gen_space(rng, &values);
	semoss_buf_appends(&values, "]");

	semoss_buf_init(&headers);
	semoss_buf_appends(&headers, "\"headers\" : [");
	for (c = 0; c < ncols; c++)
		semoss_buf_printf(&headers, "%s\"h%d\"", c ? ", " : "", c);
	semoss_buf_appends(&headers, "]");

	semoss_buf_init(&b);
	semoss_buf_appends(&b, "{\"insightID\":\"i\", \"pixelReturn\" : [ {\"pixelId\":\"meta_unstored\",");
	gen_space(rng, &b);
	semoss_buf_appends(&b, "\"output\"");
	gen_space(rng, &b);
	semoss_buf_appends(&b, ":");
	gen_space(rng, &b);
	semoss_buf_appends(&b, "{\"data\":{");
	gen_space(rng, &b);
	semoss_buf_append(&b, order ? values.data : headers.data, order ? values.len : headers.len);
	gen_space(rng, &b);
	semoss_buf_appends(&b, ",");
	gen_space(rng, &b);
	semoss_buf_append(&b, order ? headers.data : values.data, order ? headers.len : values.len);
	gen_space(rng, &b);
	semoss_buf_appends(&b, "},\"numCollected\":5000,\"taskId\":\"task3\"},\"operationType\":[\"TASK_DATA\"]}]}");
	gen_space(rng, &b);
	semoss_buf_free(&values);
	semoss_buf_free(&headers);
	*len = b.len;
	return semoss_buf_release(&b);
}

/* Free what gen_page put in cells. */
static void
free_expected(ExpectedCell *cells, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		free(cells[i].text);
	free(cells);
}

/*
 * Generated pages: every cell reads as the generator wrote it, and as
 * json-c reads it from the same body.
 */
static void
test_generated_pages(void)
{
	Rng			rng = {0x5eed5eed12345678ULL};
	int			page_no;
	int			failures = 0;

	for (page_no = 0; page_no < 300 && failures < 5; page_no++)
	{
		int			nrows = (int) rng_below(&rng, 12);
		int			ncols = 1 + (int) rng_below(&rng, 8);
		ExpectedCell *cells;
		size_t		len;
		char	   *body = gen_page(&rng, nrows, ncols, &len, &cells);
		SemossError err;
		SemossPage *page = NULL;
		json_object *root;
		char		why[300];
		bool		ok;
		int			i;

		if (page_of(body, len, &page, &err) != SEMOSS_OK)
		{
			failures++;
			tap_check_failed(__FILE__, __LINE__, "page %d refused: %s", page_no, err.message);
		}
		else
		{
			CHECK_INT(semoss_page_nrows(page), nrows);
			CHECK_INT(semoss_page_ncols(page), ncols);
			for (i = 0; i < nrows * ncols; i++)
			{
				const char *t;
				size_t		n;
				SemossCellKind k = semoss_page_cell(page, i / ncols, i % ncols, &t, &n);

				if (k != cells[i].kind ||
					(t == NULL) != (cells[i].text == NULL) ||
					(t != NULL && (n != cells[i].len || memcmp(t, cells[i].text, n) != 0)))
				{
					if (failures++ < 5)
						tap_check_failed(__FILE__, __LINE__, "page %d cell %d: kind %d \"%s\", generated kind %d \"%s\"",
										 page_no, i, (int) k, t ? t : "(null)", (int) cells[i].kind,
										 cells[i].text ? cells[i].text : "(null)");
				}
			}
			root = oracle_json_c_parse(body, len, &ok);
			if (!ok || !oracle_page_matches(page, oracle_values(root), why, sizeof(why)))
			{
				failures++;
				tap_check_failed(__FILE__, __LINE__, "page %d: json-c %s", page_no,
								 ok ? why : "refuses the body");
			}
			json_object_put(root);
		}
		semoss_page_free(page);
		free_expected(cells, nrows * ncols);
		free(body);
	}
}

/*
 * Mutated pages (one byte replaced, inserted or deleted): the scanner
 * accepts exactly what the oracle accepts; decoding cells changes no
 * verdict except for integers beyond 64 bits in the rows; and every page
 * that comes out matches json-c's tree of the same body.
 */
static void
test_mutated_pages(void)
{
	static const char bytes[] = "\"\\[]{},:0123456789-+.eEtfnulrsaNI' \t\n\x01\x1f\x7f\x80\xbf\xc0\xc3\xe2\xed\xf0\xf4\xff";
	Rng			rng = {0xfeedfacecafebeefULL};
	int			round;
	int			failures = 0;
	int			accepted = 0;

	for (round = 0; round < 4000 && failures < 5; round++)
	{
		ExpectedCell *cells;
		size_t		len;
		int			nrows = 1 + (int) rng_below(&rng, 3);
		int			ncols = 1 + (int) rng_below(&rng, 3);
		char	   *body = gen_page(&rng, nrows, ncols, &len, &cells);
		size_t		at = rng_below(&rng, (unsigned) len);
		char		byte = bytes[rng_below(&rng, sizeof(bytes) - 1)];
		SemossError err_json;
		SemossError err_cells;
		SemossPixelResult res;
		json_object *root = NULL;
		SemossStatus st_json;
		SemossStatus st_cells;
		SemossPage *page = NULL;

		free_expected(cells, nrows * ncols);
		switch (rng_below(&rng, 3))
		{
			case 0:
				body[at] = byte;
				break;
			case 1:
				body = realloc(body, len + 2);
				memmove(body + at + 1, body + at, len - at + 1);
				body[at] = byte;
				len++;
				break;
			default:
				memmove(body + at, body + at + 1, len - at);
				len--;
				break;
		}

		st_json = semoss_json_parse(body, len, NULL, NULL, &root, &err_json);
		json_object_put(root);
		if ((st_json == SEMOSS_OK) != oracle_accepts(body, len))
		{
			failures++;
			tap_check_failed(__FILE__, __LINE__, "round %d: scanner %s (%s), oracle disagrees: %.300s",
							 round, semoss_status_name(st_json), err_json.message, body);
		}
		accepted += st_json == SEMOSS_OK;

		st_cells = semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL,
											 &res, &err_cells);
		if (st_json != SEMOSS_OK && strstr(err_json.message, "64 bits") == NULL &&
			(st_cells != st_json || strcmp(err_cells.message, err_json.message) != 0))
		{
			failures++;
			tap_check_failed(__FILE__, __LINE__, "round %d: \"%s\" without cells, \"%s\" with",
							 round, err_json.message, err_cells.message);
		}
		if (st_json == SEMOSS_OK && st_cells != SEMOSS_OK && oracle_is_json_error(&err_cells))
		{
			failures++;
			tap_check_failed(__FILE__, __LINE__, "round %d: only with cells: %s", round, err_cells.message);
		}
		if (st_cells == SEMOSS_OK &&
			semoss_page_from_result(&res, 1, &page, &err_cells) == SEMOSS_OK)
		{
			char		why[300];
			bool		ok;

			root = oracle_json_c_parse(body, len, &ok);
			if (!ok || !oracle_page_matches(page, oracle_values(root), why, sizeof(why)))
			{
				failures++;
				tap_check_failed(__FILE__, __LINE__, "round %d: json-c %s", round,
								 ok ? why : "refuses the body");
			}
			json_object_put(root);
			semoss_page_free(page);
		}
		semoss_pixel_result_free(&res);
		free(body);
	}
	/* the mutations must leave enough bodies valid to compare pages */
	CHECK(accepted > 500);
}

void
run_json_tests(void)
{
	run_test("json: RFC 8259 violations refused at the right byte, alone and in a cell", test_rejects);
	run_test("json: empty, trailing data, truncated, over the size limit", test_whole_body_errors);
	run_test("json: nesting depth limit as json-c's", test_nesting_depth);
	run_test("json: what each kind of cell decodes to", test_cell_decoding);
	run_test("json: empty pages, rows without cells, whitespace", test_page_shapes);
	run_test("json: first bad row named", test_row_shape_errors);
	run_test("json: every key order finds the values", test_key_orders);
	run_test("json: values of the target among several entries", test_several_entries);
	run_test("json: \"values\" elsewhere is not decoded", test_values_elsewhere);
	run_test("json: escaped keys compared as json-c stores them", test_escaped_keys);
	run_test("json: repeated keys: the last one wins, as in json-c", test_duplicate_keys);
	run_test("json: values kept in the tree when no page is wanted", test_values_as_json);
	run_test("json: every prefix of a page is truncated JSON", test_truncated_everywhere);
	run_test("json: interrupt checked every chunk, inside strings too", test_interrupt_spacing);
	run_test("json: generated pages match the generator and json-c", test_generated_pages);
	run_test("json: mutated pages: same verdict as the oracle, cells as json-c", test_mutated_pages);
}
