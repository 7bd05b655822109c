/*-------------------------------------------------------------------------
 *
 * connection.c
 *		  The cache of SEMOSS sessions, and turning client errors into
 *		  PostgreSQL errors.
 *
 * One SEMOSS session (HTTP keep-alive connection, cookies, one insight) is
 * kept per backend and user mapping, made on first use and reused by later
 * queries.  Sessions are remade when their server or user mapping changes
 * (syscache callbacks), and closed politely (DropInsight, logout) when the
 * backend exits.
 *
 * SEMOSS has no transactions, so nothing is mirrored at commit; but a scan
 * that dies with its transaction leaves a task (a server-side cursor) open.
 * Tasks are tracked here while scans run, and orphaned ones are queued for
 * removal with the next request, since no request may be made while a
 * transaction aborts.
 *
 * IDENTIFICATION
 *		  src/connection.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>
#include <json-c/json_c_version.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "foreign/fdwapi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/pmsignal.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "semoss_fdw.h"

/* How long a backend may spend saying goodbye to SEMOSS when it exits. */
#define SEMOSS_EXIT_BUDGET_MS	2000

struct SemossConnection
{
	Oid			umid;			/* hash key: the user mapping */
	SemossSession *session;		/* NULL until first use */
	Oid			serverid;
	uint32		server_hashvalue;	/* for syscache invalidation */
	uint32		mapping_hashvalue;
	bool		invalidated;	/* server or user mapping changed */
	bool		xact_used;		/* used by the current transaction */
	List	   *open_tasks;		/* ids of tasks (server-side cursors) that
								 * running scans own; in TopMemoryContext */
	List	   *writable_engines;	/* engine ids SEMOSS lets this session
									 * write to; in TopMemoryContext */
	List	   *engine_subtypes;	/* pairs (id, subtype or NULL) of the
									 * engines the user sees, once listed;
									 * in TopMemoryContext */
	bool		engines_listed;
};

static HTAB *connection_hash = NULL;

/* Nonzero while the backend exits: requests are cut off at this time. */
static TimestampTz exit_deadline = 0;

/*
 * Interrupt hook handed to the client, polled while a request is in
 * flight: query cancel, statement_timeout, pg_terminate_backend and
 * postmaster death all stop the request at once.  During backend exit only
 * the exit budget counts.
 */
static int
interrupt_check(void *arg)
{
	if (exit_deadline != 0)
		return GetCurrentTimestamp() >= exit_deadline;
	if (QueryCancelPending || ProcDiePending)
		return 1;
	if (!PostmasterIsAlive())
		return 1;
	return 0;
}

/*
 * Forget every task `entry` tracks; with `remove`, queue their removal for
 * the session's next request (their scans are gone).
 */
static void
forget_tasks(SemossConnection *entry, bool remove)
{
	ListCell   *lc;

	foreach(lc, entry->open_tasks)
	{
		char	   *task_id = (char *) lfirst(lc);

		if (remove && entry->session != NULL)
			semoss_task_remove_later(entry->session, task_id);
		pfree(task_id);
	}
	list_free(entry->open_tasks);
	entry->open_tasks = NIL;
}

/* Close and free the session of `entry`, politely if `polite`. */
static void
disconnect_entry(SemossConnection *entry, bool polite)
{
	if (entry->session != NULL)
	{
		if (polite)
		{
			SemossError err;

			(void) semoss_session_close(entry->session, &err);
		}
		semoss_session_free(entry->session);
		entry->session = NULL;
	}
	forget_tasks(entry, false);
	list_free_deep(entry->writable_engines);
	entry->writable_engines = NIL;
	list_free_deep(entry->engine_subtypes);
	entry->engine_subtypes = NIL;
	entry->engines_listed = false;
}

