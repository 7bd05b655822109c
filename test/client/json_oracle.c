/*-------------------------------------------------------------------------
 *
 * json_oracle.c
 *		  An independent judge of the client's JSON scanner, built on json-c.
 *
 * The client used to parse bodies with json-c (strict mode, UTF-8
 * validation, nothing but whitespace after the value) and then refuse
 * integers beyond 64 bits.  src/semoss_json.c replaced that with its own
 * scanner, which is meant to accept exactly RFC 8259 JSON.  json-c's
 * strict mode lets a few things through that RFC 8259 does not allow, so
 * the oracle's verdict is json-c's, narrowed by a small lexer of its own
 * for those few things:
 *
 *	- raw control characters inside strings;
 *	- \u escapes of UTF-16 surrogates that are not correctly paired (json-c
 *	  replaces them with U+FFFD);
 *	- UTF-8 that is overlong, encodes a surrogate or goes past U+10FFFF
 *	  (json-c only checks the lengths of sequences);
 *	- numbers with a leading zero or a "." not between digits, NaN,
 *	  Infinity and -Infinity;
 *	- object keys between single quotes;
 *	- integers beyond 64 bits, which json-c would clamp.
 *
 * For valid bodies, json-c's tree is also the reference for every cell of
 * a page (see oracle_cell_matches).
 *
 * IDENTIFICATION
 *		  test/client/json_oracle.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_oracle.h"

/* Is body[i] (if there is one) an ASCII digit? */
static bool
digit_at(const char *body, size_t len, size_t i)
{
	return i < len && body[i] >= '0' && body[i] <= '9';
}

/* Value of four hex digits at body[i] (json-c accepted them). */
static unsigned
hex4_at(const char *body, size_t i)
{
	char		hex[5];

	memcpy(hex, body + i, 4);
	hex[4] = '\0';
	return (unsigned) strtoul(hex, NULL, 16);
}

/*
 * Length of the well-formed UTF-8 sequence at s per RFC 3629 table 3-7,
 * or 0.  Written from the table, independently of the client's copy.
 */
static size_t
utf8_well_formed(const unsigned char *s, size_t avail)
{
	static const struct
	{
		unsigned char lead_lo,
					lead_hi,
					second_lo,
					second_hi;
		size_t		n;
	}			table[] = {
		{0xC2, 0xDF, 0x80, 0xBF, 2},
		{0xE0, 0xE0, 0xA0, 0xBF, 3},
		{0xE1, 0xEC, 0x80, 0xBF, 3},
		{0xED, 0xED, 0x80, 0x9F, 3},
		{0xEE, 0xEF, 0x80, 0xBF, 3},
		{0xF0, 0xF0, 0x90, 0xBF, 4},
		{0xF1, 0xF3, 0x80, 0xBF, 4},
		{0xF4, 0xF4, 0x80, 0x8F, 4},
	};
	size_t		t;
	size_t		k;

	for (t = 0; t < sizeof(table) / sizeof(table[0]); t++)
	{
		if (s[0] < table[t].lead_lo || s[0] > table[t].lead_hi)
			continue;
		if (avail < table[t].n || s[1] < table[t].second_lo ||
			s[1] > table[t].second_hi)
			return 0;
		for (k = 2; k < table[t].n; k++)
		{
			if (s[k] < 0x80 || s[k] > 0xBF)
				return 0;
		}
		return table[t].n;
	}
	return 0;
}

/*
 * The string starting at body[*i] (its opening quote) breaks none of the
 * RFC 8259 rules json-c does not check; *i moves past it.
 */
static bool
string_is_strict(const char *body, size_t len, size_t *i)
{
	size_t		p = *i + 1;

	while (p < len && body[p] != '"')
	{
		unsigned char c = (unsigned char) body[p];

		if (c == '\\' && p + 1 < len && body[p + 1] == 'u')
		{
			unsigned	unit = hex4_at(body, p + 2);

			if (unit >= 0xDC00 && unit <= 0xDFFF)
				return false;
			if (unit >= 0xD800 && unit <= 0xDBFF)
			{
				if (p + 12 > len || body[p + 6] != '\\' || body[p + 7] != 'u')
					return false;
				unit = hex4_at(body, p + 8);
				if (unit < 0xDC00 || unit > 0xDFFF)
					return false;
				p += 6;
			}
			p += 6;
		}
		else if (c == '\\')
			p += 2;
		else if (c < 0x20)
			return false;
		else if (c >= 0x80)
		{
			size_t		n = utf8_well_formed((const unsigned char *) body + p, len - p);

			if (n == 0)
				return false;
			p += n;
		}
		else
			p++;
	}
	*i = p + 1;
	return true;
}

/*
 * The number starting at body[*i] follows the RFC 8259 grammar and, if it
 * is an integer, fits in [-2^63, 2^64 - 1]; *i moves past it.
 */
