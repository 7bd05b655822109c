/*-------------------------------------------------------------------------
 *
 * dialect.c
 *		  The SQL dialects semoss_fdw can write for the RDBMS behind an engine.
 *
 * SEMOSS hands SQL to the engine's database verbatim, so the FDW must speak
 * that database's dialect.  Each dialect is one row of semoss_dialects[];
 * adding one is a local change here (plus deparse support for whatever it
 * lacks), never surgery in the deparser.  With the server option dialect
 * 'auto' (the default), the dialect follows the engine's SEMOSS subtype
 * (see semoss_engine_dialect in connection.c).
 *
 * IDENTIFICATION
 *		  src/dialect.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "semoss_fdw.h"

static const SemossDialect semoss_dialects[] = {
	/*
	 * PostgreSQL: cast every column to text, so values arrive in the exact
	 * text form PostgreSQL's own input functions read back (SEMOSS would
	 * otherwise turn numerics into doubles, cut timestamps to whole seconds
	 * and mangle bytea).
	 */
	{
		.name = "postgres",
		.engine_subtypes = "POSTGRES",
		.ident_quote = '"',
		.escape_string_syntax = true,
		.exact_text_prefix = "(",
		.exact_text_suffix = ")::text",
		.exact_text = true,
		.dml_returning = true,
		.limit_all = "ALL"
	},

	/*
	 * Any other database: plain ANSI SQL, values taken from SEMOSS's JSON
	 * as they come.  Numerics beyond double precision and fractional
	 * seconds are lost on the SEMOSS side; the README says so.  LIMIT n
	 * OFFSET m is read by H2, SQLite and MySQL alike, but not LIMIT ALL:
	 * no limit is written as the largest bigint, which they all take.
	 */
	{
		.name = "generic",
		.engine_subtypes = "",
		.ident_quote = '"',
		.escape_string_syntax = false,
		.exact_text_prefix = "",
		.exact_text_suffix = "",
		.exact_text = false,
		.dml_returning = false,
		.limit_all = "9223372036854775807"
	},
};

/* The dialect called `name`, or NULL if there is none. */
const SemossDialect *
semoss_dialect_by_name(const char *name)
{
	size_t		i;

	for (i = 0; i < lengthof(semoss_dialects); i++)
	{
		if (strcmp(semoss_dialects[i].name, name) == 0)
			return &semoss_dialects[i];
	}
	return NULL;
}

/*
 * The dialect written for engines of SEMOSS subtype `subtype` (a label of
 * SEMOSS's RdbmsTypeEnum, such as "POSTGRES"), or NULL when there is none:
 * the generic dialect is chosen only explicitly, since it gives up exact
 * values.
 */
const SemossDialect *
semoss_dialect_for_subtype(const char *subtype)
{
	size_t		i;

	for (i = 0; i < lengthof(semoss_dialects); i++)
	{
		char	   *list = pstrdup(semoss_dialects[i].engine_subtypes);
		char	   *saveptr = NULL;
		char	   *item;

		for (item = strtok_r(list, ",", &saveptr); item != NULL;
			 item = strtok_r(NULL, ",", &saveptr))
		{
			if (pg_strcasecmp(item, subtype) == 0)
				return &semoss_dialects[i];
		}
	}
	return NULL;
}

/* Comma-separated list of dialect names, for hints. */
char *
semoss_dialect_names(void)
{
	StringInfoData buf;
	size_t		i;

	initStringInfo(&buf);
	for (i = 0; i < lengthof(semoss_dialects); i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", semoss_dialects[i].name);
	return buf.data;
}

/*
 * Append `ident` quoted for the dialect.  Always quoting keeps mixed-case
 * and reserved names intact; a quote character inside is doubled.
 */
void
semoss_append_identifier(StringInfo buf, const SemossDialect *dialect,
						 const char *ident)
{
	const char *p;

	appendStringInfoChar(buf, dialect->ident_quote);
	for (p = ident; *p; p++)
	{
		if (*p == dialect->ident_quote)
			appendStringInfoChar(buf, *p);
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, dialect->ident_quote);
}