/* Mark sessions whose server or user mapping changed; see get_connection. */
static void
invalidation_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	SemossConnection *entry;

	hash_seq_init(&scan, connection_hash);
	while ((entry = (SemossConnection *) hash_seq_search(&scan)) != NULL)
	{
		if (hashvalue == 0 ||
			(cacheid == FOREIGNSERVEROID && entry->server_hashvalue == hashvalue) ||
			(cacheid == USERMAPPINGOID && entry->mapping_hashvalue == hashvalue))
			entry->invalidated = true;
	}
}

/*
 * At the end of a top-level transaction every scan has ended; tasks still
 * tracked belong to scans that died with an error.  Queue their removal.
 */
static void
xact_callback(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS scan;
	SemossConnection *entry;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT)
		return;

	hash_seq_init(&scan, connection_hash);
	while ((entry = (SemossConnection *) hash_seq_search(&scan)) != NULL)
	{
		entry->xact_used = false;
		forget_tasks(entry, true);
	}
}

/* At backend exit, drop every insight and log every session out. */
static void
exit_callback(int code, Datum arg)
{
	HASH_SEQ_STATUS scan;
	SemossConnection *entry;

	exit_deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												SEMOSS_EXIT_BUDGET_MS);
	hash_seq_init(&scan, connection_hash);
	while ((entry = (SemossConnection *) hash_seq_search(&scan)) != NULL)
		disconnect_entry(entry, true);
}

/* Create the cache and register its callbacks, once per backend. */
static void
init_connection_cache(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(SemossConnection);
	connection_hash = hash_create("semoss_fdw sessions", 8, &ctl,
								  HASH_ELEM | HASH_BLOBS);

	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, invalidation_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, invalidation_callback, (Datum) 0);
	RegisterXactCallback(xact_callback, NULL);
	on_proc_exit(exit_callback, (Datum) 0);
}

/*
 * Open a client session for `user` on its server.  Credentials are read
 * from the user mapping here, at execution time; they are never copied into
 * plans.  No network I/O happens until the first request.
 */
static SemossSession *
open_session(UserMapping *user)
{
	ForeignServer *server = GetForeignServer(user->serverid);
	SemossServerOptions sopts;
	SemossConfig config;
	SemossSession *session;
	SemossError err;

	semoss_get_server_options(server, &sopts);

	memset(&config, 0, sizeof(config));
	config.base_url = sopts.url;
	config.connect_timeout_ms = (long) sopts.connect_timeout * 1000;
	config.request_timeout_ms = (long) sopts.request_timeout * 1000;
	config.verify_tls = sopts.tls_verify;
	config.ca_file = sopts.ca_file;
	config.user_agent = "semoss_fdw/1.0";
	config.interrupt_check = interrupt_check;
	config.interrupt_arg = NULL;

	config.access_key = semoss_option_value(user->options, "access_key");
	config.secret_key = semoss_option_value(user->options, "secret_key");
	config.bearer_token = semoss_option_value(user->options, "bearer_token");
	config.bearer_provider = semoss_option_value(user->options, "bearer_provider");
	if (config.access_key != NULL)
		config.auth_kind = SEMOSS_AUTH_BASIC;
	else if (config.bearer_token != NULL)
		config.auth_kind = SEMOSS_AUTH_BEARER;
	else
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("user mapping for server \"%s\" has no SEMOSS credentials",
						server->servername),
				 errhint("Give the user mapping \"access_key\" and \"secret_key\", or \"bearer_token\".")));

	session = semoss_session_new(&config, &err);
	if (session == NULL)
		semoss_report_error(&err, NULL);
	return session;
}

/*
 * The cached session for `user`, opened if need be.
 */
