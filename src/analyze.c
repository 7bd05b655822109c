/*-------------------------------------------------------------------------
 *
 * analyze.c
 *		  ANALYZE of semoss_fdw foreign tables: a random sample of the
 *		  remote rows for PostgreSQL's statistics.
 *
 * ANALYZE wants targrows rows picked uniformly from the table.  Rows are
 * fetched with the SELECT a scan of every column would send, page by page,
 * and a reservoir keeps a uniform sample of what arrives, so memory stays
 * bounded whatever the size of the table.  When the engine's database is
 * PostgreSQL (the dialect with exact text forms) and the foreign table is a
 * real remote table, the remote is first asked how many rows it holds; if
 * only a fraction of them is wanted, the SELECT asks the remote to sample
 * (TABLESAMPLE, or a random() filter), so that far fewer rows travel
 * through SEMOSS.  The analyze_sampling option chooses how (option.c).
 *
 * IDENTIFICATION
 *		  src/analyze.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "foreign/fdwapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"

#include "semoss_fdw.h"

/*
 * Remote sampling aims at more rows than ANALYZE keeps: a relative margin
 * for a row estimate that has aged since the remote last analyzed, plus
 * SEMOSS_SAMPLE_SIGMAS standard deviations of the binomial count that a
 * Bernoulli or random() sample returns.  Surplus rows are dropped by the
 * local reservoir.
 */
#define SEMOSS_SAMPLE_MARGIN	1.1
#define SEMOSS_SAMPLE_SIGMAS	3.0

/* State of sampling the rows of one foreign table. */
typedef struct SemossSampleState
{
	Relation	rel;
	SemossRowConverter *converter;
	HeapTuple  *rows;			/* the sample, ANALYZE's array */
	int			targrows;		/* rows ANALYZE wants */
	int			numrows;		/* rows in the sample so far */
	double		samplerows;		/* rows fetched so far */
	double		rowstoskip;		/* rows to skip before the next
								 * replacement, or -1 to draw it */
	ReservoirStateData rstate;
	Datum	   *values;			/* one row's datums, natts entries */
	bool	   *nulls;
	MemoryContext sample_cxt;	/* the caller's: where tuples are formed */
	MemoryContext row_cxt;		/* one row's conversion, reset per row */
	SemossRemoteResult result;	/* the rows being read */
} SemossSampleState;

/*
 * True if the remote can be asked about the table and can sample it: the
 * exact-text dialect is PostgreSQL's, whose catalogs and TABLESAMPLE are
 * used here, and a table defined by a query has no catalog entry.
 */
static bool
remote_catalog_usable(const SemossTableOptions *opts)
{
	return opts->server.dialect->exact_text && opts->query == NULL;
}

/*
 * Append the remote table's name as a string literal that
 * pg_catalog.to_regclass() reads: the name quoted as the scan's FROM item
 * quotes it (so an unqualified name is resolved on the remote search_path
 * as the scan's is), then escaped as a literal, so that no quote or
 * backslash in a name can end either.
 */
static void
append_regclass_literal(StringInfo buf, const SemossTableOptions *opts)
{
	StringInfoData name;

	initStringInfo(&name);
	semoss_append_remote_table(&name, opts);
	semoss_append_string_literal(buf, name.data);
	pfree(name.data);
}

/*
 * Ask the remote's catalog about the table: run
 *
 *	 SELECT (expr1)::text, ... FROM pg_catalog.pg_class c
 *	 WHERE c.oid = pg_catalog.to_regclass('<remote table>')
 *
 * whose `nexprs` columns are numbers, and store them in values[].  Returns
 * false when there is no such row (the table is not found), a value is
 * NULL or not a number, or the remote refused the statement (say, to a
 * role without access to pg_catalog): that only costs an estimate.  Any
 * other failure is an error, with the statement in its context.
 */
