/*-------------------------------------------------------------------------
 *
 * semoss_client_internal.h
 *		  Private interfaces shared by the files of the SEMOSS client layer.
 *
 * The client is split in four files:
 *
 *	semoss_pixel.c		text building: growable buffers, URL/form encoding,
 *						base64, identifier checks and the pixel builders.
 *	semoss_json.c		the strict JSON scanner every body goes through
 *						first; it decodes the rows of Collect pages into
 *						cell tables and leaves a small skeleton of the
 *						rest for json-c.
 *	semoss_response.c	json-c trees of response bodies, classification
 *						of HTTP replies, pixelReturn handling, Collect
 *						pages and the error helpers.
 *	semoss_client.c		sessions, the libcurl transport, logging in, and
 *						the retry rules of the public API.
 *
 * Nothing here is part of the FDW-facing contract (semoss_client.h); it is
 * exposed only so the unit tests in test/client/ can reach the pure
 * functions directly.  Like the public header, this one includes no
 * PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/semoss_client_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEMOSS_CLIENT_INTERNAL_H
#define SEMOSS_CLIENT_INTERNAL_H

#include <stdarg.h>

#include <json-c/json.h>

#include "semoss_client.h"

#if defined(__GNUC__) || defined(__clang__)
#define SEMOSS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SEMOSS_PRINTF(f, a)
#endif

/* Longest engine or task id accepted by semoss_identifier_is_safe(). */
#define SEMOSS_MAX_IDENTIFIER_LEN	200

/* How many bytes of an unexpected HTTP body go into SemossError.detail. */
#define SEMOSS_BODY_EXCERPT_LEN		500

/*
 * Nesting limit, json-c's, which the scanner counts the same way: the
 * Collect envelope alone is 7 levels deep.
 */
#define SEMOSS_JSON_MAX_DEPTH		256

/*
 * Largest response body accepted (1 GB, PostgreSQL's limit for one value):
 * a reply is held in memory whole and parsed into about twice its size.
 */
#define SEMOSS_MAX_RESPONSE_BYTES	((size_t) 1024 * 1024 * 1024)

/*
 * Bytes scanned, or handed to json-c, between two calls of the interrupt
 * check while parsing.
 */
#define SEMOSS_PARSE_CHUNK			(1024 * 1024)

/* ---- semoss_pixel.c: growable text buffer ---- */

/*
 * A NUL-terminated growable buffer.  Allocation failure is sticky: once
 * oom is set every append is a no-op, so callers check once at the end.
 */
typedef struct SemossBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		oom;
} SemossBuf;

extern void semoss_buf_init(SemossBuf *buf);
extern bool semoss_buf_reserve(SemossBuf *buf, size_t extra);
extern bool semoss_buf_append(SemossBuf *buf, const char *data, size_t len);
extern bool semoss_buf_appends(SemossBuf *buf, const char *str);
extern bool semoss_buf_printf(SemossBuf *buf, const char *fmt,...) SEMOSS_PRINTF(2, 3);
extern char *semoss_buf_release(SemossBuf *buf);
extern void semoss_buf_free(SemossBuf *buf);
extern void semoss_buf_free_wiped(SemossBuf *buf);

/* ---- semoss_pixel.c: encoders ---- */

extern bool semoss_url_encode_append(SemossBuf *buf, const char *text, size_t len);
extern bool semoss_contains_preprocessor_tag(const char *text);
extern char *semoss_base64_encode(const char *data, size_t len);
extern char *semoss_form_body(const char *expression, const char *insight_id);

/* ---- semoss_pixel.c: pixel builders ---- */

extern SemossStatus semoss_build_query_pixel(const char *engine_id,
											 const char *sql, long limit,
											 char **pixel, SemossError *err);
extern SemossStatus semoss_build_collect_pixel(const char *task_id, long limit,
											   char **pixel, SemossError *err);
