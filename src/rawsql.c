/*-------------------------------------------------------------------------
 *
 * rawsql.c
 *		  Raw SQL on a SEMOSS engine, for what foreign tables cannot express.
 *
 * semoss_fdw_exec(server, sql [, engine_id]) runs a statement that returns
 * nothing (DDL, maintenance, a write) through SEMOSS's ExecQuery;
 * semoss_fdw_query(server, sql [, engine_id]) runs a query through the
 * Collect path and returns its rows under a column definition list.  Both
 * use the caller's user mapping and need USAGE on the server.
 *
 * For the postgres dialect the query's rows travel as the remote's text
 * form of each whole row, which record_in reads back into the columns the
 * caller defined: every value exact, as in a scan.
 *
 * IDENTIFICATION
 *		  src/rawsql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "semoss_fdw.h"

PG_FUNCTION_INFO_V1(semoss_fdw_exec);
PG_FUNCTION_INFO_V1(semoss_fdw_query);

/* What a raw SQL call runs on. */
typedef struct RawSqlTarget
{
	SemossServerOptions server;
	SemossConnection *conn;
	char	   *engine_id;
	char	   *sql;			/* in the database encoding */
	char	   *remote_sql;		/* in UTF-8, as sent */
} RawSqlTarget;

/*
 * Resolve the arguments (server name, sql, engine id or NULL) of a raw SQL
 * call: the server, the caller's privilege on it and session for it, and
 * the engine (the argument, else the server's).
 */
static void
resolve_target(FunctionCallInfo fcinfo, RawSqlTarget *target)
{
	ForeignServer *server;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("server name and SQL must not be NULL")));

	server = GetForeignServerByName(text_to_cstring(PG_GETARG_TEXT_PP(0)), false);
	semoss_check_server_usage(server);

	semoss_get_server_options(server, &target->server);
	target->engine_id = PG_ARGISNULL(2) ? target->server.engine_id
		: text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (target->engine_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("no SEMOSS engine to run the SQL on"),
				 errhint("Pass the engine id as the third argument, or set the \"engine_id\" option of server \"%s\".",
						 server->servername)));
	if (target->server.dialect == NULL)
		target->server.dialect = semoss_engine_dialect(server, target->engine_id);
	if (!semoss_identifier_is_safe(target->engine_id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid SEMOSS engine id \"%s\"", target->engine_id)));

	target->sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	target->remote_sql = pg_server_to_any(target->sql, strlen(target->sql), PG_UTF8);
	target->conn = semoss_get_connection(GetUserMapping(GetUserId(),
														server->serverid));
}

/*
 * semoss_fdw_exec(server_name, sql [, engine_id]): run a statement that
 * returns no rows through ExecQuery.  SEMOSS commits it at once; it counts
 * as a remote write of the transaction (see transaction.c).
 */
Datum
semoss_fdw_exec(PG_FUNCTION_ARGS)
{
	RawSqlTarget target;
	SemossError err;
	SemossStatus status;

	resolve_target(fcinfo, &target);
	status = semoss_exec(semoss_connection_session(target.conn),
						 target.engine_id, target.remote_sql, &err);
	semoss_note_write_attempt(status);
	if (status != SEMOSS_OK)
		semoss_report_error(&err, target.sql);
	PG_RETURN_VOID();
}

/*
 * True if `sql` starts with a keyword of a statement that only reads.
 * Anything else run through semoss_fdw_query() is treated as a write: it
 * needs SEMOSS's edit permission and counts as a remote write.
 */
static bool
sql_only_reads(const char *sql)
{
	static const char *const read_keywords[] = {
		"SELECT", "VALUES", "TABLE", "WITH", "SHOW", "EXPLAIN"
	};
	const char *p = sql;
	size_t		len;
	size_t		i;

	while (*p == '(' || isspace((unsigned char) *p))
		p++;
	for (len = 0; isalpha((unsigned char) p[len]); len++)
		;
	for (i = 0; i < lengthof(read_keywords); i++)
	{
		if (len == strlen(read_keywords[i]) &&
			pg_strncasecmp(p, read_keywords[i], len) == 0)
			return true;
	}
	return false;
}

/*
 * The query semoss_fdw_query() sends: for the postgres dialect each row is
 * wrapped into the text form of the whole row, so that values arrive
 * exact; a trailing semicolon is dropped, since the query is embedded.
 */
