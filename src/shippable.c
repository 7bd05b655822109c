/*-------------------------------------------------------------------------
 *
 * shippable.c
 *		  Decide which expressions can be evaluated by the engine behind
 *		  SEMOSS with exactly the result PostgreSQL would compute.
 *
 * An expression is shippable when the dialect can write it, every function
 * and operator in it is a built-in one (so the remote PostgreSQL has the
 * same one), nothing in it is mutable (now(), random(): the remote clock and
 * state differ), and its collations are safe:
 *
 *  - A collation must come from a column of the foreign table (whose remote
 *    column is assumed to have the same collation), or be the default one;
 *    a COLLATE clause or a collated constant stays local.
 *  - Unless the server option collation_matches is true, nothing that
 *    depends on the remote collation's sort order or case rules ships:
 *    ordering comparisons on text, ILIKE, regular expressions, upper(),
 *    ORDER BY on text, min() and max() of text, DISTINCT inside array_agg
 *    and string_agg of text.  Equality and LIKE on text do not depend on
 *    it.
 *
 * Aggregate calls ship only in a grouped select list or HAVING clause, and
 * only plain ones: built in, computed in one step, no ORDER BY inside.
 *
 * IDENTIFICATION
 *		  src/shippable.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_operator.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "semoss_fdw.h"

/* How an expression's collation was derived; ordered by precedence. */
typedef enum CollationState
{
	COLLATION_NONE,				/* no collation, or only the default */
	COLLATION_SAFE,				/* derived from a foreign column */
	COLLATION_UNSAFE			/* derived from something else */
} CollationState;

typedef struct CollationInfo
{
	Oid			collation;
	CollationState state;
} CollationInfo;

typedef struct ShipContext
{
	PlannerInfo *root;
	RelOptInfo *rel;			/* the relation(s) the engine reads */
	const SemossTableOptions *opts;
	bool		aggregates_allowed; /* in a grouped select list or HAVING */
} ShipContext;

/* True for objects created by initdb, which every PostgreSQL has. */
bool
semoss_is_builtin(Oid objectid)
{
	return objectid < FirstGenbkiObjectId;
}

/*
 * True if operator `opno` gives the same answer whatever the collation of
 * its (deterministic) text inputs: equality, inequality and LIKE.
 */
static bool
operator_ignores_collation(Oid opno)
{
	char	   *name = get_opname(opno);
	bool		result;

	if (name == NULL)
		return false;
	result = strcmp(name, "=") == 0 || strcmp(name, "<>") == 0 ||
		strcmp(name, "~~") == 0 || strcmp(name, "!~~") == 0 ||
		strcmp(name, "||") == 0;
	pfree(name);
	return result;
}

/*
 * Built-in functions that take a collation but never consult it for
 * deterministic collations: they work on bytes or characters, not on sort
 * order or case rules (unlike upper, lower, initcap), or take text only to
 * name a field (date_trunc('month', ...)).
 */
static const char *const collation_free_functions[] = {
	"btrim", "char_length", "character_length", "concat", "concat_ws",
	"date_part", "date_trunc", "extract", "left", "length", "lpad", "ltrim",
	"md5", "octet_length", "repeat", "replace", "reverse", "right", "rpad",
	"rtrim", "split_part", "starts_with", "strpos", "substr", "substring",
	"textcat", "translate"
};

/* True if built-in function `funcid` ignores its input collation. */
static bool
function_ignores_collation(Oid funcid)
{
	char	   *name = get_func_name(funcid);
	bool		result = false;
	size_t		i;

	if (name == NULL)
		return false;
	for (i = 0; i < lengthof(collation_free_functions); i++)
	{
		if (strcmp(name, collation_free_functions[i]) == 0)
		{
			result = true;
			break;
		}
	}
	pfree(name);
	return result;
}

/*
 * Combine the collation a node derives (`collation`, from its inputs in
 * `inner`) into its parent's state, following the rules of the parser's
 * collation assignment.
 */
static void
merge_collation(CollationInfo *outer, Oid collation, const CollationInfo *inner)
{
	CollationState state;

	if (!OidIsValid(collation))
		state = COLLATION_NONE;
	else if (inner->state == COLLATION_SAFE && collation == inner->collation)
		state = COLLATION_SAFE;
	else if (collation == DEFAULT_COLLATION_OID)
		state = COLLATION_NONE;
	else
		state = COLLATION_UNSAFE;

	if (state > outer->state)
	{
		outer->collation = collation;
		outer->state = state;
	}
	else if (state == outer->state && state == COLLATION_SAFE &&
			 collation != outer->collation)
	{
		/* the default collation yields to a specific one */
		if (outer->collation == DEFAULT_COLLATION_OID)
			outer->collation = collation;
		else if (collation != DEFAULT_COLLATION_OID)
			outer->state = COLLATION_UNSAFE;
	}
}

