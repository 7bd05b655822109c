/*-------------------------------------------------------------------------
 *
 * modify.c
 *		  INSERT, UPDATE, DELETE and TRUNCATE on SEMOSS foreign tables.
 *
 * SEMOSS runs a write in one of two ways (semoss-protocol.md, section 6):
 *	- ExecQuery, its intended write path: it checks the user's edit
 *	  permission and returns nothing but "true";
 *	- the Collect path, which runs the statement as a query: INSERT/UPDATE/
 *	  DELETE ... RETURNING, and "WITH w AS (... RETURNING NULL) SELECT
 *	  count(*) FROM w", bring rows and counts back.
 * Either way SEMOSS commits at once; transaction.c keeps the local
 * transaction honest about that.
 *
 * A plain INSERT goes through ExecQuery, batch_size rows per statement: one
 * statement succeeds or fails whole, so the rows written are the rows sent.
 * Writes whose rows or counts PostgreSQL needs (RETURNING, UPDATE, DELETE,
 * ON CONFLICT DO NOTHING) go through the Collect path where the dialect
 * can run them there (dml_returning), after SEMOSS confirmed the edit
 * permission (connection.c).
 *
 * UPDATE and DELETE run in one of two ways.  A direct modification sends
 * one statement when the whole WHERE clause and every SET expression can
 * be evaluated remotely; it replaces the scan, whose executor (in
 * semoss_fdw.c) then reads the count or the RETURNING rows.  Otherwise the
 * scan fetches the rows with their key columns (column option key 'true')
 * and each row is updated or deleted by key, one statement per row.
 *
 * Values are written into the statements as untyped literals in their
 * exact text form (deparse.c); SEMOSS takes finished SQL.
 *
 * IDENTIFICATION
 *		  src/modify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/appendinfo.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "semoss_fdw.h"

/*
 * Indexes of the items of the fdw_private list of a row-by-row
 * modification, as PlanForeignModify leaves it for BeginForeignModify.
 */
enum SemossModifyPrivateIndex
{
	/* INSERT: the text before the VALUES rows (String); else "" */
	ModifyPrivatePrefix,
	/* INSERT: one VALUES row; UPDATE/DELETE: the statement (parts) */
	ModifyPrivateParts,
	/* INSERT: the text after the VALUES rows (String); else "" */
	ModifyPrivateSuffix,
	/* attnums whose new values fill holes 0..n-1 (List of Integer) */
	ModifyPrivateTargetAttrs,
	/* attnums of the key columns, filling the next holes */
	ModifyPrivateKeyAttrs,
	/* attnums the RETURNING columns fill, in order */
	ModifyPrivateReturningAttrs,
	/* SemossDmlForm (Integer) */
	ModifyPrivateForm,
	/* engine the statements run on (String) */
	ModifyPrivateEngineId,
	/* rows per INSERT statement (Integer) */
	ModifyPrivateBatchSize
};

/* Executor state of a row-by-row modification of one foreign table. */
typedef struct SemossModifyState
{
	Relation	rel;
	CmdType		operation;
	const SemossDialect *dialect;
	SemossConnection *conn;
	char	   *engine_id;
	SemossDmlForm form;

	/* the statement: see enum SemossModifyPrivateIndex */
	char	   *prefix;
	List	   *parts;
	char	   *suffix;
	List	   *target_attrs;
	List	   *key_attrs;
	AttrNumber *key_junk_attnos;	/* where the scan put each key value */
	FmgrInfo   *target_output;	/* output function per target attr */
	FmgrInfo   *key_output;		/* output function per key attr */
	SemossRowConverter *returning;	/* for RETURNING rows, or NULL */
	SemossHeldPage returned;	/* RETURNING rows of the last statement */
	int			batch_size;

	/*
	 * INSERT rows written out and not sent yet: a batch, or (for COPY and
	 * other single-row callers when nothing needs the row back) rows held
	 * until batch_size of them are ready or the statement ends.
	 */
	StringInfoData pending;
	int			pending_rows;
	bool		defer_inserts;

	MemoryContext temp_cxt;		/* reset after each statement */
} SemossModifyState;

/* ---- planning ---- */

/*
 * Refuse a write to `rel` that its options forbid, with the option to
 * change in the hint.
 */
static void
check_modifiable(Relation rel, const SemossTableOptions *opts, CmdType operation)
{
	const char *verb = operation == CMD_INSERT ? "insert into" :
		operation == CMD_UPDATE ? "update" : "delete from";

	if (opts->query != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot %s foreign table \"%s\"", verb,
						RelationGetRelationName(rel)),
				 errdetail("The foreign table reads the result of a remote query (option \"query\")."),
				 errhint("Define the foreign table with \"table_name\" to write to the remote table.")));
	if (!opts->settings.updatable)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot %s foreign table \"%s\"", verb,
						RelationGetRelationName(rel)),
				 errdetail("The foreign table or its server has the option updatable 'false'.")));
}

/*
 * The columns a modification writes, as a list of attnums: the set
 * `columns` (offset by FirstLowInvalidHeapAttributeNumber) without
 * generated columns, which the remote computes itself.
 */
static List *
writable_columns(Relation rel, Bitmapset *columns)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	List	   *attrs = NIL;
	int			attnum;

	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, attnum - 1);

		if (attr->attisdropped || attr->attgenerated)
			continue;
		if (bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, columns))
			attrs = lappend_int(attrs, attnum);
	}
	return attrs;
}