static char *
wrapped_query(const RawSqlTarget *target)
{
	if (!target->server.dialect->exact_text)
		return target->sql;
	return psprintf("WITH q AS (%.*s\n) SELECT (q.*)::text FROM q",
					semoss_statement_length(target->sql), target->sql);
}

/*
 * Append the rows of `page` to `store`: each row's single column is the
 * text of a whole row (postgres dialect), or each cell is one column.
 */
static void
store_page_rows(Tuplestorestate *store, TupleDesc tupdesc, const SemossPage *page,
				bool whole_rows, FmgrInfo *inputs, Oid *ioparams,
				FmgrInfo *record_input)
{
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	int			row;
	int			col;

	for (row = 0; row < semoss_page_nrows(page); row++)
	{
		const char *text;
		size_t		len;

		if (whole_rows)
		{
			HeapTupleHeader record;
			HeapTupleData tuple;

			if (semoss_page_cell(page, row, 0, &text, &len) == SEMOSS_CELL_NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("SEMOSS returned a NULL row")));
			record = DatumGetHeapTupleHeader(InputFunctionCall(record_input,
															   pg_any_to_server(text, (int) len, PG_UTF8),
															   RECORDOID,
															   tupdesc->tdtypmod));
			tuple.t_len = HeapTupleHeaderGetDatumLength(record);
			ItemPointerSetInvalid(&tuple.t_self);
			tuple.t_tableOid = InvalidOid;
			tuple.t_data = record;
			tuplestore_puttuple(store, &tuple);
			continue;
		}

		for (col = 0; col < tupdesc->natts; col++)
		{
			nulls[col] = semoss_page_cell(page, row, col, &text, &len) == SEMOSS_CELL_NULL;
			values[col] = nulls[col] ? (Datum) 0 :
				InputFunctionCall(&inputs[col],
								  pg_any_to_server(text, (int) len, PG_UTF8),
								  ioparams[col],
								  TupleDescAttr(tupdesc, col)->atttypmod);
		}
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
}

/*
 * semoss_fdw_query(server_name, sql [, engine_id]) AS (columns): run a
 * query through the Collect path and return its rows, page by page, read
 * with the input functions of the columns the caller defined.
 */
Datum
semoss_fdw_query(PG_FUNCTION_ARGS)
{
	RawSqlTarget target;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	SemossRemoteResult *result;
	SemossPage *page;
	FmgrInfo   *inputs;
	Oid		   *ioparams;
	FmgrInfo	record_input;
	bool		whole_rows;
	int			col;
	MemoryContext row_cxt;

	resolve_target(fcinfo, &target);
	store = semoss_begin_materialized_srf(fcinfo, &tupdesc);
	tupdesc = BlessTupleDesc(tupdesc);
	whole_rows = target.server.dialect->exact_text;

	inputs = palloc0(sizeof(FmgrInfo) * Max(tupdesc->natts, 1));
	ioparams = palloc0(sizeof(Oid) * Max(tupdesc->natts, 1));
	for (col = 0; col < tupdesc->natts; col++)
	{
		Oid			infunc;

		getTypeInputInfo(TupleDescAttr(tupdesc, col)->atttypid, &infunc, &ioparams[col]);
		fmgr_info(infunc, &inputs[col]);
	}
	fmgr_info(F_RECORD_IN, &record_input);
	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "semoss_fdw_query rows",
									ALLOCSET_DEFAULT_SIZES);

	/* the page being stored is freed on error too: see result.c */
	result = palloc(sizeof(SemossRemoteResult));
	semoss_result_init(result, target.conn, target.engine_id,
					   semoss_fetch_size(target.server.table_defaults.fetch_size,
										 tupdesc->natts));
	semoss_result_start(result, wrapped_query(&target),
						!sql_only_reads(target.sql));
	while ((page = semoss_result_next_page(result, -1)) != NULL)
	{
		MemoryContext oldcxt;

		if (semoss_page_ncols(page) != (whole_rows ? 1 : tupdesc->natts))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the query returned %d columns where the column definition list has %d",
							semoss_page_ncols(page), tupdesc->natts)));
		oldcxt = MemoryContextSwitchTo(row_cxt);
		store_page_rows(store, tupdesc, page, whole_rows, inputs, ioparams,
						&record_input);
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(row_cxt);
	}
	PG_RETURN_VOID();
}
