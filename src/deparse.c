/*-------------------------------------------------------------------------
 *
 * deparse.c
 *		  Build the SQL that semoss_fdw sends to the engine behind SEMOSS.
 *
 * SEMOSS runs the SQL it is given verbatim on the engine's database, so
 * everything here writes in the dialect of that database (dialect.c).  Each
 * column is fetched in the dialect's exact text form where it has one, so
 * that SEMOSS's lossy JSON conversion never sees the real value.
 *
 * SEMOSS takes finished SQL (no bind parameters), so a value known only at
 * execution (a Param, or an outer relation's column in a parameterized
 * scan) is left as a hole: the SQL is kept as a list of parts, String
 * nodes for text and Integer nodes for the index of the value that goes
 * there, and semoss_assemble_sql() writes the values in as literals.
 * Expressions reach this file only after shippable.c accepted them.
 *
 * IDENTIFICATION
 *		  src/deparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "access/sysattr.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pg_list.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "semoss_fdw.h"

/* State of deparsing one statement. */
typedef struct DeparseContext
{
	PlannerInfo *root;
	RelOptInfo *scanrel;		/* the relation(s) the statement reads: the
								 * columns of these are remote columns */
	const SemossTableOptions *opts;
	StringInfo	buf;			/* text since the last hole */
	List	   *parts;			/* finished parts (String, Integer) */
	List	  **params;			/* expressions that fill the holes */
} DeparseContext;

static void deparse_expr(Expr *node, DeparseContext *cxt);
static void deparse_condition(Node *cond, DeparseContext *cxt);

/*
 * Set up `cxt` to deparse expressions over `scanrel` into `buf`, appending
 * the values that fill holes to *params.
 */
static void
init_deparse_context(DeparseContext *cxt, PlannerInfo *root,
					 RelOptInfo *scanrel, const SemossTableOptions *opts,
					 StringInfo buf, List **params)
{
	cxt->root = root;
	cxt->scanrel = scanrel;
	cxt->opts = opts;
	cxt->buf = buf;
	cxt->parts = NIL;
	cxt->params = params;
}

/*
 * Length of `sql` without its trailing semicolons and white space, for
 * embedding a user's statement in one of ours.
 */
int
semoss_statement_length(const char *sql)
{
	int			len = strlen(sql);

	while (len > 0 && (sql[len - 1] == ';' || isspace((unsigned char) sql[len - 1])))
		len--;
	return len;
}

/*
 * Append a string literal.  The E'' form with doubled backslashes reads the
 * same whatever the remote's standard_conforming_strings.
 */
void
semoss_append_string_literal(StringInfo buf, const char *text)
{
	const char *p;

	if (strchr(text, '\\') != NULL)
		appendStringInfoChar(buf, 'E');
	appendStringInfoChar(buf, '\'');
	for (p = text; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			appendStringInfoChar(buf, *p);
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '\'');
}

/*
 * Make output functions write text any PostgreSQL reads back the same, until
 * semoss_portable_output_end(): ISO dates, the postgres interval style,
 * every float digit and hex bytea, whatever this session's settings are.
 * Returns the GUC nest level to end; an error in between restores the
 * settings as part of the abort.
 */