static bool
number_is_strict(const char *body, size_t len, size_t *i)
{
	size_t		p = *i;
	size_t		digits_start;
	bool		negative = false;
	bool		integer = true;
	char		digits[32];
	size_t		ndigits;

	if (body[p] == '-')
	{
		negative = true;
		p++;
	}
	digits_start = p;
	if (!digit_at(body, len, p))
		return false;			/* -Infinity */
	if (body[p] == '0')
	{
		p++;
		if (digit_at(body, len, p))
			return false;
	}
	while (digit_at(body, len, p))
		p++;
	ndigits = p - digits_start;
	if (p < len && body[p] == '.')
	{
		integer = false;
		p++;
		if (!digit_at(body, len, p))
			return false;
		while (digit_at(body, len, p))
			p++;
	}
	if (p < len && (body[p] == 'e' || body[p] == 'E'))
	{
		integer = false;
		p++;
		if (p < len && (body[p] == '+' || body[p] == '-'))
			p++;
		if (!digit_at(body, len, p))
			return false;
		while (digit_at(body, len, p))
			p++;
	}
	*i = p;
	if (!integer || ndigits < 19)
		return true;
	if (ndigits > 20)
		return false;
	memcpy(digits, body + digits_start, ndigits);
	digits[ndigits] = '\0';
	if (negative)				/* down to -2^63 */
		return ndigits == 19 && strcmp(digits, "9223372036854775808") <= 0;
	errno = 0;
	(void) strtoull(digits, NULL, 10);
	return errno != ERANGE;
}

/*
 * Given a body json-c accepted, does it also keep the rules listed in the
 * file header?  Outside strings, json-c's acceptance leaves only
 * structure, literals, numbers, NaN/Infinity and single-quoted keys.
 */
static bool
body_is_strict(const char *body, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		char		c = body[i];

		if (c == '"')
		{
			if (!string_is_strict(body, len, &i))
				return false;
		}
		else if (c == '-' || (c >= '0' && c <= '9'))
		{
			if (!number_is_strict(body, len, &i))
				return false;
		}
		else if (c == '\'' || c == 'N' || c == 'I')
			return false;
		else
			i++;
	}
	return true;
}

/*
 * json-c's tree of body as the client built it before semoss_json.c:
 * strict mode, UTF-8 validated, SEMOSS_JSON_MAX_DEPTH, a top-level number
 * finished by an extra NUL, only whitespace after the value, and no empty
 * body.  *ok tells whether json-c accepted it (the tree of "null" is
 * NULL).
 */
json_object *
oracle_json_c_parse(const char *body, size_t len, bool *ok)
{
	struct json_tokener *tok = json_tokener_new_ex(SEMOSS_JSON_MAX_DEPTH);
	json_object *obj;
	enum json_tokener_error jerr;
	size_t		end;
	size_t		i;

	*ok = false;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, body, (int) len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue)
	{
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success)
		return NULL;
	for (i = end; i < len; i++)
	{
		if (body[i] != ' ' && body[i] != '\t' && body[i] != '\n' && body[i] != '\r')
		{
			json_object_put(obj);
			return NULL;
		}
	}
	for (i = 0; i < len; i++)
	{
		if (body[i] != ' ' && body[i] != '\t' && body[i] != '\n' && body[i] != '\r')
			break;
	}
	if (i == len)
	{
		json_object_put(obj);
		return NULL;
	}
	*ok = true;
	return obj;
}

/* Is body valid JSON by RFC 8259, with no integer beyond 64 bits? */
bool
oracle_accepts(const char *body, size_t len)
{
	bool		ok;
	json_object *root = oracle_json_c_parse(body, len, &ok);

	json_object_put(root);
	return ok && body_is_strict(body, len);
}

/* Member key of obj, or NULL. */
static json_object *
member(json_object *obj, const char *key)
{
	json_object *value;

	if (!json_object_is_type(obj, json_type_object) ||
		!json_object_object_get_ex(obj, key, &value))
		return NULL;
	return value;
}

/*
 * output.data.values of the last pixelReturn entry whose pixelId does not
 * start with "thread_execution" (the client's target), or NULL.
 */
