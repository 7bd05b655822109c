/*-------------------------------------------------------------------------
 *
 * semoss_fdw.c
 *		  Foreign data wrapper for the databases behind a SEMOSS server:
 *		  planner and executor callbacks.
 *
 * A scan sends one SELECT to the engine through SEMOSS and reads its result
 * page by page (Collect, then Task | Collect), holding one page in memory at
 * a time.  Options are in option.c, SQL generation in deparse.c, sessions
 * and error mapping in connection.c, value conversion in convert.c, and the
 * HTTP protocol in the plain-C client (semoss_client.c).
 *
 * IDENTIFICATION
 *		  semoss_fdw.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/table.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "semoss_fdw.h"

PG_MODULE_MAGIC;

/*
 * Cost of one SEMOSS round trip (HTTP request, pixel parsing, JSON page) in
 * planner units, and of shipping and converting one row as JSON text.
 */
#define SEMOSS_STARTUP_COST		100.0
#define SEMOSS_TUPLE_COST		0.2
/* Rows assumed for a foreign table never analyzed. */
#define SEMOSS_DEFAULT_ROWS		1000.0

/* Planner state of one foreign base relation (baserel->fdw_private). */
typedef struct SemossRelInfo
{
	SemossTableOptions opts;
	Bitmapset  *attrs_used;		/* columns the query needs */
} SemossRelInfo;

/*
 * Indexes of the items of a ForeignScan's fdw_private list.  The list, not
 * a struct, keeps the plan copyable and readable by EXPLAIN.
 */
enum SemossScanPrivateIndex
{
	/* remote SQL, in the database encoding (String) */
	ScanPrivateSelectSql,
	/* attnums the remote columns fill, in order (List of Integer) */
	ScanPrivateRetrievedAttrs,
	/* rows per Collect (Integer) */
	ScanPrivateFetchSize,
	/* engine the SQL runs on (String) */
	ScanPrivateEngineId
};

/* Executor state of one foreign scan. */
typedef struct SemossScanState
{
	char	   *sql;			/* remote SQL, database encoding */
	char	   *sql_utf8;		/* the same, as sent to SEMOSS */
	char	   *engine_id;
	int			fetch_size;
	SemossConnection *conn;
	SemossRowConverter *converter;

	/* progress of the remote result */
	char	   *task_id;		/* NULL until the first page arrived */
	SemossPage *page;			/* current page (malloc'd), or NULL */
	int			next_row;		/* next row of page to return */
	int			pages_fetched;
	bool		eof;			/* the last page has been received */
	int64		rows_returned;

	/* frees `page` if the query's memory goes away, on error too */
	MemoryContextCallback page_cleanup;
} SemossScanState;

void		_PG_init(void);

/* Called when the module is loaded: initialize libcurl once. */
void
_PG_init(void)
{
	SemossError err;

	if (semoss_global_init(&err) != SEMOSS_OK)
		semoss_report_error(&err, NULL);
}

/* Free the current page of a scan, if any. */
static void
release_page(SemossScanState *state)
{
	if (state->page != NULL)
	{
		semoss_page_free(state->page);
		state->page = NULL;
	}
}

/* Memory context reset callback: the page is malloc'd, not palloc'd. */
static void
page_cleanup_callback(void *arg)
{
	release_page((SemossScanState *) arg);
}

/*
 * GetForeignRelSize: resolve the table's options and estimate its size.
 * Without ANALYZE statistics a fixed guess is used.
 */
static void
semossGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
						Oid foreigntableid)
{
	SemossRelInfo *info = palloc0(sizeof(SemossRelInfo));
	ListCell   *lc;
	double		tuples;

	baserel->fdw_private = info;
	semoss_get_table_options(foreigntableid, &info->opts);

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid,
				   &info->attrs_used);
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		pull_varattnos((Node *) rinfo->clause, baserel->relid,
					   &info->attrs_used);
	}

	tuples = baserel->tuples >= 0 ? baserel->tuples : SEMOSS_DEFAULT_ROWS;
	baserel->rows = clamp_row_est(tuples *
								  clauselist_selectivity(root,
														 baserel->baserestrictinfo,
														 0, JOIN_INNER, NULL));
	if (baserel->tuples < 0)
		baserel->tuples = tuples;
}

/*
 * GetForeignPaths: one path that fetches the whole (projected) table.
 * Every SEMOSS call is a round trip, so the startup cost is high.
 */
