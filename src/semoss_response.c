/*-------------------------------------------------------------------------
 *
 * semoss_response.c
 *		  Response handling for the SEMOSS client: json-c trees, reply
 *		  classification, pixelReturn entries, Collect pages, error text.
 *
 * Every body is first checked by the strict scanner of semoss_json.c,
 * then turned into a json-c tree.  For Collect replies the scanner has
 * already decoded the rows into a cell table, and json-c only parses the
 * small rest of the body (the "skeleton"), so pages cost no json-c object
 * per cell.  The shape of a page is validated once, when it is built, so
 * the accessors used per cell by the FDW are plain indexed lookups.
 * Nothing here performs I/O; the unit tests feed canned bodies to these
 * functions.
 *
 * Keys are always looked up by name (SEMOSS's key order is not specified
 * and newer servers add keys), and unknown keys are ignored.
 *
 * IDENTIFICATION
 *		  src/semoss_response.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semoss_client_internal.h"

/*
 * A Collect page: the reply's skeleton tree (headers and metadata), the
 * decoded cells, and validated shortcuts.
 */
struct SemossPage
{
	json_object *root;			/* owns the json-c objects below */
	SemossCellTable *cells;		/* nrows * ncols cells, row after row */
	json_object *headers;		/* array of ncols strings */
	json_object *header_info;	/* array of ncols objects, or NULL */
	char	   *task_id;		/* public task id (see semoss_task_public_id) */
	int			nrows;
	int			ncols;
	size_t		bytes;			/* size of the JSON body */
};

/* Serialisation flags for JSON cells and outputs handed to callers. */
#define SEMOSS_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---- error text ---- */

/*
 * Copy remote or user text into dst as printable, valid UTF-8: invalid
 * bytes become '?', control characters become spaces (multiline keeps
 * newlines and tabs), and in single-line mode runs of whitespace collapse
 * to one space.  If src does not fit it is cut at a character boundary and
 * "..." is appended.  srclen SIZE_MAX means strlen(src).  Returns the
 * length written (dst is always terminated when dstsize > 0).
 */