int
semoss_portable_output_begin(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("datestyle", "ISO", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("intervalstyle", "postgres", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "3", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("bytea_output", "hex", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/* Restore the output settings semoss_portable_output_begin() changed. */
void
semoss_portable_output_end(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/* The portable text form of `value` (see semoss_portable_output_begin). */
static char *
portable_value_text(Oid type, Datum value)
{
	int			nestlevel = semoss_portable_output_begin();
	Oid			outfunc;
	bool		isvarlena;
	char	   *text;

	getTypeOutputInfo(type, &outfunc, &isvarlena);
	text = OidOutputFunctionCall(outfunc, value);
	semoss_portable_output_end(nestlevel);
	return text;
}

/*
 * Append a value as a literal of its type: '...'::type, with numbers and
 * booleans written plainly where that reads the same.
 */
void
semoss_append_literal(StringInfo buf, Oid type, int32 typmod, Datum value,
					  bool isnull)
{
	char	   *typname = format_type_with_typemod(type, typmod);
	char	   *text;

	if (isnull)
	{
		appendStringInfo(buf, "NULL::%s", typname);
		return;
	}

	text = portable_value_text(type, value);

	switch (type)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			/* NaN and Infinity are not numeric syntax: quote those */
			if (strspn(text, "0123456789+-eE.") == strlen(text))
			{
				if (text[0] == '-' || text[0] == '+')
					appendStringInfo(buf, "(%s)", text);
				else
					appendStringInfoString(buf, text);
				if (type != INT4OID)
					appendStringInfo(buf, "::%s", typname);
				return;
			}
			break;
		case BOOLOID:
			appendStringInfoString(buf, DatumGetBool(value) ? "true" : "false");
			return;
	}
	semoss_append_string_literal(buf, text);
	appendStringInfo(buf, "::%s", typname);
}

/*
 * Append a value to be stored in (or compared with) a remote column: its
 * text form as an untyped string literal, so that the remote reads it with
 * the input function of its own column type, as postgres_fdw's untyped
 * parameters are read.  That is exact whatever the local type, and valid
 * for a column of any type in every dialect.  `output` is the type's output
 * function; the caller brackets a run of calls with
 * semoss_portable_output_begin/end.
 */
void
semoss_append_value_literal(StringInfo buf, const SemossDialect *dialect,
							FmgrInfo *output, Datum value, bool isnull)
{
	char	   *text;
	const char *p;

	if (isnull)
	{
		appendStringInfoString(buf, "NULL");
		return;
	}

	text = OutputFunctionCall(output, value);
	if (dialect->escape_string_syntax)
		semoss_append_string_literal(buf, text);
	else
	{
		/* standard SQL: only the quote is special */
		appendStringInfoChar(buf, '\'');
		for (p = text; *p; p++)
		{
			if (*p == '\'')
				appendStringInfoChar(buf, *p);
			appendStringInfoChar(buf, *p);
		}
		appendStringInfoChar(buf, '\'');
	}
	pfree(text);
}

/* Close the current text part and leave a hole for params[index]. */
static void
close_part_at_hole(int index, DeparseContext *cxt)
{
	cxt->parts = lappend(cxt->parts, makeString(pstrdup(cxt->buf->data)));
	cxt->parts = lappend(cxt->parts, makeInteger(index));
	resetStringInfo(cxt->buf);
}

/*
 * Leave a hole for the value of `expr`, sharing the hole of an equal
 * expression already in the statement.
 */
static void
deparse_hole(Expr *expr, DeparseContext *cxt)
{
	int			index = 0;
	ListCell   *lc;

	foreach(lc, *cxt->params)
	{
		if (equal(lfirst(lc), expr))
		{
			close_part_at_hole(index, cxt);
			return;
		}
		index++;
	}
	*cxt->params = lappend(*cxt->params, expr);
	close_part_at_hole(index, cxt);
}

/*
 * Foreign tables are called r<n> in remote SQL, n being their range table
 * index, so that the tables of a join have distinct names.  Every column
 * reference is qualified: an unqualified name in WHERE or ORDER BY could
 * otherwise bind to an output column of the same name, which holds the
 * column's text form.  Statements built without a planner (row-by-row
 * UPDATE and DELETE, INSERT) call their one table r1.
 */
#define REMOTE_ALIAS_PREFIX "r"
#define SINGLE_TABLE_ALIAS 1

/* Append the alias of the table with range table index `rtindex`. */
static void
append_table_alias(StringInfo buf, Index rtindex)
{
	appendStringInfo(buf, REMOTE_ALIAS_PREFIX "%u", rtindex);
}

/*
 * Append the qualified remote name of column `attnum` of foreign table
 * `relid`, known in the statement as r<rtindex>.
 */
static void
deparse_column_name(StringInfo buf, Index rtindex, Oid relid,
					AttrNumber attnum, const SemossDialect *dialect)
{
	append_table_alias(buf, rtindex);
	appendStringInfoChar(buf, '.');
	semoss_append_identifier(buf, dialect,
							 semoss_remote_column_name(relid, attnum));
}

/* Append a comma-separated list of expressions. */
static void
deparse_expr_list(List *exprs, DeparseContext *cxt)
{
	ListCell   *lc;
	bool		first = true;

	foreach(lc, exprs)
	{
		if (!first)
			appendStringInfoString(cxt->buf, ", ");
		deparse_expr((Expr *) lfirst(lc), cxt);
		first = false;
	}
}

/* Append a call of a built-in function, schema-qualified. */
static void
deparse_func_expr(FuncExpr *node, DeparseContext *cxt)
{
	StringInfo	buf = cxt->buf;

	if (node->funcformat == COERCE_IMPLICIT_CAST)
	{
		/* the remote applies the same implicit cast itself */
		deparse_expr((Expr *) linitial(node->args), cxt);
		return;
	}
	if (node->funcformat == COERCE_EXPLICIT_CAST)
	{
		int32		typmod;

		(void) exprIsLengthCoercion((Node *) node, &typmod);
		appendStringInfoChar(buf, '(');
		deparse_expr((Expr *) linitial(node->args), cxt);
		appendStringInfo(buf, ")::%s",
						 format_type_with_typemod(node->funcresulttype, typmod));
		return;
	}
	appendStringInfo(buf, "%s.%s(",
					 quote_identifier(get_namespace_name(get_func_namespace(node->funcid))),
					 quote_identifier(get_func_name(node->funcid)));
	deparse_expr_list(node->args, cxt);
	appendStringInfoChar(buf, ')');
}

/* Append an operator application, parenthesized. */
static void
deparse_op_expr(OpExpr *node, DeparseContext *cxt)
{
	StringInfo	buf = cxt->buf;
	char	   *opname = get_opname(node->opno);

	appendStringInfoChar(buf, '(');
	if (list_length(node->args) == 2)
	{
		deparse_expr((Expr *) linitial(node->args), cxt);
		appendStringInfo(buf, " %s ", opname);
		deparse_expr((Expr *) lsecond(node->args), cxt);
	}
	else
	{
		appendStringInfo(buf, "%s ", opname);
		deparse_expr((Expr *) linitial(node->args), cxt);
	}
	appendStringInfoChar(buf, ')');
}

/* Append a CASE WHEN ... END (without a CASE argument). */
static void
deparse_case_expr(CaseExpr *node, DeparseContext *cxt)
{
	StringInfo	buf = cxt->buf;
	ListCell   *lc;

	appendStringInfoString(buf, "(CASE");
	foreach(lc, node->args)
	{
		CaseWhen   *when = lfirst_node(CaseWhen, lc);

		appendStringInfoString(buf, " WHEN ");
		deparse_expr(when->expr, cxt);
		appendStringInfoString(buf, " THEN ");
		deparse_expr(when->result, cxt);
	}
	if (node->defresult != NULL)
	{
		appendStringInfoString(buf, " ELSE ");
		deparse_expr(node->defresult, cxt);
	}
	appendStringInfoString(buf, " END)");
}

/*
 * Append an aggregate call: schema.name([DISTINCT] args) or name(*), with
 * its FILTER clause.  shippable.c let through only plain aggregates.
 */
static void
deparse_aggref(Aggref *node, DeparseContext *cxt)
{
	StringInfo	buf = cxt->buf;
	ListCell   *lc;

	appendStringInfo(buf, "%s.%s(",
					 quote_identifier(get_namespace_name(get_func_namespace(node->aggfnoid))),
					 quote_identifier(get_func_name(node->aggfnoid)));
	if (node->aggstar)
		appendStringInfoChar(buf, '*');
	else
	{
		if (node->aggdistinct != NIL)
			appendStringInfoString(buf, "DISTINCT ");
		foreach(lc, node->args)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);

			if (tle->resjunk)
				continue;
			if (lc != list_head(node->args))
				appendStringInfoString(buf, ", ");
			deparse_expr(tle->expr, cxt);
		}
	}
	appendStringInfoChar(buf, ')');
	if (node->aggfilter != NULL)
	{
		appendStringInfoString(buf, " FILTER (WHERE ");
		deparse_expr(node->aggfilter, cxt);
		appendStringInfoChar(buf, ')');
	}
}

/* Append a shippable expression in the remote dialect. */
static void
deparse_expr(Expr *node, DeparseContext *cxt)
{
	StringInfo	buf = cxt->buf;

	switch (nodeTag(node))
	{
		case T_Var:
			{
				Var		   *var = (Var *) node;

				if (bms_is_member(var->varno, cxt->scanrel->relids) &&
					var->varlevelsup == 0)
					deparse_column_name(buf, var->varno,
										planner_rt_fetch(var->varno, cxt->root)->relid,
										var->varattno, cxt->opts->server.dialect);
				else
					deparse_hole(node, cxt);	/* an outer relation's value */
			}
			break;
		case T_Const:
			{
				Const	   *c = (Const *) node;

				semoss_append_literal(buf, c->consttype, c->consttypmod,
									  c->constvalue, c->constisnull);
			}
			break;
		case T_Param:
			deparse_hole(node, cxt);
			break;
		case T_FuncExpr:
			deparse_func_expr((FuncExpr *) node, cxt);
			break;
		case T_OpExpr:
			deparse_op_expr((OpExpr *) node, cxt);
			break;
		case T_DistinctExpr:
			{
				DistinctExpr *d = (DistinctExpr *) node;

				appendStringInfoChar(buf, '(');
				deparse_expr((Expr *) linitial(d->args), cxt);
				appendStringInfoString(buf, " IS DISTINCT FROM ");
				deparse_expr((Expr *) lsecond(d->args), cxt);
				appendStringInfoChar(buf, ')');
			}
			break;
		case T_NullIfExpr:
			appendStringInfoString(buf, "NULLIF(");
			deparse_expr_list(((NullIfExpr *) node)->args, cxt);
			appendStringInfoChar(buf, ')');
			break;
		case T_ScalarArrayOpExpr:
			{
				ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) node;

				appendStringInfoChar(buf, '(');
				deparse_expr((Expr *) linitial(sa->args), cxt);
				appendStringInfo(buf, " %s %s (", get_opname(sa->opno),
								 sa->useOr ? "ANY" : "ALL");
				deparse_expr((Expr *) lsecond(sa->args), cxt);
				appendStringInfoString(buf, "))");
			}
			break;
		case T_RelabelType:
			{
				RelabelType *r = (RelabelType *) node;

				if (r->relabelformat == COERCE_EXPLICIT_CAST)
				{
					appendStringInfoChar(buf, '(');
					deparse_expr(r->arg, cxt);
					appendStringInfo(buf, ")::%s",
									 format_type_with_typemod(r->resulttype, r->resulttypmod));
				}
				else
					deparse_expr(r->arg, cxt);
			}
			break;
		case T_BoolExpr:
			{
				BoolExpr   *b = (BoolExpr *) node;
				ListCell   *lc;
				bool		first = true;

				if (b->boolop == NOT_EXPR)
				{
					appendStringInfoString(buf, "(NOT ");
					deparse_expr((Expr *) linitial(b->args), cxt);
					appendStringInfoChar(buf, ')');
					break;
				}
				appendStringInfoChar(buf, '(');
				foreach(lc, b->args)
				{
					if (!first)
						appendStringInfoString(buf, b->boolop == AND_EXPR ? " AND " : " OR ");
					deparse_expr((Expr *) lfirst(lc), cxt);
					first = false;
				}
				appendStringInfoChar(buf, ')');
			}
			break;
		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) node;

				appendStringInfoChar(buf, '(');
				deparse_expr(nt->arg, cxt);
				appendStringInfoString(buf, nt->nulltesttype == IS_NULL ?
									   " IS NULL)" : " IS NOT NULL)");
			}
			break;
		case T_BooleanTest:
			{
				BooleanTest *bt = (BooleanTest *) node;
				static const char *const tests[] = {
					[IS_TRUE] = " IS TRUE)",[IS_NOT_TRUE] = " IS NOT TRUE)",
					[IS_FALSE] = " IS FALSE)",[IS_NOT_FALSE] = " IS NOT FALSE)",
					[IS_UNKNOWN] = " IS UNKNOWN)",[IS_NOT_UNKNOWN] = " IS NOT UNKNOWN)"
				};

				appendStringInfoChar(buf, '(');
				deparse_expr(bt->arg, cxt);
				appendStringInfoString(buf, tests[bt->booltesttype]);
			}
			break;
		case T_CoalesceExpr:
			appendStringInfoString(buf, "COALESCE(");
			deparse_expr_list(((CoalesceExpr *) node)->args, cxt);
			appendStringInfoChar(buf, ')');
			break;
		case T_CaseExpr:
			deparse_case_expr((CaseExpr *) node, cxt);
			break;
		case T_ArrayExpr:
			{
				ArrayExpr  *a = (ArrayExpr *) node;

				appendStringInfoString(buf, "ARRAY[");
				deparse_expr_list(a->elements, cxt);
				appendStringInfo(buf, "]::%s", format_type_be(a->array_typeid));
			}
			break;
		case T_Aggref:
			deparse_aggref((Aggref *) node, cxt);
			break;
		default:
			/* shippable.c lets nothing else through */
			elog(ERROR, "semoss_fdw: cannot deparse node type %d",
				 (int) nodeTag(node));
	}
}