/* Every ordinary column of `rel`, offset as writable_columns() takes them. */
static Bitmapset *
all_columns(Relation rel)
{
	Bitmapset  *columns = NULL;
	int			attnum;

	for (attnum = 1; attnum <= RelationGetDescr(rel)->natts; attnum++)
		columns = bms_add_member(columns, attnum - FirstLowInvalidHeapAttributeNumber);
	return columns;
}

/*
 * The columns a RETURNING list needs from the remote, in attnum order (a
 * whole-row reference needs them all; system columns are not fetched).
 */
static List *
returning_columns(Relation rel, Index rtindex, List *returning_list)
{
	Bitmapset  *attrs = NULL;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	List	   *result = NIL;
	int			attnum;

	if (returning_list == NIL)
		return NIL;
	pull_varattnos((Node *) returning_list, rtindex, &attrs);
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
		attrs = all_columns(rel);
	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		if (!TupleDescAttr(tupdesc, attnum - 1)->attisdropped &&
			bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, attrs))
			result = lappend_int(result, attnum);
	}
	return result;
}

/* The key columns of a foreign table (column option key 'true'). */
static List *
key_columns(Relation rel)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	List	   *keys = NIL;
	int			attnum;

	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		if (!TupleDescAttr(tupdesc, attnum - 1)->attisdropped &&
			semoss_column_is_key(RelationGetRelid(rel), attnum))
			keys = lappend_int(keys, attnum);
	}
	return keys;
}

/* Name of the junk column that carries key column `attnum` to the executor. */
static char *
key_junk_name(Relation rel, AttrNumber attnum)
{
	return psprintf("semoss_key_%d_%u", attnum,
					TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid);
}

/*
 * How a statement travels (see the file header), refusing what the
 * dialect cannot do.
 */
static SemossDmlForm
choose_form(Relation rel, const SemossTableOptions *opts, CmdType operation,
			bool has_returning, bool do_nothing)
{
	SemossDmlForm form;

	if (has_returning)
		form = SEMOSS_DML_ROWS;
	else if (operation != CMD_INSERT || do_nothing)
		form = SEMOSS_DML_COUNT;
	else
		form = SEMOSS_DML_EXEC;

	if (form != SEMOSS_DML_EXEC && !opts->server.dialect->dml_returning)
	{
		if (has_returning || do_nothing)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s is not supported on foreign table \"%s\"",
							has_returning ? "RETURNING" : "ON CONFLICT DO NOTHING",
							RelationGetRelationName(rel)),
					 errdetail("Through SEMOSS, rows come back from a write only for the \"postgres\" dialect; the server uses \"%s\".",
							   opts->server.dialect->name)));
		/* UPDATE/DELETE by key: SEMOSS cannot say how many rows changed */
		form = SEMOSS_DML_EXEC;
	}
	return form;
}

/* Assemble the fdw_private list of a row-by-row modification. */
static List *
make_modify_private(const char *prefix, List *parts, const char *suffix,
					List *target_attrs, List *key_attrs, List *returning_attrs,
					SemossDmlForm form, const char *engine_id, int batch_size)
{
	List	   *private = NIL;

	private = lappend(private, makeString(pstrdup(prefix)));
	private = lappend(private, parts);
	private = lappend(private, makeString(pstrdup(suffix)));
	private = lappend(private, target_attrs);
	private = lappend(private, key_attrs);
	private = lappend(private, returning_attrs);
	private = lappend(private, makeInteger(form));
	private = lappend(private, makeString(pstrdup(engine_id)));
	private = lappend(private, makeInteger(batch_size));
	return private;
}

/*
 * The fdw_private of an INSERT of the columns target_attrs into `rel`
 * (see enum SemossModifyPrivateIndex).
 */
static List *
plan_insert(Relation rel, const SemossTableOptions *opts, List *target_attrs,
			bool do_nothing, List *returning_attrs, bool has_returning)
{
	SemossDmlForm form = choose_form(rel, opts, CMD_INSERT, has_returning,
									 do_nothing);
	char	   *prefix;
	List	   *row_parts;
	char	   *suffix;

	semoss_deparse_insert(rel, opts, target_attrs, do_nothing, form,
						  returning_attrs, &prefix, &row_parts, &suffix);
	return make_modify_private(prefix, row_parts, suffix, target_attrs, NIL,
							   returning_attrs, form, opts->engine_id,
							   opts->settings.batch_size);
}

/* A Var for key column `attnum` of `rel`, as range table entry `varno`. */
static Var *
key_column_var(Relation rel, AttrNumber attnum, Index varno)
{
	Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);

	return makeVar(varno, attnum, attr->atttypid, attr->atttypmod,
				   attr->attcollation, 0);
}

/*
 * AddForeignUpdateTargets: have the scan fetch the key columns of each row
 * an UPDATE or DELETE changes, as junk columns, so that the row can be
 * found again remotely.  A table without key columns adds nothing: its
 * modification must then be direct (see PlanForeignModify).
 */
#if PG_VERSION_NUM >= 140000
void
semossAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
							  RangeTblEntry *target_rte,
							  Relation target_relation)
{
	ListCell   *lc;

	foreach(lc, key_columns(target_relation))
		add_row_identity_var(root,
							 key_column_var(target_relation, lfirst_int(lc), rtindex),
							 rtindex, key_junk_name(target_relation, lfirst_int(lc)));
}
#else
void
semossAddForeignUpdateTargets(Query *parsetree, RangeTblEntry *target_rte,
							  Relation target_relation)
{
	ListCell   *lc;

	foreach(lc, key_columns(target_relation))
		parsetree->targetList =
			lappend(parsetree->targetList,
					makeTargetEntry((Expr *) key_column_var(target_relation,
															lfirst_int(lc),
															parsetree->resultRelation),
									list_length(parsetree->targetList) + 1,
									key_junk_name(target_relation, lfirst_int(lc)),
									true));
}
#endif