SemossConnection *
semoss_get_connection(UserMapping *user)
{
	SemossConnection *entry;
	bool		found;

	if (connection_hash == NULL)
		init_connection_cache();

	entry = hash_search(connection_hash, &user->umid, HASH_ENTER, &found);
	if (!found)
	{
		entry->session = NULL;
		entry->open_tasks = NIL;
		entry->writable_engines = NIL;
		entry->engine_subtypes = NIL;
		entry->engines_listed = false;
		entry->invalidated = false;
		entry->xact_used = false;
	}

	/*
	 * Replace a session whose server or user mapping changed, or whose last
	 * request was cut off after it reached SEMOSS (cancel, timeout): SEMOSS
	 * may have made a task or even an insight we never heard of, and logging
	 * the session out drops them.  Not while a running scan still reads
	 * from the session.
	 */
	if (entry->session != NULL && entry->open_tasks == NIL &&
		(entry->invalidated || semoss_session_is_broken(entry->session)))
		disconnect_entry(entry, true);

	if (entry->session == NULL)
	{
		entry->serverid = user->serverid;
		entry->server_hashvalue =
			GetSysCacheHashValue1(FOREIGNSERVEROID, ObjectIdGetDatum(user->serverid));
		entry->mapping_hashvalue =
			GetSysCacheHashValue1(USERMAPPINGOID, ObjectIdGetDatum(user->umid));
		entry->invalidated = false;
		entry->session = open_session(user);
	}
	/* semoss_fdw_disconnect() leaves sessions of this transaction alone */
	entry->xact_used = true;
	return entry;
}

/* The client session of a connection. */
SemossSession *
semoss_connection_session(SemossConnection *conn)
{
	return conn->session;
}

/* Remember that a running scan owns task `task_id`. */
void
semoss_connection_track_task(SemossConnection *conn, const char *task_id)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

	conn->open_tasks = lappend(conn->open_tasks, pstrdup(task_id));
	MemoryContextSwitchTo(oldcxt);
}

/* Forget task `task_id`: its scan removed it or read it to the end. */
void
semoss_connection_untrack_task(SemossConnection *conn, const char *task_id)
{
	ListCell   *lc;

	foreach(lc, conn->open_tasks)
	{
		char	   *tracked = (char *) lfirst(lc);

		if (strcmp(tracked, task_id) == 0)
		{
			conn->open_tasks = foreach_delete_current(conn->open_tasks, lc);
			pfree(tracked);
			return;
		}
	}
}

/*
 * Make sure SEMOSS lets this session write to `engine_id`, asking it once
 * per session and engine.
 *
 * SEMOSS checks the edit permission only in ExecQuery; its Collect path,
 * which the FDW uses for writes whose rows or counts it needs back (see
 * modify.c), asks for view permission only.  So before the first such
 * write, a harmless statement goes through ExecQuery: a user without edit
 * permission gets SEMOSS's own refusal, exactly as for the writes that go
 * through ExecQuery anyway.  Only dialects with RETURNING take that path,
 * and for those "SELECT 1" is a valid statement.
 */
void
semoss_connection_check_write_access(SemossConnection *conn,
									 const char *engine_id)
{
	SemossError err;
	MemoryContext oldcxt;
	ListCell   *lc;

	foreach(lc, conn->writable_engines)
	{
		if (strcmp((char *) lfirst(lc), engine_id) == 0)
			return;
	}

	if (semoss_exec(conn->session, engine_id, "SELECT 1", &err) != SEMOSS_OK)
		semoss_report_error(&err, NULL);

	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	conn->writable_engines = lappend(conn->writable_engines, pstrdup(engine_id));
	MemoryContextSwitchTo(oldcxt);
}

/*
 * List the database engines the session's user sees, with their subtypes,
 * once per session.
 */
static void
list_engine_subtypes(SemossConnection *conn)
{
	SemossEngineInfo *engines = NULL;
	int			nengines = 0;
	SemossError err;
	MemoryContext oldcxt;
	int			i;

	if (conn->engines_listed)
		return;
	if (semoss_list_engines(conn->session, &engines, &nengines, &err) != SEMOSS_OK)
		semoss_report_error(&err, NULL);

	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	for (i = 0; i < nengines; i++)
	{
		conn->engine_subtypes = lappend(conn->engine_subtypes,
										pstrdup(engines[i].id));
		conn->engine_subtypes = lappend(conn->engine_subtypes,
										engines[i].subtype != NULL
										? pstrdup(engines[i].subtype) : NULL);
	}
	MemoryContextSwitchTo(oldcxt);
	semoss_engines_free(engines, nengines);
	conn->engines_listed = true;
}

