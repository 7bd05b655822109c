/*-------------------------------------------------------------------------
 *
 * semoss_client.h
 *		  Plain-C client for the SEMOSS HTTP API (libcurl + json-c).
 *
 * This layer deliberately includes no PostgreSQL header, so it can be unit
 * tested as an ordinary program (see test/client/).  The FDW side owns
 * error reporting (it maps SemossStatus to SQLSTATEs) and memory contexts
 * (it registers reset callbacks that free the objects returned here).
 *
 * Everything returned by this API is allocated with malloc() and freed by
 * the matching *_free() function.  No function here ever calls exit(),
 * prints to stdout/stderr, or lets a secret reach an error message.
 *
 * The wire protocol is described in shared/docs/semoss-protocol.md.
 *
 * IDENTIFICATION
 *		  src/semoss_client.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEMOSS_CLIENT_H
#define SEMOSS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Outcome classes; the FDW maps each to an SQLSTATE. */
typedef enum SemossStatus
{
	SEMOSS_OK = 0,
	SEMOSS_ERR_INVALID_ARGUMENT,	/* bad URL, id with forbidden characters */
	SEMOSS_ERR_OUT_OF_MEMORY,
	SEMOSS_ERR_CONNECT,			/* DNS, refused, reset, TLS handshake,
								 * before the request was sent */
	SEMOSS_ERR_CONNECTION_LOST, /* the connection failed after the request
								 * was sent: it may have run */
	SEMOSS_ERR_TLS,				/* TLS handshake or certificate check failed */
	SEMOSS_ERR_TIMEOUT,			/* connect or request timeout expired */
	SEMOSS_ERR_CANCELLED,		/* interrupt_check asked us to stop */
	SEMOSS_ERR_AUTH,			/* credentials refused (login failed) */
	SEMOSS_ERR_SESSION_EXPIRED, /* 302/401 persisted after logging in again */
	SEMOSS_ERR_CSRF,			/* 403 persisted after fetching a new token */
	SEMOSS_ERR_TASK_LOST,		/* session/insight vanished in mid-scan */
	SEMOSS_ERR_HTTP,			/* unexpected HTTP status (4xx/5xx) */
	SEMOSS_ERR_PROTOCOL,		/* non-JSON, truncated JSON, unexpected shape */
	SEMOSS_ERR_PIXEL			/* the pixel ran and reported "ERROR" */
} SemossStatus;

/*
 * Error details.  message is a one-line summary written by this layer;
 * detail carries the remote text (pixel error output, HTTP body excerpt),
 * truncated to fit.  Neither ever contains a credential.
 */
typedef struct SemossError
{
	SemossStatus status;
	long		http_status;	/* last HTTP status seen, 0 if none */
	char		message[512];
	char		detail[2048];
} SemossError;

typedef enum SemossAuthKind
{
	SEMOSS_AUTH_BASIC,			/* access key + secret key */
	SEMOSS_AUTH_BEARER			/* bearer token + Bearer-Provider */
} SemossAuthKind;

/*
 * Called often (at least every 50 ms) while a request is in flight.
 * Return nonzero to abort the request at once with SEMOSS_ERR_CANCELLED.
 */
typedef int (*SemossInterruptCheck) (void *arg);

/* Everything needed to open a session.  Strings are copied. */
typedef struct SemossConfig
{
	const char *base_url;		/* e.g. "https://host/Monolith/api" */
	SemossAuthKind auth_kind;
	const char *access_key;		/* BASIC */
	const char *secret_key;		/* BASIC */
	const char *bearer_token;	/* BEARER */
	const char *bearer_provider;	/* BEARER; may be NULL */
	long		connect_timeout_ms; /* 0 = libcurl default */
	long		request_timeout_ms; /* whole request; 0 = no limit */
	bool		verify_tls;		/* verify peer certificate and host name */
	const char *ca_file;		/* NULL = system CA store */
	const char *user_agent;		/* NULL = "semoss_fdw" */
	SemossInterruptCheck interrupt_check;	/* may be NULL */
	void	   *interrupt_arg;
} SemossConfig;