/* The columns an INSERT's own column list names (offset bitmap). */
static Bitmapset *
inserted_columns(PlannerInfo *root, RangeTblEntry *rte)
{
#if PG_VERSION_NUM >= 160000
	return getRTEPermissionInfo(root->parse->rteperminfos, rte)->insertedCols;
#else
	return rte->insertedCols;
#endif
}

/* The columns an UPDATE assigns, directly or as generated columns. */
static Bitmapset *
updated_columns(PlannerInfo *root, Index rtindex, RangeTblEntry *rte)
{
#if PG_VERSION_NUM >= 160000
	return get_rel_all_updated_cols(root, find_base_rel(root, rtindex));
#else
	return bms_union(rte->updatedCols, rte->extraUpdatedCols);
#endif
}

/*
 * The columns an INSERT sends: those its column list names, and those with
 * a local default, which PostgreSQL has filled in.  A column left out and
 * without a local default is left out remotely too, so that the remote
 * table's own default (a serial id, a timestamp) applies rather than NULL.
 */
static List *
insert_columns(PlannerInfo *root, RangeTblEntry *rte, Relation rel)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Bitmapset  *columns = bms_copy(inserted_columns(root, rte));
	int			attnum;

	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		if (TupleDescAttr(tupdesc, attnum - 1)->atthasdef)
			columns = bms_add_member(columns,
									 attnum - FirstLowInvalidHeapAttributeNumber);
	}
	return writable_columns(rel, columns);
}

/*
 * PlanForeignModify: plan a row-by-row INSERT, UPDATE or DELETE (a direct
 * modification was not possible).  The statements are deparsed now, with
 * holes for the values of each row.
 */
List *
semossPlanForeignModify(PlannerInfo *root, ModifyTable *plan,
						Index resultRelation, int subplan_index)
{
	CmdType		operation = plan->operation;
	RangeTblEntry *rte = planner_rt_fetch(resultRelation, root);
	SemossTableOptions opts;
	List	   *returning_list = NIL;
	List	   *returning_attrs;
	List	   *target_attrs = NIL;
	List	   *key_attrs = NIL;
	List	   *private;
	List	   *parts;
	SemossDmlForm form;
	Relation	rel;

	rel = table_open(rte->relid, NoLock);
	semoss_get_table_options(rte->relid, &opts);
	check_modifiable(rel, &opts, operation);

	if (plan->returningLists != NIL)
		returning_list = (List *) list_nth(plan->returningLists, subplan_index);
	returning_attrs = returning_columns(rel, resultRelation, returning_list);

	if (plan->onConflictAction == ONCONFLICT_UPDATE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ON CONFLICT DO UPDATE is not supported on foreign table \"%s\"",
						RelationGetRelationName(rel))));

	if (operation == CMD_INSERT)
	{
		private = plan_insert(rel, &opts, insert_columns(root, rte, rel),
							  plan->onConflictAction == ONCONFLICT_NOTHING,
							  returning_attrs, returning_list != NIL);
		table_close(rel, NoLock);
		return private;
	}

	key_attrs = key_columns(rel);
	if (key_attrs == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_COLUMN_NAME),
				 errmsg("cannot %s foreign table \"%s\" row by row: it has no key columns",
						operation == CMD_UPDATE ? "update" : "delete from",
						RelationGetRelationName(rel)),
				 errdetail("Only a statement whose WHERE clause and SET expressions can all run remotely is sent as one remote statement; others find each row again by its key."),
				 errhint("Mark the columns of the remote primary key with ALTER FOREIGN TABLE ... ALTER COLUMN ... OPTIONS (ADD key 'true'), or IMPORT FOREIGN SCHEMA, which does it.")));

	form = choose_form(rel, &opts, operation, returning_list != NIL, false);
	if (operation == CMD_UPDATE)
	{
		target_attrs = writable_columns(rel, updated_columns(root, resultRelation, rte));
		parts = semoss_deparse_update(rel, &opts, target_attrs, key_attrs, form,
									  returning_attrs);
	}
	else
		parts = semoss_deparse_delete(rel, &opts, key_attrs, form, returning_attrs);

	private = make_modify_private("", parts, "", target_attrs, key_attrs,
								  returning_attrs, form, opts.engine_id, 1);
	table_close(rel, NoLock);
	return private;
}

/*
 * The ForeignScan under `plan` that scans `resultRelation`, if the
 * modification's rows come straight from it (alone, or as one child of an
 * Append over an inheritance tree); else NULL.
 */
static ForeignScan *
modified_foreign_scan(ModifyTable *plan, Index resultRelation, int subplan_index)
{
#if PG_VERSION_NUM >= 140000
	Plan	   *subplan = outerPlan(plan);
#else
	Plan	   *subplan = (Plan *) list_nth(plan->plans, subplan_index);
#endif
	ListCell   *lc;

	if (IsA(subplan, ForeignScan) &&
		((ForeignScan *) subplan)->scan.scanrelid == resultRelation)
		return (ForeignScan *) subplan;
	if (IsA(subplan, Append))
	{
		foreach(lc, ((Append *) subplan)->appendplans)
		{
			Plan	   *child = (Plan *) lfirst(lc);

			if (IsA(child, ForeignScan) &&
				((ForeignScan *) child)->scan.scanrelid == resultRelation)
				return (ForeignScan *) child;
		}
	}
	return NULL;
}

