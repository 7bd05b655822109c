/*-------------------------------------------------------------------------
 *
 * fuzz_response.c
 *		  libFuzzer harness for the SEMOSS client's response handling.
 *
 * Everything a SEMOSS server (or anything pretending to be one) sends back
 * goes through the functions fuzzed here before the FDW sees it: reply
 * classification (302/401/403/400 INSIGHT_NOT_FOUND), the HTTP error
 * excerpt, JSON parsing, pixelReturn interpretation, Collect page
 * validation and the per-cell accessors, and the sanitising of remote text
 * for error messages.
 *
 * Input: an optional first line "@<status> <nremovals> <csrf>\n" (csrf is
 * the X-CSRF-Token response header, "-" for none), then the body.  Without
 * that line the status is 200, no removals were piggybacked and there is no
 * CSRF header.  The seed corpus in corpus/ holds real emulator replies in
 * this form (see capture_corpus.py).
 *
 * Besides crashes and sanitizer reports, the harness aborts when a contract
 * of the code under test is broken: error text that is not printable UTF-8,
 * a page whose cells do not match its shape, a task id that does not round
 * trip.  It also compares the client's JSON scanner (src/semoss_json.c)
 * with json-c through test/client/json_oracle.c: both must accept the same
 * bodies (json-c narrowed to RFC 8259, see there), decoding a page's cells
 * must change no verdict but that on integers beyond 64 bits in the rows,
 * and every cell must read as in json-c's tree of the same body.
 *
 * IDENTIFICATION
 *		  test/fuzz/fuzz_response.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_oracle.h"
#include "semoss_client_internal.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with a message: libFuzzer saves the input as a crash artifact. */
static void contract_broken(const char *what, const char *text) __attribute__((noreturn));

static void
contract_broken(const char *what, const char *text)
{
	fprintf(stderr, "contract broken: %s: \"%.200s\"\n", what, text ? text : "(null)");
	abort();
}

/*
 * Error text handed to the FDW must be NUL-terminated within its buffer,
 * valid UTF-8, and free of control characters (newlines and tabs allowed
 * only where multiline text is permitted).
 */
static void
check_printable(const char *what, const char *text, size_t bufsize,
				bool multiline)
{
	const unsigned char *s = (const unsigned char *) text;
	size_t		len = strnlen(text, bufsize);
	size_t		i = 0;

	if (len == bufsize)
		contract_broken("text not terminated", what);
	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		size_t		k;

		if (c < 0x80)
		{
			if ((c < 0x20 || c == 0x7F) && !(multiline && (c == '\n' || c == '\t')))
				contract_broken(what, text);
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4;
		else
			contract_broken(what, text);
		if (i + n > len)
			contract_broken(what, text);
		for (k = 1; k < n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				contract_broken(what, text);
		}
		i += n;
	}
}

/* Check both parts of a SemossError after a failure. */
static void
check_error(const SemossError *err)
{
	check_printable("error message", err->message, sizeof(err->message), false);
	check_printable("error detail", err->detail, sizeof(err->detail), true);
}

/*
 * Read the optional "@status nremovals csrf\n" line.  Returns the offset
 * of the body.
 */
static size_t
parse_header(const uint8_t *data, size_t size, long *status, int *nremovals,
			 char *csrf, size_t csrfsize)
{
	char		line[128];
	const uint8_t *nl;
	size_t		n;
	char		token[64];

	*status = 200;
	*nremovals = 0;
	csrf[0] = '\0';
	if (size == 0 || data[0] != '@')
		return 0;
	nl = memchr(data, '\n', size < sizeof(line) ? size : sizeof(line));
	if (nl == NULL)
		return 0;
	n = (size_t) (nl - data);
	memcpy(line, data + 1, n - 1);
	line[n - 1] = '\0';
	token[0] = '\0';
	if (sscanf(line, "%ld %d %63s", status, nremovals, token) < 1)
		*status = 200;
	if (*status < 0 || *status > 999)
		*status = 200;
	if (*nremovals < 0 || *nremovals > 8)
		*nremovals = 0;
	if (strcmp(token, "-") != 0)
		snprintf(csrf, csrfsize, "%s", token);
	return n + 1;
}

