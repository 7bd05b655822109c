/*-------------------------------------------------------------------------
 *
 * semoss_fdw.c
 *		  Foreign data wrapper for the databases behind a SEMOSS server:
 *		  planner and executor callbacks.
 *
 * A scan sends one SELECT to the engine through SEMOSS and reads its result
 * page by page (Collect, then Task | Collect), holding one page in memory at
 * a time.  The SELECT reads one foreign table, or a join of foreign tables
 * of one engine, possibly grouped and aggregated, sorted and limited: the
 * planner is offered those as paths whenever the engine computes exactly
 * what PostgreSQL would (GetForeignJoinPaths, GetForeignUpperPaths).
 * Options are in option.c, SQL generation in deparse.c, sessions and error
 * mapping in connection.c, value conversion in convert.c, and the HTTP
 * protocol in the plain-C client (semoss_client.c).
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
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/selfuncs.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "semoss_fdw.h"

PG_MODULE_MAGIC;

/* Rows assumed for a foreign table never analyzed. */
#define SEMOSS_DEFAULT_ROWS		1000.0

/*
 * Indexes of the items of a ForeignPath's fdw_private list, which is NIL
 * for a path with none of them.
 */
enum SemossPathPrivateIndex
{
	/* the path applies the query's LIMIT and OFFSET (Integer 0/1) */
	PathPrivateHasLimit
};


/* Executor state of one foreign scan. */
typedef struct SemossScanState
{
	List	   *sql_parts;		/* remote SQL with holes for values */
	List	   *param_states;	/* ExprStates of the values, or NIL */
	int			count_hole;		/* holes of the LIMIT count and OFFSET */
	int			offset_hole;	/* values, or -1 */
	SemossRowConverter *converter;

	/* a direct modification: the SQL writes, and its rows are counted */
	bool		is_write;
	SemossDmlForm dml_form;
	bool		set_processed;

	/* the remote result, its current page, and wire totals for EXPLAIN */
	SemossRemoteResult result;
	int			next_row;		/* next row of the page to return */
	int64		rows_returned;
} SemossScanState;

/* semoss_fdw.pushdown: whether anything but the column list is sent */
bool		semoss_pushdown_enabled = true;

void		_PG_init(void);

/*
 * Called when the module is loaded: initialize libcurl once, and define
 * the settings.
 */