extern SemossStatus semoss_build_remove_task_pixel(const char *task_id,
												   char **pixel,
												   SemossError *err);
extern SemossStatus semoss_build_exec_pixel(const char *engine_id,
											const char *sql, char **pixel,
											SemossError *err);
extern char *semoss_build_drop_insight_pixel(void);
extern char *semoss_build_expression(char *const *removals, int nremovals,
									 const char *pixel);

/*
 * Task ids handed to the FDW are SEMOSS's own ("task1") while the session
 * is on its first insight; after an insight was lost and replaced they
 * carry the insight generation ("task1@2"), because the new insight numbers
 * its tasks from task1 again and a scan of the lost insight must never read
 * another scan's rows.
 */
extern char *semoss_task_public_id(const char *semoss_id, unsigned generation);
extern char *semoss_task_parse_public_id(const char *public_id,
										 unsigned *generation);

/* ---- semoss_response.c: errors ---- */

extern void semoss_error_clear(SemossError *err);
extern SemossStatus semoss_error_set(SemossError *err, SemossStatus status,
									 long http_status, const char *fmt,...) SEMOSS_PRINTF(4, 5);
extern void semoss_error_set_detail(SemossError *err, const char *text,
									size_t len, bool multiline);
extern void semoss_error_prefix(SemossError *err, const char *fmt,...) SEMOSS_PRINTF(2, 3);
extern size_t semoss_sanitize_text(char *dst, size_t dstsize, const char *src,
								   size_t srclen, bool multiline);

/* ---- semoss_json.c: strict JSON scanner, Collect cell tables ---- */

/* One cell of a Collect page as the scanner decoded it. */
typedef struct SemossCell
{
	uint32_t	offset;			/* where its text starts in the arena */
	uint32_t	len;			/* bytes of text, without the NUL */
	SemossCellKind kind;		/* NULL cells have no text */
} SemossCell;

/*
 * The decoded rows of one pixelReturn[i].output.data.values array.  Every
 * cell's text lies NUL-terminated in one arena: strings unescaped (UTF-8,
 * \u0000 as a NUL byte counted in len), numbers as their source text,
 * booleans as "true"/"false", objects and arrays as their source JSON.
 * The arena is never larger than the body the array came from, so 32-bit
 * offsets suffice under SEMOSS_MAX_RESPONSE_BYTES.
 *
 * Rows are not checked against the headers here (the scanner does not know
 * them); the table keeps what that check needs: the width of row 0 and the
 * first row unlike it.
 */
typedef struct SemossCellTable
{
	char	   *text;			/* the arena */
	size_t		text_len;		/* bytes of it in use */
	size_t		text_cap;		/* bytes allocated */
	size_t		text_limit;		/* most it may ever need */
	SemossCell *cells;			/* every cell, row after row */
	size_t		ncells;
	size_t		cells_cap;
	size_t		nrows;			/* elements of the values array */
	size_t		row_width;		/* cells in row 0 */
	size_t		odd_row;		/* first row that is not an array of
								 * row_width cells, or SIZE_MAX */
	size_t		odd_row_width;	/* its cells, if it is an array */
	const char *odd_row_type;	/* else its JSON type, as json-c names it */
} SemossCellTable;

/* What semoss_json_scan found besides the body being valid. */
typedef struct SemossJsonScan
{
	SemossCellTable **tables;	/* by pixelReturn index, NULL where no
								 * values array was decoded */
	size_t		ntables;
	char	   *skeleton;		/* the body with those arrays replaced by
								 * [], or NULL if there were none */
	size_t		skeleton_len;
} SemossJsonScan;

extern SemossStatus semoss_json_scan(const char *body, size_t len,
									 bool capture_cells,
									 SemossInterruptCheck interrupt_check,
									 void *interrupt_arg,
									 SemossJsonScan *scan, SemossError *err);