/* True if row triggers on `rel` fire for `operation` (they need each row). */
static bool
has_row_triggers(Relation rel, CmdType operation)
{
	TriggerDesc *trig = rel->trigdesc;

	if (trig == NULL)
		return false;
	if (operation == CMD_UPDATE)
		return trig->trig_update_before_row || trig->trig_update_after_row;
	return trig->trig_delete_before_row || trig->trig_delete_after_row;
}

/*
 * PlanDirectModify: turn the scan of an UPDATE or DELETE into one remote
 * statement when everything it does can be done remotely: no condition
 * left to check locally, every SET expression shippable, no row triggers
 * or WITH CHECK OPTIONs that need each row here, and a dialect that
 * reports how many rows the statement changed.
 */
bool
semossPlanDirectModify(PlannerInfo *root, ModifyTable *plan,
					   Index resultRelation, int subplan_index)
{
#if PG_VERSION_NUM >= 140000
	CmdType		operation = plan->operation;
	RelOptInfo *baserel;
	SemossRelInfo *info;
	ForeignScan *fscan;
	RangeTblEntry *rte;
	Relation	rel;
	List	   *target_attrs = NIL;
	List	   *target_exprs = NIL;
	List	   *returning_list = NIL;
	List	   *returning_attrs;
	List	   *params = NIL;
	List	   *parts;
	SemossDmlForm form;
	ListCell   *lc;

	if (operation != CMD_UPDATE && operation != CMD_DELETE)
		return false;
	fscan = modified_foreign_scan(plan, resultRelation, subplan_index);
	if (fscan == NULL || fscan->scan.plan.qual != NIL)
		return false;
	if (plan->withCheckOptionLists != NIL)
		return false;
	baserel = find_base_rel(root, resultRelation);
	info = (SemossRelInfo *) baserel->fdw_private;
	if (info == NULL || !info->opts.server.dialect->dml_returning)
		return false;

	rte = planner_rt_fetch(resultRelation, root);
	rel = table_open(rte->relid, NoLock);
	check_modifiable(rel, &info->opts, operation);
	if (has_row_triggers(rel, operation))
	{
		table_close(rel, NoLock);
		return false;
	}

	if (operation == CMD_UPDATE)
	{
		List	   *processed_tlist;
		List	   *update_colnos;
		ListCell   *lc2;

		get_translated_update_targetlist(root, resultRelation,
										 &processed_tlist, &update_colnos);
		forboth(lc, processed_tlist, lc2, update_colnos)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);
			AttrNumber	attnum = lfirst_int(lc2);

			if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attgenerated ||
				!semoss_is_foreign_expr(root, baserel, &info->opts, tle->expr))
			{
				table_close(rel, NoLock);
				return false;
			}
			target_attrs = lappend_int(target_attrs, attnum);
			target_exprs = lappend(target_exprs, tle->expr);
		}
	}

	if (plan->returningLists != NIL)
		returning_list = (List *) list_nth(plan->returningLists, subplan_index);
	returning_attrs = returning_columns(rel, resultRelation, returning_list);
	form = returning_list != NIL ? SEMOSS_DML_ROWS : SEMOSS_DML_COUNT;

	/* the scan's remote conditions are those it would have sent */
	parts = semoss_deparse_direct_modify(root, baserel, rel, &info->opts,
										 operation, target_attrs, target_exprs,
										 fscan->fdw_recheck_quals, form,
										 returning_attrs, &params);
	table_close(rel, NoLock);

	fscan->operation = operation;
	fscan->resultRelation = resultRelation;
	fscan->fdw_exprs = params;
	fscan->fdw_private = list_make5(parts, returning_attrs,
									makeInteger(semoss_fetch_size(info->opts.settings.fetch_size,
																  list_length(returning_attrs))),
									makeString(info->opts.engine_id),
									NIL);	/* no LIMIT holes */
	fscan->fdw_private = lappend(fscan->fdw_private, makeInteger(form));
	fscan->fdw_private = lappend(fscan->fdw_private,
								 makeInteger(plan->canSetTag ? 1 : 0));
	return true;
#else
	/* before PostgreSQL 14, only row-by-row modification */
	return false;
#endif
}

/* ---- execution of row-by-row modifications ---- */

/* Look up the output function of each column in `attrs` of `rel`. */
static FmgrInfo *
output_functions(Relation rel, List *attrs)
{
	FmgrInfo   *outputs = palloc0(sizeof(FmgrInfo) * Max(list_length(attrs), 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, attrs)
	{
		Oid			outfunc;
		bool		isvarlena;

		getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel),
										lfirst_int(lc) - 1)->atttypid,
						  &outfunc, &isvarlena);
		fmgr_info(outfunc, &outputs[i++]);
	}
	return outputs;
}

/* The role whose user mapping a modification of `rinfo` uses. */
static Oid
modify_user_id(EState *estate, ResultRelInfo *rinfo)
{
#if PG_VERSION_NUM >= 160000
	return ExecGetResultRelCheckAsUser(rinfo, estate);
#else
	Index		rtindex = rinfo->ri_RangeTableIndex;
	RangeTblEntry *rte;

	/* a partition that rows are routed to has no entry of its own */
	if (rtindex == 0 && rinfo->ri_RootResultRelInfo != NULL)
		rtindex = rinfo->ri_RootResultRelInfo->ri_RangeTableIndex;
	if (rtindex == 0)
		return GetUserId();
	rte = exec_rt_fetch(rtindex, estate);
	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
#endif
}