/*
 * Check the input collation of a function or operator against what its
 * arguments derived.  `ordering` says the result depends on the collation's
 * sort order or case rules.
 */
static bool
input_collation_ok(const ShipContext *cxt, Oid inputcollid,
				   const CollationInfo *inner, bool ordering)
{
	if (!OidIsValid(inputcollid))
		return true;
	if (ordering && !cxt->opts->server.collation_matches)
		return false;
	/* the collation of a foreign column, as the remote column has it */
	if (inner->state == COLLATION_SAFE && inputcollid == inner->collation)
		return true;
	/* default-collated values (constants, casts): the remote default */
	return inner->state == COLLATION_NONE && inputcollid == DEFAULT_COLLATION_OID;
}

static bool ship_walker(Node *node, ShipContext *cxt, CollationInfo *outer);

/* Walk every element of a list of expressions. */
static bool
ship_list(List *list, ShipContext *cxt, CollationInfo *inner)
{
	ListCell   *lc;

	foreach(lc, list)
	{
		if (!ship_walker((Node *) lfirst(lc), cxt, inner))
			return false;
	}
	return true;
}

/* A type whose values can be written as literals the remote understands. */
static bool
type_is_shippable(Oid typid)
{
	return semoss_is_builtin(typid);
}

/*
 * Built-in aggregates that never compare their input: they count it, or
 * collect it in the order it comes (which no query can rely on without an
 * ORDER BY inside the call, and that stays local).
 */
static const char *const collecting_aggregates[] = {
	"count", "array_agg", "string_agg"
};

/*
 * True if aggregate call `agg` gives the same result whatever the
 * collation of its (deterministic) text input.  Every built-in aggregate
 * that compares text (min and max of text, varchar, char(n) and arrays of
 * them) depends on the collation's sort order.  So does DISTINCT inside a
 * collecting aggregate other than count: PostgreSQL sorts the input to
 * remove duplicates, and the values come out in the collation's order.
 */
static bool
aggregate_ignores_collation(Aggref *agg)
{
	char	   *name = get_func_name(agg->aggfnoid);
	bool		result = false;
	size_t		i;

	if (name == NULL)
		return false;
	for (i = 0; i < lengthof(collecting_aggregates); i++)
	{
		if (strcmp(name, collecting_aggregates[i]) == 0)
			result = agg->aggdistinct == NIL || i == 0;
	}
	pfree(name);
	return result;
}

/*
 * An aggregate call ships when it is a plain built-in aggregate computed
 * in one step (no partial aggregation, no ordered-set or hypothetical
 * form, no ORDER BY inside the call: the remote would order its input by
 * its own rules) and its arguments and FILTER ship.  Over text, only the
 * aggregates that do not compare ship without collation_matches (see
 * aggregate_ignores_collation); count(DISTINCT) compares with equality,
 * which deterministic collations do not change.
 */
static bool
aggref_is_shippable(Aggref *agg, ShipContext *cxt, CollationInfo *outer)
{
	CollationInfo inner = {InvalidOid, COLLATION_NONE};

	if (!cxt->aggregates_allowed || agg->agglevelsup != 0)
		return false;
	if (agg->aggsplit != AGGSPLIT_SIMPLE || agg->aggkind != AGGKIND_NORMAL ||
		agg->aggorder != NIL || agg->aggdirectargs != NIL || agg->aggvariadic)
		return false;
	if (!semoss_is_builtin(agg->aggfnoid) || !type_is_shippable(agg->aggtype))
		return false;
	if (!ship_list(agg->args, cxt, &inner))
		return false;
	if (!input_collation_ok(cxt, agg->inputcollid, &inner,
							!aggregate_ignores_collation(agg)))
		return false;
	if (agg->aggfilter != NULL)
	{
		CollationInfo filter = {InvalidOid, COLLATION_NONE};

		if (!ship_walker((Node *) agg->aggfilter, cxt, &filter))
			return false;
	}
	merge_collation(outer, agg->aggcollid, &inner);
	return true;
}

/*
 * The shippability walker.  Returns false as soon as something cannot be
 * sent; otherwise merges the node's collation into *outer.
 */