void
_PG_init(void)
{
	SemossError err;

	if (semoss_global_init(&err) != SEMOSS_OK)
		semoss_report_error(&err, NULL);

	DefineCustomBoolVariable("semoss_fdw.pushdown",
							 "Lets the engine behind SEMOSS evaluate conditions, sorts, limits, joins and aggregates.",
							 "When off, only the needed columns of each table are fetched and everything else is done locally: a way to check a suspected wrong result of pushdown, and to measure what pushdown saves.",
							 &semoss_pushdown_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("semoss_fdw");
#else
	EmitWarningsOnPlaceholders("semoss_fdw");
#endif
}

/*
 * Add to *attrs the columns of relation `relid` that `exprs` use, offset by
 * FirstLowInvalidHeapAttributeNumber as pull_varattnos does.
 */
static void
collect_attrs(List *exprs, Index relid, Bitmapset **attrs)
{
	ListCell   *lc;

	foreach(lc, exprs)
	{
		Node	   *expr = (Node *) lfirst(lc);

		if (IsA(expr, RestrictInfo))
			expr = (Node *) ((RestrictInfo *) expr)->clause;
		pull_varattnos(expr, relid, attrs);
	}
}

/*
 * The role whose user mapping the planner uses for `rel`, a foreign table,
 * a join of them or a grouping of one of those (whose tables share one
 * user: the planner checked).
 */
static Oid
planner_user_id(PlannerInfo *root, RelOptInfo *rel)
{
#if PG_VERSION_NUM >= 160000
	return OidIsValid(rel->userid) ? rel->userid : GetUserId();
#else
	Relids		relids = IS_UPPER_REL(rel) ? root->all_baserels : rel->relids;
	Index		rtindex = rel->relid > 0 ? rel->relid :
		(Index) bms_next_member(relids, -1);
	RangeTblEntry *rte = planner_rt_fetch(rtindex, root);

	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
#endif
}

/*
 * Ask the engine how many rows the remote SELECT `parts` (planned for
 * `rel`, a foreign table or a join of them) returns, with EXPLAIN through
 * SEMOSS.  Returns false when the statement has values known only at
 * execution (`params`), or the answer has no estimate in PostgreSQL's form.
 */
static bool
remote_estimate(PlannerInfo *root, RelOptInfo *rel, SemossRelInfo *info,
				List *parts, List *params, double *rows)
{
	char	   *sql;
	SemossConnection *conn;
	SemossPage *page = NULL;
	SemossError err;
	const char *text = NULL;
	size_t		len;
	const char *cost;
	double		startup;
	double		total;
	bool		found = false;

	if (params != NIL)
		return false;

	sql = psprintf("EXPLAIN %s", semoss_assemble_sql(parts, NULL));
	conn = semoss_get_connection(GetUserMapping(planner_user_id(root, rel),
												rel->serverid));
	if (semoss_query(semoss_connection_session(conn), info->opts.engine_id,
					 pg_server_to_any(sql, strlen(sql), PG_UTF8), -1,
					 &page, &err) != SEMOSS_OK)
		semoss_report_error(&err, sql);
	semoss_task_remove_later(semoss_connection_session(conn),
							 semoss_page_task_id(page));

	/*
	 * The top plan node's line: "... (cost=S..T rows=R width=W)".  Its width
	 * is of the text forms sent, so the local width estimate stays.
	 */
	if (semoss_page_nrows(page) > 0 && semoss_page_ncols(page) == 1 &&
		semoss_page_cell(page, 0, 0, &text, &len) != SEMOSS_CELL_NULL &&
		(cost = strstr(text, "(cost=")) != NULL &&
		sscanf(cost, "(cost=%lf..%lf rows=%lf width=%*d)",
			   &startup, &total, rows) == 3)
		found = true;
	semoss_page_free(page);
	return found;
}

/* remote_estimate of the scan of foreign table `baserel`. */
static bool
remote_scan_estimate(PlannerInfo *root, RelOptInfo *baserel,
					 SemossRelInfo *info, double *rows)
{
	List	   *params = NIL;
	List	   *retrieved_attrs;
	List	   *parts;
	Relation	rel;

	rel = table_open(planner_rt_fetch(baserel->relid, root)->relid, NoLock);
	parts = semoss_deparse_select(root, baserel, rel, &info->opts, info->attrs_used,
								  info->remote_conds, NIL, NULL,
								  &retrieved_attrs, &params);
	table_close(rel, NoLock);
	return remote_estimate(root, baserel, info, parts, params, rows);
}

/*
 * GetForeignRelSize: resolve the table's options, split its restrictions
 * into those the engine can evaluate and those evaluated here, and
 * estimate its size.  Without ANALYZE statistics a fixed guess is used.
 */
static void
semossGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
						Oid foreigntableid)
{
	SemossRelInfo *info = palloc0(sizeof(SemossRelInfo));
	ListCell   *lc;
	double		tuples;

	baserel->fdw_private = info;
	info->kind = SEMOSS_REL_BASE;
	semoss_get_table_options(foreigntableid, &info->opts);

	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (semoss_is_foreign_expr(root, baserel, &info->opts, rinfo->clause))
			info->remote_conds = lappend(info->remote_conds, rinfo);
		else
			info->local_conds = lappend(info->local_conds, rinfo);
	}

	/* fetched: what the target list and the local conditions need */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid,
				   &info->attrs_used);
	collect_attrs(info->local_conds, baserel->relid, &info->attrs_used);

	info->remote_selectivity = clauselist_selectivity(root, info->remote_conds,
													  baserel->relid,
													  JOIN_INNER, NULL);
	info->remote_rows = -1;
	if (info->opts.settings.use_remote_estimate)
	{
		double		rows;

		if (remote_scan_estimate(root, baserel, info, &rows))
		{
			/* what the engine returns, then what the local conditions keep */
			info->remote_rows = clamp_row_est(rows);
			baserel->rows = clamp_row_est(rows *
										  clauselist_selectivity(root, info->local_conds,
																 baserel->relid,
																 JOIN_INNER, NULL));
			if (baserel->tuples < 0 && info->remote_selectivity > 0)
				baserel->tuples = clamp_row_est(rows / info->remote_selectivity);
			return;
		}
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
 * Estimate the cost of a scan that fetches `fetched_rows` rows of
 * `ncolumns` columns: one round trip per page, shipping and converting
 * each row, and evaluating the local conditions on it.
 */
static void
estimate_fetch_cost(PlannerInfo *root, SemossRelInfo *info, double fetched_rows,
					int ncolumns, Cost *startup_cost, Cost *total_cost)
{
	const SemossServerOptions *server = &info->opts.server;
	QualCost	local_cost;
	int			pages;

	cost_qual_eval(&local_cost, info->local_conds, root);
	pages = (int) ceil(Max(fetched_rows, 1.0) /
					   semoss_fetch_size(info->opts.settings.fetch_size, ncolumns));
	*startup_cost = server->fdw_startup_cost + local_cost.startup;
	*total_cost = *startup_cost + (pages - 1) * server->fdw_startup_cost +
		fetched_rows * (server->fdw_tuple_cost + cpu_tuple_cost +
						local_cost.per_tuple);
}

/* estimate_fetch_cost for a scan of one foreign table. */
static void
estimate_scan_cost(PlannerInfo *root, RelOptInfo *baserel, SemossRelInfo *info,
				   double fetched_rows, Cost *startup_cost, Cost *total_cost)
{
	estimate_fetch_cost(root, info, fetched_rows,
						bms_num_members(info->attrs_used),
						startup_cost, total_cost);
}

/*
 * Make a ForeignPath for a foreign table or a join of them; the
 * constructors' signatures changed over releases.
 */
static ForeignPath *
make_foreign_path(PlannerInfo *root, RelOptInfo *rel, double rows,
				  Cost startup_cost, Cost total_cost, List *pathkeys,
				  Relids required_outer, List *fdw_private)
{
	if (IS_JOIN_REL(rel))
		return create_foreign_join_path(root, rel,
										NULL,	/* default pathtarget */
										rows,
#if PG_VERSION_NUM >= 180000
										0,	/* disabled_nodes */
#endif
										startup_cost,
										total_cost,
										pathkeys,
										required_outer,
										NULL,	/* no extra plan */
#if PG_VERSION_NUM >= 170000
										NIL,	/* no fdw_restrictinfo */
#endif
										fdw_private);
	return create_foreignscan_path(root, rel,
								   NULL,	/* default pathtarget */
								   rows,
#if PG_VERSION_NUM >= 180000
								   0,	/* disabled_nodes */
#endif
								   startup_cost,
								   total_cost,
								   pathkeys,
								   required_outer,
								   NULL,	/* no extra plan */
#if PG_VERSION_NUM >= 170000
								   NIL, /* no fdw_restrictinfo */
#endif
								   fdw_private);
}

/*
 * What sorting `rows` rows costs the engine, estimated as a local sort's
 * comparisons: a sorted path is then as dear as an unsorted one plus a
 * local Sort, and is chosen when the order is wanted.
 */
static Cost
remote_sort_cost(double rows)
{
	rows = Max(rows, 2.0);
	return 2.0 * cpu_operator_cost * rows * log2(rows);
}

/* True if the engine can return rows in the order of `pathkeys`. */
static bool
pathkeys_are_shippable(PlannerInfo *root, RelOptInfo *baserel,
					   SemossRelInfo *info, List *pathkeys)
{
	ListCell   *lc;

	if (pathkeys == NIL)
		return false;
	foreach(lc, pathkeys)
	{
		if (semoss_pathkey_expr(root, baserel, &info->opts,
								(PathKey *) lfirst(lc)) == NULL)
			return false;
	}
	return true;
}

/* Callback state for finding join equivalences on the foreign relation. */
typedef struct EcMemberSearch
{
	Expr	   *current;		/* the member being looked at */
	List	   *already_used;	/* members already looked at */
} EcMemberSearch;

/*
 * generate_implied_equalities_for_column callback: pick the next member of
 * the foreign relation not looked at yet, then stick to it.
 */
static bool
ec_member_is_next(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec,
				  EquivalenceMember *em, void *arg)
{
	EcMemberSearch *search = (EcMemberSearch *) arg;

	if (search->current != NULL)
		return equal(em->em_expr, search->current);
	if (list_member(search->already_used, em->em_expr))
		return false;
	search->current = em->em_expr;
	return true;
}

/*
 * Add `rinfo`'s parameterization to *ppis if the clause can be sent with
 * the outer relation's values written in as literals.
 */
static void
add_join_clause_param_info(PlannerInfo *root, RelOptInfo *baserel,
						   SemossRelInfo *info, RestrictInfo *rinfo,
						   List **ppis)
{
	Relids		required_outer;

	if (!semoss_is_foreign_expr(root, baserel, &info->opts, rinfo->clause))
		return;
	required_outer = bms_union(rinfo->clause_relids, baserel->lateral_relids);
	required_outer = bms_del_member(required_outer, baserel->relid);
	if (bms_is_empty(required_outer))
		return;
	*ppis = list_append_unique_ptr(*ppis,
								   get_baserel_parampathinfo(root, baserel,
															 required_outer));
}

/*
 * Parameterizations worth a path: one per set of outer relations whose
 * join clauses with this relation ship (as a nested loop that sends
 * "WHERE key = <value>" for each outer row).
 */
static List *
parameterizations(PlannerInfo *root, RelOptInfo *baserel, SemossRelInfo *info)
{
	List	   *ppis = NIL;
	ListCell   *lc;

	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (join_clause_is_movable_to(rinfo, baserel))
			add_join_clause_param_info(root, baserel, info, rinfo, &ppis);
	}

	if (baserel->has_eclass_joins)
	{
		EcMemberSearch search = {NULL, NIL};

		for (;;)
		{
			List	   *clauses;

			search.current = NULL;
			clauses = generate_implied_equalities_for_column(root, baserel,
															 ec_member_is_next,
															 &search,
															 baserel->lateral_referencers);
			if (search.current == NULL)
				break;
			foreach(lc, clauses)
				add_join_clause_param_info(root, baserel, info,
										   lfirst_node(RestrictInfo, lc), &ppis);
			search.already_used = lappend(search.already_used, search.current);
		}
	}
	return ppis;
}

