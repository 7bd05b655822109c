/*-------------------------------------------------------------------------
 *
 * semoss_json.c
 *		  Strict JSON scanner for SEMOSS response bodies, and the cell tables
 *		  it decodes Collect pages into.
 *
 * Every body the client parses is first scanned here, once, byte by byte.
 * The scan accepts RFC 8259 JSON only: no comments, single quotes, trailing
 * commas, NaN or Infinity; numbers without leading zeros, "+" or a bare
 * "."; only the escapes JSON defines, with \u surrogates correctly paired;
 * no raw control character inside a string; well-formed UTF-8 (no overlong
 * forms, no encoded surrogates, nothing above U+10FFFF); at most
 * SEMOSS_JSON_MAX_DEPTH levels of nesting, counted as json-c counts them;
 * nothing but whitespace after the value.  That is stricter than json-c's
 * own strict mode, so json-c never rejects what passes here.  Integer
 * literals json-c would clamp (beyond 64 bits) are refused, except inside
 * captured values arrays (below), whose cells keep their source text.
 *
 * The rows of a Collect page make up nearly all of a large reply, and a
 * json-c tree costs a malloc'd object per cell.  So when asked to, the scan
 * decodes the array at pixelReturn[i].output.data.values (followed by key,
 * whatever the key order) straight into a SemossCellTable: one text arena
 * holding every cell's text, plus one small entry per cell.  The rest of
 * the body, a few hundred bytes, is copied into a "skeleton" in which each
 * such array reads [], and json-c parses the skeleton, so the code that
 * interprets replies keeps working on json-c trees.
 *
 * Keys are compared the way json-c stores them: unescaped, and cut at the
 * first NUL.  When a key repeats, json-c keeps the last value; the tables
 * follow the same rule, a values array decoded for pixelReturn entry i
 * replacing any decoded before for i.  So when json-c's tree shows an array
 * at pixelReturn[i].output.data.values, the table of entry i is that
 * array: any values array coming after it in the body would belong to a
 * later duplicate of one of the keys on its path, and json-c would show
 * that one.
 *
 * The interrupt callback is called about every SEMOSS_PARSE_CHUNK bytes, so
 * a cancel also stops the scan of a huge body.
 *
 * IDENTIFICATION
 *		  src/semoss_json.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "semoss_client_internal.h"

/* Where a value sits relative to pixelReturn[i].output.data.values. */
typedef enum JsonPath
{
	PATH_NONE,					/* anywhere else */
	PATH_ROOT,					/* the top-level value */
	PATH_RETURNS,				/* root.pixelReturn */
	PATH_ENTRY,					/* root.pixelReturn[i] */
	PATH_OUTPUT,				/* root.pixelReturn[i].output */
	PATH_DATA,					/* root.pixelReturn[i].output.data */
	PATH_VALUES					/* root.pixelReturn[i].output.data.values */
} JsonPath;

/* What the elements of the array being scanned are. */
typedef enum ArrayContent
{
	ARRAY_OF_VALUES,			/* plain JSON values */
	ARRAY_OF_ENTRIES,			/* the entries of pixelReturn */
	ARRAY_OF_ROWS,				/* the rows of a captured values array */
	ARRAY_OF_CELLS				/* the cells of one such row */
} ArrayContent;

/* Outcome of checking one UTF-8 sequence. */
typedef enum Utf8Check
{
	UTF8_VALID,
	UTF8_INVALID,
	UTF8_CUT					/* a valid start, but the text ends inside it */
} Utf8Check;

/* The state of one scan of a body. */
typedef struct JsonScanner
{
	const char *body;
	size_t		len;
	size_t		pos;			/* next byte to look at */
	size_t		stop;			/* when pos reaches this, check interrupts */
	SemossInterruptCheck interrupt_check;
	void	   *interrupt_arg;
	SemossError *err;
	SemossStatus status;		/* the first error, or SEMOSS_OK */
	bool		in_values;		/* inside a captured values array */
	size_t		entry;			/* index of the pixelReturn entry scanned */
	SemossCellTable *table;		/* the table being filled */
	SemossJsonScan *result;
	SemossBuf	skeleton;		/* body without the captured arrays */
	size_t		copied;			/* body bytes before this are in skeleton */
	SemossBuf	key;			/* scratch for unescaping keys */
} JsonScanner;

/*
 * Bytes that stand for themselves inside a JSON string: printable ASCII
 * except '"' and '\\'.  Control characters must be escaped; bytes from
 * 0x80 up start UTF-8 sequences and are checked one sequence at a time.
 */