size_t
semoss_sanitize_text(char *dst, size_t dstsize, const char *src,
					 size_t srclen, bool multiline)
{
	const unsigned char *s = (const unsigned char *) src;
	size_t		i = 0;
	size_t		o = 0;
	bool		truncated = false;
	bool		last_space = false;

	if (dstsize == 0)
		return 0;
	if (src == NULL)
		srclen = 0;
	else if (srclen == SIZE_MAX)
		srclen = strlen(src);
	while (i < srclen)
	{
		size_t		n = semoss_utf8_sequence_length(s + i, srclen - i);
		char		one = 0;

		if (n == 0)
		{
			one = '?';
			n = 1;
		}
		else if (n == 1 && (s[i] < 0x20 || s[i] == 0x7F))
		{
			if (multiline && (s[i] == '\n' || s[i] == '\t'))
				one = (char) s[i];
			else if (multiline && s[i] == '\r')
			{
				i++;
				continue;
			}
			else
				one = ' ';
		}
		if (!multiline && (one == ' ' || (n == 1 && s[i] == ' ')))
		{
			if (last_space)
			{
				i += n;
				continue;
			}
			last_space = true;
			one = ' ';
		}
		else
			last_space = false;

		if (o + n >= dstsize)
		{
			truncated = true;
			break;
		}
		if (one != 0)
			dst[o] = one;
		else
			memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	if (truncated && dstsize > 4)
	{
		/* make room for "..." without splitting a character */
		while (o + 3 >= dstsize)
		{
			o--;
			while (o > 0 && (((unsigned char) dst[o]) & 0xC0) == 0x80)
				o--;
		}
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return o;
}

/* Reset err to "no error"; err may be NULL. */
void
semoss_error_clear(SemossError *err)
{
	if (err == NULL)
		return;
	err->status = SEMOSS_OK;
	err->http_status = 0;
	err->message[0] = '\0';
	err->detail[0] = '\0';
}

/*
 * Fill err (which may be NULL) with a status and a one-line message; the
 * detail is cleared.  Returns status so callers can `return
 * semoss_error_set(...)`.
 */
SemossStatus
semoss_error_set(SemossError *err, SemossStatus status, long http_status,
				 const char *fmt,...)
{
	char		raw[sizeof(err->message)];
	va_list		ap;

	if (err == NULL)
		return status;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	err->status = status;
	err->http_status = http_status;
	semoss_sanitize_text(err->message, sizeof(err->message), raw,
						 SIZE_MAX, false);
	err->detail[0] = '\0';
	return status;
}

/* Set err's detail from remote text (len SIZE_MAX = NUL-terminated). */
void
semoss_error_set_detail(SemossError *err, const char *text, size_t len,
						bool multiline)
{
	if (err == NULL)
		return;
	semoss_sanitize_text(err->detail, sizeof(err->detail), text, len,
						 multiline);
}

/* Put context in front of err's message: "<context>: <message>". */
void
semoss_error_prefix(SemossError *err, const char *fmt,...)
{
	char		prefix[256];
	char		combined[sizeof(err->message) + sizeof(prefix) + 2];
	va_list		ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(combined, sizeof(combined), "%s: %s", prefix, err->message);
	semoss_sanitize_text(err->message, sizeof(err->message), combined,
						 SIZE_MAX, false);
}

/* ---- JSON parsing ---- */

/*
 * Build the json-c tree of text that semoss_json_scan has accepted (json-c
 * accepts all of it, being less strict).  The text goes to json-c in
 * chunks of SEMOSS_PARSE_CHUNK bytes with interrupt_check called in
 * between, so a cancel also stops the parse of a huge body.
 */
static SemossStatus
json_tree(const char *text, size_t len, SemossInterruptCheck interrupt_check,
		  void *interrupt_arg, json_object **result, SemossError *err)
{
	struct json_tokener *tok;
	json_object *obj = NULL;
	enum json_tokener_error jerr = json_tokener_continue;
	size_t		pos = 0;

	*result = NULL;
	tok = json_tokener_new_ex(SEMOSS_JSON_MAX_DEPTH);
	if (tok == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
								"out of memory creating a JSON parser");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	while (pos < len && jerr == json_tokener_continue)
	{
		size_t		chunk = len - pos < SEMOSS_PARSE_CHUNK ? len - pos : SEMOSS_PARSE_CHUNK;

		if (pos > 0 && interrupt_check != NULL && interrupt_check(interrupt_arg))
		{
			json_tokener_free(tok);
			return semoss_error_set(err, SEMOSS_ERR_CANCELLED, 0,
									"request cancelled while parsing the response");
		}
		obj = json_tokener_parse_ex(tok, text + pos, (int) chunk);
		jerr = json_tokener_get_error(tok);
		pos += chunk;
	}
	if (jerr == json_tokener_continue)
	{
		/* a top-level number needs a terminator */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success)
	{
		json_object_put(obj);
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 0,
								"json-c rejected the response after the scan: %s",
								json_tokener_error_desc(jerr));
	}
	*result = obj;
	return SEMOSS_OK;
}

/*
 * Parse a whole response body as one JSON value: the strict scan of
 * semoss_json_scan (errors name the byte offset), then its json-c tree.
 */
SemossStatus
semoss_json_parse(const char *body, size_t len,
				  SemossInterruptCheck interrupt_check, void *interrupt_arg,
				  json_object **result, SemossError *err)
{
	SemossJsonScan scan;
	SemossStatus st;

	*result = NULL;
	st = semoss_json_scan(body, len, false, interrupt_check, interrupt_arg,
						  &scan, err);
	semoss_json_scan_free(&scan);
	if (st != SEMOSS_OK)
		return st;
	return json_tree(body, len, interrupt_check, interrupt_arg, result, err);
}

/* JSON text of obj (NULL = JSON null) as a new string; NULL on OOM. */
char *
semoss_json_text(json_object *obj)
{
	if (obj == NULL)
		return strdup("null");
	return strdup(json_object_to_json_string_ext(obj, SEMOSS_JSON_FLAGS));
}

/* Name of a json-c type, for error messages. */
static const char *
json_kind(json_object *obj)
{
	return obj == NULL ? "null" : json_type_to_name(json_object_get_type(obj));
}

/* ---- HTTP replies ---- */

/*
 * Value of the string member `key` of a small JSON object body, or NULL
 * (not JSON, not an object, no such string member).  Malloc'd.
 */
static char *
small_body_string_field(const char *body, size_t len, const char *key)
{
	json_object *root;
	json_object *value;
	char	   *result = NULL;

	if (body == NULL || len == 0 || len > 65536)
		return NULL;
	if (semoss_json_parse(body, len, NULL, NULL, &root, NULL) != SEMOSS_OK)
		return NULL;
	if (json_object_is_type(root, json_type_object) &&
		json_object_object_get_ex(root, key, &value) &&
		json_object_is_type(value, json_type_string))
		result = strdup(json_object_get_string(value));
	json_object_put(root);
	return result;
}

/*
 * Decide what a reply to runPixel means (semoss-protocol.md §2.3, §2.4,
 * §3.1): 302 and 401 "User session is invalid" mean the HTTP session is
 * gone; 403 with X-CSRF-Token: Required wants a new CSRF token; 400 with
 * errorType INSIGHT_NOT_FOUND means our insight vanished.
 */
SemossReplyClass
semoss_classify_reply(long http_status, const char *csrf_header,
					  const char *body, size_t len)
{
	SemossReplyClass result = SEMOSS_REPLY_HTTP_ERROR;
	char	   *field;

	switch (http_status)
	{
		case 200:
			return SEMOSS_REPLY_OK;
		case 302:
			return SEMOSS_REPLY_RELOGIN;
		case 401:
			field = small_body_string_field(body, len, "errorMessage");
			if (field != NULL && strstr(field, "User session is invalid") != NULL)
				result = SEMOSS_REPLY_RELOGIN;
			free(field);
			return result;
		case 403:
			if (csrf_header != NULL && strcasecmp(csrf_header, "Required") == 0)
				return SEMOSS_REPLY_CSRF;
			return result;
		case 400:
			field = small_body_string_field(body, len, "errorType");
			if (field != NULL && strcmp(field, "INSIGHT_NOT_FOUND") == 0)
				result = SEMOSS_REPLY_INSIGHT_LOST;
			free(field);
			return result;
		default:
			return result;
	}
}

/*
 * Describe an unexpected HTTP status: the message names the request, the
 * detail holds the Location (for redirects) and the first
 * SEMOSS_BODY_EXCERPT_LEN bytes of the body as printable text.
 */
void
semoss_http_error(SemossError *err, long http_status, const char *what,
				  const char *location, const char *body, size_t len)
{
	char		excerpt[SEMOSS_BODY_EXCERPT_LEN + 8];
	char		loc[256];
	size_t		n = len < SEMOSS_BODY_EXCERPT_LEN ? len : SEMOSS_BODY_EXCERPT_LEN;

	semoss_error_set(err, SEMOSS_ERR_HTTP, http_status,
					 "SEMOSS answered %s with HTTP status %ld", what, http_status);
	if (err == NULL)
		return;
	semoss_sanitize_text(excerpt, sizeof(excerpt), body, body ? n : 0, false);
	if (n < len && strlen(excerpt) + 3 < sizeof(excerpt))
		strcat(excerpt, "...");
	if (location != NULL)
	{
		semoss_sanitize_text(loc, sizeof(loc), location, SIZE_MAX, false);
		snprintf(err->detail, sizeof(err->detail), "redirect to %s; body: %s",
				 loc, excerpt[0] ? excerpt : "(empty)");
	}
	else
		snprintf(err->detail, sizeof(err->detail), "body: %s",
				 excerpt[0] ? excerpt : "(empty)");
}

/* ---- pixelReturn ---- */

/* Free what a SemossPixelResult owns and clear it. */
void
semoss_pixel_result_free(SemossPixelResult *result)
{
	if (result->root != NULL)
		json_object_put(result->root);
	semoss_cell_table_free(result->cells);
	memset(result, 0, sizeof(*result));
}

/*
 * Check an operationType value (array of strings; a bare string is
 * tolerated) and report whether it contains `wanted`.  Returns false and
 * sets *ok = false if the value has the wrong type.
 */
static bool
optype_contains(json_object *optype, const char *wanted, bool *ok)
{
	size_t		i;
	size_t		n;

	*ok = true;
	if (json_object_is_type(optype, json_type_string))
		return strcmp(json_object_get_string(optype), wanted) == 0;
	if (!json_object_is_type(optype, json_type_array))
	{
		*ok = false;
		return false;
	}
	n = json_object_array_length(optype);
	for (i = 0; i < n; i++)
	{
		json_object *item = json_object_array_get_idx(optype, i);

		if (!json_object_is_type(item, json_type_string))
		{
			*ok = false;
			return false;
		}
		if (strcmp(json_object_get_string(item), wanted) == 0)
			return true;
	}
	return false;
}

/* Fill a SEMOSS_ERR_PIXEL error from a failed pixelReturn entry. */
static SemossStatus
pixel_error(SemossError *err, json_object *optype, json_object *output)
{
	bool		ok;
	char	   *text;

	if (optype_contains(optype, "INVALID_SYNTAX", &ok))
		semoss_error_set(err, SEMOSS_ERR_PIXEL, 200,
						 "SEMOSS could not parse the pixel (INVALID_SYNTAX)");
	else
		semoss_error_set(err, SEMOSS_ERR_PIXEL, 200,
						 "SEMOSS reported an error");
	if (json_object_is_type(output, json_type_string))
		semoss_error_set_detail(err, json_object_get_string(output),
								(size_t) json_object_get_string_len(output),
								true);
	else
	{
		text = semoss_json_text(output);
		if (text != NULL)
			semoss_error_set_detail(err, text, SIZE_MAX, true);
		free(text);
	}
	return SEMOSS_ERR_PIXEL;
}

/*
 * Interpret the JSON of a 200 runPixel reply (semoss-protocol.md §3.2).
 * Takes ownership of root in all cases.  The target entry is the last
 * pixelReturn entry whose pixelId is not thread_execution_*; the first
 * nremovals routines were piggybacked RemoveTask calls, and if the target
 * is one of them our own pixel never ran (removals_blocked).  A target
 * whose operationType contains "ERROR" gives SEMOSS_ERR_PIXEL, with the
 * result still filled in.
 */
SemossStatus
semoss_pixel_result_from_json(json_object *root, int nremovals,
							  SemossPixelResult *result, SemossError *err)
{
	json_object *value;
	json_object *returns;
	json_object *optype;
	size_t		n;
	size_t		i;
	int			count = 0;
	bool		ok;

	memset(result, 0, sizeof(*result));
	result->root = root;
	if (!json_object_is_type(root, json_type_object))
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"runPixel reply is a JSON %s, not an object",
								json_kind(root));
	if (json_object_object_get_ex(root, "insightID", &value) && value != NULL)
	{
		if (!json_object_is_type(value, json_type_string))
			return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
									"runPixel reply: insightID is a JSON %s, not a string",
									json_kind(value));
		if (json_object_get_string_len(value) > 0)
			result->insight_id = json_object_get_string(value);
	}
	if (!json_object_object_get_ex(root, "pixelReturn", &returns) ||
		!json_object_is_type(returns, json_type_array))
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"runPixel reply has no pixelReturn array");
	n = json_object_array_length(returns);
	for (i = 0; i < n; i++)
	{
		json_object *entry = json_object_array_get_idx(returns, i);
		json_object *pid;

		if (!json_object_is_type(entry, json_type_object))
			return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
									"runPixel reply: pixelReturn[%zu] is a JSON %s, not an object",
									i, json_kind(entry));
		if (json_object_object_get_ex(entry, "pixelId", &pid) && pid != NULL)
		{
			if (!json_object_is_type(pid, json_type_string))
				return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
										"runPixel reply: pixelReturn[%zu].pixelId is not a string",
										i);
			if (strncmp(json_object_get_string(pid), "thread_execution", 16) == 0)
				continue;
		}
		result->target = entry;
		result->target_entry = i;
		result->target_index = count;
		count++;
	}
	result->nroutines = count;
	if (result->target == NULL)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"runPixel reply holds no routine result (%zu pixelReturn entries)",
								n);
	if (nremovals > 0 && result->target_index < nremovals)
	{
		result->removals_blocked = true;
		return SEMOSS_OK;
	}
	if (!json_object_object_get_ex(result->target, "operationType", &optype) ||
		optype == NULL)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"runPixel reply: the routine result has no operationType");
	if (!json_object_object_get_ex(result->target, "output", &result->output))
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"runPixel reply: the routine result has no output");
	if (optype_contains(optype, "ERROR", &ok))
		return pixel_error(err, optype, result->output);
	if (!ok)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"runPixel reply: operationType is not an array of strings");
	return SEMOSS_OK;
}