/*
 * Add the paths of `rel` (a foreign table or a join of them) that read all
 * of its rows: in any order, and sorted remotely when the query wants an
 * order the engine can produce.  `fetched_rows` rows of `ncolumns` columns
 * come over the wire; `remote_work` is what the engine spends before the
 * first one (a join's own work).  A LIMIT is added above them, as a path
 * of the final relation (see add_final_limit_path).
 */
static void
add_whole_rel_paths(PlannerInfo *root, RelOptInfo *rel, SemossRelInfo *info,
					double fetched_rows, int ncolumns, Cost remote_work)
{
	Cost		startup_cost;
	Cost		total_cost;

	estimate_fetch_cost(root, info, fetched_rows, ncolumns,
						&startup_cost, &total_cost);
	startup_cost += remote_work;
	total_cost += remote_work;
	add_path(rel, (Path *) make_foreign_path(root, rel, rel->rows,
											 startup_cost, total_cost, NIL,
											 rel->lateral_relids, NIL));
	if (pathkeys_are_shippable(root, rel, info, root->query_pathkeys))
		add_path(rel, (Path *) make_foreign_path(root, rel, rel->rows,
												 startup_cost + remote_sort_cost(fetched_rows),
												 total_cost + remote_sort_cost(fetched_rows),
												 root->query_pathkeys,
												 rel->lateral_relids, NIL));
}

/*
 * GetForeignPaths: the paths reading the whole (filtered, projected) table
 * (see add_whole_rel_paths), and parameterized scans for nested loops
 * driven by local rows.
 */
static void
semossGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	SemossRelInfo *info = (SemossRelInfo *) baserel->fdw_private;
	double		fetched_rows = info->remote_rows >= 0 ? info->remote_rows :
		clamp_row_est(baserel->tuples * info->remote_selectivity);
	Cost		startup_cost;
	Cost		total_cost;
	ListCell   *lc;

	add_whole_rel_paths(root, baserel, info, fetched_rows,
						bms_num_members(info->attrs_used), 0);

	foreach(lc, parameterizations(root, baserel, info))
	{
		ParamPathInfo *ppi = (ParamPathInfo *) lfirst(lc);

		estimate_scan_cost(root, baserel, info, ppi->ppi_rows,
						   &startup_cost, &total_cost);
		add_path(baserel, (Path *) make_foreign_path(root, baserel, ppi->ppi_rows,
													 startup_cost, total_cost, NIL,
													 ppi->ppi_req_outer, NIL));
	}
}

/*
 * True if `rel` (with planner state `info`) may be part of a join or a
 * grouping the engine does: it is a foreign table or a remote join, and
 * the remote SQL returns exactly its rows (no condition left to check
 * here, no dependence on other relations' values).
 */
static bool
rel_is_pushable(RelOptInfo *rel, SemossRelInfo *info)
{
	if (info == NULL || info->local_conds != NIL || rel->lateral_relids != NULL)
		return false;
	if (info->kind == SEMOSS_REL_JOIN)
		return info->outerrel != NULL;	/* set only once accepted */
	return info->kind == SEMOSS_REL_BASE;
}

/*
 * True if rows of `rel` are filtered by conditions written outside of it
 * (in a WHERE clause, or the ON clause of a join above): its own remote
 * conditions, or those rising from the tables below (see deparse.c).
 */
static bool
rel_has_rising_conds(RelOptInfo *rel)
{
	SemossRelInfo *info = (SemossRelInfo *) rel->fdw_private;

	if (info->remote_conds != NIL)
		return true;
	if (info->kind != SEMOSS_REL_JOIN)
		return false;
	switch (info->jointype)
	{
		case JOIN_INNER:
			return rel_has_rising_conds(info->outerrel) ||
				rel_has_rising_conds(info->innerrel);
		case JOIN_LEFT:
			return rel_has_rising_conds(info->outerrel);
		case JOIN_RIGHT:
			return rel_has_rising_conds(info->innerrel);
		case JOIN_SEMI:
		case JOIN_ANTI:
			return true;		/* the [NOT] EXISTS */
		default:
			return false;
	}
}

/*
 * Decide whether the engine can do the join of `outerrel` and `innerrel`
 * and fill `info` for it.  Refused: queries that may need to re-check a
 * joined row locally (UPDATE, DELETE, row locks), join types other than
 * inner, left, right, full, semi (EXISTS, IN) and anti (NOT EXISTS) --
 * not the unique-ified forms of a semi join --, tables on different
 * engines, conditions
 * that do not ship, and columns a join cannot return as such (system
 * columns, whole rows, placeholders of outer joins).  A full join whose
 * sides are filtered would need its sides as subqueries; it stays local.
 */
static bool
join_is_pushable(PlannerInfo *root, RelOptInfo *joinrel, RelOptInfo *outerrel,
				 RelOptInfo *innerrel, JoinType jointype,
				 JoinPathExtraData *extra, SemossRelInfo *info)
{
	SemossRelInfo *outer_info = (SemossRelInfo *) outerrel->fdw_private;
	SemossRelInfo *inner_info = (SemossRelInfo *) innerrel->fdw_private;
	List	   *joinclauses = NIL;
	List	   *after_conds = NIL;
	ListCell   *lc;

	if (!semoss_pushdown_enabled ||
		root->parse->commandType != CMD_SELECT || root->rowMarks != NIL)
		return false;
	if (jointype != JOIN_INNER && jointype != JOIN_LEFT &&
		jointype != JOIN_RIGHT && jointype != JOIN_FULL &&
		jointype != JOIN_SEMI && jointype != JOIN_ANTI)
		return false;
	if (!rel_is_pushable(outerrel, outer_info) ||
		!rel_is_pushable(innerrel, inner_info) ||
		joinrel->lateral_relids != NULL)
		return false;
	if (strcmp(outer_info->opts.engine_id, inner_info->opts.engine_id) != 0 ||
		!outer_info->opts.server.dialect->exact_text)
		return false;
	if (jointype == JOIN_FULL &&
		(rel_has_rising_conds(outerrel) || rel_has_rising_conds(innerrel)))
		return false;

	foreach(lc, joinrel->reltarget->exprs)
	{
		Var		   *var = (Var *) lfirst(lc);

		if (!IsA(var, Var) || var->varattno <= 0)
			return false;
	}

	foreach(lc, extra->restrictlist)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (!semoss_is_foreign_expr(root, joinrel, &outer_info->opts,
									rinfo->clause))
			return false;
		/*
		 * An outer join's own clauses decide matching; the rest filter.
		 * Every clause at a semi join needs its inner side's columns, which
		 * exist only inside the EXISTS.
		 */
		if (IS_OUTER_JOIN(jointype) &&
			!RINFO_IS_PUSHED_DOWN(rinfo, joinrel->relids))
			joinclauses = lappend(joinclauses, rinfo);
		else if (jointype == JOIN_INNER || jointype == JOIN_SEMI)
			joinclauses = lappend(joinclauses, rinfo);
		else
			after_conds = lappend(after_conds, rinfo);
	}

	info->opts = outer_info->opts;
	info->outerrel = outerrel;
	info->innerrel = innerrel;
	info->jointype = jointype;
	info->joinclauses = joinclauses;
	info->remote_conds = after_conds;
	info->remote_rows = -1;
	return true;
}