static const unsigned char plain_string_byte[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Initial sizes of a table's arrays; both grow by doubling. */
#define CELLS_INITIAL		1024
#define TEXT_INITIAL		8192

/* ---- UTF-8 ---- */

/*
 * Check the UTF-8 sequence at s (avail bytes readable).  Overlong forms,
 * UTF-16 surrogates and code points above U+10FFFF are invalid.  A valid
 * beginning that runs past avail is reported as cut, so a body truncated
 * inside a character reads as truncated rather than as bad UTF-8.
 */
static Utf8Check
utf8_check(const unsigned char *s, size_t avail, size_t *length)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	size_t		n;
	size_t		i;

	if (c < 0x80)
		n = 1;
	else if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return UTF8_INVALID;
	for (i = 1; i < n; i++)
	{
		if (i >= avail)
			return UTF8_CUT;
		if (s[i] < lo || s[i] > hi)
			return UTF8_INVALID;
		lo = 0x80;
		hi = 0xBF;
	}
	*length = n;
	return UTF8_VALID;
}

/*
 * Length of the valid UTF-8 sequence at s (at most avail bytes), or 0 if
 * the bytes there are not valid UTF-8 or are cut off.  Used by the error
 * text sanitiser, which must agree with the scanner on what is valid.
 */
size_t
semoss_utf8_sequence_length(const unsigned char *s, size_t avail)
{
	size_t		n;

	return utf8_check(s, avail, &n) == UTF8_VALID ? n : 0;
}