/*
 * The dialect of engine `engine_id` of `server` whose dialect option is
 * 'auto': the one written for the engine's SEMOSS subtype, as the current
 * user's session sees it (MyEngines, asked once per session).  An engine
 * the user cannot see, or of a subtype no dialect is written for, is an
 * error that says what to do: semoss_fdw never guesses a dialect, since a
 * wrong one would read values wrongly or send SQL the database rejects.
 */
const SemossDialect *
semoss_engine_dialect(ForeignServer *server, const char *engine_id)
{
	SemossConnection *conn = semoss_get_connection(GetUserMapping(GetUserId(),
																  server->serverid));
	const SemossDialect *dialect;
	const char *subtype = NULL;
	bool		found = false;
	ListCell   *lc;

	if (!semoss_identifier_is_safe(engine_id))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid SEMOSS engine id \"%s\"", engine_id)));
	list_engine_subtypes(conn);
	for (lc = list_head(conn->engine_subtypes); lc != NULL;
		 lc = lnext(conn->engine_subtypes, lnext(conn->engine_subtypes, lc)))
	{
		if (strcmp((char *) lfirst(lc), engine_id) == 0)
		{
			subtype = (char *) lfirst(lnext(conn->engine_subtypes, lc));
			found = true;
			break;
		}
	}
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_EXECUTION),
				 errmsg("SEMOSS engine \"%s\" is not among the database engines the user of server \"%s\" can see",
						engine_id, server->servername),
				 errdetail("The server's dialect is \"auto\", which is read from the engine's subtype."),
				 errhint("Check the engine id and the user's permissions in SEMOSS (SELECT * FROM semoss_fdw_engines(%s)), or set the server option \"dialect\".",
						 quote_literal_cstr(server->servername))));
	dialect = subtype != NULL ? semoss_dialect_for_subtype(subtype) : NULL;
	if (dialect == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("SEMOSS engine \"%s\" is of subtype \"%s\", for which semoss_fdw has no SQL dialect",
						engine_id, subtype != NULL ? subtype : "(none)"),
				 errdetail("semoss_fdw writes the dialects %s; \"generic\" is plain SQL for any database, with values as SEMOSS converts them (numerics as doubles, whole-second timestamps).",
						   semoss_dialect_names()),
				 errhint("To use this engine anyway, set the option \"dialect\" of server \"%s\" to 'generic'.",
						 server->servername)));
	return dialect;
}

/*
 * Well-known phrases of SEMOSS's own messages and of the JDBC driver's
 * messages for PostgreSQL errors, and the SQLSTATE each stands for.  The
 * remote SQLSTATE itself does not travel through SEMOSS, only the text.
 */
static const struct
{
	const char *phrase;
	int			sqlstate;
}			remote_error_phrases[] = {
	{"does not have access", ERRCODE_INSUFFICIENT_PRIVILEGE},
	{"does not have permission", ERRCODE_INSUFFICIENT_PRIVILEGE},
	{"permission denied", ERRCODE_INSUFFICIENT_PRIVILEGE},
	{"processing time took longer than set limit", ERRCODE_QUERY_CANCELED},
	{"violates unique constraint", ERRCODE_UNIQUE_VIOLATION},
	{"violates foreign key constraint", ERRCODE_FOREIGN_KEY_VIOLATION},
	{"violates not-null constraint", ERRCODE_NOT_NULL_VIOLATION},
	{"violates check constraint", ERRCODE_CHECK_VIOLATION},
	{"violates exclusion constraint", ERRCODE_EXCLUSION_VIOLATION},
	{"value too long for type", ERRCODE_STRING_DATA_RIGHT_TRUNCATION},
	{"out of range", ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE},
	{"invalid input syntax", ERRCODE_INVALID_TEXT_REPRESENTATION},
	{"division by zero", ERRCODE_DIVISION_BY_ZERO},
	{"deadlock detected", ERRCODE_T_R_DEADLOCK_DETECTED},
	{"could not serialize access", ERRCODE_T_R_SERIALIZATION_FAILURE},
};