/*
 * Set up the executor state of a modification of `rinfo` from the
 * fdw_private list of its plan (or made up by BeginForeignInsert).
 */
static SemossModifyState *
create_modify_state(EState *estate, ResultRelInfo *rinfo, CmdType operation,
					List *private, List *subplan_tlist)
{
	SemossModifyState *state = palloc0(sizeof(SemossModifyState));
	Relation	rel = rinfo->ri_RelationDesc;
	ForeignTable *table = GetForeignTable(RelationGetRelid(rel));
	SemossTableOptions opts;
	List	   *returning_attrs;
	int			i = 0;
	ListCell   *lc;

	semoss_get_table_options(RelationGetRelid(rel), &opts);
	state->rel = rel;
	state->operation = operation;
	state->dialect = opts.server.dialect;
	state->prefix = strVal(list_nth(private, ModifyPrivatePrefix));
	state->parts = (List *) list_nth(private, ModifyPrivateParts);
	state->suffix = strVal(list_nth(private, ModifyPrivateSuffix));
	state->target_attrs = (List *) list_nth(private, ModifyPrivateTargetAttrs);
	state->key_attrs = (List *) list_nth(private, ModifyPrivateKeyAttrs);
	returning_attrs = (List *) list_nth(private, ModifyPrivateReturningAttrs);
	state->form = (SemossDmlForm) intVal(list_nth(private, ModifyPrivateForm));
	state->engine_id = strVal(list_nth(private, ModifyPrivateEngineId));
	state->batch_size = intVal(list_nth(private, ModifyPrivateBatchSize));

	state->target_output = output_functions(rel, state->target_attrs);
	state->key_output = output_functions(rel, state->key_attrs);
	if (state->form == SEMOSS_DML_ROWS)
		state->returning = semoss_make_row_converter(rel, returning_attrs);

	state->key_junk_attnos = palloc0(sizeof(AttrNumber) *
									 Max(list_length(state->key_attrs), 1));
	foreach(lc, state->key_attrs)
	{
		char	   *name = key_junk_name(rel, lfirst_int(lc));
		AttrNumber	junk = ExecFindJunkAttributeInTlist(subplan_tlist, name);

		if (!AttributeNumberIsValid(junk))
			elog(ERROR, "semoss_fdw: key column \"%s\" is missing from the plan",
				 name);
		state->key_junk_attnos[i++] = junk;
	}

	state->temp_cxt = AllocSetContextCreate(estate->es_query_cxt,
											"semoss_fdw modification",
											ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&state->pending);
	semoss_held_page_init(&state->returned, estate->es_query_cxt);

	/* credentials are read now, at execution time */
	state->conn = semoss_get_connection(GetUserMapping(modify_user_id(estate, rinfo),
													   table->serverid));
	return state;
}

/*
 * Send one write statement.  Returns the number of rows it wrote, as the
 * remote counted them (SEMOSS_DML_COUNT), as rows came back
 * (SEMOSS_DML_ROWS: state->returned holds them), or -1 when SEMOSS cannot tell
 * (SEMOSS_DML_EXEC).
 */
static int64
send_write(SemossModifyState *state, const char *sql)
{
	SemossSession *session = semoss_connection_session(state->conn);
	char	   *remote_sql = pg_server_to_any(sql, strlen(sql), PG_UTF8);
	SemossPage *page = NULL;
	SemossStatus status;
	SemossError err;
	int64		written;

	semoss_held_page_release(&state->returned);
	if (state->form == SEMOSS_DML_EXEC)
	{
		status = semoss_exec(session, state->engine_id, remote_sql, &err);
		semoss_note_write_attempt(status);
		if (status != SEMOSS_OK)
			semoss_report_error(&err, sql);
		return -1;
	}

	semoss_connection_check_write_access(state->conn, state->engine_id);
	status = semoss_query(session, state->engine_id, remote_sql, -1, &page, &err);
	semoss_note_write_attempt(status);
	if (status != SEMOSS_OK)
		semoss_report_error(&err, sql);
	/* held by the state, so that an error below frees it too */
	semoss_held_page_set(&state->returned, page);
	/* every row was collected: the finished task goes with the next request */
	semoss_task_remove_later(session, semoss_page_task_id(page));

	if (state->form == SEMOSS_DML_COUNT)
	{
		written = semoss_page_row_count(page, sql);
		semoss_held_page_release(&state->returned);
		return written;
	}

	if (semoss_page_ncols(page) != semoss_row_converter_width(state->returning))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_COLUMN_NUMBER),
				 errmsg("SEMOSS returned a wrong number of RETURNING columns"),
				 errcontext("remote SQL: %s", sql)));
	return semoss_page_nrows(page);
}

/*
 * Write `values` (one per attnum in `attrs`, from `slot` or the key junk
 * columns of `plan_slot`) as literals into values_out, from index `first`.
 */
static void
slot_literals(SemossModifyState *state, TupleTableSlot *slot, List *attrs,
			  FmgrInfo *outputs, char **values_out, int first)
{
	ListCell   *lc;
	int			i = 0;

	foreach(lc, attrs)
	{
		StringInfoData literal;
		bool		isnull;
		Datum		value = slot_getattr(slot, lfirst_int(lc), &isnull);

		initStringInfo(&literal);
		semoss_append_value_literal(&literal, state->dialect, &outputs[i],
									value, isnull);
		values_out[first + i] = literal.data;
		i++;
	}
}

