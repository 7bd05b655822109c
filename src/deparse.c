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
 * IDENTIFICATION
 *		  src/deparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"

#include "semoss_fdw.h"

/* Append the remote reference to column `attnum`, in exact-text form. */
static void
deparse_column(StringInfo buf, Relation rel, const SemossTableOptions *opts,
			   AttrNumber attnum)
{
	const SemossDialect *dialect = opts->server.dialect;

	appendStringInfoString(buf, dialect->exact_text_prefix);
	semoss_append_identifier(buf, dialect,
							 semoss_remote_column_name(RelationGetRelid(rel), attnum));
	appendStringInfoString(buf, dialect->exact_text_suffix);
}

/*
 * Append the FROM item: the remote table, or the table's `query` option as
 * a derived table.  A trailing semicolon of the query is dropped, since the
 * query is embedded in ours.
 */
static void
deparse_from_item(StringInfo buf, const SemossTableOptions *opts)
{
	const SemossDialect *dialect = opts->server.dialect;

	if (opts->query != NULL)
	{
		int			len = strlen(opts->query);

		while (len > 0 && (opts->query[len - 1] == ';' ||
						   isspace((unsigned char) opts->query[len - 1])))
			len--;
		appendStringInfoString(buf, "(");
		appendBinaryStringInfo(buf, opts->query, len);
		appendStringInfoString(buf, "\n) semoss_query");
		return;
	}

	if (opts->schema_name != NULL)
	{
		semoss_append_identifier(buf, dialect, opts->schema_name);
		appendStringInfoChar(buf, '.');
	}
	semoss_append_identifier(buf, dialect, opts->table_name);
}

/*
 * Build "SELECT <columns> FROM <relation>" for a scan of `rel`.
 *
 * Only the columns in attrs_used (offset by FirstLowInvalidHeapAttributeNumber,
 * as the planner keeps them) are fetched; a whole-row reference fetches all.
 * *retrieved_attrs receives the attribute numbers in the order of the
 * remote result's columns, which is how the executor maps them back.
 */
void
semoss_deparse_select(StringInfo buf, Relation rel,
					  const SemossTableOptions *opts,
					  Bitmapset *attrs_used, List **retrieved_attrs)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		whole_row;
	int			i;

	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used);
	*retrieved_attrs = NIL;

	appendStringInfoString(buf, "SELECT ");
	for (i = 1; i <= tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i - 1);

		if (attr->attisdropped)
			continue;
		if (!whole_row &&
			!bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs_used))
			continue;

		if (*retrieved_attrs != NIL)
			appendStringInfoString(buf, ", ");
		deparse_column(buf, rel, opts, i);
		*retrieved_attrs = lappend_int(*retrieved_attrs, i);
	}

	/* No column needed (say, for count(*)): still one row per remote row. */
	if (*retrieved_attrs == NIL)
		appendStringInfoString(buf, "NULL");

	appendStringInfoString(buf, " FROM ");
	deparse_from_item(buf, opts);
}