/*
 * Append the remote reference to column `attnum` of table r<rtindex>, in
 * exact-text form.
 */
static void
deparse_column(StringInfo buf, Relation rel, Index rtindex,
			   const SemossTableOptions *opts, AttrNumber attnum)
{
	const SemossDialect *dialect = opts->server.dialect;

	appendStringInfoString(buf, dialect->exact_text_prefix);
	deparse_column_name(buf, rtindex, RelationGetRelid(rel), attnum, dialect);
	appendStringInfoString(buf, dialect->exact_text_suffix);
}

/*
 * Append the FROM item of a table, named r<rtindex>: the remote table, or
 * the table's `query` option as a derived table.  A trailing semicolon of
 * the query is dropped, since the query is embedded in ours.
 */
static void
deparse_from_item(StringInfo buf, const SemossTableOptions *opts, Index rtindex)
{
	if (opts->query != NULL)
	{
		appendStringInfoString(buf, "(");
		appendBinaryStringInfo(buf, opts->query, semoss_statement_length(opts->query));
		appendStringInfoString(buf, "\n) ");
	}
	else
	{
		semoss_append_remote_table(buf, opts);
		appendStringInfoChar(buf, ' ');
	}
	append_table_alias(buf, rtindex);
}

/*
 * Append " WHERE c1 AND c2 ..." for `conds` (expressions or RestrictInfos
 * accepted by shippable.c), or nothing when there are none.
 */