/*
 * The key values of the row that `plan_slot` stands for, as literals, into
 * values_out from index `first`.  A NULL key cannot find the row again.
 */
static void
key_literals(SemossModifyState *state, TupleTableSlot *plan_slot,
			 char **values_out, int first)
{
	ListCell   *lc;
	int			i = 0;

	foreach(lc, state->key_attrs)
	{
		StringInfoData literal;
		bool		isnull;
		Datum		value = ExecGetJunkAttribute(plan_slot,
												 state->key_junk_attnos[i],
												 &isnull);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("key column \"%s\" of foreign table \"%s\" is NULL",
							get_attname(RelationGetRelid(state->rel),
										lfirst_int(lc), false),
							RelationGetRelationName(state->rel)),
					 errdetail("A row is found again remotely by its key columns."),
					 errhint("Mark only columns of a remote primary or unique key with key 'true'.")));
		initStringInfo(&literal);
		semoss_append_value_literal(&literal, state->dialect,
									&state->key_output[i], value, false);
		values_out[first + i] = literal.data;
		i++;
	}
}

/*
 * Store the RETURNING row the last statement sent back into `slot`;
 * columns RETURNING does not need stay NULL.
 */
static void
store_returned_row(SemossModifyState *state, TupleTableSlot *slot)
{
	TupleDesc	tupdesc = RelationGetDescr(state->rel);
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	HeapTuple	tuple;

	semoss_convert_row(state->returning, state->returned.page, 0, 1, values, nulls);
	tuple = heap_form_tuple(tupdesc, values, nulls);
	ExecForceStoreHeapTuple(tuple, slot, true);
	semoss_held_page_release(&state->returned);
}

/*
 * Send the INSERT rows held in state->pending as one statement; returns
 * what send_write() returns.
 */
static int64
flush_inserts(SemossModifyState *state)
{
	StringInfoData sql;
	MemoryContext oldcxt;
	int64		written;

	if (state->pending_rows == 0)
		return 0;
	oldcxt = MemoryContextSwitchTo(state->temp_cxt);
	initStringInfo(&sql);
	appendStringInfoString(&sql, state->prefix);
	appendBinaryStringInfo(&sql, state->pending.data, state->pending.len);
	appendStringInfoString(&sql, state->suffix);
	state->pending_rows = 0;
	resetStringInfo(&state->pending);
	written = send_write(state, sql.data);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(state->temp_cxt);
	return written;
}

/*
 * Write the VALUES row of `slot` onto state->pending.  Returns true when
 * the pending statement is big enough to be sent.  The caller brackets a
 * run of calls with semoss_portable_output_begin/end.
 */
static bool
add_insert_row(SemossModifyState *state, TupleTableSlot *slot)
{
	int			nvalues = list_length(state->target_attrs);
	MemoryContext oldcxt = MemoryContextSwitchTo(state->temp_cxt);
	char	  **values = palloc(sizeof(char *) * Max(nvalues, 1));
	char	   *row;

	slot_literals(state, slot, state->target_attrs, state->target_output,
				  values, 0);
	row = semoss_assemble_sql(state->parts, values);
	MemoryContextSwitchTo(oldcxt);

	if (state->pending_rows > 0)
		appendStringInfoString(&state->pending, ", ");
	appendStringInfoString(&state->pending, row);
	state->pending_rows++;
	return state->pending_rows >= state->batch_size ||
		state->pending.len >= SEMOSS_MAX_BATCH_BYTES;
}

/*
 * Whether rows may be held and sent in batches: nothing needs a row back
 * at once (RETURNING, row triggers, WITH CHECK OPTION), each statement's
 * row count is the rows sent, and a statement may hold more than one row.
 */
static bool
inserts_can_wait(SemossModifyState *state, ResultRelInfo *rinfo)
{
	TriggerDesc *trig = rinfo->ri_TrigDesc;

	return state->form == SEMOSS_DML_EXEC &&
		state->batch_size > 1 &&
		state->target_attrs != NIL &&
		rinfo->ri_projectReturning == NULL &&
		rinfo->ri_WithCheckOptions == NIL &&
		(trig == NULL ||
		 (!trig->trig_insert_before_row && !trig->trig_insert_after_row));
}

/* BeginForeignModify: prepare a row-by-row INSERT, UPDATE or DELETE. */
void
semossBeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						 List *fdw_private, int subplan_index, int eflags)
{
	SemossModifyState *state;
	List	   *subplan_tlist;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
#if PG_VERSION_NUM >= 140000
	subplan_tlist = outerPlanState(mtstate)->plan->targetlist;
#else
	subplan_tlist = mtstate->mt_plans[subplan_index]->plan->targetlist;
#endif
	state = create_modify_state(mtstate->ps.state, rinfo, mtstate->operation,
								fdw_private, subplan_tlist);
	state->defer_inserts = mtstate->operation == CMD_INSERT &&
		inserts_can_wait(state, rinfo);
	rinfo->ri_FdwState = state;
}

/*
 * What a row-by-row statement that wrote `written` rows returns to the
 * executor: `slot` (with the RETURNING row, if any) when it wrote the row,
 * NULL when the row was not there (or, for ON CONFLICT DO NOTHING, not
 * inserted).  A key that matched several rows is an error, after the fact:
 * the remote statement already changed them all.
 */
