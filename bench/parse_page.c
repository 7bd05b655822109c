/*-------------------------------------------------------------------------
 *
 * parse_page.c
 *		  Micro-benchmark: parsing one Collect reply and reading every cell.
 *
 * Builds a realistic 5000-row x 6-column Collect reply (int8, ~20-character
 * text, numeric sent as a double, timestamp string, boolean, float8) and
 * times two ways of turning it into cells:
 *
 *	json-c	how pages were parsed before src/semoss_json.c: json-c's tree
 *			of the whole body (strict, UTF-8 validated), the separate pass
 *			looking for integers beyond 64 bits, the shape check of the
 *			rows, one json-c lookup (and number printing) per cell, and
 *			freeing the tree.
 *	scanner	the client's code as it is: semoss_pixel_result_parse with
 *			SEMOSS_VALUES_AS_CELLS, semoss_page_from_result,
 *			semoss_page_cell over every cell, semoss_page_free.
 *
 * Both must see the same cells: one run of each hashes every cell's kind
 * and text, and the hashes are compared.  The timed runs only touch each
 * cell (kind, length, first byte), as the FDW's accessor calls would
 * before converting the text.  For each way the table gives the median
 * time of a page in ns per cell, split into parsing, reading and freeing,
 * and the memory allocated on top of the body: at the peak, and still held
 * while the page is read.  Memory is counted, in a separate run, by
 * wrapping malloc and friends (glibc calls them for json-c and libc alike);
 * the wrappers count nothing during the timed runs.
 *
 * Usage: parse_page [runs]  (default 40)
 *
 * IDENTIFICATION
 *		  bench/parse_page.c
 *
 *-------------------------------------------------------------------------
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "semoss_client_internal.h"

#define NROWS	5000
#define NCOLS	6

/* ---- allocation accounting ---- */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

static bool counting;
static size_t live_bytes;
static size_t peak_bytes;

/* Count a new block and raise the peak if needed. */
static void
count_block(void *p)
{
	if (p == NULL || !counting)
		return;
	live_bytes += malloc_usable_size(p);
	if (live_bytes > peak_bytes)
		peak_bytes = live_bytes;
}

/* The allocator's entry points, counting when asked to. */
void *
malloc(size_t size)
{
	void	   *p = __libc_malloc(size);

	count_block(p);
	return p;
}

/* See malloc. */
void *
calloc(size_t n, size_t size)
{
	void	   *p = __libc_calloc(n, size);

	count_block(p);
	return p;
}

/*
 * A block that moves exists twice for a moment: the peak counts both.
 */
void *
realloc(void *ptr, size_t size)
{
	size_t		before;
	void	   *p;

	if (!counting)
		return __libc_realloc(ptr, size);
	before = ptr ? malloc_usable_size(ptr) : 0;
	p = __libc_realloc(ptr, size);
	if (p == NULL)
	{
		if (size == 0)
			live_bytes -= before;
		return NULL;
	}
	if (p != ptr)
		count_block(p);
	else
	{
		live_bytes += malloc_usable_size(p);
		if (live_bytes - before > peak_bytes)
			peak_bytes = live_bytes - before;
	}
	live_bytes -= before;
	return p;
}

/* See malloc. */
void
free(void *ptr)
{
	if (ptr != NULL && counting)
		live_bytes -= malloc_usable_size(ptr);
	__libc_free(ptr);
}

/* ---- the reply ---- */

/*
 * A Collect reply as SEMOSS sends it: Gson's compact JSON, metadata keys
 * around the values.  Names are ASCII with an accented letter in every
 * tenth row and an escaped quote in every fiftieth.
 */