/*
 * Parse a 200 runPixel body and interpret it (see
 * semoss_pixel_result_from_json).  With SEMOSS_VALUES_AS_CELLS the values
 * arrays of Collect outputs are decoded by the scanner and only the
 * skeleton of the body becomes a json-c tree; the target entry's table is
 * kept in result->cells.  result->root is set whenever JSON was parsed, so
 * the caller always calls semoss_pixel_result_free.
 */
SemossStatus
semoss_pixel_result_parse(const char *body, size_t len, int nremovals,
						  SemossValuesHandling values,
						  SemossInterruptCheck interrupt_check,
						  void *interrupt_arg, SemossPixelResult *result,
						  SemossError *err)
{
	SemossJsonScan scan;
	json_object *root;
	SemossStatus st;

	memset(result, 0, sizeof(*result));
	st = semoss_json_scan(body, len, values == SEMOSS_VALUES_AS_CELLS,
						  interrupt_check, interrupt_arg, &scan, err);
	if (st == SEMOSS_OK)
	{
		if (scan.skeleton != NULL)
			st = json_tree(scan.skeleton, scan.skeleton_len, interrupt_check,
						   interrupt_arg, &root, err);
		else
			st = json_tree(body, len, interrupt_check, interrupt_arg, &root, err);
	}
	if (st != SEMOSS_OK)
	{
		semoss_json_scan_free(&scan);
		if (err != NULL && st == SEMOSS_ERR_PROTOCOL)
		{
			err->http_status = 200;
			semoss_error_set_detail(err, body,
									len < SEMOSS_BODY_EXCERPT_LEN ? len : SEMOSS_BODY_EXCERPT_LEN,
									false);
		}
		return st;
	}
	st = semoss_pixel_result_from_json(root, nremovals, result, err);
	if (result->target != NULL && result->target_entry < scan.ntables)
	{
		result->cells = scan.tables[result->target_entry];
		scan.tables[result->target_entry] = NULL;
	}
	semoss_json_scan_free(&scan);
	result->body_bytes = len;
	return st;
}