static bool
remote_catalog_numbers(SemossConnection *conn, const SemossTableOptions *opts,
					   const char *const *exprs, int nexprs, double *values)
{
	const SemossDialect *dialect = opts->server.dialect;
	SemossSession *session = semoss_connection_session(conn);
	SemossPage *page = NULL;
	SemossError err;
	SemossStatus status;
	StringInfoData sql;
	bool		found;
	int			i;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (i = 0; i < nexprs; i++)
		appendStringInfo(&sql, "%s%s%s%s", i > 0 ? ", " : "",
						 dialect->exact_text_prefix, exprs[i],
						 dialect->exact_text_suffix);
	appendStringInfoString(&sql, " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(");
	append_regclass_literal(&sql, opts);
	appendStringInfoChar(&sql, ')');

	status = semoss_query(session, opts->engine_id,
						  pg_server_to_any(sql.data, sql.len, PG_UTF8), -1,
						  &page, &err);
	if (status == SEMOSS_ERR_PIXEL)
	{
		ereport(DEBUG1,
				(errmsg_internal("semoss_fdw: remote catalog query refused: %s",
								 err.message),
				 errdetail_internal("%s", err.detail),
				 errcontext("remote SQL: %s", sql.data)));
		return false;
	}
	if (status != SEMOSS_OK)
		semoss_report_error(&err, sql.data);
	semoss_task_remove_later(session, semoss_page_task_id(page));

	found = semoss_page_nrows(page) == 1 && semoss_page_ncols(page) == nexprs;
	for (i = 0; found && i < nexprs; i++)
	{
		const char *text = NULL;
		size_t		len;
		char	   *end;

		if (semoss_page_cell(page, 0, i, &text, &len) == SEMOSS_CELL_NULL)
		{
			found = false;
			break;
		}
		errno = 0;
		values[i] = strtod(text, &end);
		found = errno == 0 && end != text && *end == '\0' && !isnan(values[i]);
	}
	semoss_page_free(page);
	return found;
}

/*
 * The remote's own estimate of the table's rows (pg_class.reltuples, kept
 * by the remote's VACUUM and ANALYZE), or -1 if it has none: never
 * analyzed, not found, or the catalog out of reach.  *can_tablesample is
 * set to whether the relation takes TABLESAMPLE (tables, materialized views
 * and partitioned tables do; views and foreign tables do not).
 */
static double
remote_row_estimate(SemossConnection *conn, const SemossTableOptions *opts,
					bool *can_tablesample)
{
	static const char *const exprs[] = {
		"c.reltuples",
		"(c.relkind IN ('r', 'm', 'p'))::pg_catalog.int4"
	};
	double		values[2];

	*can_tablesample = false;
	if (!remote_catalog_numbers(conn, opts, exprs, lengthof(exprs), values))
		return -1;
	*can_tablesample = values[1] != 0;
	return values[0];
}

/*
 * The remote table's size in pages of its own block size, or -1 if it is
 * not known.  A view or another relation without storage has 0.
 */
static double
remote_page_count(SemossConnection *conn, const SemossTableOptions *opts)
{
	static const char *const exprs[] = {
		"pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::pg_catalog.int8"
	};
	double		pages;

	if (!remote_catalog_numbers(conn, opts, exprs, lengthof(exprs), &pages))
		return -1;
	return pages;
}

/* The SEMOSS session ANALYZE of `rel` uses: the table owner's mapping. */
static SemossConnection *
analyze_connection(Relation rel)
{
	ForeignTable *table = GetForeignTable(RelationGetRelid(rel));

	return semoss_get_connection(GetUserMapping(rel->rd_rel->relowner,
												table->serverid));
}

/*
 * Local guess of the pages the table would take here, from the rows the
 * last ANALYZE counted and the columns' widths; at least 1, so that the
 * table still gets its share of an inheritance tree's sample.
 */
static BlockNumber
local_page_estimate(Relation rel)
{
	double		tuples = rel->rd_rel->reltuples;
	double		width;
	double		pages;

	if (tuples <= 0)
		return 1;
	width = MAXALIGN(SizeofHeapTupleHeader) +
		get_relation_data_width(RelationGetRelid(rel), NULL);
	pages = ceil(tuples * width / BLCKSZ);
	return (BlockNumber) Max(Min(pages, (double) MaxBlockNumber), 1.0);
}

/*
 * Fetch every row `sql` returns, one page at a time (see result.c),
 * feeding them into the reservoir.
 */
