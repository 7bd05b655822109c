/*-------------------------------------------------------------------------
 *
 * semoss_pixel.c
 *		  Text building for the SEMOSS client: buffers, encoders, pixels.
 *
 * Everything here is a pure function of its arguments (no I/O, no global
 * state), so it is unit tested directly by test/client/.
 *
 * Pixel strings are built from three kinds of material:
 *	- fixed reactor text written here;
 *	- engine and task ids, which go between double quotes as-is and are
 *	  therefore checked by semoss_identifier_is_safe();
 *	- SQL, which always travels through semoss_encode_sql_argument() so no
 *	  character of it can end the string literal or the routine.
 *
 * IDENTIFICATION
 *		  src/semoss_pixel.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semoss_client_internal.h"

/* ---- growable buffer ---- */

/* Initialise an empty buffer (no allocation until the first append). */
void
semoss_buf_init(SemossBuf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->oom = false;
}

/*
 * Make room for `extra` more bytes plus the terminating NUL.  Grows by
 * doubling so appending n bytes costs O(n) overall; on failure the buffer
 * keeps its contents and becomes sticky-OOM.
 */
bool
semoss_buf_reserve(SemossBuf *buf, size_t extra)
{
	size_t		need;
	size_t		newcap;
	char	   *p;

	if (buf->oom)
		return false;
	if (extra > SIZE_MAX - buf->len - 1)
	{
		buf->oom = true;
		return false;
	}
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return true;
	newcap = buf->cap ? buf->cap : 256;
	while (newcap < need)
	{
		if (newcap > SIZE_MAX / 2)
		{
			newcap = need;
			break;
		}
		newcap *= 2;
	}
	p = realloc(buf->data, newcap);
	if (p == NULL)
	{
		buf->oom = true;
		return false;
	}
	buf->data = p;
	buf->cap = newcap;
	return true;
}

/* Append len bytes (which may contain NULs); keeps the text terminated. */
bool
semoss_buf_append(SemossBuf *buf, const char *data, size_t len)
{
	if (!semoss_buf_reserve(buf, len))
		return false;
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return true;
}

/* Append a NUL-terminated string. */
bool
semoss_buf_appends(SemossBuf *buf, const char *str)
{
	return semoss_buf_append(buf, str, strlen(str));
}

/* Append printf-formatted text. */
bool
semoss_buf_printf(SemossBuf *buf, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (buf->oom)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
	{
		buf->oom = true;
		return false;
	}
	if (!semoss_buf_reserve(buf, (size_t) n))
		return false;
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t) n;
	return true;
}

/*
 * Hand the text over to the caller (who frees it).  Returns NULL if any
 * append failed; an empty buffer yields "".
 */
char *
semoss_buf_release(SemossBuf *buf)
{
	char	   *result;

	if (buf->oom)
	{
		semoss_buf_free(buf);
		return NULL;
	}
	if (buf->data == NULL && !semoss_buf_reserve(buf, 0))
		return NULL;
	if (buf->len == 0)
		buf->data[0] = '\0';
	result = buf->data;
	semoss_buf_init(buf);
	return result;
}

/* Free the buffer's memory and leave it empty. */
void
semoss_buf_free(SemossBuf *buf)
{
	free(buf->data);
	semoss_buf_init(buf);
}

/* Like semoss_buf_free, but zero the bytes first (request bodies, keys). */
void
semoss_buf_free_wiped(SemossBuf *buf)
{
	if (buf->data != NULL)
		explicit_bzero(buf->data, buf->cap);
	semoss_buf_free(buf);
}

/* ---- encoders ---- */

/*
 * True for the bytes java.net.URLEncoder leaves alone: A-Z a-z 0-9 and
 * the four punctuation characters . - * _
 */
static bool
is_urlencoder_safe(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') ||
		c == '.' || c == '-' || c == '*' || c == '_';
}

/*
 * Append URLEncoder.encode(text, "UTF-8") with every '+' replaced by
 * "%20": safe bytes are copied, everything else (space included) becomes
 * %XX with upper-case hex.  Bytes are taken as they are, so valid UTF-8
 * input gives exactly Java's output.
 */
bool
semoss_url_encode_append(SemossBuf *buf, const char *text, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		i;
	char	   *out;

	/* worst case every byte becomes three */
	if (len > (SIZE_MAX - 1) / 3 || !semoss_buf_reserve(buf, len * 3))
	{
		buf->oom = true;
		return false;
	}
	out = buf->data + buf->len;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (is_urlencoder_safe(c))
			*out++ = (char) c;
		else
		{
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 0x0F];
		}
	}
	*out = '\0';
	buf->len = (size_t) (out - buf->data);
	return true;
}