/* ---- Collect pages ---- */

/* Member `key` of obj if it is of type `type`, else NULL. */
static json_object *
member_of_type(json_object *obj, const char *key, enum json_type type)
{
	json_object *value;

	if (!json_object_object_get_ex(obj, key, &value) ||
		!json_object_is_type(value, type))
		return NULL;
	return value;
}

/*
 * Check that every row of the table is an array of ncols cells, and name
 * the first one that is not: row 0 if it is unlike the headers, else the
 * first row unlike row 0.
 */
static SemossStatus
check_rows(const SemossCellTable *cells, size_t ncols, SemossError *err)
{
	size_t		row = cells->odd_row;
	size_t		width = cells->odd_row_width;
	const char *type = cells->odd_row_type;

	if (cells->nrows == 0)
		return SEMOSS_OK;
	if (row != 0 && cells->row_width != ncols)
	{
		row = 0;
		width = cells->row_width;
		type = NULL;
	}
	else if (row == SIZE_MAX)
		return SEMOSS_OK;
	if (type != NULL)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output: row %zu is a JSON %s, not an array",
								row, type);
	return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
							"Collect output: row %zu has %zu cells but there are %zu headers",
							row, width, ncols);
}

/*
 * Build a page from the output of a Collect (semoss-protocol.md §5.2),
 * validating the whole shape now: data.values is an array of arrays that
 * all have as many cells as data.headers has strings, and taskId is a
 * string.  The rows are those the scanner decoded into result->cells
 * (semoss_pixel_result_parse with SEMOSS_VALUES_AS_CELLS); the tree shows
 * an empty array in their place.  headerInfo is optional; it is used for
 * data types only when it has one object per column.  On success the page
 * takes result->root and result->cells.
 */