static char *
build_reply(size_t *len)
{
	SemossBuf	b;
	int			i;

	semoss_buf_init(&b);
	semoss_buf_appends(&b, "{\"insightID\":\"5f0c2b1e-9d7a-4c3e-8b6f-2a1d0e9c8b7a\",\"pixelReturn\":[{"
					   "\"pixelId\":\"meta_unstored\",\"pixelExpression\":\"META | Task ( \\\"task3\\\" ) | Collect ( 5000 ) ;\","
					   "\"isMeta\":true,\"timeToRun\":41,\"output\":{\"data\":{\"values\":[");
	for (i = 0; i < NROWS; i++)
	{
		semoss_buf_printf(&b, "%s[%lld,\"%s %06d %s\",%d.%02d,\"2024-%02d-%02d %02d:%02d:%02d\",%s,%.15g]",
						  i ? "," : "",
						  1000000000LL + (long long) i * 7919,
						  i % 50 == 0 ? "customer \\\"vip\\\"" : i % 10 == 0 ? "cliente caf\xc3\xa9" : "customer name",
						  i, i % 3 ? "north" : "south",
						  i * 37 % 100000, i % 100,
						  1 + i % 12, 1 + i % 28, i % 24, i % 60, (i * 7) % 60,
						  i % 2 ? "true" : "false",
						  i % 9 ? 1.0 / (i + 3) : 1.0e-7 * (i + 1));
	}
	semoss_buf_appends(&b, "],\"headers\":[\"id\",\"name\",\"amount\",\"created_at\",\"active\",\"ratio\"],"
					   "\"rawHeaders\":[\"id\",\"name\",\"amount\",\"created_at\",\"active\",\"ratio\"]},"
					   "\"headerInfo\":["
					   "{\"alias\":\"id\",\"header\":\"id\",\"derived\":false,\"type\":\"NUMBER\",\"dataType\":\"INT\"},"
					   "{\"alias\":\"name\",\"header\":\"name\",\"derived\":false,\"type\":\"STRING\",\"dataType\":\"STRING\"},"
					   "{\"alias\":\"amount\",\"header\":\"amount\",\"derived\":false,\"type\":\"NUMBER\",\"dataType\":\"DOUBLE\"},"
					   "{\"alias\":\"created_at\",\"header\":\"created_at\",\"derived\":false,\"type\":\"DATE\",\"dataType\":\"TIMESTAMP\"},"
					   "{\"alias\":\"active\",\"header\":\"active\",\"derived\":false,\"type\":\"STRING\",\"dataType\":\"BOOLEAN\"},"
					   "{\"alias\":\"ratio\",\"header\":\"ratio\",\"derived\":false,\"type\":\"NUMBER\",\"dataType\":\"DOUBLE\"}],"
					   "\"numCollected\":5000,\"sources\":[{\"type\":\"RAW_ENGINE_QUERY\",\"name\":\"db\"}],"
					   "\"sortInfo\":[],\"filterInfo\":[],\"taskOptions\":{},\"taskId\":\"task3\"},"
					   "\"operationType\":[\"TASK_DATA\"]}]}");
	*len = b.len;
	return semoss_buf_release(&b);
}

/* ---- helpers ---- */

/* Nanoseconds of a monotonic clock. */
static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

/* Whether a run hashes every byte of every cell (else it touches them). */
static bool verifying;

/*
 * Fold one cell into an FNV-1a hash, so both ways can be compared; when
 * not verifying, only its kind, length and first byte.
 */
static uint64_t
hash_cell(uint64_t h, int kind, const char *text, size_t len)
{
	size_t		i;

	h = (h ^ (uint64_t) kind) * 1099511628211ULL;
	if (!verifying)
		return h ^ len ^ (len ? (unsigned char) text[0] : 0);
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char) text[i]) * 1099511628211ULL;
	return h;
}

/* What one run of either way measured. */
typedef struct RunStats
{
	double		parse_ns;		/* body to cells ready to read */
	double		walk_ns;		/* reading every cell */
	double		free_ns;		/* releasing the page */
	size_t		peak;			/* bytes allocated on top of the body */
	size_t		held;			/* of which still held while reading */
	uint64_t	hash;
} RunStats;

/* ---- before: json-c's tree ---- */

/*
 * The pass json-c's tree needed: is there an integer literal beyond 64
 * bits (json-c would clamp it)?  As the client did it before the scanner.
 */