/* Public wrapper: the encoded text as a new string, NULL on OOM. */
char *
semoss_url_encode(const char *text)
{
	SemossBuf	buf;

	if (text == NULL)
		return NULL;
	semoss_buf_init(&buf);
	semoss_url_encode_append(&buf, text, strlen(text));
	return semoss_buf_release(&buf);
}

/*
 * Case-insensitive substring test; the needles are short ASCII tags, so
 * the quadratic worst case is irrelevant.
 */
static bool
contains_ci(const char *haystack, const char *needle)
{
	size_t		n = strlen(needle);
	const char *p;

	for (p = haystack; *p; p++)
	{
		if (*p == '<' && strncasecmp(p, needle, n) == 0)
			return true;
	}
	return false;
}

/*
 * True if text contains a tag that SEMOSS's PixelPreProcessor rewrites
 * before lexing: <encode>, </encode>, <sEncode>, </sEncode>, <e>, </e>.
 * Matched case-insensitively, which is stricter than SEMOSS needs.
 */
bool
semoss_contains_preprocessor_tag(const char *text)
{
	static const char *const tags[] = {
		"<encode>", "</encode>", "<sencode>", "</sencode>", "<e>", "</e>"
	};
	size_t		i;

	if (strchr(text, '<') == NULL)
		return false;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
	{
		if (contains_ci(text, tags[i]))
			return true;
	}
	return false;
}

/*
 * The body of the Query("...") string literal for sql.  Normally the SQL
 * is wrapped in <encode>...</encode>, which the pre-processor turns into
 * its URL encoding; if the SQL itself contains one of the tags the
 * pre-processor acts on, the wrapping would be cut short, so we produce
 * the URL encoding ourselves.  QueryReactor URL-decodes its argument in
 * both cases, so the engine receives sql unchanged.
 */
char *
semoss_encode_sql_argument(const char *sql)
{
	SemossBuf	buf;

	if (sql == NULL)
		return NULL;
	if (semoss_contains_preprocessor_tag(sql))
		return semoss_url_encode(sql);
	semoss_buf_init(&buf);
	semoss_buf_appends(&buf, "<encode>");
	semoss_buf_appends(&buf, sql);
	semoss_buf_appends(&buf, "</encode>");
	return semoss_buf_release(&buf);
}

/*
 * Plain RFC 4648 base64 of len bytes, for the Basic credentials.  The
 * result holds a secret: callers wipe it before freeing.
 */
char *
semoss_base64_encode(const char *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *in = (const unsigned char *) data;
	char	   *out;
	char	   *p;
	size_t		i;

	if (len > (SIZE_MAX / 4) * 3 - 3)
		return NULL;
	out = malloc(((len + 2) / 3) * 4 + 1);
	if (out == NULL)
		return NULL;
	p = out;
	for (i = 0; i + 2 < len; i += 3)
	{
		*p++ = alphabet[in[i] >> 2];
		*p++ = alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
		*p++ = alphabet[((in[i + 1] & 0x0F) << 2) | (in[i + 2] >> 6)];
		*p++ = alphabet[in[i + 2] & 0x3F];
	}
	if (i < len)
	{
		*p++ = alphabet[in[i] >> 2];
		if (i + 1 < len)
		{
			*p++ = alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
			*p++ = alphabet[(in[i + 1] & 0x0F) << 2];
		}
		else
		{
			*p++ = alphabet[(in[i] & 0x03) << 4];
			*p++ = '=';
		}
		*p++ = '=';
	}
	*p = '\0';
	return out;
}

/*
 * The application/x-www-form-urlencoded body of a runPixel request.  The
 * URLEncoder-style encoding is valid form encoding (%20 decodes to a
 * space just like '+').
 */
char *
semoss_form_body(const char *expression, const char *insight_id)
{
	SemossBuf	buf;

	semoss_buf_init(&buf);
	semoss_buf_appends(&buf, "expression=");
	semoss_url_encode_append(&buf, expression, strlen(expression));
	semoss_buf_appends(&buf, "&insightId=");
	semoss_url_encode_append(&buf, insight_id, strlen(insight_id));
	return semoss_buf_release(&buf);
}

/* ---- identifiers and task ids ---- */

/*
 * An id may be placed between the double quotes of a pixel string when it
 * cannot end the string (", \), cannot open a pre-processor tag (<, >)
 * and holds no control character.  Non-empty, at most 200 bytes.
 */