extern void semoss_json_scan_free(SemossJsonScan *scan);
extern void semoss_cell_table_free(SemossCellTable *table);
extern size_t semoss_utf8_sequence_length(const unsigned char *s, size_t avail);

/* ---- semoss_response.c: JSON and replies ---- */

extern SemossStatus semoss_json_parse(const char *body, size_t len,
									  SemossInterruptCheck interrupt_check,
									  void *interrupt_arg,
									  json_object **result, SemossError *err);

/* How an HTTP reply to a runPixel request is to be treated. */
typedef enum SemossReplyClass
{
	SEMOSS_REPLY_OK,			/* 200: parse the pixelReturn body */
	SEMOSS_REPLY_RELOGIN,		/* 302, or 401 "User session is invalid" */
	SEMOSS_REPLY_CSRF,			/* 403 with X-CSRF-Token: Required */
	SEMOSS_REPLY_INSIGHT_LOST,	/* 400 with errorType INSIGHT_NOT_FOUND */
	SEMOSS_REPLY_HTTP_ERROR		/* anything else */
} SemossReplyClass;

extern SemossReplyClass semoss_classify_reply(long http_status,
											  const char *csrf_header,
											  const char *body, size_t len);
extern void semoss_http_error(SemossError *err, long http_status,
							  const char *what, const char *location,
							  const char *body, size_t len);

/*
 * What semoss_pixel_result_parse does with the values arrays of Collect
 * outputs (pixelReturn[i].output.data.values).
 */
typedef enum SemossValuesHandling
{
	SEMOSS_VALUES_AS_JSON,		/* keep them in the json-c tree */
	SEMOSS_VALUES_AS_CELLS		/* decode them into a SemossCellTable; the
								 * tree shows [] in their place */
} SemossValuesHandling;

/*
 * The interesting part of a 200 runPixel reply.  root and cells are owned;
 * the other pointers borrow from root.
 */
typedef struct SemossPixelResult
{
	json_object *root;
	json_object *target;		/* the pixelReturn entry of our pixel */
	json_object *output;		/* its "output" (NULL for JSON null) */
	SemossCellTable *cells;		/* its output.data.values, when decoded as
								 * cells; NULL otherwise */
	const char *insight_id;		/* "insightID", or NULL if absent */
	size_t		target_entry;	/* index of target in pixelReturn */
	int			nroutines;		/* entries other than thread_execution_* */
	int			target_index;	/* index of target among those */
	bool		removals_blocked;	/* our pixel did not run at all */
	size_t		body_bytes;		/* size of the body that was parsed */
} SemossPixelResult;

extern SemossStatus semoss_pixel_result_parse(const char *body, size_t len,
											  int nremovals,
											  SemossValuesHandling values,
											  SemossInterruptCheck interrupt_check,
											  void *interrupt_arg,
											  SemossPixelResult *result,
											  SemossError *err);
extern SemossStatus semoss_pixel_result_from_json(json_object *root,
												  int nremovals,
												  SemossPixelResult *result,
												  SemossError *err);
extern void semoss_pixel_result_free(SemossPixelResult *result);
extern char *semoss_json_text(json_object *obj);

extern SemossStatus semoss_page_from_result(SemossPixelResult *result,
											unsigned generation,
											SemossPage **page,
											SemossError *err);

/* ---- metadata reactors (semoss_pixel.c, semoss_response.c) ---- */

extern SemossStatus semoss_build_engine_pixel(const char *reactor,
											  const char *engine_id,
											  const char *extra_args,
											  char **pixel, SemossError *err);
extern SemossStatus semoss_parse_engine_list(json_object *output,
											 SemossEngineInfo **engines,
											 int *nengines, SemossError *err);
extern SemossStatus semoss_parse_table_structure(json_object *structure,
												 json_object *metamodel,
												 SemossColumnInfo **columns,
												 int *ncolumns,
												 SemossError *err);

#endif							/* SEMOSS_CLIENT_INTERNAL_H */