/* Counters kept per session, for semoss_fdw_get_connections() and tests. */
typedef struct SemossSessionStats
{
	uint64_t	requests;		/* HTTP requests sent, logins included */
	uint64_t	logins;			/* GET /config logins performed */
	uint64_t	bytes_received; /* response bodies */
	time_t		opened_at;		/* when the first login succeeded, or 0 */
} SemossSessionStats;

typedef struct SemossSession SemossSession;
typedef struct SemossPage SemossPage;

/* Kind of one cell of a Collect page. */
typedef enum SemossCellKind
{
	SEMOSS_CELL_NULL,
	SEMOSS_CELL_STRING,
	SEMOSS_CELL_NUMBER,			/* text is the number exactly as sent */
	SEMOSS_CELL_BOOLEAN,		/* text is "true" or "false" */
	SEMOSS_CELL_JSON			/* object or array; text is its JSON exactly
								 * as sent */
} SemossCellKind;

/* ---- sessions ---- */

/*
 * Create a session object.  Validates the configuration (only http:// and
 * https:// URLs) but performs no network I/O: logging in happens on the
 * first request.  Returns NULL and fills *err on failure.
 */
extern SemossSession *semoss_session_new(const SemossConfig *config,
										 SemossError *err);

/*
 * Politely end the session: DropInsight (if an insight exists) and log
 * out.  Best effort; the session object stays valid and must still be
 * freed with semoss_session_free().
 */
extern SemossStatus semoss_session_close(SemossSession *session,
										 SemossError *err);

/* Free the session without network I/O; secrets are wiped from memory. */
extern void semoss_session_free(SemossSession *session);

/* Log in now (GET /config, then the CSRF token if the server wants one). */
extern SemossStatus semoss_session_login(SemossSession *session,
										 SemossError *err);

/* The insight id in use, or NULL before the first pixel. */
extern const char *semoss_session_insight_id(const SemossSession *session);

/* True once a transport error left the session in an unknown state. */
extern bool semoss_session_is_broken(const SemossSession *session);

extern void semoss_session_get_stats(const SemossSession *session,
									 SemossSessionStats *stats);

/* ---- reading: Database | Query | Collect, then Task | Collect ---- */

/*
 * Run sql on engine_id and collect the first `limit` rows (-1 = all).
 * On success *page holds the rows and the task id for further pages.
 */
extern SemossStatus semoss_query(SemossSession *session, const char *engine_id,
								 const char *sql, long limit,
								 SemossPage **page, SemossError *err);

/* Collect the next `limit` rows of an open task. */
extern SemossStatus semoss_task_collect(SemossSession *session,
										const char *task_id, long limit,
										SemossPage **page, SemossError *err);

/* RemoveTask(task_id, true) now, in a request of its own. */
extern SemossStatus semoss_task_remove(SemossSession *session,
									   const char *task_id, SemossError *err);

/*
 * Queue RemoveTask(task_id, true) to be sent as an extra routine in front
 * of the next request of this session (costs no round trip).  Used for
 * tasks that are finished but still held in SEMOSS's task store, and on
 * error paths where no request may be made.
 */
extern void semoss_task_remove_later(SemossSession *session,
									 const char *task_id);

/* Number of task removals queued and not yet sent. */
extern int	semoss_pending_removals(const SemossSession *session);

/* ---- writing: Database | Query | ExecQuery ---- */

extern SemossStatus semoss_exec(SemossSession *session, const char *engine_id,
								const char *sql, SemossError *err);

/*
 * Run an arbitrary pixel (it should start with "META | ").  On success
 * *output_json receives the malloc'd JSON text of the last routine's
 * "output".  Used for metadata reactors (MyEngines, ...).
 */
extern SemossStatus semoss_run_pixel(SemossSession *session, const char *pixel,
									 char **output_json, SemossError *err);

/* ---- pages ---- */