static void
fetch_into_sample(SemossSampleState *state, const char *sql)
{
	SemossPage *page;

	semoss_result_start(&state->result, sql, false);
	while ((page = semoss_result_next_page(&state->result,
										   semoss_row_converter_width(state->converter))) != NULL)
	{
		int			nrows;
		int			row;

		nrows = semoss_page_nrows(page);
		for (row = 0; row < nrows; row++)
		{
			int			pos = -1;

			/*
			 * Reservoir sampling (Vitter's algorithm Z, as ANALYZE of a local
			 * table uses it): the first targrows rows fill the sample, then
			 * each later row replaces a random one of them after a skip
			 * drawn so that every row fetched had the same chance.
			 */
			if (state->numrows < state->targrows)
				pos = state->numrows++;
			else
			{
				if (state->rowstoskip < 0)
					state->rowstoskip = reservoir_get_next_S(&state->rstate,
															 state->samplerows,
															 state->targrows);
				if (state->rowstoskip <= 0)
				{
#if PG_VERSION_NUM >= 150000
					pos = (int) (state->targrows *
								 sampler_random_fract(&state->rstate.randstate));
#else
					pos = (int) (state->targrows *
								 sampler_random_fract(state->rstate.randstate));
#endif
					Assert(pos >= 0 && pos < state->targrows);
					heap_freetuple(state->rows[pos]);
					state->rows[pos] = NULL;
				}
				state->rowstoskip -= 1;
			}
			state->samplerows += 1;

			/* only rows that enter the sample are converted */
			if (pos >= 0)
			{
				MemoryContext oldcxt;

				MemoryContextReset(state->row_cxt);
				oldcxt = MemoryContextSwitchTo(state->row_cxt);
				semoss_convert_row(state->converter, page, row,
								   (int64) state->samplerows,
								   state->values, state->nulls);
				MemoryContextSwitchTo(state->sample_cxt);
				state->rows[pos] = heap_form_tuple(RelationGetDescr(state->rel),
												   state->values, state->nulls);
				MemoryContextSwitchTo(oldcxt);
			}
		}
	}
}

/*
 * Append the clause that makes the remote sample `fraction` of the rows
 * with `method` to a SELECT that ends with its FROM item.
 */
static void
append_sampling_clause(StringInfo sql, SemossSampling method, double fraction)
{
	switch (method)
	{
		case SEMOSS_SAMPLE_SYSTEM:
			appendStringInfo(sql, " TABLESAMPLE SYSTEM (%.6g)", 100.0 * fraction);
			break;
		case SEMOSS_SAMPLE_BERNOULLI:
			appendStringInfo(sql, " TABLESAMPLE BERNOULLI (%.6g)", 100.0 * fraction);
			break;
		case SEMOSS_SAMPLE_RANDOM:
			appendStringInfo(sql, " WHERE pg_catalog.random() < %.6g", fraction);
			break;
		case SEMOSS_SAMPLE_OFF:
		case SEMOSS_SAMPLE_AUTO:
			Assert(false);
			break;
	}
}

/*
 * AcquireSampleRowsFunc: fill rows[] with up to targrows rows picked
 * uniformly from the foreign table, and estimate its total rows.
 *
 * Every column that is not dropped is fetched (ANALYZE computes statistics
 * for all of them), in exact text, converted like a scan's rows.  With
 * remote sampling *totalrows is the remote's row estimate; otherwise every
 * row was read and *totalrows is their number.  A foreign table has no
 * dead rows here.
 */