static void
semossGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	SemossRelInfo *info = (SemossRelInfo *) baserel->fdw_private;
	double		remote_rows = baserel->tuples;
	int			pages;
	Cost		startup_cost;
	Cost		total_cost;
	ForeignPath *path;

	pages = (int) ceil(Max(remote_rows, 1.0) /
					   semoss_fetch_size(&info->opts, bms_num_members(info->attrs_used)));
	startup_cost = SEMOSS_STARTUP_COST;
	total_cost = startup_cost + (pages - 1) * SEMOSS_STARTUP_COST +
		remote_rows * (SEMOSS_TUPLE_COST + cpu_tuple_cost) +
		baserel->baserestrictcost.per_tuple * remote_rows;

	path = create_foreignscan_path(root, baserel,
								   NULL,	/* default pathtarget */
								   baserel->rows,
#if PG_VERSION_NUM >= 180000
								   0,	/* disabled_nodes */
#endif
								   startup_cost,
								   total_cost,
								   NIL, /* no pathkeys */
								   baserel->lateral_relids,
								   NULL,	/* no extra plan */
#if PG_VERSION_NUM >= 170000
								   NIL, /* no fdw_restrictinfo */
#endif
								   NIL);	/* no fdw_private */
	add_path(baserel, (Path *) path);
}

/*
 * GetForeignPlan: build the remote SELECT.  Every qual is checked locally
 * for now; the remote SQL only projects the needed columns.
 */
static ForeignScan *
semossGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
					 Oid foreigntableid, ForeignPath *best_path,
					 List *tlist, List *scan_clauses, Plan *outer_plan)
{
	SemossRelInfo *info = (SemossRelInfo *) baserel->fdw_private;
	Relation	rel;
	StringInfoData sql;
	List	   *retrieved_attrs;
	List	   *fdw_private;

	scan_clauses = extract_actual_clauses(scan_clauses, false);

	initStringInfo(&sql);
	rel = table_open(foreigntableid, NoLock);
	semoss_deparse_select(&sql, rel, &info->opts, info->attrs_used,
						  &retrieved_attrs);
	table_close(rel, NoLock);

	fdw_private = list_make4(makeString(sql.data),
							 retrieved_attrs,
							 makeInteger(semoss_fetch_size(&info->opts,
														   list_length(retrieved_attrs))),
							 makeString(info->opts.engine_id));

	return make_foreignscan(tlist, scan_clauses, baserel->relid,
							NIL,	/* no expressions to evaluate */
							fdw_private,
							NIL,	/* no custom tlist */
							NIL,	/* no remote quals */
							outer_plan);
}

/* The role whose user mapping a scan uses. */
static Oid
scan_user_id(ForeignScanState *node)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;

#if PG_VERSION_NUM >= 160000
	return OidIsValid(fsplan->checkAsUser) ? fsplan->checkAsUser : GetUserId();
#else
	EState	   *estate = node->ss.ps.state;
	RangeTblEntry *rte = exec_rt_fetch(fsplan->scan.scanrelid, estate);

	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
#endif
}

/*
 * BeginForeignScan: look up the session (credentials are read now, at
 * execution time) and prepare value conversion.  No request is sent until
 * the first row is asked for.
 */
static void
semossBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	SemossScanState *state;
	ForeignTable *table;
	UserMapping *user;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	state = palloc0(sizeof(SemossScanState));
	node->fdw_state = state;

	state->sql = strVal(list_nth(fsplan->fdw_private, ScanPrivateSelectSql));
	state->sql_utf8 = pg_server_to_any(state->sql, strlen(state->sql), PG_UTF8);
	state->fetch_size = intVal(list_nth(fsplan->fdw_private, ScanPrivateFetchSize));
	state->engine_id = strVal(list_nth(fsplan->fdw_private, ScanPrivateEngineId));
	state->converter =
		semoss_make_row_converter(rel, (List *) list_nth(fsplan->fdw_private,
														 ScanPrivateRetrievedAttrs));

	state->page_cleanup.func = page_cleanup_callback;
	state->page_cleanup.arg = state;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &state->page_cleanup);

	table = GetForeignTable(RelationGetRelid(rel));
	user = GetUserMapping(scan_user_id(node), table->serverid);
	state->conn = semoss_get_connection(user);
}

/*
 * Fetch the next page of the remote result into state->page.  Returns
 * false when there are no more rows.  A short page ends the result; its
 * task is finished on the server but still stored there, so its removal is
 * queued for the next request.
 */