SemossStatus
semoss_page_from_result(SemossPixelResult *result, unsigned generation,
						SemossPage **page, SemossError *err)
{
	json_object *output = result->output;
	SemossCellTable *cells = result->cells;
	json_object *data;
	json_object *headers;
	json_object *info;
	json_object *task;
	size_t		nrows;
	size_t		ncols;
	size_t		i;
	SemossStatus st;
	SemossPage *p;

	*page = NULL;
	if (!json_object_is_type(output, json_type_object))
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output is a JSON %s, not an object",
								json_kind(output));
	if ((data = member_of_type(output, "data", json_type_object)) == NULL)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output has no \"data\" object");
	if (member_of_type(data, "values", json_type_array) == NULL || cells == NULL)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output has no data.values array");
	if ((headers = member_of_type(data, "headers", json_type_array)) == NULL)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output has no data.headers array");
	if ((task = member_of_type(output, "taskId", json_type_string)) == NULL)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output has no taskId string");
	if (!semoss_identifier_is_safe(json_object_get_string(task)))
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output has an unusable taskId");

	ncols = json_object_array_length(headers);
	nrows = cells->nrows;
	if (ncols > INT_MAX || nrows > INT_MAX)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"Collect output is too large (%zu rows, %zu columns)",
								nrows, ncols);
	for (i = 0; i < ncols; i++)
	{
		json_object *h = json_object_array_get_idx(headers, i);

		if (!json_object_is_type(h, json_type_string))
			return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
									"Collect output: data.headers[%zu] is a JSON %s, not a string",
									i, json_kind(h));
	}
	if ((st = check_rows(cells, ncols, err)) != SEMOSS_OK)
		return st;
	info = member_of_type(output, "headerInfo", json_type_array);
	if (info != NULL && json_object_array_length(info) != ncols)
		info = NULL;
	for (i = 0; info != NULL && i < ncols; i++)
	{
		if (!json_object_is_type(json_object_array_get_idx(info, i),
								 json_type_object))
			info = NULL;
	}

	p = calloc(1, sizeof(SemossPage));
	if (p == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
								"out of memory creating a page");
	p->task_id = semoss_task_public_id(json_object_get_string(task), generation);
	if (p->task_id == NULL)
	{
		free(p);
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
								"out of memory creating a page");
	}
	p->root = result->root;
	p->cells = cells;
	p->headers = headers;
	p->header_info = info;
	p->nrows = (int) nrows;
	p->ncols = (int) ncols;
	p->bytes = result->body_bytes;
	result->root = NULL;
	result->cells = NULL;
	*page = p;
	return SEMOSS_OK;
}