static TupleTableSlot *
finish_row_write(SemossModifyState *state, TupleTableSlot *slot, int64 written)
{
	if (written == 0)
		return NULL;
	if (written > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("the key of one row of foreign table \"%s\" matched " INT64_FORMAT " remote rows",
						RelationGetRelationName(state->rel), written),
				 errdetail("The remote statement changed all of them, and SEMOSS committed it."),
				 errhint("Mark only the columns of a remote primary or unique key with key 'true'.")));
	if (state->form == SEMOSS_DML_ROWS)
		store_returned_row(state, slot);
	return slot;
}

/*
 * ExecForeignInsert: insert one row.  When nothing needs the row back at
 * once it is held and sent with the next rows, batch_size per statement
 * (COPY and partition routing insert row by row); otherwise it is sent now
 * and, with RETURNING, replaced by the row the remote stored.
 */
TupleTableSlot *
semossExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
						TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	SemossModifyState *state = (SemossModifyState *) rinfo->ri_FdwState;
	int64		written;

	if (state->target_attrs == NIL)
	{
		/* INSERT ... DEFAULT VALUES: nothing to batch */
		char	   *sql = psprintf("%s%s", state->prefix, state->suffix);

		written = send_write(state, sql);
		pfree(sql);
	}
	else
	{
		int			nestlevel = semoss_portable_output_begin();
		bool		full = add_insert_row(state, slot);

		semoss_portable_output_end(nestlevel);
		if (state->defer_inserts && !full)
			return slot;
		written = flush_inserts(state);
		if (state->defer_inserts)
			return slot;
	}
	/* ExecQuery says nothing, but a statement that ran wrote its row */
	return finish_row_write(state, slot, written < 0 ? 1 : written);
}

/*
 * ExecForeignBatchInsert: insert the rows of `slots` in one statement (more
 * only if they exceed SEMOSS_MAX_BATCH_BYTES of SQL).
 */
TupleTableSlot **
semossExecForeignBatchInsert(EState *estate, ResultRelInfo *rinfo,
							 TupleTableSlot **slots, TupleTableSlot **planSlots,
							 int *numSlots)
{
	SemossModifyState *state = (SemossModifyState *) rinfo->ri_FdwState;
	int			nestlevel = semoss_portable_output_begin();
	int			i;

	/* the output settings are made once for the whole batch */
	for (i = 0; i < *numSlots; i++)
	{
		if (add_insert_row(state, slots[i]))
			(void) flush_inserts(state);
	}
	semoss_portable_output_end(nestlevel);
	(void) flush_inserts(state);
	return slots;
}

/*
 * GetForeignModifyBatchSize: rows per INSERT statement; 1 when rows must be
 * sent one at a time (see inserts_can_wait).
 */
int
semossGetForeignModifyBatchSize(ResultRelInfo *rinfo)
{
	SemossModifyState *state = (SemossModifyState *) rinfo->ri_FdwState;
	SemossTableOptions opts;
	TriggerDesc *trig = rinfo->ri_TrigDesc;

	if (state != NULL)
		return inserts_can_wait(state, rinfo) ? state->batch_size : 1;

	/* EXPLAIN without ANALYZE: no executor state, read the options */
	if (rinfo->ri_projectReturning != NULL || rinfo->ri_WithCheckOptions != NIL ||
		(trig != NULL && (trig->trig_insert_before_row || trig->trig_insert_after_row)))
		return 1;
	semoss_get_table_options(RelationGetRelid(rinfo->ri_RelationDesc), &opts);
	return opts.settings.batch_size;
}

/*
 * Change the row that `plan_slot` stands for, found by its key: the
 * statement's holes take the new values of target_attrs from `slot` (none
 * for DELETE), then the key values.
 */
static TupleTableSlot *
write_row_by_key(SemossModifyState *state, TupleTableSlot *slot,
				 TupleTableSlot *plan_slot)
{
	int			ntargets = list_length(state->target_attrs);
	MemoryContext oldcxt = MemoryContextSwitchTo(state->temp_cxt);
	char	  **values = palloc(sizeof(char *) *
								(ntargets + list_length(state->key_attrs)));
	int			nestlevel = semoss_portable_output_begin();
	int64		written;

	slot_literals(state, slot, state->target_attrs, state->target_output,
				  values, 0);
	key_literals(state, plan_slot, values, ntargets);
	semoss_portable_output_end(nestlevel);
	written = send_write(state, semoss_assemble_sql(state->parts, values));
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(state->temp_cxt);
	return finish_row_write(state, slot, written < 0 ? 1 : written);
}

/* ExecForeignUpdate: update the row found by its key. */
TupleTableSlot *
semossExecForeignUpdate(EState *estate, ResultRelInfo *rinfo,
						TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	SemossModifyState *state = (SemossModifyState *) rinfo->ri_FdwState;

	if (state->target_attrs == NIL)
		return slot;			/* only generated columns change: the remote's */
	return write_row_by_key(state, slot, planSlot);
}

/* ExecForeignDelete: delete the row found by its key. */
TupleTableSlot *
semossExecForeignDelete(EState *estate, ResultRelInfo *rinfo,
						TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	return write_row_by_key((SemossModifyState *) rinfo->ri_FdwState, slot,
							planSlot);
}

/* EndForeignModify: send the INSERT rows still held, free what is left. */
void
semossEndForeignModify(EState *estate, ResultRelInfo *rinfo)
{
	SemossModifyState *state = (SemossModifyState *) rinfo->ri_FdwState;

	if (state == NULL)
		return;
	(void) flush_inserts(state);
	semoss_held_page_release(&state->returned);
}

/*
 * BeginForeignInsert: prepare the inserts of COPY FROM, or of rows routed
 * to a foreign partition.  Every column is sent; with RETURNING every
 * column comes back.
 */