/* Read every part of a valid page, checking that the shape holds. */
static void
walk_page(const SemossPage *page, unsigned generation)
{
	int			nrows = semoss_page_nrows(page);
	int			ncols = semoss_page_ncols(page);
	const char *task = semoss_page_task_id(page);
	unsigned	parsed_generation = 0;
	char	   *semoss_id;
	int			r;
	int			c;

	if (nrows < 0 || ncols < 0 || task == NULL)
		contract_broken("page shape", task);
	semoss_id = semoss_task_parse_public_id(task, &parsed_generation);
	if (semoss_id == NULL || parsed_generation != generation ||
		!semoss_identifier_is_safe(semoss_id))
		contract_broken("task id round trip", task);
	free(semoss_id);

	for (c = 0; c < ncols; c++)
	{
		if (semoss_page_header(page, c) == NULL)
			contract_broken("missing header", task);
		(void) semoss_page_data_type(page, c);
	}
	if (semoss_page_header(page, ncols) != NULL ||
		semoss_page_header(page, -1) != NULL)
		contract_broken("header out of range", task);

	for (r = 0; r < nrows; r++)
	{
		for (c = 0; c < ncols; c++)
		{
			const char *text;
			size_t		len;
			SemossCellKind kind = semoss_page_cell(page, r, c, &text, &len);

			if (kind == SEMOSS_CELL_NULL)
			{
				if (text != NULL)
					contract_broken("null cell with text", task);
				continue;
			}
			if (text == NULL || text[len] != '\0')
				contract_broken("cell text not terminated", task);
			if (kind == SEMOSS_CELL_BOOLEAN &&
				strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
				contract_broken("boolean cell", text);
		}
	}
	{
		const char *text;
		size_t		len;

		if (semoss_page_cell(page, nrows, 0, &text, &len) != SEMOSS_CELL_NULL ||
			semoss_page_cell(page, 0, ncols, &text, &len) != SEMOSS_CELL_NULL)
			contract_broken("cell out of range", task);
	}
	(void) semoss_page_bytes(page);
}

/* The runPixel path: parse, interpret, and turn into a page. */
static void
fuzz_pixel_reply(const char *body, size_t len, int nremovals,
				 unsigned generation)
{
	SemossPixelResult res;
	SemossError err;
	SemossStatus st;
	SemossPage *page = NULL;

	semoss_error_clear(&err);
	st = semoss_pixel_result_parse(body, len, nremovals, SEMOSS_VALUES_AS_CELLS,
								   NULL, NULL, &res, &err);
	if (st != SEMOSS_OK)
		check_error(&err);
	if (res.root != NULL && st == SEMOSS_OK && !res.removals_blocked)
	{
		char	   *text = semoss_json_text(res.output);

		free(text);
		semoss_error_clear(&err);
		st = semoss_page_from_result(&res, generation, &page, &err);
		if (st == SEMOSS_OK)
		{
			if (page == NULL || res.root != NULL)
				contract_broken("page ownership", NULL);
			walk_page(page, generation);
			semoss_page_free(page);
		}
		else
		{
			if (page != NULL)
				contract_broken("page on failure", NULL);
			check_error(&err);
		}
	}
	semoss_pixel_result_free(&res);
}

/*
 * The scanner against the oracle: the same verdict on the body; the same
 * error with cells decoded (except that integers beyond 64 bits are fine
 * in the rows); json-c's cells in every page.
 */
static void
fuzz_json_verdicts(const char *body, size_t len)
{
	SemossError err_json;
	SemossError err_cells;
	SemossPixelResult res;
	SemossPage *page = NULL;
	json_object *root = NULL;
	SemossStatus st_json;
	SemossStatus st_cells;
	char		why[300];
	bool		ok;

	st_json = semoss_json_parse(body, len, NULL, NULL, &root, &err_json);
	json_object_put(root);
	if ((st_json == SEMOSS_OK) != oracle_accepts(body, len))
		contract_broken("scanner and json-c disagree on the body",
						st_json == SEMOSS_OK ? "accepted" : err_json.message);
	st_cells = semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS,
										 NULL, NULL, &res, &err_cells);
	if (st_json != SEMOSS_OK && strstr(err_json.message, "64 bits") == NULL &&
		(st_cells != st_json || strcmp(err_cells.message, err_json.message) != 0))
		contract_broken("decoding cells changed the error", err_cells.message);
	if (st_json == SEMOSS_OK && st_cells != SEMOSS_OK && oracle_is_json_error(&err_cells))
		contract_broken("decoding cells refused valid JSON", err_cells.message);
	if (st_cells == SEMOSS_OK && !res.removals_blocked &&
		semoss_page_from_result(&res, 1, &page, &err_cells) == SEMOSS_OK)
	{
		root = oracle_json_c_parse(body, len, &ok);
		if (!ok || !oracle_page_matches(page, oracle_values(root), why, sizeof(why)))
			contract_broken("page cells differ from json-c's", ok ? why : "json-c refused");
		json_object_put(root);
		semoss_page_free(page);
	}
	semoss_pixel_result_free(&res);
}

/* Sanitising into buffers of awkward sizes, single and multi line. */
static void
fuzz_sanitize(const char *body, size_t len)
{
	static const size_t sizes[] = {1, 2, 4, 5, 17, 64};
	char		out[64];
	size_t		i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		size_t		n = semoss_sanitize_text(out, sizes[i], body, len, false);

		if (n >= sizes[i] || out[n] != '\0')
			contract_broken("sanitize length", out);
		check_printable("sanitized text", out, sizes[i], false);
		n = semoss_sanitize_text(out, sizes[i], body, len, true);
		if (n >= sizes[i] || out[n] != '\0')
			contract_broken("sanitize length", out);
		check_printable("sanitized text", out, sizes[i], true);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long		status;
	int			nremovals;
	char		csrf[64];
	size_t		offset = parse_header(data, size, &status, &nremovals,
									  csrf, sizeof(csrf));
	size_t		len = size - offset;
	char	   *body;
	SemossError err;
	SemossReplyClass cls;

	/* exactly len bytes, no terminator: reads past the end are caught */
	body = malloc(len ? len : 1);
	if (body == NULL)
		return 0;
	memcpy(body, data + offset, len);

	cls = semoss_classify_reply(status, csrf[0] ? csrf : NULL, body, len);

	semoss_error_clear(&err);
	semoss_http_error(&err, status, "POST /engine/runPixel",
					  csrf[0] ? csrf : NULL, body, len);
	check_error(&err);

	fuzz_sanitize(body, len);

	if (cls == SEMOSS_REPLY_OK || status == 200)
	{
		fuzz_pixel_reply(body, len, nremovals, 1);
		fuzz_pixel_reply(body, len, nremovals, 3);
		fuzz_json_verdicts(body, len);
	}
	free(body);
	return 0;
}