bool
semoss_identifier_is_safe(const char *id)
{
	size_t		n;

	if (id == NULL || id[0] == '\0')
		return false;
	for (n = 0; id[n] != '\0'; n++)
	{
		unsigned char c = (unsigned char) id[n];

		if (n >= SEMOSS_MAX_IDENTIFIER_LEN)
			return false;
		if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' ||
			c == '<' || c == '>')
			return false;
	}
	return true;
}

/*
 * If id ends in "@<digits>" (no leading zero, fits in unsigned), return
 * the position of the '@' and store the number; else return NULL.
 */
static const char *
find_generation_suffix(const char *id, unsigned *generation)
{
	const char *at = strrchr(id, '@');
	const char *p;
	unsigned long value = 0;

	if (at == NULL || at == id || at[1] == '\0' || at[1] == '0')
		return NULL;
	for (p = at + 1; *p; p++)
	{
		if (*p < '0' || *p > '9')
			return NULL;
		value = value * 10 + (unsigned long) (*p - '0');
		if (value > UINT_MAX)
			return NULL;
	}
	*generation = (unsigned) value;
	return at;
}

/*
 * The task id given to the FDW for SEMOSS task semoss_id created in
 * insight generation `generation`: the SEMOSS id itself in generation 1
 * (unless it could be mistaken for a qualified id), else "id@generation".
 */
char *
semoss_task_public_id(const char *semoss_id, unsigned generation)
{
	SemossBuf	buf;
	unsigned	dummy;

	semoss_buf_init(&buf);
	semoss_buf_appends(&buf, semoss_id);
	if (generation != 1 || find_generation_suffix(semoss_id, &dummy) != NULL)
		semoss_buf_printf(&buf, "@%u", generation);
	return semoss_buf_release(&buf);
}

/*
 * Inverse of semoss_task_public_id: returns the SEMOSS id (malloc'd, NULL
 * on OOM) and stores the generation the task belongs to.
 */
char *
semoss_task_parse_public_id(const char *public_id, unsigned *generation)
{
	const char *at = find_generation_suffix(public_id, generation);
	size_t		n;
	char	   *result;

	if (at == NULL)
	{
		*generation = 1;
		return strdup(public_id);
	}
	n = (size_t) (at - public_id);
	result = malloc(n + 1);
	if (result == NULL)
		return NULL;
	memcpy(result, public_id, n);
	result[n] = '\0';
	return result;
}

/* ---- pixel builders ---- */

/* Fill err for an id that may not go into a pixel string. */
static SemossStatus
bad_identifier(SemossError *err, const char *what, const char *id)
{
	char		shown[64];

	if (id == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								"%s must not be NULL", what);
	if (id[0] == '\0')
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								"%s must not be empty", what);
	semoss_sanitize_text(shown, sizeof(shown), id, strlen(id), false);
	semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
					 "%s \"%s\" cannot be used in a pixel", what, shown);
	semoss_error_set_detail(err,
							"Identifiers must be 1 to 200 bytes long and may not contain "
							"double quotes, backslashes, angle brackets or control characters.",
							SIZE_MAX, false);
	return SEMOSS_ERR_INVALID_ARGUMENT;
}

/* Check a Collect limit: -1 (all rows) or 0 .. INT_MAX (a Java int). */
static SemossStatus
check_limit(long limit, SemossError *err)
{
	if (limit < -1 || limit > INT_MAX)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								"row limit %ld is out of range (-1 or 0 to %d)",
								limit, INT_MAX);
	return SEMOSS_OK;
}

/* Return the built pixel, or SEMOSS_ERR_OUT_OF_MEMORY. */
static SemossStatus
finish_pixel(SemossBuf *buf, char **pixel, SemossError *err)
{
	*pixel = semoss_buf_release(buf);
	if (*pixel == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
								"out of memory building a pixel");
	return SEMOSS_OK;
}

/*
 * Append `Database(database=["<id>"]) | Query("<arg>")` (shared by the
 * read and the write pixel).
 */
static SemossStatus
append_database_query(SemossBuf *buf, const char *engine_id, const char *sql,
					  SemossError *err)
{
	char	   *arg;

	if (!semoss_identifier_is_safe(engine_id))
		return bad_identifier(err, "engine id", engine_id);
	if (sql == NULL)
		return semoss_error_set(err, SEMOSS_ERR_INVALID_ARGUMENT, 0,
								"SQL text must not be NULL");
	arg = semoss_encode_sql_argument(sql);
	if (arg == NULL)
		return semoss_error_set(err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
								"out of memory encoding the SQL text");
	semoss_buf_appends(buf, "META | Database(database=[\"");
	semoss_buf_appends(buf, engine_id);
	semoss_buf_appends(buf, "\"]) | Query(\"");
	semoss_buf_appends(buf, arg);
	semoss_buf_appends(buf, "\")");
	free(arg);
	return SEMOSS_OK;
}