/* Number of rows in the page (0 for NULL). */
int
semoss_page_nrows(const SemossPage *page)
{
	return page ? page->nrows : 0;
}

/* Number of columns (headers) in the page (0 for NULL). */
int
semoss_page_ncols(const SemossPage *page)
{
	return page ? page->ncols : 0;
}

/* The task id to pass to semoss_task_collect for the next page. */
const char *
semoss_page_task_id(const SemossPage *page)
{
	return page ? page->task_id : NULL;
}

/* Column label (ResultSetMetaData.getColumnLabel), NULL if out of range. */
const char *
semoss_page_header(const SemossPage *page, int col)
{
	if (page == NULL || col < 0 || col >= page->ncols)
		return NULL;
	return json_object_get_string(json_object_array_get_idx(page->headers,
															(size_t) col));
}

/*
 * SEMOSS data type of a column from headerInfo[col].dataType (INT, DOUBLE,
 * STRING, ...), or NULL when the reply did not say.
 */
const char *
semoss_page_data_type(const SemossPage *page, int col)
{
	json_object *info;
	json_object *type;

	if (page == NULL || page->header_info == NULL || col < 0 ||
		col >= page->ncols)
		return NULL;
	info = json_object_array_get_idx(page->header_info, (size_t) col);
	if (!json_object_object_get_ex(info, "dataType", &type) ||
		!json_object_is_type(type, json_type_string))
		return NULL;
	return json_object_get_string(type);
}

/* Size of the JSON body the page was parsed from. */
size_t
semoss_page_bytes(const SemossPage *page)
{
	return page ? page->bytes : 0;
}

/*
 * One cell, as the scanner decoded it: strings unescaped (len counts any
 * embedded NUL), numbers as the exact text SEMOSS sent, booleans as
 * "true"/"false", objects and arrays as the exact JSON text SEMOSS sent.
 * Out-of-range positions read as NULL.
 */
SemossCellKind
semoss_page_cell(const SemossPage *page, int row, int col, const char **text,
				 size_t *len)
{
	const SemossCell *cell;

	*text = NULL;
	*len = 0;
	if (page == NULL || row < 0 || row >= page->nrows || col < 0 ||
		col >= page->ncols)
		return SEMOSS_CELL_NULL;
	cell = &page->cells->cells[(size_t) row * (size_t) page->ncols + (size_t) col];
	if (cell->kind != SEMOSS_CELL_NULL)
	{
		*text = page->cells->text + cell->offset;
		*len = cell->len;
	}
	return cell->kind;
}

/* Free a page: its skeleton tree, its cells and its task id. */
void
semoss_page_free(SemossPage *page)
{
	if (page == NULL)
		return;
	json_object_put(page->root);
	semoss_cell_table_free(page->cells);
	free(page->task_id);
	free(page);
}

/* ---- metadata reactors: MyEngines, GetDatabaseTableStructure ---- */

/* The first of keys[] (NULL-terminated) that obj has as a non-empty string. */
static const char *
first_string_member(json_object *obj, const char *const *keys)
{
	json_object *value;

	for (; *keys != NULL; keys++)
	{
		if (json_object_object_get_ex(obj, *keys, &value) &&
			json_object_is_type(value, json_type_string) &&
			json_object_get_string_len(value) > 0)
			return json_object_get_string(value);
	}
	return NULL;
}