static bool
has_oversized_integer(const char *body, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		if (body[i] == '"')
		{
			for (i++; i < len && body[i] != '"'; i++)
			{
				if (body[i] == '\\')
					i++;
			}
			i++;
		}
		else if (body[i] == '-' || (body[i] >= '0' && body[i] <= '9'))
		{
			bool		negative = (body[i] == '-');
			size_t		digits;
			size_t		start;
			bool		integer = true;

			if (negative)
				i++;
			start = i;
			while (i < len && body[i] >= '0' && body[i] <= '9')
				i++;
			digits = i - start;
			while (i < len && (body[i] == '.' || body[i] == 'e' || body[i] == 'E' ||
							   body[i] == '+' || body[i] == '-' ||
							   (body[i] >= '0' && body[i] <= '9')))
			{
				integer = false;
				i++;
			}
			if (integer && digits >= 19)
			{
				const char *limit = negative ? "9223372036854775808" : "18446744073709551615";

				if (digits > strlen(limit) ||
					(digits == strlen(limit) && memcmp(body + start, limit, digits) > 0))
					return true;
			}
		}
		else
			i++;
	}
	return false;
}

/* Member key of obj, which must be there. */
static json_object *
member(json_object *obj, const char *key)
{
	json_object *value = NULL;

	if (!json_object_object_get_ex(obj, key, &value))
	{
		fprintf(stderr, "no member %s\n", key);
		exit(1);
	}
	return value;
}

/* One page the way the client read it with json-c. */
static void
run_json_c(const char *body, size_t len, RunStats *stats)
{
	size_t		base = live_bytes;
	double		t0 = now_ns();
	struct json_tokener *tok = json_tokener_new_ex(SEMOSS_JSON_MAX_DEPTH);
	json_object *root;
	json_object *returns;
	json_object *data;
	json_object *values;
	size_t		nrows;
	size_t		ncols;
	size_t		r;
	size_t		c;
	uint64_t	h = 14695981039346656037ULL;
	double		t1;
	double		t2;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, body, (int) len);
	if (json_tokener_get_error(tok) != json_tokener_success || has_oversized_integer(body, len))
	{
		fprintf(stderr, "json-c refused the reply\n");
		exit(1);
	}
	json_tokener_free(tok);
	returns = member(root, "pixelReturn");
	data = member(member(json_object_array_get_idx(returns, json_object_array_length(returns) - 1),
						 "output"), "data");
	values = member(data, "values");
	nrows = json_object_array_length(values);
	ncols = json_object_array_length(member(data, "headers"));
	for (r = 0; r < nrows; r++)
	{
		json_object *row = json_object_array_get_idx(values, r);

		if (!json_object_is_type(row, json_type_array) ||
			json_object_array_length(row) != ncols)
			exit(1);
	}
	t1 = now_ns();
	stats->held = live_bytes - base;
	for (r = 0; r < nrows; r++)
	{
		for (c = 0; c < ncols; c++)
		{
			json_object *cell = json_object_array_get_idx(json_object_array_get_idx(values, r), c);
			const char *text = NULL;
			size_t		n = 0;
			int			kind = SEMOSS_CELL_NULL;

			switch (json_object_get_type(cell))
			{
				case json_type_null:
					break;
				case json_type_string:
					text = json_object_get_string(cell);
					n = (size_t) json_object_get_string_len(cell);
					kind = SEMOSS_CELL_STRING;
					break;
				case json_type_boolean:
					text = json_object_get_boolean(cell) ? "true" : "false";
					n = strlen(text);
					kind = SEMOSS_CELL_BOOLEAN;
					break;
				case json_type_int:
				case json_type_double:
					text = json_object_to_json_string_length(cell, JSON_C_TO_STRING_PLAIN |
															 JSON_C_TO_STRING_NOSLASHESCAPE, &n);
					kind = SEMOSS_CELL_NUMBER;
					break;
				case json_type_object:
				case json_type_array:
					text = json_object_to_json_string_length(cell, JSON_C_TO_STRING_PLAIN |
															 JSON_C_TO_STRING_NOSLASHESCAPE, &n);
					kind = SEMOSS_CELL_JSON;
					break;
			}
			h = hash_cell(h, kind, text, n);
		}
	}
	t2 = now_ns();
	json_object_put(root);
	stats->parse_ns = t1 - t0;
	stats->walk_ns = t2 - t1;
	stats->free_ns = now_ns() - t2;
	stats->hash = h;
}

/* ---- now: the scanner's cell table ---- */