/* The columns a remote join returns: those its target list uses. */
static List *
join_scan_tlist(RelOptInfo *joinrel)
{
	return add_to_flat_tlist(NIL, pull_var_clause((Node *) joinrel->reltarget->exprs,
												  PVC_RECURSE_PLACEHOLDERS));
}

/*
 * With use_remote_estimate, replace the planner's row estimate for `rel`
 * (a join or grouping done remotely, returning `tlist`) by the engine's:
 * without column statistics the planner's join estimates are guesses, and
 * whether a join is worth doing remotely depends on how many rows it makes.
 */
static void
apply_remote_estimate(PlannerInfo *root, RelOptInfo *rel, SemossRelInfo *info,
					  List *tlist)
{
	List	   *params = NIL;
	List	   *parts;
	double		rows;

	if (!info->opts.settings.use_remote_estimate)
		return;
	parts = semoss_deparse_pushed_select(root, rel, tlist, NIL, NULL, &params);
	if (remote_estimate(root, rel, info, parts, params, &rows))
	{
		info->remote_rows = clamp_row_est(rows);
		rel->rows = info->remote_rows;
	}
}

/*
 * GetForeignJoinPaths: offer the join of two foreign relations of the same
 * engine as one remote query, so that only joined rows travel.  Called for
 * each way of building the join; the first decides.
 */
static void
semossGetForeignJoinPaths(PlannerInfo *root, RelOptInfo *joinrel,
						  RelOptInfo *outerrel, RelOptInfo *innerrel,
						  JoinType jointype, JoinPathExtraData *extra)
{
	SemossRelInfo *info;
	Cost		remote_work;

	if (joinrel->fdw_private != NULL)
		return;
	info = palloc0(sizeof(SemossRelInfo));
	info->kind = SEMOSS_REL_JOIN;
	joinrel->fdw_private = info;
	if (!join_is_pushable(root, joinrel, outerrel, innerrel, jointype, extra,
						  info))
		return;

	apply_remote_estimate(root, joinrel, info, join_scan_tlist(joinrel));

	/* the engine reads both inputs once and hashes one of them */
	remote_work = (outerrel->rows + innerrel->rows) * cpu_operator_cost * 2;
	add_whole_rel_paths(root, joinrel, info, joinrel->rows,
						list_length(joinrel->reltarget->exprs), remote_work);
}

/*
 * Decide whether the engine can do the grouping (GROUP BY, aggregates,
 * HAVING) of `input_rel` into `grouped_rel`, and fill `info` for it: the
 * list of expressions it returns, in postgres_fdw's manner.  Every
 * grouping expression, every aggregate and every HAVING clause must ship;
 * grouping sets and partial aggregation stay local.  An expression that
 * does not ship as a whole is computed here from the grouping columns and
 * aggregates the engine returns.
 */
static bool
grouping_is_pushable(PlannerInfo *root, RelOptInfo *input_rel,
					 RelOptInfo *grouped_rel, GroupPathExtraData *extra,
					 SemossRelInfo *info)
{
	Query	   *parse = root->parse;
	SemossRelInfo *input_info = (SemossRelInfo *) input_rel->fdw_private;
	PathTarget *target = grouped_rel->reltarget;
	const SemossTableOptions *opts = &input_info->opts;
	List	   *tlist = NIL;
	ListCell   *lc;
	int			i = 0;

	if (!rel_is_pushable(input_rel, input_info) ||
		!opts->server.dialect->exact_text)
		return false;
	if (parse->groupingSets != NIL ||
		extra->patype == PARTITIONWISE_AGGREGATE_PARTIAL)
		return false;

	foreach(lc, target->exprs)
	{
		Expr	   *expr = (Expr *) lfirst(lc);
		Index		sgref = get_pathtarget_sortgroupref(target, i++);

		if (sgref != 0 && get_sortgroupref_clause_noerr(sgref, parse->groupClause))
		{
			TargetEntry *tle;

			/*
			 * A grouping expression.  A constant would be written as a bare
			 * number, which GROUP BY reads as an output position.
			 */
			if (IsA(expr, Const) ||
				!semoss_is_foreign_expr(root, input_rel, opts, expr))
				return false;
			tle = makeTargetEntry(expr, list_length(tlist) + 1, NULL, false);
			tle->ressortgroupref = sgref;
			tlist = lappend(tlist, tle);
		}
		else if (semoss_is_foreign_grouping_expr(root, input_rel, opts, expr))
			tlist = add_to_flat_tlist(tlist, list_make1(expr));
		else
		{
			List	   *parts = pull_var_clause((Node *) expr,
												PVC_INCLUDE_AGGREGATES |
												PVC_INCLUDE_PLACEHOLDERS);
			ListCell   *lc2;

			foreach(lc2, parts)
			{
				if (!semoss_is_foreign_grouping_expr(root, input_rel, opts,
													 (Expr *) lfirst(lc2)))
					return false;
			}
			tlist = add_to_flat_tlist(tlist, parts);
		}
	}

	foreach(lc, (List *) extra->havingQual)
	{
		Expr	   *cond = (Expr *) lfirst(lc);

		if (!semoss_is_foreign_grouping_expr(root, input_rel, opts, cond))
			return false;
		info->having_conds = lappend(info->having_conds, cond);
	}

	info->opts = *opts;
	info->input_rel = input_rel;
	info->grouped_tlist = tlist;
	info->remote_rows = -1;
	return true;
}