static void
deparse_where_clause(List *conds, DeparseContext *cxt)
{
	ListCell   *lc;

	foreach(lc, conds)
	{
		appendStringInfoString(cxt->buf, lc == list_head(conds) ? " WHERE " : " AND ");
		deparse_condition((Node *) lfirst(lc), cxt);
	}
}

/*
 * Append " ORDER BY ..." for `pathkeys` of `sortrel`, each of which the
 * caller checked with semoss_pathkey_expr().  Text in the C collation is
 * sorted remotely under COLLATE "C", whose byte order every PostgreSQL
 * shares.
 */
static void
deparse_order_by(RelOptInfo *sortrel, List *pathkeys, DeparseContext *cxt)
{
	ListCell   *lc;
	bool		first = true;

	foreach(lc, pathkeys)
	{
		PathKey    *pathkey = (PathKey *) lfirst(lc);
		Expr	   *expr = semoss_pathkey_expr(cxt->root, sortrel, cxt->opts,
											   pathkey);

		appendStringInfoString(cxt->buf, first ? " ORDER BY " : ", ");
		deparse_expr(expr, cxt);
		if (exprCollation((Node *) expr) == C_COLLATION_OID)
			appendStringInfoString(cxt->buf, " COLLATE \"C\"");
		appendStringInfoString(cxt->buf,
							   pathkey->pk_strategy == BTLessStrategyNumber ? " ASC" : " DESC");
		appendStringInfoString(cxt->buf,
							   pathkey->pk_nulls_first ? " NULLS FIRST" : " NULLS LAST");
		first = false;
	}
}

/*
 * Write one LIMIT or OFFSET value: a constant as a bare number, anything
 * else (a parameter) as a hole of its own, never shared with an equal
 * expression elsewhere, since the executor writes it as a bare number too
 * (see current_remote_sql).  Returns the hole's number, or -1.
 */
static int
deparse_limit_value(Node *value, DeparseContext *cxt)
{
	int			index;

	if (IsA(value, Const))
	{
		appendStringInfo(cxt->buf, INT64_FORMAT,
						 DatumGetInt64(((Const *) value)->constvalue));
		return -1;
	}
	index = list_length(*cxt->params);
	*cxt->params = lappend(*cxt->params, value);
	close_part_at_hole(index, cxt);
	return index;
}

/* True if a LIMIT or OFFSET clause has a value (NULL means none). */
static bool
limit_value_present(Node *value)
{
	return value != NULL && !(IsA(value, Const) && ((Const *) value)->constisnull);
}

/*
 * Append " LIMIT count OFFSET offset" for `limit` (NULL for none), each
 * part only when the query has it; an OFFSET alone gets the dialect's
 * LIMIT for all rows before it.  The holes' numbers go to *limit.
 */
static void
deparse_limit(SemossRemoteLimit *limit, DeparseContext *cxt)
{
	if (limit == NULL)
		return;
	limit->count_hole = -1;
	limit->offset_hole = -1;
	if (limit_value_present(limit->count))
	{
		appendStringInfoString(cxt->buf, " LIMIT ");
		limit->count_hole = deparse_limit_value(limit->count, cxt);
	}
	else if (limit_value_present(limit->offset))
		appendStringInfo(cxt->buf, " LIMIT %s", cxt->opts->server.dialect->limit_all);
	if (limit_value_present(limit->offset))
	{
		appendStringInfoString(cxt->buf, " OFFSET ");
		limit->offset_hole = deparse_limit_value(limit->offset, cxt);
	}
}

/*
 * The expression of the foreign relation that `pathkey` sorts by, if rows
 * can be sorted by it remotely in the same order; else NULL.  The sort must
 * use the default B-tree ordering of the expression's type.  For a grouping
 * done remotely, the expression must be one of its outputs (a grouping
 * expression or an aggregate).
 */