/* Append code point cp to dst as UTF-8; returns the bytes written. */
static size_t
utf8_encode(uint32_t cp, char *dst)
{
	unsigned char *d = (unsigned char *) dst;

	if (cp < 0x80)
	{
		d[0] = (unsigned char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		d[0] = (unsigned char) (0xC0 | (cp >> 6));
		d[1] = (unsigned char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		d[0] = (unsigned char) (0xE0 | (cp >> 12));
		d[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		d[2] = (unsigned char) (0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (unsigned char) (0xF0 | (cp >> 18));
	d[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
	d[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
	d[3] = (unsigned char) (0x80 | (cp & 0x3F));
	return 4;
}

/* ---- string escapes ---- */

/* Value of a hex digit, or -1. */
static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The UTF-16 code unit of four hex digits already known to be valid. */
static uint32_t
hex4(const char *s)
{
	return (uint32_t) ((hex_digit(s[0]) << 12) | (hex_digit(s[1]) << 8) |
					   (hex_digit(s[2]) << 4) | hex_digit(s[3]));
}

/*
 * Decode the inside of a JSON string that the scanner has checked (known
 * escapes only, surrogates paired) into dst, which has room for srclen
 * bytes: no escape decodes to more bytes than it is written with.
 * Returns the decoded length; \u0000 decodes to a NUL byte.
 */
static size_t
unescape_string(const char *src, size_t srclen, char *dst)
{
	size_t		i = 0;
	size_t		o = 0;

	while (i < srclen)
	{
		const char *backslash = memchr(src + i, '\\', srclen - i);
		size_t		run = backslash ? (size_t) (backslash - (src + i)) : srclen - i;
		uint32_t	cp;

		memcpy(dst + o, src + i, run);
		o += run;
		i += run;
		if (i == srclen)
			break;
		switch (src[i + 1])
		{
			case 'b':
				dst[o++] = '\b';
				break;
			case 'f':
				dst[o++] = '\f';
				break;
			case 'n':
				dst[o++] = '\n';
				break;
			case 'r':
				dst[o++] = '\r';
				break;
			case 't':
				dst[o++] = '\t';
				break;
			case 'u':
				cp = hex4(src + i + 2);
				if (cp >= 0xD800 && cp <= 0xDBFF)
				{
					cp = 0x10000 + ((cp - 0xD800) << 10) +
						(hex4(src + i + 8) - 0xDC00);
					i += 6;
				}
				o += utf8_encode(cp, dst + o);
				i += 4;
				break;
			default:			/* '"', '\\' and '/' stand for themselves */
				dst[o++] = src[i + 1];
				break;
		}
		i += 2;
	}
	return o;
}

/* ---- errors ---- */

/* Record a syntax error at byte `at`; returns false for the caller. */
static bool
syntax_error(JsonScanner *s, size_t at, const char *reason)
{
	if (s->status == SEMOSS_OK)
		s->status = semoss_error_set(s->err, SEMOSS_ERR_PROTOCOL, 0,
									 "invalid JSON at byte %zu of %zu: %s",
									 at, s->len, reason);
	return false;
}

/*
 * The body ended inside a value.  Also reached when reading stopped after
 * an error or a cancel (next_window refused to go on); that error stays.
 */
static bool
truncated(JsonScanner *s)
{
	if (s->status == SEMOSS_OK)
		s->status = semoss_error_set(s->err, SEMOSS_ERR_PROTOCOL, 0,
									 "truncated JSON: the response ended after %zu bytes in the middle of a value",
									 s->len);
	return false;
}

/* Record an allocation failure; returns false for the caller. */
static bool
out_of_memory(JsonScanner *s)
{
	if (s->status == SEMOSS_OK)
		s->status = semoss_error_set(s->err, SEMOSS_ERR_OUT_OF_MEMORY, 0,
									 "out of memory scanning the response");
	return false;
}

/* ---- reading ---- */

/*
 * Called when pos has reached stop: false at the end of the body, after an
 * error, or if interrupt_check asks to stop (then the error is set);
 * otherwise moves stop about SEMOSS_PARSE_CHUNK bytes further.
 */
static bool
next_window(JsonScanner *s)
{
	if (s->pos >= s->len || s->status != SEMOSS_OK)
		return false;
	if (s->interrupt_check != NULL && s->interrupt_check(s->interrupt_arg))
	{
		s->status = semoss_error_set(s->err, SEMOSS_ERR_CANCELLED, 0,
									 "request cancelled while parsing the response");
		return false;
	}
	s->stop = s->len - s->pos > SEMOSS_PARSE_CHUNK ?
		s->pos + SEMOSS_PARSE_CHUNK : s->len;
	return true;
}

/*
 * Skip JSON whitespace and return the next byte without consuming it, or
 * -1 at the end of the body (or after a cancel).
 */
static inline int
next_token(JsonScanner *s)
{
	for (;;)
	{
		while (s->pos < s->stop)
		{
			unsigned char c = (unsigned char) s->body[s->pos];

			if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
				return c;
			s->pos++;
		}
		if (!next_window(s))
			return -1;
	}
}

/* Skip ASCII digits; returns how many there were. */
static size_t
skip_digits(JsonScanner *s)
{
	size_t		start = s->pos;

	for (;;)
	{
		while (s->pos < s->stop &&
			   s->body[s->pos] >= '0' && s->body[s->pos] <= '9')
			s->pos++;
		if (s->pos < s->stop || !next_window(s))
			return s->pos - start;
	}
}

/*
 * The byte at pos, or -1 at the end of the body (or after a cancel),
 * without skipping whitespace.
 */
static int
peek_byte(JsonScanner *s)
{
	if (s->pos >= s->stop && !next_window(s))
		return -1;
	return (unsigned char) s->body[s->pos];
}

/* ---- scalars ---- */

/*
 * Check the escape sequence at pos (a backslash) and return its length in
 * *length: 2, 6 for \uXXXX, 12 for a surrogate pair.
 */
static bool
check_escape(JsonScanner *s, size_t pos, size_t *length)
{
	const char *b = s->body;
	size_t		avail = s->len - pos;
	size_t		i;
	uint32_t	unit;

	if (avail < 2)
		return truncated(s);
	switch (b[pos + 1])
	{
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			*length = 2;
			return true;
		case 'u':
			break;
		default:
			return syntax_error(s, pos + 1, "invalid string sequence");
	}
	for (i = 2; i < 6; i++)
	{
		if (i >= avail)
			return truncated(s);
		if (hex_digit(b[pos + i]) < 0)
			return syntax_error(s, pos + i, "invalid string sequence");
	}
	unit = hex4(b + pos + 2);
	*length = 6;
	if (unit >= 0xDC00 && unit <= 0xDFFF)
		return syntax_error(s, pos, "unpaired UTF-16 surrogate in a \\u escape");
	if (unit < 0xD800 || unit > 0xDBFF)
		return true;

	/* a high surrogate: a \u escape of a low one must follow at once */
	for (i = 6; i < 12; i++)
	{
		if (i >= avail)
			return truncated(s);
		if (i == 6 && b[pos + i] != '\\')
			break;
		if (i == 7 && b[pos + i] != 'u')
			break;
		if (i >= 8 && hex_digit(b[pos + i]) < 0)
			return syntax_error(s, pos + i, "invalid string sequence");
	}
	if (i < 12)
		return syntax_error(s, pos, "unpaired UTF-16 surrogate in a \\u escape");
	unit = hex4(b + pos + 8);
	if (unit < 0xDC00 || unit > 0xDFFF)
		return syntax_error(s, pos, "unpaired UTF-16 surrogate in a \\u escape");
	*length = 12;
	return true;
}

/*
 * Scan a string (pos at its opening quote).  On success pos is past the
 * closing quote, body[*start, *end) is the text between the quotes and
 * *escaped tells whether it holds escapes.
 */
static bool
scan_string(JsonScanner *s, size_t *start, size_t *end, bool *escaped)
{
	const unsigned char *b = (const unsigned char *) s->body;
	size_t		quote = s->pos;
	size_t		pos = quote + 1;

	*escaped = false;
	for (;;)
	{
		unsigned char c;
		size_t		length = 1;

		while (pos < s->stop && plain_string_byte[b[pos]])
			pos++;
		if (pos >= s->stop)
		{
			s->pos = pos;
			if (!next_window(s))
				return truncated(s);
			continue;
		}
		c = b[pos];
		if (c == '"')
			break;
		if (c == '\\')
		{
			if (!check_escape(s, pos, &length))
				return false;
			*escaped = true;
		}
		else if (c < 0x20)
			return syntax_error(s, pos, "unescaped control character in a string");
		else
		{
			switch (utf8_check(b + pos, s->len - pos, &length))
			{
				case UTF8_VALID:
					break;
				case UTF8_INVALID:
					return syntax_error(s, pos, "invalid utf-8 string");
				case UTF8_CUT:
					return truncated(s);
			}
		}
		pos += length;
	}
	*start = quote + 1;
	*end = pos;
	s->pos = pos + 1;
	return true;
}

/*
 * True if the integer with these decimal digits (no leading zero) and
 * sign lies outside [-2^63, 2^64 - 1], where json-c would clamp it.
 */
static bool
integer_exceeds_64_bits(const char *digits, size_t ndigits, bool negative)
{
	const char *limit = negative ? "9223372036854775808" : "18446744073709551615";
	size_t		limitlen = strlen(limit);

	if (ndigits != limitlen)
		return ndigits > limitlen;
	return memcmp(digits, limit, limitlen) > 0;
}

/*
 * After a '.', 'e' or exponent sign: at least one digit must follow.
 */
static bool
require_digits(JsonScanner *s)
{
	if (skip_digits(s) > 0)
		return true;
	if (peek_byte(s) < 0)
		return truncated(s);
	return syntax_error(s, s->pos, "number expected");
}

/*
 * Scan a number (pos at '-' or a digit): -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?  A digit, '.', sign or exponent right after it means
 * a malformed number (a leading zero, a second point, ...).  *integer
 * tells whether it had no fraction and no exponent.  Integers beyond 64
 * bits are refused outside captured values.
 */
static bool
scan_number(JsonScanner *s, bool *integer)
{
	const char *b = s->body;
	bool		negative = (b[s->pos] == '-');
	size_t		digits_start;
	size_t		ndigits;
	int			c;

	if (negative)
		s->pos++;
	digits_start = s->pos;
	c = peek_byte(s);
	if (c < 0)
		return truncated(s);
	if (c == '0')
	{
		s->pos++;
		ndigits = 1;
	}
	else if (c >= '1' && c <= '9')
		ndigits = skip_digits(s);
	else
		return syntax_error(s, s->pos, "number expected");
	*integer = true;
	c = peek_byte(s);
	if (c == '.')
	{
		*integer = false;
		s->pos++;
		if (!require_digits(s))
			return false;
		c = peek_byte(s);
	}
	if (c == 'e' || c == 'E')
	{
		*integer = false;
		s->pos++;
		c = peek_byte(s);
		if (c == '+' || c == '-')
			s->pos++;
		if (!require_digits(s))
			return false;
		c = peek_byte(s);
	}
	if (s->status != SEMOSS_OK)
		return false;			/* cancelled while looking ahead */
	if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
		c == '+' || c == '-')
		return syntax_error(s, s->pos, "number expected");
	if (*integer && !s->in_values &&
		integer_exceeds_64_bits(b + digits_start, ndigits, negative))
	{
		s->status = semoss_error_set(s->err, SEMOSS_ERR_PROTOCOL, 0,
									 "integer at byte %zu of the response does not fit in 64 bits",
									 digits_start - (negative ? 1 : 0));
		return false;
	}
	return true;
}

/* Scan the literal true, false or null at pos. */
static bool
scan_literal(JsonScanner *s, const char *literal)
{
	size_t		n = strlen(literal);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (s->pos + i >= s->len)
			return truncated(s);
		if (s->body[s->pos + i] != literal[i])
			return syntax_error(s, s->pos + i,
								literal[0] == 'n' ? "null expected" : "boolean expected");
	}
	s->pos += n;
	return true;
}

/* ---- cell tables ---- */

/* Free a cell table; NULL is allowed. */
void
semoss_cell_table_free(SemossCellTable *table)
{
	if (table == NULL)
		return;
	free(table->text);
	free(table->cells);
	free(table);
}

/*
 * Make room for one more cell holding `need` bytes of text (NUL
 * included).  Both arrays double; the arena never grows past text_limit,
 * which the scan set to the bytes of body the values array can span: a
 * cell's text and NUL never take more bytes than the cell and the ',' or
 * ']' after it.
 */
static bool
reserve_cell(JsonScanner *s, size_t need)
{
	SemossCellTable *t = s->table;

	if (t->ncells == t->cells_cap)
	{
		size_t		cap = t->cells_cap ? t->cells_cap * 2 : CELLS_INITIAL;
		SemossCell *cells = realloc(t->cells, cap * sizeof(SemossCell));

		if (cells == NULL)
			return out_of_memory(s);
		t->cells = cells;
		t->cells_cap = cap;
	}
	if (t->text_cap - t->text_len < need)
	{
		size_t		cap = t->text_cap ? t->text_cap * 2 : TEXT_INITIAL;
		char	   *text;

		if (cap > t->text_limit)
			cap = t->text_limit;
		if (cap < t->text_len + need)
			cap = t->text_len + need;
		text = realloc(t->text, cap);
		if (text == NULL)
			return out_of_memory(s);
		t->text = text;
		t->text_cap = cap;
	}
	return true;
}

/* Append a cell whose text is `len` bytes at `text` (copied as is). */
static bool
add_cell(JsonScanner *s, SemossCellKind kind, const char *text, size_t len)
{
	SemossCellTable *t = s->table;
	SemossCell *cell;

	if (!reserve_cell(s, len + 1))
		return false;
	cell = &t->cells[t->ncells++];
	cell->offset = (uint32_t) t->text_len;
	cell->len = (uint32_t) len;
	cell->kind = kind;
	memcpy(t->text + t->text_len, text, len);
	t->text[t->text_len + len] = '\0';
	t->text_len += len + 1;
	return true;
}

/* Append a string cell from its (checked) source text between quotes. */
static bool
add_string_cell(JsonScanner *s, const char *source, size_t srclen,
				bool escaped)
{
	SemossCellTable *t = s->table;
	SemossCell *cell;
	size_t		len;

	if (!escaped)
		return add_cell(s, SEMOSS_CELL_STRING, source, srclen);
	if (!reserve_cell(s, srclen + 1))
		return false;
	len = unescape_string(source, srclen, t->text + t->text_len);
	cell = &t->cells[t->ncells++];
	cell->offset = (uint32_t) t->text_len;
	cell->len = (uint32_t) len;
	cell->kind = SEMOSS_CELL_STRING;
	t->text[t->text_len + len] = '\0';
	t->text_len += len + 1;
	return true;
}

/* Append a null cell (it has no text). */
static bool
add_null_cell(JsonScanner *s)
{
	SemossCellTable *t = s->table;
	SemossCell *cell;

	if (!reserve_cell(s, 0))
		return false;
	cell = &t->cells[t->ncells++];
	cell->offset = 0;
	cell->len = 0;
	cell->kind = SEMOSS_CELL_NULL;
	return true;
}

/*
 * Count one more element of the values array: a row of `width` cells, or
 * (type not NULL) a value of that JSON type that is not an array.  The
 * table remembers the width of row 0 and the first row unlike it, which
 * is all semoss_page_from_result needs to report the first bad row.
 */
static void
note_row(SemossCellTable *t, size_t width, const char *type)
{
	if (t->nrows == 0)
	{
		t->row_width = width;
		if (type != NULL)
		{
			t->odd_row = 0;
			t->odd_row_type = type;
		}
	}
	else if (t->odd_row == SIZE_MAX && (type != NULL || width != t->row_width))
	{
		t->odd_row = t->nrows;
		t->odd_row_width = width;
		t->odd_row_type = type;
	}
	t->nrows++;
}

/* Give back the unused ends of a finished table's arrays. */
static void
trim_table(SemossCellTable *t)
{
	if (t->text_cap > t->text_len && t->text_len > 0)
	{
		char	   *text = realloc(t->text, t->text_len);

		if (text != NULL)
		{
			t->text = text;
			t->text_cap = t->text_len;
		}
	}
	if (t->cells_cap > t->ncells && t->ncells > 0)
	{
		SemossCell *cells = realloc(t->cells, t->ncells * sizeof(SemossCell));

		if (cells != NULL)
		{
			t->cells = cells;
			t->cells_cap = t->ncells;
		}
	}
}

/* Keep table as the one of pixelReturn entry `entry`, replacing any. */
static bool
store_table(JsonScanner *s, size_t entry, SemossCellTable *table)
{
	SemossJsonScan *r = s->result;

	if (entry >= r->ntables)
	{
		SemossCellTable **tables = realloc(r->tables,
										   (entry + 1) * sizeof(SemossCellTable *));

		if (tables == NULL)
			return out_of_memory(s);
		memset(tables + r->ntables, 0,
			   (entry + 1 - r->ntables) * sizeof(SemossCellTable *));
		r->tables = tables;
		r->ntables = entry + 1;
	}
	semoss_cell_table_free(r->tables[entry]);
	r->tables[entry] = table;
	return true;
}

/* ---- containers ---- */

static bool scan_value(JsonScanner *s, int depth, JsonPath path);
static bool scan_array(JsonScanner *s, int depth, ArrayContent content);

/*
 * json-c's name for the type of the value at body[start, end), which has
 * been scanned: the type of a row that is not an array, for the error.
 */
static const char *
json_type_name(const char *body, size_t start, size_t end)
{
	switch (body[start])
	{
		case '"':
			return "string";
		case '{':
			return "object";
		case 't':
		case 'f':
			return "boolean";
		case 'n':
			return "null";
	}
	if (memchr(body + start, '.', end - start) != NULL ||
		memchr(body + start, 'e', end - start) != NULL ||
		memchr(body + start, 'E', end - start) != NULL)
		return "double";
	return "int";
}

/* Scan one element of a captured values array (pos at its first byte). */
static bool
scan_row(JsonScanner *s, int depth)
{
	SemossCellTable *t = s->table;
	size_t		start = s->pos;
	size_t		first_cell = t->ncells;

	if (s->body[start] == '[')
	{
		if (!scan_array(s, depth, ARRAY_OF_CELLS))
			return false;
		note_row(t, t->ncells - first_cell, NULL);
		return true;
	}
	if (!scan_value(s, depth, PATH_NONE))
		return false;
	note_row(t, 0, json_type_name(s->body, start, s->pos));
	return true;
}

/* Scan one cell of a row into the table (pos at its first byte). */
static bool
scan_cell(JsonScanner *s, int depth)
{
	const char *b = s->body;
	size_t		start = s->pos;
	size_t		text_start;
	size_t		text_end;
	bool		flag;

	switch (b[start])
	{
		case '"':
			return scan_string(s, &text_start, &text_end, &flag) &&
				add_string_cell(s, b + text_start, text_end - text_start, flag);
		case 't':
			return scan_literal(s, "true") &&
				add_cell(s, SEMOSS_CELL_BOOLEAN, "true", 4);
		case 'f':
			return scan_literal(s, "false") &&
				add_cell(s, SEMOSS_CELL_BOOLEAN, "false", 5);
		case 'n':
			return scan_literal(s, "null") && add_null_cell(s);
		case '{':
		case '[':
			return scan_value(s, depth, PATH_NONE) &&
				add_cell(s, SEMOSS_CELL_JSON, b + start, s->pos - start);
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			return scan_number(s, &flag) &&
				add_cell(s, SEMOSS_CELL_NUMBER, b + start, s->pos - start);
	}
	return syntax_error(s, start, "unexpected character");
}

/*
 * Decode a values array (pos at its '[') into a new table for the current
 * pixelReturn entry, and put "[]" in the skeleton in its place.
 */
static bool
capture_values(JsonScanner *s, int depth)
{
	size_t		start = s->pos;
	SemossCellTable *t = calloc(1, sizeof(SemossCellTable));

	if (t == NULL)
		return out_of_memory(s);
	t->odd_row = SIZE_MAX;
	t->text_limit = s->len - start;
	s->table = t;
	s->in_values = true;
	if (!scan_array(s, depth, ARRAY_OF_ROWS))
	{
		s->in_values = false;
		s->table = NULL;
		semoss_cell_table_free(t);
		return false;
	}
	s->in_values = false;
	s->table = NULL;
	trim_table(t);
	if (!semoss_buf_append(&s->skeleton, s->body + s->copied, start - s->copied) ||
		!semoss_buf_append(&s->skeleton, "[]", 2))
	{
		semoss_cell_table_free(t);
		return out_of_memory(s);
	}
	s->copied = s->pos;
	return store_table(s, s->entry, t);
}

/*
 * Scan an array (pos at its '['), each element according to `content`.
 * A container at depth SEMOSS_JSON_MAX_DEPTH - 1 can only be empty, as
 * with json-c.
 */
static bool
scan_array(JsonScanner *s, int depth, ArrayContent content)
{
	size_t		index = 0;
	int			c;

	s->pos++;
	if ((c = next_token(s)) < 0)
		return truncated(s);
	if (c == ']')
	{
		s->pos++;
		return true;
	}
	for (;;)
	{
		bool		ok = false;

		if (depth >= SEMOSS_JSON_MAX_DEPTH - 1)
			return syntax_error(s, s->pos, "nesting too deep");
		switch (content)
		{
			case ARRAY_OF_VALUES:
				ok = scan_value(s, depth + 1, PATH_NONE);
				break;
			case ARRAY_OF_ENTRIES:
				s->entry = index;
				ok = scan_value(s, depth + 1, PATH_ENTRY);
				break;
			case ARRAY_OF_ROWS:
				ok = scan_row(s, depth + 1);
				break;
			case ARRAY_OF_CELLS:
				ok = scan_cell(s, depth + 1);
				break;
		}
		if (!ok)
			return false;
		index++;
		if ((c = next_token(s)) < 0)
			return truncated(s);
		if (c == ']')
		{
			s->pos++;
			return true;
		}
		if (c != ',')
			return syntax_error(s, s->pos, "array value separator ',' expected");
		s->pos++;
		if (next_token(s) < 0)
			return truncated(s);
		/* a ']' here (a trailing comma) is refused as no value can start so */
	}
}

/*
 * The path of the value of member `key` (body[start, end), with escapes
 * if `escaped`) of an object at `path`.  The key is compared as json-c
 * stores it: unescaped and cut at its first NUL.
 */
static bool
member_path(JsonScanner *s, JsonPath path, size_t start, size_t end,
			bool escaped, JsonPath *child)
{
	const char *wanted;
	JsonPath	next;

	*child = PATH_NONE;
	switch (path)
	{
		case PATH_ROOT:
			wanted = "pixelReturn";
			next = PATH_RETURNS;
			break;
		case PATH_ENTRY:
			wanted = "output";
			next = PATH_OUTPUT;
			break;
		case PATH_OUTPUT:
			wanted = "data";
			next = PATH_DATA;
			break;
		case PATH_DATA:
			wanted = "values";
			next = PATH_VALUES;
			break;
		default:
			return true;
	}
	if (!escaped)
	{
		if (end - start != strlen(wanted) ||
			memcmp(s->body + start, wanted, end - start) != 0)
			return true;
	}
	else
	{
		size_t		keylen;

		if (!semoss_buf_reserve(&s->key, end - start))
			return out_of_memory(s);
		keylen = unescape_string(s->body + start, end - start, s->key.data);
		s->key.data[keylen] = '\0';
		if (strcmp(s->key.data, wanted) != 0)
			return true;
	}
	*child = next;
	return true;
}

/* Scan an object (pos at its '{'). */
static bool
scan_object(JsonScanner *s, int depth, JsonPath path)
{
	int			c;

	s->pos++;
	if ((c = next_token(s)) < 0)
		return truncated(s);
	if (c == '}')
	{
		s->pos++;
		return true;
	}
	for (;;)
	{
		size_t		key_start;
		size_t		key_end;
		bool		escaped;
		JsonPath	child;

		if (c != '"')
			return syntax_error(s, s->pos, "quoted object property name expected");
		if (!scan_string(s, &key_start, &key_end, &escaped) ||
			!member_path(s, path, key_start, key_end, escaped, &child))
			return false;
		if ((c = next_token(s)) < 0)
			return truncated(s);
		if (c != ':')
			return syntax_error(s, s->pos, "object property name separator ':' expected");
		s->pos++;
		if (next_token(s) < 0)
			return truncated(s);
		if (depth >= SEMOSS_JSON_MAX_DEPTH - 1)
			return syntax_error(s, s->pos, "nesting too deep");
		if (!scan_value(s, depth + 1, child))
			return false;
		if ((c = next_token(s)) < 0)
			return truncated(s);
		if (c == '}')
		{
			s->pos++;
			return true;
		}
		if (c != ',')
			return syntax_error(s, s->pos, "object value separator ',' expected");
		s->pos++;
		if ((c = next_token(s)) < 0)
			return truncated(s);
		if (c == '}')
			return syntax_error(s, s->pos, "unexpected character");
	}
}

/*
 * Scan one value at nesting depth `depth` (pos at its first byte, which
 * the caller has seen).
 */
static bool
scan_value(JsonScanner *s, int depth, JsonPath path)
{
	size_t		start;
	size_t		end;
	bool		flag;

	switch (s->body[s->pos])
	{
		case '{':
			return scan_object(s, depth, path);
		case '[':
			if (path == PATH_RETURNS)
				return scan_array(s, depth, ARRAY_OF_ENTRIES);
			if (path == PATH_VALUES)
				return capture_values(s, depth);
			return scan_array(s, depth, ARRAY_OF_VALUES);
		case '"':
			return scan_string(s, &start, &end, &flag);
		case 't':
			return scan_literal(s, "true");
		case 'f':
			return scan_literal(s, "false");
		case 'n':
			return scan_literal(s, "null");
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			return scan_number(s, &flag);
	}
	return syntax_error(s, s->pos, "unexpected character");
}

/* ---- entry points ---- */

/*
 * Scan a whole response body (see the file header).  With capture_cells,
 * every pixelReturn[i].output.data.values array is decoded into
 * scan->tables[i] and, if there was any, scan->skeleton holds the body
 * with those arrays replaced by []; without it, scan stays empty and the
 * body is only checked.  Errors: SEMOSS_ERR_PROTOCOL naming the byte,
 * SEMOSS_ERR_CANCELLED, SEMOSS_ERR_OUT_OF_MEMORY; scan is then empty.
 * Call semoss_json_scan_free in every case.
 */
SemossStatus
semoss_json_scan(const char *body, size_t len, bool capture_cells,
				 SemossInterruptCheck interrupt_check, void *interrupt_arg,
				 SemossJsonScan *scan, SemossError *err)
{
	JsonScanner s;

	memset(scan, 0, sizeof(*scan));
	/* the tables' 32-bit offsets rely on this limit */
	if (len > SEMOSS_MAX_RESPONSE_BYTES)
		return semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 0,
								"response body of %zu bytes is larger than the %zu bytes accepted",
								len, (size_t) SEMOSS_MAX_RESPONSE_BYTES);
	memset(&s, 0, sizeof(s));
	s.body = body;
	s.len = len;
	s.stop = len > SEMOSS_PARSE_CHUNK ? SEMOSS_PARSE_CHUNK : len;
	s.interrupt_check = interrupt_check;
	s.interrupt_arg = interrupt_arg;
	s.err = err;
	s.status = SEMOSS_OK;
	s.result = scan;
	semoss_buf_init(&s.skeleton);
	semoss_buf_init(&s.key);

	if (next_token(&s) < 0)
	{
		if (s.status == SEMOSS_OK)
			s.status = semoss_error_set(err, SEMOSS_ERR_PROTOCOL, 0,
										"empty response body where JSON was expected");
	}
	else if (scan_value(&s, 0, capture_cells ? PATH_ROOT : PATH_NONE) &&
			 next_token(&s) >= 0)
		syntax_error(&s, s.pos, "unexpected data after the JSON value");

	if (s.status == SEMOSS_OK && s.skeleton.len > 0)
	{
		/* a values array was captured: the skeleton gets the rest */
		if (!semoss_buf_append(&s.skeleton, body + s.copied, len - s.copied))
			out_of_memory(&s);
		scan->skeleton_len = s.skeleton.len;
		scan->skeleton = semoss_buf_release(&s.skeleton);
	}
	semoss_buf_free(&s.skeleton);
	semoss_buf_free(&s.key);
	if (s.status != SEMOSS_OK)
		semoss_json_scan_free(scan);
	return s.status;
}

/* Free what semoss_json_scan left in scan and clear it. */
void
semoss_json_scan_free(SemossJsonScan *scan)
{
	size_t		i;

	for (i = 0; i < scan->ntables; i++)
		semoss_cell_table_free(scan->tables[i]);
	free(scan->tables);
	scan->tables = NULL;
	scan->ntables = 0;
	free(scan->skeleton);
	scan->skeleton = NULL;
	scan->skeleton_len = 0;
}