void
semossBeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	Relation	rel = rinfo->ri_RelationDesc;
	ModifyTable *plan = (ModifyTable *) mtstate->ps.plan;
	SemossTableOptions opts;
	bool		do_nothing = false;
	List	   *private;
	SemossModifyState *state;

	semoss_get_table_options(RelationGetRelid(rel), &opts);
	check_modifiable(rel, &opts, CMD_INSERT);
	if (plan != NULL && plan->onConflictAction == ONCONFLICT_UPDATE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ON CONFLICT DO UPDATE is not supported on foreign table \"%s\"",
						RelationGetRelationName(rel))));
	if (plan != NULL && plan->onConflictAction == ONCONFLICT_NOTHING)
		do_nothing = true;

	private = plan_insert(rel, &opts, writable_columns(rel, all_columns(rel)),
						  do_nothing,
						  rinfo->ri_projectReturning != NULL
						  ? writable_columns(rel, all_columns(rel)) : NIL,
						  rinfo->ri_projectReturning != NULL);
	state = create_modify_state(mtstate->ps.state, rinfo, CMD_INSERT, private, NIL);
	state->defer_inserts = inserts_can_wait(state, rinfo);
	rinfo->ri_FdwState = state;
}

/* EndForeignInsert: as EndForeignModify. */
void
semossEndForeignInsert(EState *estate, ResultRelInfo *rinfo)
{
	semossEndForeignModify(estate, rinfo);
}

/*
 * IsForeignRelUpdatable: which commands a foreign table takes.  A table
 * over a remote query, or with updatable 'false', takes none.
 */
int
semossIsForeignRelUpdatable(Relation rel)
{
	SemossTableOptions opts;

	semoss_get_table_options(RelationGetRelid(rel), &opts);
	if (opts.query != NULL || !opts.settings.updatable)
		return 0;
	return (1 << CMD_INSERT) | (1 << CMD_UPDATE) | (1 << CMD_DELETE);
}

/* ExplainForeignModify: the remote statement, its path and batch size. */
void
semossExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						   List *fdw_private, int subplan_index,
						   ExplainState *es)
{
	SemossDmlForm form;
	StringInfoData sql;

	if (!es->verbose)
		return;
	form = (SemossDmlForm) intVal(list_nth(fdw_private, ModifyPrivateForm));
	initStringInfo(&sql);
	appendStringInfoString(&sql, strVal(list_nth(fdw_private, ModifyPrivatePrefix)));
	appendStringInfoString(&sql, semoss_assemble_sql((List *) list_nth(fdw_private,
																	   ModifyPrivateParts),
													 NULL));
	appendStringInfoString(&sql, strVal(list_nth(fdw_private, ModifyPrivateSuffix)));
	ExplainPropertyText("Remote SQL", sql.data, es);
	ExplainPropertyText("SEMOSS write path",
						form == SEMOSS_DML_EXEC ? "ExecQuery" : "Collect", es);
	if (rinfo->ri_BatchSize > 1)
		ExplainPropertyInteger("Batch Size", NULL, rinfo->ri_BatchSize, es);
}

/*
 * ExecForeignTruncate: one TRUNCATE per engine for the foreign tables of
 * one server, through ExecQuery.
 */
void
semossExecForeignTruncate(List *rels, DropBehavior behavior, bool restart_seqs)
{
	List	   *engines = NIL;	/* engine ids, in order of first use */
	ListCell   *lc;
	ListCell   *lc2;
	Oid			serverid = InvalidOid;

	foreach(lc, rels)
	{
		Relation	rel = (Relation) lfirst(lc);
		SemossTableOptions opts;

		semoss_get_table_options(RelationGetRelid(rel), &opts);
		serverid = GetForeignTable(RelationGetRelid(rel))->serverid;
		if (opts.query != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot truncate foreign table \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("The foreign table reads the result of a remote query (option \"query\").")));
		if (!opts.settings.truncatable)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot truncate foreign table \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("The foreign table or its server has the option truncatable 'false'.")));
		if (!list_member(engines, makeString(opts.engine_id)))
			engines = lappend(engines, makeString(opts.engine_id));
	}
	if (rels == NIL)
		return;

	foreach(lc, engines)
	{
		const char *engine_id = strVal(lfirst(lc));
		SemossConnection *conn = semoss_get_connection(GetUserMapping(GetUserId(),
																	  serverid));
		StringInfoData sql;
		SemossError err;
		SemossStatus status;
		bool		first = true;

		initStringInfo(&sql);
		appendStringInfoString(&sql, "TRUNCATE ");
		foreach(lc2, rels)
		{
			Relation	rel = (Relation) lfirst(lc2);
			SemossTableOptions opts;

			semoss_get_table_options(RelationGetRelid(rel), &opts);
			if (strcmp(opts.engine_id, engine_id) != 0)
				continue;
			if (!first)
				appendStringInfoString(&sql, ", ");
			semoss_append_remote_table(&sql, &opts);
			first = false;
		}
		if (restart_seqs)
			appendStringInfoString(&sql, " RESTART IDENTITY");
		if (behavior == DROP_CASCADE)
			appendStringInfoString(&sql, " CASCADE");

		status = semoss_exec(semoss_connection_session(conn), engine_id,
							 pg_server_to_any(sql.data, sql.len, PG_UTF8), &err);
		semoss_note_write_attempt(status);
		if (status != SEMOSS_OK)
			semoss_report_error(&err, sql.data);
	}
}