Expr *
semoss_pathkey_expr(PlannerInfo *root, RelOptInfo *rel,
					const SemossTableOptions *opts, PathKey *pathkey)
{
	EquivalenceClass *ec = pathkey->pk_eclass;
	ListCell   *lc;

	if (ec->ec_has_volatile)
		return NULL;
	if (pathkey->pk_strategy != BTLessStrategyNumber &&
		pathkey->pk_strategy != BTGreaterStrategyNumber)
		return NULL;

	foreach(lc, ec->ec_members)
	{
		EquivalenceMember *em = (EquivalenceMember *) lfirst(lc);
		Expr	   *expr = em->em_expr;
		Oid			opclass;

		if (IS_UPPER_REL(rel))
		{
			if (!list_member(rel->reltarget->exprs, expr))
				continue;
		}
		else if (!bms_is_subset(em->em_relids, rel->relids) ||
				 bms_is_empty(em->em_relids))
			continue;
		opclass = GetDefaultOpClass(exprType((Node *) expr), BTREE_AM_OID);
		if (!OidIsValid(opclass) ||
			get_opclass_family(opclass) != pathkey->pk_opfamily)
			continue;
		if (semoss_is_foreign_sort(root, rel, opts, expr))
			return expr;
	}
	return NULL;
}

/*
 * Build the remote SELECT of a scan of `rel`:
 *
 *	 SELECT <columns> FROM <relation> [WHERE <remote_conds>] [ORDER BY ...]
 *	 [LIMIT count] [OFFSET offset]
 *
 * Only the columns in attrs_used (offset by FirstLowInvalidHeapAttributeNumber,
 * as the planner keeps them) are fetched; a whole-row reference fetches all.
 * *retrieved_attrs receives the attribute numbers in the order of the
 * remote result's columns.  `limit` is NULL for none (see deparse_limit).
 * Returns the statement as parts (see the file header); the expressions
 * filling its holes are appended to *params.
 */
List *
semoss_deparse_select(PlannerInfo *root, RelOptInfo *baserel, Relation rel,
					  const SemossTableOptions *opts, Bitmapset *attrs_used,
					  List *remote_conds, List *pathkeys,
					  SemossRemoteLimit *limit,
					  List **retrieved_attrs, List **params)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	StringInfoData buf;
	DeparseContext cxt;
	bool		whole_row;
	int			i;

	initStringInfo(&buf);
	init_deparse_context(&cxt, root, baserel, opts, &buf, params);

	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used);
	*retrieved_attrs = NIL;

	appendStringInfoString(&buf, "SELECT ");
	for (i = 1; i <= tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i - 1);

		if (attr->attisdropped)
			continue;
		if (!whole_row &&
			!bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs_used))
			continue;

		if (*retrieved_attrs != NIL)
			appendStringInfoString(&buf, ", ");
		deparse_column(&buf, rel, baserel->relid, opts, i);
		*retrieved_attrs = lappend_int(*retrieved_attrs, i);
	}

	/* No column needed (say, for count(*)): still one row per remote row. */
	if (*retrieved_attrs == NIL)
		appendStringInfoString(&buf, "NULL");

	appendStringInfoString(&buf, " FROM ");
	deparse_from_item(&buf, opts, baserel->relid);

	deparse_where_clause(remote_conds, &cxt);
	deparse_order_by(baserel, pathkeys, &cxt);
	deparse_limit(limit, &cxt);

	cxt.parts = lappend(cxt.parts, makeString(buf.data));
	return cxt.parts;
}

/* The SQL keyword of a join type the planner pushes down. */
static const char *
join_type_sql(JoinType jointype)
{
	switch (jointype)
	{
		case JOIN_INNER:
			return "INNER";
		case JOIN_LEFT:
			return "LEFT";
		case JOIN_RIGHT:
			return "RIGHT";
		case JOIN_FULL:
			return "FULL";
		default:
			elog(ERROR, "semoss_fdw: unsupported join type %d", (int) jointype);
	}
	return NULL;				/* keep the compiler quiet */
}

/*
 * Append " ON (c1 AND c2 ...)" for a list of conditions (see
 * deparse_condition), or " ON (TRUE)" for none.
 */
static void
deparse_join_condition(List *conds, DeparseContext *cxt)
{
	ListCell   *lc;

	appendStringInfoString(cxt->buf, " ON (");
	if (conds == NIL)
		appendStringInfoString(cxt->buf, "TRUE");
	foreach(lc, conds)
	{
		if (lc != list_head(conds))
			appendStringInfoString(cxt->buf, " AND ");
		deparse_condition((Node *) lfirst(lc), cxt);
	}
	appendStringInfoChar(cxt->buf, ')');
}

static void deparse_from_rel(RelOptInfo *rel, DeparseContext *cxt,
							 List **where_conds);

/*
 * The condition a semi or anti join (`joinrel`) puts on the rows of its
 * outer side: a List (joinrel, NULL) in a list of conditions, written out
 * by deparse_condition as [NOT] EXISTS of the inner side.
 */
static Node *
make_exists_condition(RelOptInfo *joinrel)
{
	return (Node *) list_make2(joinrel, NULL);
}

/*
 * Append "[NOT] EXISTS (SELECT NULL FROM <inner> WHERE <clauses>)" for the
 * semi or anti join `joinrel`: its own clauses and the conditions of its
 * inner side filter the inner rows the outer rows look for.
 */
static void
deparse_exists(RelOptInfo *joinrel, DeparseContext *cxt)
{
	SemossRelInfo *info = (SemossRelInfo *) joinrel->fdw_private;
	List	   *inner_conds = list_copy(info->joinclauses);

	appendStringInfoString(cxt->buf, info->jointype == JOIN_ANTI ?
						   "(NOT EXISTS (SELECT NULL FROM " : "(EXISTS (SELECT NULL FROM ");
	deparse_from_rel(info->innerrel, cxt, &inner_conds);
	deparse_where_clause(inner_conds, cxt);
	appendStringInfoString(cxt->buf, "))");
}