json_object *
oracle_values(json_object *root)
{
	json_object *returns = member(root, "pixelReturn");
	json_object *target = NULL;
	size_t		i;

	if (!json_object_is_type(returns, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(returns); i++)
	{
		json_object *entry = json_object_array_get_idx(returns, i);
		json_object *id = member(entry, "pixelId");

		if (json_object_is_type(id, json_type_string) &&
			strncmp(json_object_get_string(id), "thread_execution", 16) == 0)
			continue;
		target = entry;
	}
	return member(member(member(target, "output"), "data"), "values");
}

/*
 * json-c 0.16 decodes a \u surrogate pair and then tests the resulting
 * code point, instead of the pair, for being a surrogate: a character from
 * U+10000 up whose low 16 bits lie in D800-DFFF (U+1D800, U+2D9A0, ...),
 * sent as a pair of escapes, comes out as U+FFFD or worse.  Does text hold
 * such a character?  Then json-c's string is no reference for it.
 */
static bool
json_c_mangles(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *) text;
	size_t		i;

	for (i = 0; i + 3 < len; i++)
	{
		if (s[i] >= 0xF0 && s[i] <= 0xF4)
		{
			unsigned	cp = ((unsigned) (s[i] & 0x07) << 18) |
				((unsigned) (s[i + 1] & 0x3F) << 12) |
				((unsigned) (s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);

			if ((cp & 0xF800) == 0xD800)
				return true;
		}
	}
	return false;
}

/*
 * Does a page cell (kind, text, len) hold what json-c's value `expected`
 * says?  Strings: the same bytes (unless json_c_mangles them).  Numbers: json-c keeps the source text of
 * numbers with a fraction or exponent, which must be the cell's text;
 * integers it stores as 64-bit values (clamped beyond), which the cell's
 * text must convert to.  Objects and arrays: json-c's tree of the cell's
 * text must equal json-c's value.
 */
bool
oracle_cell_matches(json_object *expected, SemossCellKind kind,
					const char *text, size_t len)
{
	json_object *mine;
	bool		ok;
	bool		same;

	if (kind != SEMOSS_CELL_NULL && (text == NULL || text[len] != '\0'))
		return false;
	switch (json_object_get_type(expected))
	{
		case json_type_null:
			return kind == SEMOSS_CELL_NULL && text == NULL;
		case json_type_string:
			if (kind == SEMOSS_CELL_STRING && json_c_mangles(text, len))
				return true;
			return kind == SEMOSS_CELL_STRING &&
				len == (size_t) json_object_get_string_len(expected) &&
				memcmp(text, json_object_get_string(expected), len) == 0;
		case json_type_boolean:
			return kind == SEMOSS_CELL_BOOLEAN &&
				strcmp(text, json_object_get_boolean(expected) ? "true" : "false") == 0;
		case json_type_double:
			return kind == SEMOSS_CELL_NUMBER &&
				strcmp(text, json_object_to_json_string_ext(expected, JSON_C_TO_STRING_PLAIN)) == 0;
		case json_type_int:
			if (kind != SEMOSS_CELL_NUMBER || strlen(text) != len)
				return false;
			if (text[0] == '-')
				return json_object_get_int64(expected) == strtoll(text, NULL, 10);
			return json_object_get_uint64(expected) == strtoull(text, NULL, 10);
		case json_type_object:
		case json_type_array:
			if (kind != SEMOSS_CELL_JSON)
				return false;
			mine = oracle_json_c_parse(text, len, &ok);
			same = ok && json_object_equal(mine, expected);
			json_object_put(mine);
			return same;
	}
	return false;
}

/*
 * Does every cell of the page match json-c's values array (an array of
 * arrays)?  On a mismatch, why says where.
 */
bool
oracle_page_matches(const SemossPage *page, json_object *values,
					char *why, size_t whysize)
{
	int			nrows = semoss_page_nrows(page);
	int			ncols = semoss_page_ncols(page);
	int			r;
	int			c;

	if (!json_object_is_type(values, json_type_array) ||
		json_object_array_length(values) != (size_t) nrows)
	{
		snprintf(why, whysize, "json-c has %zu rows, the page %d",
				 json_object_array_length(values), nrows);
		return false;
	}
	for (r = 0; r < nrows; r++)
	{
		json_object *row = json_object_array_get_idx(values, (size_t) r);

		if (json_object_array_length(row) != (size_t) ncols)
		{
			snprintf(why, whysize, "row %d: json-c has %zu cells, the page %d",
					 r, json_object_array_length(row), ncols);
			return false;
		}
		for (c = 0; c < ncols; c++)
		{
			const char *text;
			size_t		len;
			SemossCellKind kind = semoss_page_cell(page, r, c, &text, &len);
			json_object *cell = json_object_array_get_idx(row, (size_t) c);

			if (!oracle_cell_matches(cell, kind, text, len))
			{
				snprintf(why, whysize, "cell (%d,%d): page kind %d text \"%.60s\", json-c %.60s",
						 r, c, (int) kind, text ? text : "(null)",
						 json_object_to_json_string_ext(cell, JSON_C_TO_STRING_PLAIN));
				return false;
			}
		}
	}
	return true;
}

/*
 * Is err one of the scanner's verdicts on the JSON itself, as opposed to
 * an error about the reply's shape?
 */
bool
oracle_is_json_error(const SemossError *err)
{
	static const char *const prefixes[] = {"invalid JSON at byte ", "truncated JSON: ",
		"empty response body", "integer at byte ", "response body of ", NULL};
	int			i;

	for (i = 0; prefixes[i] != NULL; i++)
	{
		if (strncmp(err->message, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	}
	return false;
}