static bool
ship_walker(Node *node, ShipContext *cxt, CollationInfo *outer)
{
	CollationInfo inner = {InvalidOid, COLLATION_NONE};
	Oid			collation;

	if (node == NULL)
		return true;

	switch (nodeTag(node))
	{
		case T_Var:
			{
				Var		   *var = (Var *) node;

				if (!type_is_shippable(var->vartype))
					return false;
				if (bms_is_member(var->varno, cxt->rel->relids) &&
					var->varlevelsup == 0)
				{
					/* a column of the foreign table: no system columns */
					if (var->varattno <= 0)
						return false;
					collation = var->varcollid;
					inner.collation = collation;
					inner.state = OidIsValid(collation) ? COLLATION_SAFE : COLLATION_NONE;
					if (OidIsValid(collation) &&
						collation != DEFAULT_COLLATION_OID &&
						collation != C_COLLATION_OID &&
						!cxt->opts->server.collation_matches)
						return false;
					merge_collation(outer, collation, &inner);
					return true;
				}
				/* another relation's column: sent as a value (parameter) */
				collation = var->varcollid;
				if (OidIsValid(collation) && collation != DEFAULT_COLLATION_OID)
					return false;
				return true;
			}
		case T_Const:
			{
				Const	   *c = (Const *) node;

				if (!type_is_shippable(c->consttype))
					return false;
				if (OidIsValid(c->constcollid) &&
					c->constcollid != DEFAULT_COLLATION_OID)
					return false;
				return true;
			}
		case T_Param:
			{
				Param	   *p = (Param *) node;

				if (p->paramkind != PARAM_EXTERN && p->paramkind != PARAM_EXEC)
					return false;
				if (!type_is_shippable(p->paramtype))
					return false;
				if (OidIsValid(p->paramcollid) &&
					p->paramcollid != DEFAULT_COLLATION_OID)
					return false;
				return true;
			}
		case T_FuncExpr:
			{
				FuncExpr   *fe = (FuncExpr *) node;

				if (!semoss_is_builtin(fe->funcid) || fe->funcvariadic ||
					!type_is_shippable(fe->funcresulttype))
					return false;
				if (!ship_list(fe->args, cxt, &inner))
					return false;
				/* a collation-aware function (upper, lower...) */
				if (!input_collation_ok(cxt, fe->inputcollid, &inner,
										fe->funcformat == COERCE_EXPLICIT_CALL &&
										!function_ignores_collation(fe->funcid)))
					return false;
				merge_collation(outer, fe->funccollid, &inner);
				return true;
			}
		case T_OpExpr:
		case T_DistinctExpr:	/* struct-equivalent to OpExpr */
		case T_NullIfExpr:		/* struct-equivalent to OpExpr */
			{
				OpExpr	   *oe = (OpExpr *) node;

				if (!semoss_is_builtin(oe->opno) ||
					!type_is_shippable(oe->opresulttype))
					return false;
				if (!ship_list(oe->args, cxt, &inner))
					return false;
				if (!input_collation_ok(cxt, oe->inputcollid, &inner,
										!operator_ignores_collation(oe->opno)))
					return false;
				merge_collation(outer, oe->opcollid, &inner);
				return true;
			}
		case T_ScalarArrayOpExpr:
			{
				ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) node;

				if (!semoss_is_builtin(sa->opno))
					return false;
				if (!ship_list(sa->args, cxt, &inner))
					return false;
				if (!input_collation_ok(cxt, sa->inputcollid, &inner,
										!operator_ignores_collation(sa->opno)))
					return false;
				/* the result is boolean: no collation */
				return true;
			}
		case T_RelabelType:
			{
				RelabelType *r = (RelabelType *) node;

				if (!type_is_shippable(r->resulttype))
					return false;
				if (!ship_walker((Node *) r->arg, cxt, &inner))
					return false;
				merge_collation(outer, r->resultcollid, &inner);
				return true;
			}
		case T_BoolExpr:
			return ship_list(((BoolExpr *) node)->args, cxt, &inner);
		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) node;

				/* IS NULL of a row value has row semantics: keep it local */
				if (nt->argisrow)
					return false;
				return ship_walker((Node *) nt->arg, cxt, &inner);
			}
		case T_BooleanTest:
			return ship_walker((Node *) ((BooleanTest *) node)->arg, cxt, &inner);
		case T_CoalesceExpr:
			{
				CoalesceExpr *ce = (CoalesceExpr *) node;

				if (!type_is_shippable(ce->coalescetype))
					return false;
				if (!ship_list(ce->args, cxt, &inner))
					return false;
				merge_collation(outer, ce->coalescecollid, &inner);
				return true;
			}
		case T_CaseExpr:
			{
				CaseExpr   *ce = (CaseExpr *) node;
				ListCell   *lc;

				/* "CASE x WHEN ..." hides x in CaseTestExprs: keep it local */
				if (ce->arg != NULL || !type_is_shippable(ce->casetype))
					return false;
				foreach(lc, ce->args)
				{
					CaseWhen   *cw = lfirst_node(CaseWhen, lc);
					CollationInfo cond = {InvalidOid, COLLATION_NONE};

					if (!ship_walker((Node *) cw->expr, cxt, &cond) ||
						!ship_walker((Node *) cw->result, cxt, &inner))
						return false;
				}
				if (!ship_walker((Node *) ce->defresult, cxt, &inner))
					return false;
				merge_collation(outer, ce->casecollid, &inner);
				return true;
			}
		case T_ArrayExpr:
			{
				ArrayExpr  *ae = (ArrayExpr *) node;

				if (!type_is_shippable(ae->array_typeid))
					return false;
				if (!ship_list(ae->elements, cxt, &inner))
					return false;
				merge_collation(outer, ae->array_collid, &inner);
				return true;
			}
		case T_Aggref:
			return aggref_is_shippable((Aggref *) node, cxt, outer);
		case T_TargetEntry:
			/* an aggregate's argument */
			return ship_walker((Node *) ((TargetEntry *) node)->expr, cxt, outer);
		case T_List:
			return ship_list((List *) node, cxt, &inner);
		default:
			return false;
	}
}