/*
 * META | Database(database=["<id>"]) | Query("<arg>") | Collect(<n>);
 * Runs sql and returns its first n rows (-1 = all) as a task.
 */
SemossStatus
semoss_build_query_pixel(const char *engine_id, const char *sql, long limit,
						 char **pixel, SemossError *err)
{
	SemossBuf	buf;
	SemossStatus st;

	*pixel = NULL;
	if ((st = check_limit(limit, err)) != SEMOSS_OK)
		return st;
	semoss_buf_init(&buf);
	if ((st = append_database_query(&buf, engine_id, sql, err)) != SEMOSS_OK)
	{
		semoss_buf_free(&buf);
		return st;
	}
	semoss_buf_printf(&buf, " | Collect(%ld);", limit);
	return finish_pixel(&buf, pixel, err);
}

/* META | Task("<taskId>") | Collect(<n>);  -- the next page of a task. */
SemossStatus
semoss_build_collect_pixel(const char *task_id, long limit, char **pixel,
						   SemossError *err)
{
	SemossBuf	buf;
	SemossStatus st;

	*pixel = NULL;
	if (!semoss_identifier_is_safe(task_id))
		return bad_identifier(err, "task id", task_id);
	if ((st = check_limit(limit, err)) != SEMOSS_OK)
		return st;
	semoss_buf_init(&buf);
	semoss_buf_printf(&buf, "META | Task(\"%s\") | Collect(%ld);",
					  task_id, limit);
	return finish_pixel(&buf, pixel, err);
}

/* META | RemoveTask("<taskId>", true);  -- close the task's cursor now. */
SemossStatus
semoss_build_remove_task_pixel(const char *task_id, char **pixel,
							   SemossError *err)
{
	SemossBuf	buf;

	*pixel = NULL;
	if (!semoss_identifier_is_safe(task_id))
		return bad_identifier(err, "task id", task_id);
	semoss_buf_init(&buf);
	semoss_buf_printf(&buf, "META | RemoveTask(\"%s\", true);", task_id);
	return finish_pixel(&buf, pixel, err);
}

/*
 * META | Database(database=["<id>"]) | Query("<arg>") | ExecQuery(commit=[true]);
 * Runs a statement whose result is discarded (DML, DDL).
 */
SemossStatus
semoss_build_exec_pixel(const char *engine_id, const char *sql, char **pixel,
						SemossError *err)
{
	SemossBuf	buf;
	SemossStatus st;

	*pixel = NULL;
	semoss_buf_init(&buf);
	if ((st = append_database_query(&buf, engine_id, sql, err)) != SEMOSS_OK)
	{
		semoss_buf_free(&buf);
		return st;
	}
	semoss_buf_appends(&buf, " | ExecQuery(commit=[true]);");
	return finish_pixel(&buf, pixel, err);
}

/* META | DropInsight();  -- sent with the insight's id on close. */
char *
semoss_build_drop_insight_pixel(void)
{
	return strdup("META | DropInsight();");
}

/*
 * The expression actually sent: the queued RemoveTask routines first,
 * then the caller's pixel, separated by spaces.  NULL on OOM.
 */
char *
semoss_build_expression(char *const *removals, int nremovals, const char *pixel)
{
	SemossBuf	buf;
	int			i;

	semoss_buf_init(&buf);
	for (i = 0; i < nremovals; i++)
	{
		semoss_buf_printf(&buf, "META | RemoveTask(\"%s\", true); ",
						  removals[i]);
	}
	semoss_buf_appends(&buf, pixel);
	return semoss_buf_release(&buf);
}

/*
 * META | <reactor>(database=["<id>"]<extra_args>);  -- a metadata reactor
 * about one engine (GetDatabaseTableStructure, GetDatabaseMetamodel).
 * extra_args, when not NULL, is caller-built pixel text such as
 * ", options=[\"datatypes\"]"; the engine id is checked like every id.
 */
SemossStatus
semoss_build_engine_pixel(const char *reactor, const char *engine_id,
						  const char *extra_args, char **pixel,
						  SemossError *err)
{
	SemossBuf	buf;

	*pixel = NULL;
	if (!semoss_identifier_is_safe(engine_id))
		return bad_identifier(err, "engine id", engine_id);
	semoss_buf_init(&buf);
	semoss_buf_printf(&buf, "META | %s(database=[\"%s\"]%s);", reactor,
					  engine_id, extra_args != NULL ? extra_args : "");
	return finish_pixel(&buf, pixel, err);
}