/* Add a path of a grouping done remotely. */
static void
add_grouped_path(PlannerInfo *root, RelOptInfo *grouped_rel, double rows,
				 Cost startup_cost, Cost total_cost, List *pathkeys)
{
	add_path(grouped_rel,
			 (Path *) create_foreign_upper_path(root, grouped_rel,
												grouped_rel->reltarget,
												rows,
#if PG_VERSION_NUM >= 180000
												0,	/* disabled_nodes */
#endif
												startup_cost,
												total_cost,
												pathkeys,
												NULL,	/* no extra plan */
#if PG_VERSION_NUM >= 170000
												NIL,	/* no fdw_restrictinfo */
#endif
												NIL));
}

/*
 * Offer the grouping of `input_rel` done by the engine, so that only the
 * groups travel: costed as the engine reading every input row once, and
 * one fetched row per group, in any order and sorted as the query's ORDER
 * BY asks.  With a LIMIT, the top-N groups move only N rows (see
 * add_final_limit_path).
 */
static void
add_grouping_path(PlannerInfo *root, RelOptInfo *input_rel,
				  RelOptInfo *grouped_rel, GroupPathExtraData *extra)
{
	SemossRelInfo *info = palloc0(sizeof(SemossRelInfo));
	double		input_rows = input_rel->rows;
	double		groups = 1;
	Cost		startup_cost;
	Cost		total_cost;
	Cost		remote_work;

	info->kind = SEMOSS_REL_GROUPED;
	grouped_rel->fdw_private = info;
	if (!grouping_is_pushable(root, input_rel, grouped_rel, extra, info))
		return;

	if (root->parse->groupClause != NIL)
		groups = estimate_num_groups(root,
									 get_sortgrouplist_exprs(root->parse->groupClause,
															 info->grouped_tlist),
									 input_rows, NULL
#if PG_VERSION_NUM >= 140000
									 ,NULL
#endif
			);
	if (info->having_conds != NIL)
		groups = clamp_row_est(groups *
							   clauselist_selectivity(root, info->having_conds,
													  0, JOIN_INNER, NULL));
	apply_remote_estimate(root, grouped_rel, info, info->grouped_tlist);
	if (info->remote_rows >= 0)
		groups = info->remote_rows;

	/* the engine reads every input row once */
	remote_work = input_rows * cpu_operator_cost * 2;

	/* the groups; the same sorted as the query's ORDER BY asks */
	estimate_fetch_cost(root, info, groups, list_length(info->grouped_tlist),
						&startup_cost, &total_cost);
	add_grouped_path(root, grouped_rel, groups, startup_cost + remote_work,
					 total_cost + remote_work, NIL);
	if (pathkeys_are_shippable(root, grouped_rel, info, root->sort_pathkeys))
		add_grouped_path(root, grouped_rel, groups,
						 startup_cost + remote_work + remote_sort_cost(groups),
						 total_cost + remote_work + remote_sort_cost(groups),
						 root->sort_pathkeys);
}

/*
 * True if the engine computes all of `rel` (a foreign table, a join of
 * them, or a grouping of one of those), so that an ORDER BY or LIMIT above
 * it can go to the engine too: nothing of it is evaluated here.
 */
static bool
rel_is_computed_remotely(RelOptInfo *rel)
{
	SemossRelInfo *info = (SemossRelInfo *) rel->fdw_private;

	if (info == NULL)
		return false;
	switch (info->kind)
	{
		case SEMOSS_REL_BASE:
		case SEMOSS_REL_JOIN:
			return rel_is_pushable(rel, info);
		case SEMOSS_REL_GROUPED:
			return info->input_rel != NULL; /* set only once accepted */
		case SEMOSS_REL_ORDERED:
			break;
	}
	return false;
}

/*
 * True if nothing stands between the relation the engine computes and the
 * query's LIMIT: no set-returning function in the target list, no row
 * locks, a SELECT.  (DISTINCT and window functions have upper relations of
 * their own, which are never computed remotely.)
 */
static bool
limit_may_follow_remote_rel(PlannerInfo *root)
{
	Query	   *parse = root->parse;

	return semoss_pushdown_enabled && parse->commandType == CMD_SELECT &&
		!parse->hasTargetSRFs && parse->rowMarks == NIL;
}

/*
 * UPPERREL_ORDERED: when the query's ORDER BY sorts a relation the engine
 * computes, and the engine can sort by it, record that on `ordered_rel`
 * for the LIMIT above (add_final_limit_path).  No path is added: the
 * sorted paths of `input_rel` already serve the ORDER BY alone.
 */
static void
note_remote_ordering(PlannerInfo *root, RelOptInfo *input_rel,
					 RelOptInfo *ordered_rel)
{
	SemossRelInfo *input_info = (SemossRelInfo *) input_rel->fdw_private;
	SemossRelInfo *info;

	if (!limit_may_follow_remote_rel(root) ||
		!rel_is_computed_remotely(input_rel))
		return;
	if (root->sort_pathkeys != NIL &&
		!pathkeys_are_shippable(root, input_rel, input_info,
								root->sort_pathkeys))
		return;

	info = palloc0(sizeof(SemossRelInfo));
	info->kind = SEMOSS_REL_ORDERED;
	info->opts = input_info->opts;
	info->input_rel = input_rel;
	ordered_rel->fdw_private = info;
}

/*
 * True if a LIMIT or OFFSET value can be sent: none, a constant the
 * engine reads as PostgreSQL does (a negative one is left to the local
 * Limit node, which rejects it), or an expression computed here once per
 * scan, such as a parameter of a prepared statement or the value of an
 * uncorrelated subquery: no column, no SubPlan, nothing volatile.
 */
static bool
limit_value_is_pushable(Node *value)
{
	if (value == NULL)
		return true;
	if (IsA(value, Const))
		return ((Const *) value)->constisnull ||
			DatumGetInt64(((Const *) value)->constvalue) >= 0;
	return !contain_var_clause(value) &&
		!contain_volatile_functions(value) &&
		!contain_subplans(value);
}

/*
 * The cheapest unparameterized path the engine computes for `rel` whose
 * rows come in the order of `pathkeys` (NIL: any), looking through the
 * projections the planner put on top; or NULL.
 */
static Path *
cheapest_remote_path(RelOptInfo *rel, List *pathkeys)
{
	Path	   *best = NULL;
	ListCell   *lc;

	foreach(lc, rel->pathlist)
	{
		Path	   *path = (Path *) lfirst(lc);
		Path	   *scan = IsA(path, ProjectionPath) ?
			((ProjectionPath *) path)->subpath : path;

		if (!IsA(scan, ForeignPath) || scan->param_info != NULL ||
			!pathkeys_contained_in(pathkeys, scan->pathkeys))
			continue;
		if (best == NULL || path->total_cost < best->total_cost)
			best = path;
	}
	return best;
}