extern int	semoss_page_nrows(const SemossPage *page);
extern int	semoss_page_ncols(const SemossPage *page);
extern const char *semoss_page_task_id(const SemossPage *page);
extern const char *semoss_page_header(const SemossPage *page, int col);
extern const char *semoss_page_data_type(const SemossPage *page, int col);
extern size_t semoss_page_bytes(const SemossPage *page);

/*
 * Fetch one cell.  *text (NUL-terminated, length *len) stays valid until
 * the page is freed; it is NULL for SEMOSS_CELL_NULL.  Strings are
 * unescaped UTF-8 (a \u0000 escape is a NUL byte inside, counted in
 * *len); numbers, objects and arrays are the exact text SEMOSS sent.
 */
extern SemossCellKind semoss_page_cell(const SemossPage *page, int row, int col,
									   const char **text, size_t *len);

extern void semoss_page_free(SemossPage *page);

/* ---- helpers exposed for tests and for the FDW ---- */

/*
 * Build the pixel string literal body that carries `sql` to QueryReactor:
 * "<encode>sql</encode>", or, when sql contains a tag that SEMOSS's
 * pre-processor would act on, the URL-encoded text that pre-processor
 * would have produced.  Returns malloc'd text or NULL on OOM.
 */
extern char *semoss_encode_sql_argument(const char *sql);

/* Java URLEncoder.encode(text, "UTF-8") with '+' turned into "%20". */
extern char *semoss_url_encode(const char *text);

/* True when id may be placed inside a pixel "..." string as-is. */
extern bool semoss_identifier_is_safe(const char *id);

extern const char *semoss_status_name(SemossStatus status);

/* libcurl global init; call once per process before any session. */
extern SemossStatus semoss_global_init(SemossError *err);

/* ---- metadata: the engines a user can see, SEMOSS's table structure ---- */

/* One database engine visible to the session's user (MyEngines). */
typedef struct SemossEngineInfo
{
	char	   *id;				/* engine_id, else database_id, else app_id */
	char	   *name;			/* engine_name/database_name/app_name, or NULL */
	char	   *type;			/* engine_type/database_type/app_type, or NULL */
	char	   *subtype;		/* e.g. "POSTGRES", or NULL */
	char	   *permission;		/* "owner", "edit", "view", SEMOSS's own text,
								 * or NULL */
	char	   *description;	/* or NULL */
} SemossEngineInfo;

/*
 * One column as SEMOSS's registered metadata describes it (not the live
 * database: SEMOSS caches it, so recent tables may be missing, and it has
 * no schemas, column order, NOT NULL, defaults or keys).
 */
typedef struct SemossColumnInfo
{
	char	   *table;			/* physical table name */
	char	   *column;			/* physical column name */
	char	   *type;			/* STRING, NUMBER, DATE or TIMESTAMP */
	char	   *data_type;		/* finer type from the metamodel (INT, DOUBLE,
								 * STRING, ...), or NULL */
	char	   *physical_type;	/* e.g. "VARCHAR(20)", "INT4", or NULL */
} SemossColumnInfo;

/*
 * MyEngines(engineTypes=["DATABASE"]): the database engines the user can
 * see, in SEMOSS's order.  Entries without any id are skipped.  Free the
 * array with semoss_engines_free().
 */
extern SemossStatus semoss_list_engines(SemossSession *session,
										SemossEngineInfo **engines,
										int *nengines, SemossError *err);
extern void semoss_engines_free(SemossEngineInfo *engines, int nengines);

/*
 * GetDatabaseTableStructure(database=["<engine_id>"]), refined with the
 * data and physical types of GetDatabaseMetamodel(options=["datatypes"])
 * when that reactor answers (a pixel error there is not fatal: the coarse
 * types remain).  Columns come in SEMOSS's order (by table, then column
 * name, not the tables' column order).  Free the array with
 * semoss_columns_free().
 */
extern SemossStatus semoss_table_structure(SemossSession *session,
										   const char *engine_id,
										   SemossColumnInfo **columns,
										   int *ncolumns, SemossError *err);
extern void semoss_columns_free(SemossColumnInfo *columns, int ncolumns);

#endif							/* SEMOSS_CLIENT_H */
