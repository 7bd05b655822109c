/*-------------------------------------------------------------------------
 *
 * convert.c
 *		  Turn the cells of a SEMOSS result page into PostgreSQL datums.
 *
 * Every cell is converted with the input function of the local column's
 * type, from the text the remote sent (for the postgres dialect, the
 * remote's exact text form; see deparse.c).  A value that does not fit the
 * column type is an error that names the foreign table, the column and the
 * row, never a silently wrong value.
 *
 * IDENTIFICATION
 *		  src/convert.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "executor/executor.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "semoss_fdw.h"

/* Per-column input machinery, built once per scan. */
typedef struct ColumnInput
{
	AttrNumber	attnum;			/* attribute of the tuple the column fills */
	FmgrInfo	input;			/* the type's input function */
	Oid			typioparam;
	int32		typmod;
	char	   *label;			/* what the column is, for error context */
} ColumnInput;

struct SemossRowConverter
{
	int			natts;			/* attributes of the tuples made */
	int			ncolumns;		/* columns of the remote result */
	ColumnInput *columns;

	/* what is being converted, for the error context callback */
	int			current_column;
	int64		current_row;
};

/*
 * Prepare to convert result rows into tuples of `tupdesc`: the remote
 * result's columns fill, in order, the attributes listed in
 * retrieved_attrs.  The input machinery is filled in per column by the
 * callers below, which also know what to call each column.
 */
static SemossRowConverter *
make_converter(TupleDesc tupdesc, List *retrieved_attrs)
{
	SemossRowConverter *conv = palloc0(sizeof(SemossRowConverter));
	ListCell   *lc;
	int			i = 0;

	conv->natts = tupdesc->natts;
	conv->ncolumns = list_length(retrieved_attrs);
	conv->columns = palloc0(sizeof(ColumnInput) * Max(conv->ncolumns, 1));
	conv->current_column = -1;

	foreach(lc, retrieved_attrs)
	{
		AttrNumber	attnum = lfirst_int(lc);
		Form_pg_attribute attr = TupleDescAttr(tupdesc, attnum - 1);
		ColumnInput *col = &conv->columns[i++];
		Oid			infunc;

		col->attnum = attnum;
		col->typmod = attr->atttypmod;
		getTypeInputInfo(attr->atttypid, &infunc, &col->typioparam);
		fmgr_info(infunc, &col->input);
	}
	return conv;
}

/* The error-context name of column `attnum` of foreign table `relid`. */
static char *
column_label(Oid relid, AttrNumber attnum)
{
	return psprintf("column \"%s\" of foreign table \"%s\"",
					get_attname(relid, attnum, false), get_rel_name(relid));
}

/*
 * Prepare to convert result rows whose columns fill, in order, the
 * attributes of foreign table `rel` listed in retrieved_attrs.
 */
SemossRowConverter *
semoss_make_row_converter(Relation rel, List *retrieved_attrs)
{
	SemossRowConverter *conv = make_converter(RelationGetDescr(rel),
											  retrieved_attrs);
	int			i;

	for (i = 0; i < conv->ncolumns; i++)
		conv->columns[i].label = column_label(RelationGetRelid(rel),
											  conv->columns[i].attnum);
	return conv;
}

/*
 * Prepare to convert the rows of a join or grouping done remotely: the
 * remote result's columns are the entries of scan_tlist, in order, and
 * fill the attributes of `tupdesc` (made from that list).  A column that
 * is a table's column is named so in errors; others by their position.
 */
SemossRowConverter *
semoss_make_tlist_converter(TupleDesc tupdesc, List *scan_tlist,
							EState *estate)
{
	List	   *retrieved_attrs = NIL;
	SemossRowConverter *conv;
	ListCell   *lc;
	int			i;

	for (i = 1; i <= list_length(scan_tlist); i++)
		retrieved_attrs = lappend_int(retrieved_attrs, i);
	conv = make_converter(tupdesc, retrieved_attrs);

	i = 0;
	foreach(lc, scan_tlist)
	{
		Expr	   *expr = lfirst_node(TargetEntry, lc)->expr;
		ColumnInput *col = &conv->columns[i++];

		if (IsA(expr, Var) && ((Var *) expr)->varattno > 0)
			col->label = column_label(exec_rt_fetch(((Var *) expr)->varno,
													estate)->relid,
									  ((Var *) expr)->varattno);
		else
			col->label = psprintf("expression %d of the remote select list", i);
	}
	return conv;
}