/*
 * UPPERREL_FINAL: when the query's LIMIT/OFFSET applies to rows the engine
 * computes (a table, join or grouping, sorted by the engine when there is
 * an ORDER BY), offer one path that sends them along, so that only the
 * rows kept travel and no Limit node is left here.  WITH TIES stays local:
 * it needs the ties of the last row, which only a local Limit sees.
 *
 * The path belongs to the relation the engine computes (its plan is that
 * relation's remote query with the LIMIT added) and is offered in
 * `final_rel`.  It is costed as a local Limit over the best remote path
 * of that relation, less what that Limit would spend: the rows the engine
 * skips for the OFFSET are never shipped, and no Limit node runs.
 */
static void
add_final_limit_path(PlannerInfo *root, RelOptInfo *input_rel,
					 RelOptInfo *final_rel, FinalPathExtraData *extra)
{
	Query	   *parse = root->parse;
	SemossRelInfo *info = (SemossRelInfo *) input_rel->fdw_private;
	RelOptInfo *remote_rel = input_rel;
	List	   *pathkeys = NIL;
	Path	   *input_path;
	double		rows;
	double		skipped_rows = 0;
	Cost		startup_cost;
	Cost		total_cost;
	Cost		saved;

	if (!extra->limit_needed || !limit_may_follow_remote_rel(root) ||
		info == NULL)
		return;
#if PG_VERSION_NUM >= 130000
	if (parse->limitOption == LIMIT_OPTION_WITH_TIES)
		return;
#endif
	if (info->kind == SEMOSS_REL_ORDERED)
	{
		remote_rel = info->input_rel;
		pathkeys = root->sort_pathkeys;
	}
	else if (parse->sortClause != NIL)
		return;					/* an order the engine cannot produce */
	if (!rel_is_computed_remotely(remote_rel) ||
		!limit_value_is_pushable(parse->limitCount) ||
		!limit_value_is_pushable(parse->limitOffset))
		return;
	input_path = cheapest_remote_path(remote_rel, pathkeys);
	if (input_path == NULL)
		return;

	rows = input_path->rows;
	startup_cost = input_path->startup_cost;
	total_cost = input_path->total_cost;
	if (extra->offset_est != 0)
		skipped_rows = Min(input_path->rows, extra->offset_est > 0 ?
						   (double) extra->offset_est :
						   clamp_row_est(input_path->rows * 0.10));
	adjust_limit_rows_costs(&rows, &startup_cost, &total_cost,
							extra->offset_est, extra->count_est);
	saved = skipped_rows * info->opts.server.fdw_tuple_cost;
	startup_cost = Max(startup_cost - saved, 0);
	total_cost = Max(total_cost - saved - rows * cpu_tuple_cost, startup_cost);

	add_path(final_rel,
			 (Path *) create_foreign_upper_path(root, remote_rel,
												root->upper_targets[UPPERREL_FINAL],
												rows,
#if PG_VERSION_NUM >= 180000
												0,	/* disabled_nodes */
#endif
												startup_cost,
												total_cost,
												pathkeys,
												NULL,	/* no extra plan */
#if PG_VERSION_NUM >= 170000
												NIL,	/* no fdw_restrictinfo */
#endif
												list_make1(makeInteger(1))));
}

/*
 * GetForeignUpperPaths: push GROUP BY, aggregates and HAVING down to the
 * engine when the rows being grouped come from it, and the LIMIT and
 * OFFSET (with the ORDER BY below them) when everything below is remote.
 */
static void
semossGetForeignUpperPaths(PlannerInfo *root, UpperRelationKind stage,
						   RelOptInfo *input_rel, RelOptInfo *output_rel,
						   void *extra)
{
	if (output_rel->fdw_private != NULL || input_rel->fdw_private == NULL)
		return;
	switch (stage)
	{
		case UPPERREL_GROUP_AGG:
			add_grouping_path(root, input_rel, output_rel,
							  (GroupPathExtraData *) extra);
			break;
		case UPPERREL_ORDERED:
			note_remote_ordering(root, input_rel, output_rel);
			break;
		case UPPERREL_FINAL:
			add_final_limit_path(root, input_rel, output_rel,
								 (FinalPathExtraData *) extra);
			break;
		default:
			break;
	}
}

/*
 * The LIMIT and OFFSET the plan of `best_path` sends, in *limit, or NULL
 * when the path was not made by add_final_limit_path.
 */
static SemossRemoteLimit *
path_remote_limit(PlannerInfo *root, ForeignPath *best_path,
				  SemossRemoteLimit *limit)
{
	if (best_path->fdw_private == NIL ||
		!intVal(list_nth(best_path->fdw_private, PathPrivateHasLimit)))
		return NULL;
	limit->count = root->parse->limitCount;
	limit->offset = root->parse->limitOffset;
	limit->count_hole = -1;
	limit->offset_hole = -1;
	return limit;
}

/*
 * The fdw_private list of a scan plan (see SemossScanPrivateIndex);
 * `limit` is what deparse_limit made of the query's LIMIT, or NULL.
 */
static List *
scan_plan_private(List *sql_parts, List *retrieved_attrs,
				  const SemossTableOptions *opts,
				  const SemossRemoteLimit *limit)
{
	List	   *limit_holes = NIL;

	if (limit != NULL && (limit->count_hole >= 0 || limit->offset_hole >= 0))
		limit_holes = list_make2(makeInteger(limit->count_hole),
								 makeInteger(limit->offset_hole));
	return list_make5(sql_parts,
					  retrieved_attrs,
					  makeInteger(semoss_fetch_size(opts->settings.fetch_size,
													list_length(retrieved_attrs))),
					  makeString(opts->engine_id),
					  limit_holes);
}

/*
 * The plan of a join or grouping the engine does: a scan with no base
 * relation whose tuples are the entries of fdw_scan_tlist (the join's
 * columns, or the grouping's expressions and aggregates), all computed
 * remotely: nothing is left to check here.
 */
static ForeignScan *
make_pushed_scan_plan(PlannerInfo *root, RelOptInfo *foreignrel,
					  ForeignPath *best_path, List *tlist, Plan *outer_plan)
{
	SemossRelInfo *info = (SemossRelInfo *) foreignrel->fdw_private;
	List	   *scan_tlist;
	List	   *retrieved_attrs = NIL;
	List	   *params = NIL;
	List	   *sql_parts;
	SemossRemoteLimit limit_space;
	SemossRemoteLimit *limit = path_remote_limit(root, best_path, &limit_space);
	int			i;

	if (info->kind == SEMOSS_REL_GROUPED)
		scan_tlist = info->grouped_tlist;
	else
		scan_tlist = join_scan_tlist(foreignrel);
	sql_parts = semoss_deparse_pushed_select(root, foreignrel, scan_tlist,
											 best_path->path.pathkeys, limit,
											 &params);
	for (i = 1; i <= list_length(scan_tlist); i++)
		retrieved_attrs = lappend_int(retrieved_attrs, i);

	return make_foreignscan(tlist, NIL, 0,
							params, /* values for the holes */
							scan_plan_private(sql_parts, retrieved_attrs,
											  &info->opts, limit),
							scan_tlist,
							NIL,	/* nothing to recheck */
							outer_plan);
}