/* SQLSTATE for a pixel error, from the remote message's well-known phrases. */
static int
pixel_error_sqlstate(const char *remote_message)
{
	size_t		i;

	for (i = 0; i < lengthof(remote_error_phrases); i++)
	{
		if (strstr(remote_message, remote_error_phrases[i].phrase) != NULL)
			return remote_error_phrases[i].sqlstate;
	}
	return ERRCODE_FDW_ERROR;
}

/*
 * The remote SQL as an error context shows it: a batch of rows can run to
 * megabytes, so only its start is shown, with its full length.
 */
static char *
remote_sql_for_context(const char *remote_sql)
{
	int			len = strlen(remote_sql);
	int			shown;

	if (len <= SEMOSS_ERROR_SQL_CHARS)
		return (char *) remote_sql;
	shown = pg_mbcliplen(remote_sql, len, SEMOSS_ERROR_SQL_CHARS);
	return psprintf("%.*s... (%d bytes in all)", shown, remote_sql, len);
}

/*
 * Raise the PostgreSQL error for a failed client call.  The client's
 * message is specific, so it is the primary message; the SQLSTATE and the
 * hint follow from the kind of failure.  remote_sql, when given, is shown
 * in the error context, as postgres_fdw does.
 */
void
semoss_report_error(const SemossError *err, const char *remote_sql)
{
	int			sqlstate;
	const char *hint = NULL;

	if (remote_sql != NULL)
		remote_sql = remote_sql_for_context(remote_sql);
	switch (err->status)
	{
		case SEMOSS_ERR_CANCELLED:
			/* the interrupt that stopped the request raises its own error */
			CHECK_FOR_INTERRUPTS();
			sqlstate = ERRCODE_QUERY_CANCELED;
			break;
		case SEMOSS_ERR_OUT_OF_MEMORY:
			sqlstate = ERRCODE_OUT_OF_MEMORY;
			break;
		case SEMOSS_ERR_INVALID_ARGUMENT:
			sqlstate = ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE;
			break;
		case SEMOSS_ERR_CONNECT:
			sqlstate = ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION;
			hint = "Check the server's \"url\" option and that SEMOSS is running.";
			break;
		case SEMOSS_ERR_TLS:
			sqlstate = ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION;
			hint = "Check the server's \"ca_file\" option (the CA that signed SEMOSS's certificate) and that the URL's host name is one the certificate names; only a superuser may set \"tls_verify\" to false.";
			break;
		case SEMOSS_ERR_CONNECTION_LOST:
			sqlstate = ERRCODE_CONNECTION_FAILURE;
			hint = "The request reached SEMOSS before the connection failed; it may have run there.";
			break;
		case SEMOSS_ERR_TIMEOUT:
			sqlstate = ERRCODE_CONNECTION_FAILURE;
			hint = "The server options \"connect_timeout\" and \"request_timeout\" set the limits.";
			break;
		case SEMOSS_ERR_AUTH:
			sqlstate = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
			hint = "Check the keys or token of the user mapping.";
			break;
		case SEMOSS_ERR_SESSION_EXPIRED:
		case SEMOSS_ERR_CSRF:
			sqlstate = ERRCODE_CONNECTION_FAILURE;
			break;
		case SEMOSS_ERR_TASK_LOST:

			/*
			 * Rows of this result were already read, so the scan is not
			 * silently restarted: say plainly that the result is gone.
			 */
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("SEMOSS lost the result of the remote query in the middle of the scan"),
					 errdetail("%s", err->message),
					 errhint("The SEMOSS session expired or SEMOSS restarted while the scan ran; the scan was not restarted because part of the result had already been read.  Run the query again."),
					 remote_sql != NULL ? errcontext("remote SQL: %s", remote_sql) : 0));
			pg_unreachable();
		case SEMOSS_ERR_PROTOCOL:
			sqlstate = ERRCODE_PROTOCOL_VIOLATION;
			break;
		case SEMOSS_ERR_PIXEL:
			sqlstate = pixel_error_sqlstate(err->detail);
			break;
		case SEMOSS_ERR_HTTP:
		default:
			sqlstate = ERRCODE_FDW_ERROR;
			break;
	}

	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s", err->message),
			 err->detail[0] != '\0' ? errdetail("%s", err->detail) : 0,
			 hint != NULL ? errhint("%s", hint) : 0,
			 remote_sql != NULL ? errcontext("remote SQL: %s", remote_sql) : 0));
	pg_unreachable();
}