/* Number of columns the remote result must have. */
int
semoss_row_converter_width(const SemossRowConverter *conv)
{
	/* a scan that needs no column still fetches one (NULL) per row */
	return Max(conv->ncolumns, 1);
}

/* Error context: which value of which row of which table failed. */
static void
conversion_error_callback(void *arg)
{
	SemossRowConverter *conv = (SemossRowConverter *) arg;

	if (conv->current_column >= 0)
		errcontext("%s, row " INT64_FORMAT " of the remote result",
				   conv->columns[conv->current_column].label,
				   conv->current_row);
}

/*
 * Cells longer than this are converted under an error handler that clips
 * the input function's message: PostgreSQL's messages quote the bad value
 * whole, and a remote value can be hundreds of megabytes.
 */
#define SEMOSS_MAX_QUOTED_VALUE	1000

/*
 * Run the input function of `col` on a long value; an error it raises is
 * raised again with its message clipped to SEMOSS_MAX_QUOTED_VALUE bytes.
 */
static Datum
input_long_value(ColumnInput *col, char *text)
{
	MemoryContext cxt = CurrentMemoryContext;
	Datum		value = (Datum) 0;

	PG_TRY();
	{
		value = InputFunctionCall(&col->input, text, col->typioparam, col->typmod);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			len;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		len = strlen(edata->message);
		if (len <= SEMOSS_MAX_QUOTED_VALUE)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("%.*s... (message of %d bytes clipped)",
						pg_mbcliplen(edata->message, len, SEMOSS_MAX_QUOTED_VALUE),
						edata->message, len),
				 edata->detail ? errdetail("%s", edata->detail) : 0,
				 edata->hint ? errhint("%s", edata->hint) : 0));
	}
	PG_END_TRY();
	return value;
}

/*
 * Convert row `row` of `page` into values/nulls (arrays of natts entries).
 * row_number counts rows from the start of the scan, for error messages.
 * Datums are allocated in the current memory context.
 */
void
semoss_convert_row(SemossRowConverter *conv, const SemossPage *page, int row,
				   int64 row_number, Datum *values, bool *nulls)
{
	ErrorContextCallback errcallback;
	int			i;

	memset(values, 0, sizeof(Datum) * conv->natts);
	memset(nulls, true, sizeof(bool) * conv->natts);

	errcallback.callback = conversion_error_callback;
	errcallback.arg = conv;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	conv->current_row = row_number;

	for (i = 0; i < conv->ncolumns; i++)
	{
		ColumnInput *col = &conv->columns[i];
		const char *text;
		size_t		len;
		SemossCellKind kind;
		char	   *server_text;

		conv->current_column = i;
		kind = semoss_page_cell(page, row, i, &text, &len);
		if (kind == SEMOSS_CELL_NULL)
			continue;

		/*
		 * SEMOSS speaks UTF-8; this checks the bytes and converts them to the
		 * database encoding (a NUL byte is rejected here too).
		 */
		server_text = pg_any_to_server(text, (int) len, PG_UTF8);
		if (len > SEMOSS_MAX_QUOTED_VALUE)
			values[col->attnum - 1] = input_long_value(col, server_text);
		else
			values[col->attnum - 1] = InputFunctionCall(&col->input, server_text,
														col->typioparam,
														col->typmod);
		nulls[col->attnum - 1] = false;
	}

	conv->current_column = -1;
	error_context_stack = errcallback.previous;
}

/*
 * The number of rows a write statement wrote, from the one-row, one-column
 * page of its count query (see modify.c).  Anything else is an error: the
 * statement ran and was committed, but PostgreSQL cannot be told how many
 * rows it changed.
 */
int64
semoss_page_row_count(const SemossPage *page, const char *remote_sql)
{
	const char *text = NULL;
	size_t		len;
	char	   *end = NULL;
	long long	count = -1;

	if (semoss_page_nrows(page) == 1 && semoss_page_ncols(page) == 1 &&
		semoss_page_cell(page, 0, 0, &text, &len) != SEMOSS_CELL_NULL)
	{
		errno = 0;
		count = strtoll(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0')
			count = -1;
	}
	if (count < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("SEMOSS did not return the number of rows the remote statement wrote"),
				 errdetail("The statement ran and was committed remotely."),
				 errcontext("remote SQL: %s", remote_sql)));
	return (int64) count;
}