static bool
fetch_next_page(SemossScanState *state)
{
	SemossSession *session = semoss_connection_session(state->conn);
	SemossError err;
	SemossStatus status;
	SemossPage *page = NULL;
	MemoryContext oldcxt;
	int			nrows;

	release_page(state);
	if (state->eof)
		return false;

	if (state->task_id == NULL)
		status = semoss_query(session, state->engine_id, state->sql_utf8,
							  state->fetch_size, &page, &err);
	else
		status = semoss_task_collect(session, state->task_id,
									 state->fetch_size, &page, &err);
	if (status != SEMOSS_OK)
		semoss_report_error(&err, state->sql);
	state->page = page;
	state->pages_fetched++;

	if (state->task_id == NULL)
	{
		oldcxt = MemoryContextSwitchTo(GetMemoryChunkContext(state));
		state->task_id = pstrdup(semoss_page_task_id(page));
		MemoryContextSwitchTo(oldcxt);
		semoss_connection_track_task(state->conn, state->task_id);
	}

	if (semoss_page_ncols(page) != semoss_row_converter_width(state->converter))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_COLUMN_NUMBER),
				 errmsg("SEMOSS returned %d columns where %d were expected",
						semoss_page_ncols(page),
						semoss_row_converter_width(state->converter)),
				 errcontext("remote SQL: %s", state->sql)));

	nrows = semoss_page_nrows(page);
	if (nrows < state->fetch_size)
	{
		state->eof = true;
		semoss_connection_untrack_task(state->conn, state->task_id);
		semoss_task_remove_later(session, state->task_id);
	}
	state->next_row = 0;
	return nrows > 0;
}

/* IterateForeignScan: return the next row, fetching a page when needed. */
static TupleTableSlot *
semossIterateForeignScan(ForeignScanState *node)
{
	SemossScanState *state = (SemossScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	if (state->page == NULL || state->next_row >= semoss_page_nrows(state->page))
	{
		if (!fetch_next_page(state))
			return slot;
	}

	/* called in the per-tuple context, so the datums live for one row */
	semoss_convert_row(state->converter, state->page, state->next_row,
					   state->rows_returned + 1, slot->tts_values,
					   slot->tts_isnull);
	state->next_row++;
	state->rows_returned++;
	return ExecStoreVirtualTuple(slot);
}

/*
 * Give up the task of the running remote result: it is removed in front of
 * the next request, so abandoning a result costs no round trip.
 */
static void
abandon_task(SemossScanState *state)
{
	if (state->task_id != NULL && !state->eof)
	{
		semoss_connection_untrack_task(state->conn, state->task_id);
		semoss_task_remove_later(semoss_connection_session(state->conn),
								 state->task_id);
	}
}

/*
 * ReScanForeignScan: start over.  A result that fit in one page is replayed
 * from memory when no parameter changed; otherwise the query runs again.
 */
static void
semossReScanForeignScan(ForeignScanState *node)
{
	SemossScanState *state = (SemossScanState *) node->fdw_state;

	if (state->eof && state->pages_fetched == 1 && state->page != NULL &&
		node->ss.ps.chgParam == NULL)
	{
		state->next_row = 0;
		state->rows_returned = 0;
		return;
	}

	abandon_task(state);
	release_page(state);
	if (state->task_id != NULL)
		pfree(state->task_id);
	state->task_id = NULL;
	state->eof = false;
	state->pages_fetched = 0;
	state->next_row = 0;
	state->rows_returned = 0;
}

/*
 * EndForeignScan: a result not read to the end (LIMIT, a cursor closed
 * early) still holds a cursor and a database connection on the SEMOSS
 * side, so it is removed now rather than with the next request.
 */
static void
semossEndForeignScan(ForeignScanState *node)
{
	SemossScanState *state = (SemossScanState *) node->fdw_state;

	if (state == NULL)
		return;

	if (state->task_id != NULL && !state->eof)
	{
		SemossSession *session = semoss_connection_session(state->conn);
		SemossError err;

		semoss_connection_untrack_task(state->conn, state->task_id);
		if (semoss_task_remove(session, state->task_id, &err) != SEMOSS_OK)
		{
			if (err.status == SEMOSS_ERR_CANCELLED)
				semoss_report_error(&err, NULL);
			/* the query itself succeeded; retry the removal later */
			semoss_task_remove_later(session, state->task_id);
			elog(DEBUG1, "semoss_fdw: could not remove task %s: %s",
				 state->task_id, err.message);
		}
	}
	release_page(state);
}

/* ExplainForeignScan: show the remote SQL and engine under VERBOSE. */
static void
semossExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;

	if (es->verbose)
	{
		ExplainPropertyText("SEMOSS engine",
							strVal(list_nth(fsplan->fdw_private, ScanPrivateEngineId)),
							es);
		ExplainPropertyText("Remote SQL",
							strVal(list_nth(fsplan->fdw_private, ScanPrivateSelectSql)),
							es);
	}
}

PG_FUNCTION_INFO_V1(semoss_fdw_handler);

/* The FDW handler: the table of callbacks PostgreSQL calls. */
Datum
semoss_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = semossGetForeignRelSize;
	routine->GetForeignPaths = semossGetForeignPaths;
	routine->GetForeignPlan = semossGetForeignPlan;
	routine->BeginForeignScan = semossBeginForeignScan;
	routine->IterateForeignScan = semossIterateForeignScan;
	routine->ReScanForeignScan = semossReScanForeignScan;
	routine->EndForeignScan = semossEndForeignScan;
	routine->ExplainForeignScan = semossExplainForeignScan;

	PG_RETURN_POINTER(routine);
}