/*
 * Append one condition of a WHERE or ON list: an expression, a
 * RestrictInfo, or the [NOT] EXISTS of a semi or anti join.
 */
static void
deparse_condition(Node *cond, DeparseContext *cxt)
{
	if (IsA(cond, List))
		deparse_exists((RelOptInfo *) linitial((List *) cond), cxt);
	else if (IsA(cond, RestrictInfo))
		deparse_expr(((RestrictInfo *) cond)->clause, cxt);
	else
		deparse_expr((Expr *) cond, cxt);
}

/*
 * Append the FROM clause of `rel`, a foreign table or a join of them, and
 * add to *where_conds the conditions its rows must meet that are not
 * written inside it.
 *
 * A table's own conditions filter its rows before any join.  Above an
 * inner join, or on the preserved side of an outer join, filtering after
 * the join is the same, so they rise to the WHERE clause; on the nullable
 * side of an outer join they must act before the join decides which rows
 * match, so they join its ON clause.  (The planner offers no full join
 * whose sides carry conditions; see semoss_fdw.c.)  A semi or anti join is
 * its outer side with one more condition, [NOT] EXISTS of its inner side.
 */
static void
deparse_from_rel(RelOptInfo *rel, DeparseContext *cxt, List **where_conds)
{
	SemossRelInfo *info = (SemossRelInfo *) rel->fdw_private;
	List	   *outer_conds = NIL;
	List	   *inner_conds = NIL;
	List	   *on_conds = list_copy(info->joinclauses);

	if (info->kind == SEMOSS_REL_BASE)
	{
		deparse_from_item(cxt->buf, &info->opts, rel->relid);
		*where_conds = list_concat(*where_conds, info->remote_conds);
		return;
	}

	Assert(info->kind == SEMOSS_REL_JOIN);
	if (info->jointype == JOIN_SEMI || info->jointype == JOIN_ANTI)
	{
		/* the outer side's rows, filtered by [NOT] EXISTS of the inner */
		deparse_from_rel(info->outerrel, cxt, where_conds);
		*where_conds = lappend(*where_conds, make_exists_condition(rel));
		*where_conds = list_concat(*where_conds, info->remote_conds);
		return;
	}
	appendStringInfoChar(cxt->buf, '(');
	deparse_from_rel(info->outerrel, cxt, &outer_conds);
	appendStringInfo(cxt->buf, " %s JOIN ", join_type_sql(info->jointype));
	deparse_from_rel(info->innerrel, cxt, &inner_conds);
	switch (info->jointype)
	{
		case JOIN_INNER:
			*where_conds = list_concat(*where_conds, outer_conds);
			*where_conds = list_concat(*where_conds, inner_conds);
			break;
		case JOIN_LEFT:
			*where_conds = list_concat(*where_conds, outer_conds);
			on_conds = list_concat(on_conds, inner_conds);
			break;
		case JOIN_RIGHT:
			*where_conds = list_concat(*where_conds, inner_conds);
			on_conds = list_concat(on_conds, outer_conds);
			break;
		default:
			Assert(outer_conds == NIL && inner_conds == NIL);
			break;
	}
	deparse_join_condition(on_conds, cxt);
	appendStringInfoChar(cxt->buf, ')');
	*where_conds = list_concat(*where_conds, info->remote_conds);
}

/*
 * Build the remote SELECT of a join of foreign tables or of a grouping
 * over one (a scan with no base relation):
 *
 *	 SELECT <tlist> FROM <tables and joins> [WHERE ...] [GROUP BY ...]
 *	 [HAVING ...] [ORDER BY ...] [LIMIT count] [OFFSET offset]
 *
 * Each entry of `tlist` is fetched in exact-text form, in order.  GROUP BY
 * names its expressions rather than output positions: an output column
 * holds the text form, and grouping by text would split values that are
 * equal (1.0 and 1.00).  Returns the statement as parts, like
 * semoss_deparse_select.
 */
List *
semoss_deparse_pushed_select(PlannerInfo *root, RelOptInfo *foreignrel,
							 List *tlist, List *pathkeys,
							 SemossRemoteLimit *limit, List **params)
{
	SemossRelInfo *info = (SemossRelInfo *) foreignrel->fdw_private;
	const SemossDialect *dialect = info->opts.server.dialect;
	RelOptInfo *scanrel = info->kind == SEMOSS_REL_GROUPED ?
		info->input_rel : foreignrel;
	List	   *where_conds = NIL;
	StringInfoData buf;
	DeparseContext cxt;
	ListCell   *lc;

	initStringInfo(&buf);
	init_deparse_context(&cxt, root, scanrel, &info->opts, &buf, params);

	appendStringInfoString(&buf, "SELECT ");
	foreach(lc, tlist)
	{
		if (lc != list_head(tlist))
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, dialect->exact_text_prefix);
		deparse_expr(lfirst_node(TargetEntry, lc)->expr, &cxt);
		appendStringInfoString(&buf, dialect->exact_text_suffix);
	}
	if (tlist == NIL)
		appendStringInfoString(&buf, "NULL");

	appendStringInfoString(&buf, " FROM ");
	deparse_from_rel(scanrel, &cxt, &where_conds);
	deparse_where_clause(where_conds, &cxt);

	if (info->kind == SEMOSS_REL_GROUPED)
	{
		foreach(lc, root->parse->groupClause)
		{
			SortGroupClause *grp = lfirst_node(SortGroupClause, lc);
			TargetEntry *tle = get_sortgroupref_tle(grp->tleSortGroupRef,
													info->grouped_tlist);

			appendStringInfoString(&buf, lc == list_head(root->parse->groupClause) ?
								   " GROUP BY " : ", ");
			deparse_expr(tle->expr, &cxt);
		}
		foreach(lc, info->having_conds)
		{
			appendStringInfoString(&buf, lc == list_head(info->having_conds) ?
								   " HAVING " : " AND ");
			deparse_expr((Expr *) lfirst(lc), &cxt);
		}
	}

	deparse_order_by(foreignrel, pathkeys, &cxt);
	deparse_limit(limit, &cxt);
	cxt.parts = lappend(cxt.parts, makeString(buf.data));
	return cxt.parts;
}