/* One page the way the client reads it now. */
static void
run_scanner(const char *body, size_t len, RunStats *stats)
{
	size_t		base = live_bytes;
	double		t0 = now_ns();
	SemossPixelResult res;
	SemossError err;
	SemossPage *page = NULL;
	uint64_t	h = 14695981039346656037ULL;
	int			nrows;
	int			ncols;
	int			r;
	int			c;
	double		t1;
	double		t2;

	if (semoss_pixel_result_parse(body, len, 0, SEMOSS_VALUES_AS_CELLS, NULL, NULL,
								  &res, &err) != SEMOSS_OK ||
		semoss_page_from_result(&res, 1, &page, &err) != SEMOSS_OK)
	{
		fprintf(stderr, "the scanner refused the reply: %s\n", err.message);
		exit(1);
	}
	semoss_pixel_result_free(&res);
	t1 = now_ns();
	stats->held = live_bytes - base;
	nrows = semoss_page_nrows(page);
	ncols = semoss_page_ncols(page);
	for (r = 0; r < nrows; r++)
	{
		for (c = 0; c < ncols; c++)
		{
			const char *text;
			size_t		n;
			SemossCellKind kind = semoss_page_cell(page, r, c, &text, &n);

			h = hash_cell(h, kind, text, n);
		}
	}
	t2 = now_ns();
	semoss_page_free(page);
	stats->parse_ns = t1 - t0;
	stats->walk_ns = t2 - t1;
	stats->free_ns = now_ns() - t2;
	stats->hash = h;
}

/* ---- driver ---- */

/* qsort comparison of doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Median of n values (sorts them). */
static double
median(double *v, int n)
{
	qsort(v, (size_t) n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Run one way once to hash its cells, `runs` times timed (after two
 * warm-up runs), once counting memory; print a table row and return the
 * hash.
 */
static uint64_t
measure(const char *name, void (*run) (const char *, size_t, RunStats *),
		const char *body, size_t len, int runs)
{
	double	   *parse = malloc(sizeof(double) * (size_t) runs);
	double	   *walk = malloc(sizeof(double) * (size_t) runs);
	double	   *release = malloc(sizeof(double) * (size_t) runs);
	double	   *total = malloc(sizeof(double) * (size_t) runs);
	RunStats	stats;
	double		cells = (double) NROWS * NCOLS;
	uint64_t	hash;
	int			i;

	verifying = true;
	run(body, len, &stats);
	hash = stats.hash;
	verifying = false;
	run(body, len, &stats);
	run(body, len, &stats);
	for (i = 0; i < runs; i++)
	{
		run(body, len, &stats);
		parse[i] = stats.parse_ns;
		walk[i] = stats.walk_ns;
		release[i] = stats.free_ns;
		total[i] = stats.parse_ns + stats.walk_ns + stats.free_ns;
	}
	/* memory of one more run, counting only its own blocks */
	counting = true;
	live_bytes = 0;
	peak_bytes = 0;
	run(body, len, &stats);
	counting = false;
	stats.peak = peak_bytes;
	printf("| %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f (%.0f) | %.2f (%.0f) |\n",
		   name, median(parse, runs) / cells, median(walk, runs) / cells,
		   median(release, runs) / cells, median(total, runs) / cells,
		   median(total, runs) / 1e6,
		   (double) stats.peak / (1024.0 * 1024.0), (double) stats.peak / cells,
		   (double) stats.held / (1024.0 * 1024.0), (double) stats.held / cells);
	free(parse);
	free(walk);
	free(release);
	free(total);
	return hash;
}

int
main(int argc, char **argv)
{
	int			runs = argc > 1 ? atoi(argv[1]) : 40;
	size_t		len;
	char	   *body = build_reply(&len);
	uint64_t	before;
	uint64_t	now;

	if (runs < 1)
		runs = 1;
	printf("reply: %d rows x %d columns, %zu bytes (%.1f bytes per cell); median of %d runs\n\n",
		   NROWS, NCOLS, len, (double) len / (NROWS * NCOLS), runs);
	printf("| parser | parse ns/cell | read ns/cell | free ns/cell | total ns/cell | ms/page "
		   "| peak extra MiB (B/cell) | held while reading MiB (B/cell) |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	before = measure("json-c tree (before)", run_json_c, body, len, runs);
	now = measure("scanner + cell table (now)", run_scanner, body, len, runs);
	printf("\nsame cells: %s\n", before == now ? "yes" : "NO");
	free(body);
	return before == now ? 0 : 1;
}