/*
 * Check that `server` belongs to semoss_fdw and that the current user may
 * use it, before its user mapping is used.
 */
void
semoss_check_server_usage(ForeignServer *server)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	AclResult	aclresult;

	if (!OidIsValid(fdw->fdwhandler) ||
		GetFdwRoutine(fdw->fdwhandler)->ImportForeignSchema != semossImportForeignSchema)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" does not use semoss_fdw",
						server->servername),
				 errdetail("It uses foreign-data wrapper \"%s\".", fdw->fdwname)));

#if PG_VERSION_NUM >= 160000
	aclresult = object_aclcheck(ForeignServerRelationId, server->serverid,
								GetUserId(), ACL_USAGE);
#else
	aclresult = pg_foreign_server_aclcheck(server->serverid, GetUserId(),
										   ACL_USAGE);
#endif
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);
}

/* ---- operability: SQL-callable functions ---- */

PG_FUNCTION_INFO_V1(semoss_fdw_get_connections);
PG_FUNCTION_INFO_V1(semoss_fdw_disconnect);
PG_FUNCTION_INFO_V1(semoss_fdw_disconnect_all);
PG_FUNCTION_INFO_V1(semoss_fdw_diag);

/* Number of columns semoss_fdw_get_connections() returns. */
#define SEMOSS_CONNECTIONS_COLS 9

/*
 * Name of the role a user mapping belongs to ("public" for a PUBLIC
 * mapping), or NULL if the mapping is gone.
 */
static char *
mapping_user_name(Oid umid)
{
	HeapTuple	tp;
	Oid			userid;

	tp = SearchSysCache1(USERMAPPINGOID, ObjectIdGetDatum(umid));
	if (!HeapTupleIsValid(tp))
		return NULL;
	userid = ((Form_pg_user_mapping) GETSTRUCT(tp))->umuser;
	ReleaseSysCache(tp);
	if (!OidIsValid(userid))
		return pstrdup("public");
	return GetUserNameFromId(userid, true);
}

/*
 * semoss_fdw_get_connections(): one row per SEMOSS session this backend
 * holds: its server and user, the insight it reads through, its request
 * counters, since when it is logged in, whether it will be replaced before
 * its next use (broken), and how many SEMOSS tasks it still holds open
 * (running scans, plus finished ones whose removal is queued).
 */
Datum
semoss_fdw_get_connections(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = semoss_begin_materialized_srf(fcinfo, &tupdesc);
	HASH_SEQ_STATUS scan;
	SemossConnection *entry;

	if (connection_hash == NULL)
		PG_RETURN_VOID();

	hash_seq_init(&scan, connection_hash);
	while ((entry = (SemossConnection *) hash_seq_search(&scan)) != NULL)
	{
		Datum		values[SEMOSS_CONNECTIONS_COLS];
		bool		nulls[SEMOSS_CONNECTIONS_COLS];
		ForeignServer *server;
		SemossSessionStats stats;
		const char *insight;
		char	   *user_name;

		if (entry->session == NULL)
			continue;
		memset(nulls, 0, sizeof(nulls));

		server = GetForeignServerExtended(entry->serverid, FSV_MISSING_OK);
		if (server != NULL)
			values[0] = CStringGetTextDatum(server->servername);
		else
			nulls[0] = true;
		user_name = mapping_user_name(entry->umid);
		if (user_name != NULL)
			values[1] = CStringGetTextDatum(user_name);
		else
			nulls[1] = true;
		insight = semoss_session_insight_id(entry->session);
		if (insight != NULL)
			values[2] = CStringGetTextDatum(insight);
		else
			nulls[2] = true;

		semoss_session_get_stats(entry->session, &stats);
		values[3] = Int64GetDatum((int64) stats.requests);
		values[4] = Int64GetDatum((int64) stats.logins);
		values[5] = Int64GetDatum((int64) stats.bytes_received);
		if (stats.opened_at != 0)
			values[6] = TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) stats.opened_at));
		else
			nulls[6] = true;
		values[7] = BoolGetDatum(entry->invalidated ||
								 semoss_session_is_broken(entry->session));
		values[8] = Int32GetDatum(list_length(entry->open_tasks) +
								  semoss_pending_removals(entry->session));

		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	PG_RETURN_VOID();
}