/*
 * Write out a statement kept as parts: holes are filled with `values`
 * (literals, already written) or, when values is NULL, with $1, $2, ...
 * as EXPLAIN shows them.
 */
char *
semoss_assemble_sql(List *parts, char **values)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, parts)
	{
		Node	   *part = (Node *) lfirst(lc);

		if (IsA(part, String))
			appendStringInfoString(&buf, strVal(part));
		else if (values != NULL)
			appendStringInfoString(&buf, values[intVal(part)]);
		else
			appendStringInfo(&buf, "$%d", intVal(part) + 1);
	}
	return buf.data;
}

/* ---- INSERT, UPDATE, DELETE, TRUNCATE ---- */

/*
 * Append the remote name of a foreign table's table (schema-qualified when
 * a schema_name is set).  Tables defined by a "query" option have none;
 * writes to them are refused before anything is deparsed.
 */
void
semoss_append_remote_table(StringInfo buf, const SemossTableOptions *opts)
{
	const SemossDialect *dialect = opts->server.dialect;

	Assert(opts->query == NULL);
	if (opts->schema_name != NULL)
	{
		semoss_append_identifier(buf, dialect, opts->schema_name);
		appendStringInfoChar(buf, '.');
	}
	semoss_append_identifier(buf, dialect, opts->table_name);
}

/* Start a statement of `form`: a count wraps the statement in a WITH. */
static void
begin_dml(StringInfo buf, SemossDmlForm form)
{
	if (form == SEMOSS_DML_COUNT)
		appendStringInfoString(buf, "WITH w AS (");
}

/*
 * End a statement of `form`: the RETURNING list of the columns in
 * returning_attrs (exact text, like a scan's columns), or the count of the
 * rows the statement wrote.
 */
static void
end_dml(StringInfo buf, Relation rel, Index rtindex,
		const SemossTableOptions *opts, SemossDmlForm form,
		List *returning_attrs)
{
	const SemossDialect *dialect = opts->server.dialect;
	ListCell   *lc;

	switch (form)
	{
		case SEMOSS_DML_EXEC:
			break;
		case SEMOSS_DML_COUNT:
			appendStringInfo(buf, " RETURNING NULL) SELECT %scount(*)%s FROM w",
							 dialect->exact_text_prefix, dialect->exact_text_suffix);
			break;
		case SEMOSS_DML_ROWS:
			appendStringInfoString(buf, " RETURNING ");
			foreach(lc, returning_attrs)
			{
				if (lc != list_head(returning_attrs))
					appendStringInfoString(buf, ", ");
				deparse_column(buf, rel, rtindex, opts, lfirst_int(lc));
			}
			if (returning_attrs == NIL)
				appendStringInfoString(buf, "NULL");
			break;
	}
}

/* Close the text part in `buf` and leave a hole for value `index`. */
static void
append_value_hole(List **parts, StringInfo buf, int index)
{
	*parts = lappend(*parts, makeString(pstrdup(buf->data)));
	*parts = lappend(*parts, makeInteger(index));
	resetStringInfo(buf);
}

/* Append the unqualified remote name of column `attnum` (SET, INSERT lists). */
static void
append_target_column(StringInfo buf, Relation rel, const SemossTableOptions *opts,
					 AttrNumber attnum)
{
	semoss_append_identifier(buf, opts->server.dialect,
							 semoss_remote_column_name(RelationGetRelid(rel), attnum));
}

/*
 * Append "WHERE r1.k1 = <hole> AND ..." matching a row by its key columns;
 * the holes are numbered from first_hole.
 */
static void
append_key_condition(List **parts, StringInfo buf, Relation rel,
					 const SemossTableOptions *opts, List *key_attrs,
					 int first_hole)
{
	ListCell   *lc;
	int			hole = first_hole;

	foreach(lc, key_attrs)
	{
		appendStringInfoString(buf, lc == list_head(key_attrs) ? " WHERE " : " AND ");
		deparse_column_name(buf, SINGLE_TABLE_ALIAS, RelationGetRelid(rel),
							lfirst_int(lc),
							opts->server.dialect);
		appendStringInfoString(buf, " = ");
		append_value_hole(parts, buf, hole++);
	}
}

/*
 * Build an INSERT of the columns target_attrs, in three pieces so that a
 * batch is one statement: *prefix ("INSERT INTO t AS r1 (cols) VALUES "),
 * *row_parts (one "(v1, v2)" with holes 0..n-1, written once per row,
 * comma-separated) and *suffix (ON CONFLICT, RETURNING or the count).
 * Without target columns the statement is a single-row DEFAULT VALUES
 * insert and *row_parts is NIL.
 */