static int
acquire_sample_rows(Relation relation, int elevel, HeapTuple *rows,
					int targrows, double *totalrows, double *totaldeadrows)
{
	MemoryContext sample_cxt = CurrentMemoryContext;
	MemoryContext work_cxt;
	SemossSampleState *state;
	SemossTableOptions opts;
	SemossConnection *conn;
	SemossSampling method;
	RelOptInfo *scanrel;
	List	   *retrieved_attrs;
	List	   *params = NIL;
	List	   *parts;
	StringInfoData sql;
	double		reltuples = -1;
	double		fraction = 1.0;
	int			numrows;

	/*
	 * Everything of this run but the sample itself lives in work_cxt, a
	 * child of the caller's context: gone at the end, or with the caller's
	 * context on error, and the current page with it (the state, holding
	 * the result, is in work_cxt too, so its cleanup can always reach it).
	 */
	work_cxt = AllocSetContextCreate(sample_cxt, "semoss_fdw analyze",
									 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work_cxt);
	state = palloc0(sizeof(SemossSampleState));
	state->rel = relation;
	state->rows = rows;
	state->targrows = targrows;
	state->rowstoskip = -1;
	state->sample_cxt = sample_cxt;
	reservoir_init_selection_state(&state->rstate, targrows);
	state->row_cxt = AllocSetContextCreate(work_cxt, "semoss_fdw analyze row",
										   ALLOCSET_DEFAULT_SIZES);
	state->values = palloc(sizeof(Datum) * RelationGetDescr(relation)->natts);
	state->nulls = palloc(sizeof(bool) * RelationGetDescr(relation)->natts);

	semoss_get_table_options(RelationGetRelid(relation), &opts);
	conn = analyze_connection(relation);

	/*
	 * Decide whether, and how, the remote samples.  auto is BERNOULLI: it
	 * returns rows from every part of the table, while SYSTEM returns whole
	 * pages, cheaper to read but clustered.  A relation that does not take
	 * TABLESAMPLE is sampled with random().
	 */
	method = opts.settings.analyze_sampling;
	if (!remote_catalog_usable(&opts))
		method = SEMOSS_SAMPLE_OFF;
	if (method != SEMOSS_SAMPLE_OFF)
	{
		bool		can_tablesample;

		reltuples = remote_row_estimate(conn, &opts, &can_tablesample);
		if (reltuples > 0)
			fraction = (SEMOSS_SAMPLE_MARGIN * targrows +
						SEMOSS_SAMPLE_SIGMAS * sqrt((double) targrows)) / reltuples;
		if (reltuples <= 0 || fraction >= 1.0)
			method = SEMOSS_SAMPLE_OFF;
		else if (!can_tablesample)
			method = SEMOSS_SAMPLE_RANDOM;
		else if (method == SEMOSS_SAMPLE_AUTO)
			method = SEMOSS_SAMPLE_BERNOULLI;
	}

	/*
	 * The SELECT a scan that needs every column sends (a whole-row
	 * reference fetches each column that is not dropped), with nothing
	 * after its FROM item, so a sampling clause can follow.  There is no
	 * query, so no planner state: the relation stands alone as range-table
	 * entry 1, all the deparser may ask of it without conditions or sort
	 * keys.
	 */
	scanrel = makeNode(RelOptInfo);
	scanrel->reloptkind = RELOPT_BASEREL;
	scanrel->relid = 1;
	scanrel->relids = bms_make_singleton(1);
	parts = semoss_deparse_select(NULL, scanrel, relation, &opts,
								  bms_make_singleton(0 - FirstLowInvalidHeapAttributeNumber),
								  NIL, NIL, NULL, &retrieved_attrs, &params);
	Assert(params == NIL);
	initStringInfo(&sql);
	appendStringInfoString(&sql, semoss_assemble_sql(parts, NULL));
	if (method != SEMOSS_SAMPLE_OFF)
		append_sampling_clause(&sql, method, fraction);
	state->converter = semoss_make_row_converter(relation, retrieved_attrs);

	semoss_result_init(&state->result, conn, opts.engine_id,
					   semoss_fetch_size(opts.settings.fetch_size,
										 list_length(retrieved_attrs)));
	fetch_into_sample(state, sql.data);

	*totaldeadrows = 0;
	if (method != SEMOSS_SAMPLE_OFF)
	{
		*totalrows = reltuples;
		ereport(elevel,
				(errmsg("\"%s\": the remote table holds about %.0f rows; %.0f arrived through its %s sample, %d kept in the sample",
						RelationGetRelationName(relation), reltuples,
						state->samplerows, semoss_sampling_name(method),
						state->numrows)));
	}
	else
	{
		*totalrows = state->samplerows;
		ereport(elevel,
				(errmsg("\"%s\": read all %.0f remote rows, %d kept in the sample",
						RelationGetRelationName(relation), state->samplerows,
						state->numrows)));
	}

	numrows = state->numrows;
	MemoryContextSwitchTo(sample_cxt);
	MemoryContextDelete(work_cxt);
	return numrows;
}

/*
 * AnalyzeForeignTable: every semoss_fdw table can be analyzed, a table
 * defined by a query too.  The page count matters when the table is a
 * child in an inheritance tree or a partition: ANALYZE of the parent splits
 * its sample between children by pages.  The remote's own size is used
 * when its catalog can be asked, else a local guess.
 */
bool
semossAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func,
						  BlockNumber *totalpages)
{
	SemossTableOptions opts;
	double		pages = -1;

	semoss_get_table_options(RelationGetRelid(relation), &opts);
	if (remote_catalog_usable(&opts))
		pages = remote_page_count(analyze_connection(relation), &opts);
	if (pages >= 1)
		*totalpages = (BlockNumber) Min(pages, (double) MaxBlockNumber);
	else
		*totalpages = local_page_estimate(relation);
	*func = acquire_sample_rows;
	return true;
}