/*
 * GetForeignPlan: build the remote SELECT.  Conditions the engine can
 * evaluate go into its WHERE clause (join conditions of a parameterized
 * path too, with holes for the outer values); the rest are checked here.
 */
static ForeignScan *
semossGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
					 Oid foreigntableid, ForeignPath *best_path,
					 List *tlist, List *scan_clauses, Plan *outer_plan)
{
	SemossRelInfo *info = (SemossRelInfo *) baserel->fdw_private;
	List	   *remote_exprs = NIL;
	List	   *local_exprs = NIL;
	List	   *params = NIL;
	List	   *retrieved_attrs;
	List	   *sql_parts;
	Bitmapset  *attrs_used = NULL;
	SemossRemoteLimit limit_space;
	SemossRemoteLimit *limit = path_remote_limit(root, best_path, &limit_space);
	Relation	rel;
	ListCell   *lc;

	if (info->kind != SEMOSS_REL_BASE)
		return make_pushed_scan_plan(root, baserel, best_path, tlist, outer_plan);

	foreach(lc, scan_clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		/* constant conditions are checked by a gating Result node */
		if (rinfo->pseudoconstant)
			continue;
		if (list_member_ptr(info->remote_conds, rinfo))
			remote_exprs = lappend(remote_exprs, rinfo->clause);
		else if (list_member_ptr(info->local_conds, rinfo))
			local_exprs = lappend(local_exprs, rinfo->clause);
		else if (semoss_is_foreign_expr(root, baserel, &info->opts, rinfo->clause))
			remote_exprs = lappend(remote_exprs, rinfo->clause);
		else
			local_exprs = lappend(local_exprs, rinfo->clause);
	}

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs_used);
	collect_attrs(local_exprs, baserel->relid, &attrs_used);

	rel = table_open(foreigntableid, NoLock);
	sql_parts = semoss_deparse_select(root, baserel, rel, &info->opts, attrs_used,
									  remote_exprs, best_path->path.pathkeys,
									  limit, &retrieved_attrs, &params);
	table_close(rel, NoLock);

	return make_foreignscan(tlist, local_exprs, baserel->relid,
							params, /* values for the holes */
							scan_plan_private(sql_parts, retrieved_attrs,
											  &info->opts, limit),
							NIL,	/* no custom tlist */
							remote_exprs,	/* rechecked for EvalPlanQual */
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
	Index		rtindex = fsplan->scan.scanrelid;
	RangeTblEntry *rte;

	/* a join or grouping: its tables share one user (the planner checked) */
	if (rtindex == 0)
		rtindex = bms_next_member(fsplan->fs_relids, -1);
	rte = exec_rt_fetch(rtindex, estate);

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
	List	   *retrieved_attrs = (List *) list_nth(fsplan->fdw_private,
													ScanPrivateRetrievedAttrs);
	List	   *limit_holes;
	SemossScanState *state;
	UserMapping *user;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	state = palloc0(sizeof(SemossScanState));
	node->fdw_state = state;

	state->sql_parts = (List *) list_nth(fsplan->fdw_private, ScanPrivateSelectSql);
	state->param_states = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	limit_holes = (List *) list_nth(fsplan->fdw_private, ScanPrivateLimitHoles);
	state->count_hole = limit_holes != NIL ? intVal(linitial(limit_holes)) : -1;
	state->offset_hole = limit_holes != NIL ? intVal(lsecond(limit_holes)) : -1;
	if (fsplan->scan.scanrelid > 0)
		state->converter = semoss_make_row_converter(node->ss.ss_currentRelation,
													 retrieved_attrs);
	else
		state->converter =
			semoss_make_tlist_converter(node->ss.ss_ScanTupleSlot->tts_tupleDescriptor,
										fsplan->fdw_scan_tlist,
										node->ss.ps.state);

	user = GetUserMapping(scan_user_id(node), fsplan->fs_server);
	semoss_result_init(&state->result, semoss_get_connection(user),
					   strVal(list_nth(fsplan->fdw_private, ScanPrivateEngineId)),
					   intVal(list_nth(fsplan->fdw_private, ScanPrivateFetchSize)));
}

/*
 * The text of a LIMIT count (`is_count`) or OFFSET value for the engine:
 * the number, with no cast (the generic dialect's databases take none);
 * NULL means no limit, or no offset, as in PostgreSQL.  A negative value
 * is refused with the error PostgreSQL's Limit node gives.
 */
static char *
limit_value_text(Datum value, bool isnull, bool is_count)
{
	int64		number;

	if (isnull)
		return psprintf(INT64_FORMAT, is_count ? PG_INT64_MAX : (int64) 0);
	number = DatumGetInt64(value);
	if (number < 0 && is_count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE),
				 errmsg("LIMIT must not be negative")));
	if (number < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE),
				 errmsg("OFFSET must not be negative")));
	return psprintf(INT64_FORMAT, number);
}

/*
 * The remote SQL with the current values written into its holes: literals
 * of their types, and bare numbers for the LIMIT and OFFSET.  The OFFSET
 * is checked before the count, in the order PostgreSQL checks them.
 */
static char *
current_remote_sql(ForeignScanState *node, SemossScanState *state)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	int			nvalues = list_length(state->param_states);
	char	  **values = NULL;
	Datum		count_value = (Datum) 0;
	bool		count_isnull = true;
	ListCell   *lc;
	int			i = 0;

	if (nvalues > 0)
	{
		values = palloc(sizeof(char *) * nvalues);
		foreach(lc, state->param_states)
		{
			ExprState  *expr = (ExprState *) lfirst(lc);
			StringInfoData literal;
			bool		isnull;
			Datum		value = ExecEvalExpr(expr, econtext, &isnull);

			if (i == state->count_hole)
			{
				count_value = value;
				count_isnull = isnull;
				values[i++] = NULL;
				continue;
			}
			if (i == state->offset_hole)
			{
				values[i++] = limit_value_text(value, isnull, false);
				continue;
			}
			initStringInfo(&literal);
			semoss_append_literal(&literal, exprType((Node *) expr->expr),
								  exprTypmod((Node *) expr->expr), value, isnull);
			values[i++] = literal.data;
		}
		if (state->count_hole >= 0)
			values[state->count_hole] = limit_value_text(count_value,
														 count_isnull, true);
	}
	return semoss_assemble_sql(state->sql_parts, values);
}

/*
 * Fetch the next page of the remote result (held by state->result), the
 * query's first one with the current parameter values when the result
 * was not started yet.  Returns false when there are no more rows.
 */
static bool
fetch_next_page(ForeignScanState *node, SemossScanState *state)
{
	SemossRemoteResult *result = &state->result;
	SemossPage *page;

	if (result->task_id == NULL && !result->eof)
		semoss_result_start(result, current_remote_sql(node, state),
							state->is_write);
	page = semoss_result_next_page(result,
								   semoss_row_converter_width(state->converter));
	state->next_row = 0;
	return page != NULL && semoss_page_nrows(page) > 0;
}