/* strdup() that passes NULL through; sets *oom when memory runs out. */
static char *
dup_or_null(const char *s, bool *oom)
{
	char	   *copy;

	if (s == NULL)
		return NULL;
	copy = strdup(s);
	if (copy == NULL)
		*oom = true;
	return copy;
}

/*
 * The user's permission on an engine as a word: SEMOSS sends its
 * AccessPermissionEnum code (1 owner, 2 edit, 3 read-only) in
 * user_permission, or group_permission when access comes from a group;
 * text values are kept as they are.  NULL when there is none.
 */
static char *
engine_permission(json_object *engine, bool *oom)
{
	static const char *const keys[] = {"user_permission", "permission",
	"group_permission", NULL};
	const char *const *key;
	json_object *value;
	char		number[32];

	for (key = keys; *key != NULL; key++)
	{
		if (!json_object_object_get_ex(engine, *key, &value) || value == NULL)
			continue;
		if (json_object_is_type(value, json_type_int))
		{
			int64_t		code = json_object_get_int64(value);

			if (code == 1)
				return dup_or_null("owner", oom);
			if (code == 2)
				return dup_or_null("edit", oom);
			if (code == 3)
				return dup_or_null("view", oom);
			snprintf(number, sizeof(number), "%lld", (long long) code);
			return dup_or_null(number, oom);
		}
		if (json_object_is_type(value, json_type_string) &&
			json_object_get_string_len(value) > 0)
			return dup_or_null(json_object_get_string(value), oom);
	}
	return NULL;
}

/* Free what semoss_parse_engine_list / semoss_list_engines returned. */
void
semoss_engines_free(SemossEngineInfo *engines, int nengines)
{
	int			i;

	if (engines == NULL)
		return;
	for (i = 0; i < nengines; i++)
	{
		free(engines[i].id);
		free(engines[i].name);
		free(engines[i].type);
		free(engines[i].subtype);
		free(engines[i].permission);
		free(engines[i].description);
	}
	free(engines);
}

/*
 * Interpret the output of MyEngines / GetDatabaseList: an array of maps
 * with the legacy app_* and database_* keys and, on newer servers, the
 * engine_* keys too (semoss-protocol.md §8).  The id is read as
 * engine_id || database_id || app_id; maps without one are skipped.
 */
SemossStatus
semoss_parse_engine_list(json_object *output, SemossEngineInfo **engines,
						 int *nengines, SemossError *err)
{
	static const char *const id_keys[] = {"engine_id", "database_id", "app_id", NULL};
	static const char *const name_keys[] = {"engine_name", "database_name",
	"app_name", "engine_display_name", NULL};
	static const char *const type_keys[] = {"engine_type", "database_type", "app_type", NULL};
	static const char *const subtype_keys[] = {"engine_subtype", "database_subtype",
	"app_subtype", NULL};
	static const char *const description_keys[] = {"description", NULL};
	SemossEngineInfo *result;
	size_t		n;
	size_t		i;
	int			count = 0;
	bool		oom = false;

	*engines = NULL;
	*nengines = 0;
	if (!json_object_is_type(output, json_type_array))
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"the list of engines is a JSON %s, not an array",
								json_kind(output));
	n = json_object_array_length(output);
	result = calloc(n > 0 ? n : 1, sizeof(SemossEngineInfo));
	if (result == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	for (i = 0; i < n && !oom; i++)
	{
		json_object *engine = json_object_array_get_idx(output, i);
		SemossEngineInfo *info = &result[count];
		const char *id;

		if (!json_object_is_type(engine, json_type_object))
		{
			semoss_engines_free(result, count);
			return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
									"engine list entry %zu is a JSON %s, not an object",
									i, json_kind(engine));
		}
		id = first_string_member(engine, id_keys);
		if (id == NULL)
			continue;
		count++;
		info->id = dup_or_null(id, &oom);
		info->name = dup_or_null(first_string_member(engine, name_keys), &oom);
		info->type = dup_or_null(first_string_member(engine, type_keys), &oom);
		info->subtype = dup_or_null(first_string_member(engine, subtype_keys), &oom);
		info->permission = engine_permission(engine, &oom);
		info->description = dup_or_null(first_string_member(engine, description_keys),
										&oom);
	}
	if (oom)
	{
		semoss_engines_free(result, count);
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	}
	*engines = result;
	*nengines = count;
	return SEMOSS_OK;
}