void
semoss_deparse_insert(Relation rel, const SemossTableOptions *opts,
					  List *target_attrs, bool do_nothing, SemossDmlForm form,
					  List *returning_attrs, char **prefix, List **row_parts,
					  char **suffix)
{
	StringInfoData buf;
	ListCell   *lc;
	int			hole = 0;

	initStringInfo(&buf);
	begin_dml(&buf, form);
	appendStringInfoString(&buf, "INSERT INTO ");
	semoss_append_remote_table(&buf, opts);
	appendStringInfoString(&buf, " AS ");
	append_table_alias(&buf, SINGLE_TABLE_ALIAS);
	*row_parts = NIL;
	if (target_attrs == NIL)
	{
		appendStringInfoString(&buf, " DEFAULT VALUES");
		*prefix = buf.data;
	}
	else
	{
		appendStringInfoString(&buf, " (");
		foreach(lc, target_attrs)
		{
			if (lc != list_head(target_attrs))
				appendStringInfoString(&buf, ", ");
			append_target_column(&buf, rel, opts, lfirst_int(lc));
		}
		appendStringInfoString(&buf, ") VALUES ");
		*prefix = buf.data;

		initStringInfo(&buf);
		appendStringInfoChar(&buf, '(');
		foreach(lc, target_attrs)
		{
			if (lc != list_head(target_attrs))
				appendStringInfoString(&buf, ", ");
			append_value_hole(row_parts, &buf, hole++);
		}
		appendStringInfoChar(&buf, ')');
		*row_parts = lappend(*row_parts, makeString(buf.data));
	}

	initStringInfo(&buf);
	if (do_nothing)
		appendStringInfoString(&buf, " ON CONFLICT DO NOTHING");
	end_dml(&buf, rel, SINGLE_TABLE_ALIAS, opts, form, returning_attrs);
	*suffix = buf.data;
}

/*
 * Build the UPDATE of one row found by its key: "UPDATE t r1 SET c = <hole>
 * ... WHERE r1.k = <hole> ...".  Holes 0..n-1 take the new values of
 * target_attrs, the following ones the key values.
 */
List *
semoss_deparse_update(Relation rel, const SemossTableOptions *opts,
					  List *target_attrs, List *key_attrs, SemossDmlForm form,
					  List *returning_attrs)
{
	StringInfoData buf;
	List	   *parts = NIL;
	ListCell   *lc;
	int			hole = 0;

	initStringInfo(&buf);
	begin_dml(&buf, form);
	appendStringInfoString(&buf, "UPDATE ");
	semoss_append_remote_table(&buf, opts);
	appendStringInfoChar(&buf, ' ');
	append_table_alias(&buf, SINGLE_TABLE_ALIAS);
	appendStringInfoString(&buf, " SET ");
	foreach(lc, target_attrs)
	{
		if (lc != list_head(target_attrs))
			appendStringInfoString(&buf, ", ");
		append_target_column(&buf, rel, opts, lfirst_int(lc));
		appendStringInfoString(&buf, " = ");
		append_value_hole(&parts, &buf, hole++);
	}
	append_key_condition(&parts, &buf, rel, opts, key_attrs, hole);
	end_dml(&buf, rel, SINGLE_TABLE_ALIAS, opts, form, returning_attrs);
	return lappend(parts, makeString(buf.data));
}

/* Build the DELETE of one row found by its key (holes: the key values). */
List *
semoss_deparse_delete(Relation rel, const SemossTableOptions *opts,
					  List *key_attrs, SemossDmlForm form, List *returning_attrs)
{
	StringInfoData buf;
	List	   *parts = NIL;

	initStringInfo(&buf);
	begin_dml(&buf, form);
	appendStringInfoString(&buf, "DELETE FROM ");
	semoss_append_remote_table(&buf, opts);
	appendStringInfoChar(&buf, ' ');
	append_table_alias(&buf, SINGLE_TABLE_ALIAS);
	append_key_condition(&parts, &buf, rel, opts, key_attrs, 0);
	end_dml(&buf, rel, SINGLE_TABLE_ALIAS, opts, form, returning_attrs);
	return lappend(parts, makeString(buf.data));
}

/*
 * Build an UPDATE (with SET expressions target_exprs for the columns
 * target_attrs) or a DELETE of every row matching remote_conds: one
 * statement that does the whole modification remotely.  Expressions and
 * conditions were accepted by shippable.c; values known only at execution
 * are holes filled from *params, as in a scan.
 */
List *
semoss_deparse_direct_modify(PlannerInfo *root, RelOptInfo *baserel,
							 Relation rel, const SemossTableOptions *opts,
							 CmdType operation, List *target_attrs,
							 List *target_exprs, List *remote_conds,
							 SemossDmlForm form, List *returning_attrs,
							 List **params)
{
	StringInfoData buf;
	DeparseContext cxt;
	ListCell   *lc;
	ListCell   *lc2;

	initStringInfo(&buf);
	init_deparse_context(&cxt, root, baserel, opts, &buf, params);

	begin_dml(&buf, form);
	if (operation == CMD_UPDATE)
	{
		appendStringInfoString(&buf, "UPDATE ");
		semoss_append_remote_table(&buf, opts);
		appendStringInfoChar(&buf, ' ');
		append_table_alias(&buf, baserel->relid);
		appendStringInfoString(&buf, " SET ");
		forboth(lc, target_attrs, lc2, target_exprs)
		{
			if (lc != list_head(target_attrs))
				appendStringInfoString(&buf, ", ");
			append_target_column(&buf, rel, opts, lfirst_int(lc));
			appendStringInfoString(&buf, " = ");
			deparse_expr((Expr *) lfirst(lc2), &cxt);
		}
	}
	else
	{
		Assert(operation == CMD_DELETE);
		appendStringInfoString(&buf, "DELETE FROM ");
		semoss_append_remote_table(&buf, opts);
		appendStringInfoChar(&buf, ' ');
		append_table_alias(&buf, baserel->relid);
	}
	deparse_where_clause(remote_conds, &cxt);
	end_dml(&buf, rel, baserel->relid, opts, form, returning_attrs);
	cxt.parts = lappend(cxt.parts, makeString(buf.data));
	return cxt.parts;
}