/* IterateForeignScan: return the next row, fetching a page when needed. */
static TupleTableSlot *
semossIterateForeignScan(ForeignScanState *node)
{
	SemossScanState *state = (SemossScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	if (state->result.page.page == NULL ||
		state->next_row >= semoss_page_nrows(state->result.page.page))
	{
		if (!fetch_next_page(node, state))
			return slot;
	}

	/* called in the per-tuple context, so the datums live for one row */
	semoss_convert_row(state->converter, state->result.page.page, state->next_row,
					   state->rows_returned + 1, slot->tts_values,
					   slot->tts_isnull);
	state->next_row++;
	state->rows_returned++;
	return ExecStoreVirtualTuple(slot);
}

/*
 * ReScanForeignScan: start over.  A result that fit in one page is replayed
 * from memory when no parameter changed; otherwise the query runs again
 * (abandoning a task costs no round trip: see semoss_result_restart).
 */
static void
semossReScanForeignScan(ForeignScanState *node)
{
	SemossScanState *state = (SemossScanState *) node->fdw_state;
	SemossRemoteResult *result = &state->result;

	if (!(result->eof && result->pages == 1 && result->page.page != NULL &&
		  node->ss.ps.chgParam == NULL))
		semoss_result_restart(result);
	state->next_row = 0;
	state->rows_returned = 0;
}

/*
 * EndForeignScan: a result not read to the end (LIMIT, a cursor closed
 * early) gives up its task at once (see semoss_result_close).
 */
static void
semossEndForeignScan(ForeignScanState *node)
{
	SemossScanState *state = (SemossScanState *) node->fdw_state;

	if (state != NULL)
		semoss_result_close(&state->result);
}

/*
 * BeginDirectModify: an UPDATE or DELETE done by one remote statement
 * (planned in modify.c) is read like a scan: its RETURNING rows, or the
 * one-row count of the rows it changed.
 */
static void
semossBeginDirectModify(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	SemossScanState *state;

	semossBeginForeignScan(node, eflags);
	state = (SemossScanState *) node->fdw_state;
	if (state == NULL)
		return;
	state->is_write = true;
	state->dml_form = (SemossDmlForm) intVal(list_nth(fsplan->fdw_private,
													  ScanPrivateDmlForm));
	state->set_processed = intVal(list_nth(fsplan->fdw_private,
										   ScanPrivateSetProcessed)) != 0;
}

/* The result relation a direct modification changes. */
static ResultRelInfo *
direct_modify_result_rel(ForeignScanState *node)
{
#if PG_VERSION_NUM >= 140000
	return node->resultRelInfo;
#else
	return node->ss.ps.state->es_result_relation_info;
#endif
}

/*
 * IterateDirectModify: run the statement on the first call.  Without
 * RETURNING, add the remote count to the command's row count and return
 * nothing; with RETURNING, return the rows one by one, each counted, for
 * the ModifyTable node to project.
 */
static TupleTableSlot *
semossIterateDirectModify(ForeignScanState *node)
{
	SemossScanState *state = (SemossScanState *) node->fdw_state;
	EState	   *estate = node->ss.ps.state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	if (state->dml_form == SEMOSS_DML_COUNT)
	{
		int64		count;

		if (state->result.pages > 0)
			return ExecClearTuple(slot);
		(void) fetch_next_page(node, state);
		count = semoss_page_row_count(state->result.page.page, state->result.sql);
		if (state->set_processed)
			estate->es_processed += (uint64) count;
		semoss_held_page_release(&state->result.page);
		return ExecClearTuple(slot);
	}

	slot = semossIterateForeignScan(node);
	if (!TupIsNull(slot))
	{
		ResultRelInfo *rinfo = direct_modify_result_rel(node);

		if (state->set_processed)
			estate->es_processed++;
		if (rinfo->ri_projectReturning != NULL)
			rinfo->ri_projectReturning->pi_exprContext->ecxt_scantuple = slot;
	}
	return slot;
}

/*
 * ExplainForeignScan: the remote SQL and engine under VERBOSE; under
 * ANALYZE, what the scan cost on the wire: SEMOSS requests (Collects), the
 * rows they carried and the bytes of their replies.
 */
static void
semossExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	SemossScanState *state = (SemossScanState *) node->fdw_state;

	if (es->analyze && state != NULL)
	{
		ExplainPropertyInteger("SEMOSS Requests", NULL, state->result.wire_requests, es);
		ExplainPropertyInteger("SEMOSS Rows Received", NULL, state->result.wire_rows, es);
		if (es->costs)
			ExplainPropertyInteger("SEMOSS Bytes Received", "bytes",
								   state->result.wire_bytes, es);
	}

	if (es->verbose)
	{
		ExplainPropertyText("SEMOSS engine",
							strVal(list_nth(fsplan->fdw_private, ScanPrivateEngineId)),
							es);
		ExplainPropertyText("Remote SQL",
							semoss_assemble_sql((List *) list_nth(fsplan->fdw_private,
																  ScanPrivateSelectSql),
												NULL),
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
	routine->GetForeignJoinPaths = semossGetForeignJoinPaths;
	routine->GetForeignUpperPaths = semossGetForeignUpperPaths;
	routine->ImportForeignSchema = semossImportForeignSchema;
	routine->AnalyzeForeignTable = semossAnalyzeForeignTable;

	/* writes: modify.c */
	routine->AddForeignUpdateTargets = semossAddForeignUpdateTargets;
	routine->PlanForeignModify = semossPlanForeignModify;
	routine->BeginForeignModify = semossBeginForeignModify;
	routine->ExecForeignInsert = semossExecForeignInsert;
	routine->ExecForeignUpdate = semossExecForeignUpdate;
	routine->ExecForeignDelete = semossExecForeignDelete;
	routine->EndForeignModify = semossEndForeignModify;
	routine->BeginForeignInsert = semossBeginForeignInsert;
	routine->EndForeignInsert = semossEndForeignInsert;
	routine->IsForeignRelUpdatable = semossIsForeignRelUpdatable;
	routine->ExplainForeignModify = semossExplainForeignModify;
	routine->PlanDirectModify = semossPlanDirectModify;
	routine->BeginDirectModify = semossBeginDirectModify;
	routine->IterateDirectModify = semossIterateDirectModify;
	routine->EndDirectModify = semossEndForeignScan;
	routine->ExplainDirectModify = semossExplainForeignScan;
#if PG_VERSION_NUM >= 140000
	routine->ExecForeignBatchInsert = semossExecForeignBatchInsert;
	routine->GetForeignModifyBatchSize = semossGetForeignModifyBatchSize;
	routine->ExecForeignTruncate = semossExecForeignTruncate;
#endif

	PG_RETURN_POINTER(routine);
}