/* Free what semoss_parse_table_structure / semoss_table_structure returned. */
void
semoss_columns_free(SemossColumnInfo *columns, int ncolumns)
{
	int			i;

	if (columns == NULL)
		return;
	for (i = 0; i < ncolumns; i++)
	{
		free(columns[i].table);
		free(columns[i].column);
		free(columns[i].type);
		free(columns[i].data_type);
		free(columns[i].physical_type);
	}
	free(columns);
}

/*
 * Element idx of a structure row if it is a non-empty string, else NULL.
 */
static const char *
row_string(json_object *row, size_t idx)
{
	json_object *value;

	if (idx >= json_object_array_length(row))
		return NULL;
	value = json_object_array_get_idx(row, idx);
	if (!json_object_is_type(value, json_type_string) ||
		json_object_get_string_len(value) == 0)
		return NULL;
	return json_object_get_string(value);
}

/*
 * The string stored under "<table>__<column>" in map `map` of a
 * GetDatabaseMetamodel output (dataTypes, physicalTypes), or NULL.
 */
static const char *
metamodel_entry(json_object *metamodel, const char *map, const char *table,
				const char *column, bool *oom)
{
	json_object *types;
	json_object *value;
	size_t		len;
	char	   *key;
	bool		found;

	if (metamodel == NULL ||
		!json_object_object_get_ex(metamodel, map, &types) ||
		!json_object_is_type(types, json_type_object))
		return NULL;
	len = strlen(table) + strlen(column) + 3;
	key = malloc(len);
	if (key == NULL)
	{
		*oom = true;
		return NULL;
	}
	snprintf(key, len, "%s__%s", table, column);
	found = json_object_object_get_ex(types, key, &value);
	free(key);
	if (!found || !json_object_is_type(value, json_type_string) ||
		json_object_get_string_len(value) == 0)
		return NULL;
	return json_object_get_string(value);
}

/*
 * Interpret GetDatabaseTableStructure's output, rows of
 * [table, column, type, pk, physicalColumn, physicalTable] (the first two
 * are SEMOSS's "pixel" names, the last two the physical ones, which the
 * SQL needs; pk is not a primary-key flag and is ignored), refined with
 * the dataTypes and physicalTypes maps of a GetDatabaseMetamodel output
 * (keyed "<table>__<column>" by pixel names) when metamodel is not NULL.
 */
SemossStatus
semoss_parse_table_structure(json_object *structure, json_object *metamodel,
							 SemossColumnInfo **columns, int *ncolumns,
							 SemossError *err)
{
	SemossColumnInfo *result;
	size_t		n;
	size_t		i;
	bool		oom = false;

	*columns = NULL;
	*ncolumns = 0;
	if (!json_object_is_type(structure, json_type_array))
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"the table structure is a JSON %s, not an array",
								json_kind(structure));
	if (metamodel != NULL && !json_object_is_type(metamodel, json_type_object))
		metamodel = NULL;
	n = json_object_array_length(structure);
	if (n > INT_MAX)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
								"the table structure has too many columns");
	result = calloc(n > 0 ? n : 1, sizeof(SemossColumnInfo));
	if (result == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	for (i = 0; i < n && !oom; i++)
	{
		json_object *row = json_object_array_get_idx(structure, i);
		const char *table;
		const char *column;
		const char *type;
		const char *physical_table;
		const char *physical_column;

		if (!json_object_is_type(row, json_type_array) ||
			(table = row_string(row, 0)) == NULL ||
			(column = row_string(row, 1)) == NULL ||
			(type = row_string(row, 2)) == NULL)
		{
			semoss_columns_free(result, (int) i);
			return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 200,
									"table structure row %zu is not [table, column, type, ...]",
									i);
		}
		physical_column = row_string(row, 4);
		physical_table = row_string(row, 5);
		result[i].table = dup_or_null(physical_table ? physical_table : table, &oom);
		result[i].column = dup_or_null(physical_column ? physical_column : column, &oom);
		result[i].type = dup_or_null(type, &oom);
		result[i].data_type =
			dup_or_null(metamodel_entry(metamodel, "dataTypes", table, column, &oom),
						&oom);
		result[i].physical_type =
			dup_or_null(metamodel_entry(metamodel, "physicalTypes", table, column, &oom),
						&oom);
	}
	if (oom)
	{
		semoss_columns_free(result, (int) n);
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0, "out of memory");
	}
	*columns = result;
	*ncolumns = (int) n;
	return SEMOSS_OK;
}