/*
 * True if `expr` over the relations of `rel` can be evaluated remotely with
 * the same result; aggregate calls are accepted where `aggregates_allowed`.
 */
static bool
is_foreign_expr(PlannerInfo *root, RelOptInfo *rel,
				const SemossTableOptions *opts, Expr *expr,
				bool aggregates_allowed)
{
	ShipContext cxt;
	CollationInfo outer = {InvalidOid, COLLATION_NONE};

	if (!opts->server.dialect->exact_text)
		return false;			/* only the postgres dialect writes expressions */
	if (!semoss_pushdown_enabled)
		return false;

	cxt.root = root;
	cxt.rel = rel;
	cxt.opts = opts;
	cxt.aggregates_allowed = aggregates_allowed;
	if (!ship_walker((Node *) expr, &cxt, &outer))
		return false;

	/* an expression whose result has a non-column collation stays local */
	if (outer.state == COLLATION_UNSAFE)
		return false;

	/* the remote clock, session and state are not ours */
	if (contain_mutable_functions((Node *) expr))
		return false;
	return true;
}

/*
 * True if `expr`, a clause or expression over foreign relation `rel` (a
 * table or a join of tables), can be evaluated remotely with the same
 * result.
 */
bool
semoss_is_foreign_expr(PlannerInfo *root, RelOptInfo *rel,
					   const SemossTableOptions *opts, Expr *expr)
{
	return is_foreign_expr(root, rel, opts, expr, false);
}

/*
 * The same for an expression of a grouped select list or HAVING clause
 * computed over `input_rel`: aggregate calls may appear in it.
 */
bool
semoss_is_foreign_grouping_expr(PlannerInfo *root, RelOptInfo *input_rel,
								const SemossTableOptions *opts, Expr *expr)
{
	return is_foreign_expr(root, input_rel, opts, expr, true);
}

/*
 * True if rows of `rel` (a foreign table, a join, or a grouping whose
 * outputs may be aggregates) can be sorted remotely by `expr` in the same
 * order as locally: the expression ships, and text is sorted remotely only
 * when the collations are known to match or it sorts in the C collation.
 */
bool
semoss_is_foreign_sort(PlannerInfo *root, RelOptInfo *rel,
					   const SemossTableOptions *opts, Expr *expr)
{
	Oid			collation = exprCollation((Node *) expr);

	if (OidIsValid(collation) && collation != C_COLLATION_OID &&
		!opts->server.collation_matches)
		return false;
	if (IS_UPPER_REL(rel))
		return semoss_is_foreign_grouping_expr(root,
											   ((SemossRelInfo *) rel->fdw_private)->input_rel,
											   opts, expr);
	return semoss_is_foreign_expr(root, rel, opts, expr);
}