/*
 * Close the cached sessions of one server (or of all servers when serverid
 * is InvalidOid) politely: DropInsight, then log out.  Like postgres_fdw,
 * a session the current transaction has used is left alone with a
 * WARNING, since a scan of that transaction may still read through it.
 * Returns true if at least one session was closed.
 */
static bool
disconnect_cached_sessions(Oid serverid)
{
	HASH_SEQ_STATUS scan;
	SemossConnection *entry;
	bool		closed = false;

	if (connection_hash == NULL)
		return false;

	hash_seq_init(&scan, connection_hash);
	while ((entry = (SemossConnection *) hash_seq_search(&scan)) != NULL)
	{
		if (entry->session == NULL)
			continue;
		if (OidIsValid(serverid) && entry->serverid != serverid)
			continue;
		if (entry->xact_used || entry->open_tasks != NIL)
		{
			ForeignServer *server = GetForeignServerExtended(entry->serverid,
															 FSV_MISSING_OK);

			if (server != NULL)
				ereport(WARNING,
						(errmsg("cannot close the SEMOSS session of server \"%s\" because it is still in use",
								server->servername),
						 errhint("Close it after the transaction that uses it has ended.")));
			else
				ereport(WARNING,
						(errmsg("cannot close a SEMOSS session of a dropped server because it is still in use")));
			continue;
		}
		disconnect_entry(entry, true);
		closed = true;
	}
	return closed;
}

/*
 * semoss_fdw_disconnect(server_name): close this backend's sessions with
 * that server.  Returns true if one was closed.
 */
Datum
semoss_fdw_disconnect(PG_FUNCTION_ARGS)
{
	char	   *servername = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ForeignServer *server = GetForeignServerByName(servername, false);

	PG_RETURN_BOOL(disconnect_cached_sessions(server->serverid));
}

/* semoss_fdw_disconnect_all(): close all of this backend's sessions. */
Datum
semoss_fdw_disconnect_all(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(disconnect_cached_sessions(InvalidOid));
}

/* Installed version of the extension, from pg_extension, or NULL. */
static char *
installed_extension_version(void)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	char	   *version = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("semoss_fdw"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			version = text_to_cstring(DatumGetTextPP(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return version;
}

/*
 * semoss_fdw_diag(): the versions that matter in a bug report, on one
 * line: the extension (installed, and the PostgreSQL it was built for),
 * the running PostgreSQL, libcurl with its TLS library, and json-c.
 */
Datum
semoss_fdw_diag(PG_FUNCTION_ARGS)
{
	curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
	char	   *extversion = installed_extension_version();
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "semoss_fdw %s (built for PostgreSQL %s)",
					 extversion ? extversion : "(not installed)", PG_VERSION);
	appendStringInfo(&buf, ", PostgreSQL %s", GetConfigOption("server_version", false, false));
	appendStringInfo(&buf, ", libcurl %s with %s",
					 curl->version,
					 curl->ssl_version ? curl->ssl_version : "no TLS");
	appendStringInfo(&buf, ", json-c %s", json_c_version());
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
