/*-------------------------------------------------------------------------
 *
 * import.c
 *		  IMPORT FOREIGN SCHEMA, and the discovery of the engines a user
 *		  mapping can see (semoss_fdw_engines()).
 *
 * IMPORT has two sources of truth:
 *
 *	- For a server of the "postgres" dialect, the live catalog of the
 *	  engine's PostgreSQL, read with ONE query through SEMOSS's Collect path
 *	  (every value cast to text, so nothing is lossy).  The query returns
 *	  tables and their columns together, so no table can vanish between
 *	  being listed and having its columns read, and it always returns a row
 *	  for an existing schema, so an unknown schema is told from an empty
 *	  one.  LIMIT TO / EXCEPT are applied in that query, as postgres_fdw
 *	  does; partitions are left out unless LIMIT TO names them.
 *
 *	- Otherwise (another dialect), or when SEMOSS refuses the catalog query
 *	  (typically: no permission on pg_catalog), SEMOSS's own metadata:
 *	  GetDatabaseTableStructure refined by GetDatabaseMetamodel's types.
 *	  That metadata is cached by SEMOSS, has no schemas, column order,
 *	  NOT NULL, defaults or keys, and its types are coarse, so a NOTICE says
 *	  the types are approximate.
 *
 * Either way the result is a list of CREATE FOREIGN TABLE commands, which
 * PostgreSQL runs in the local schema (and filters by LIMIT TO / EXCEPT
 * once more).
 *
 * IDENTIFICATION
 *		  src/import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/reloptions.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "commands/defrem.h"
#include "foreign/fdwapi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "semoss_fdw.h"

/* Rows per page of the catalog query (one row per column). */
#define CATALOG_FETCH_SIZE	5000

/* Columns of the catalog query; see build_catalog_sql(). */
enum CatalogColumn
{
	CatalogRelname,
	CatalogAttname,
	CatalogType,
	CatalogNotNull,
	CatalogDefault,
	CatalogIsKey,
	CatalogNumColumns
};

/* The options of IMPORT FOREIGN SCHEMA, after defaults. */
typedef struct ImportOptions
{
	bool		import_not_null;	/* copy NOT NULL constraints */
	bool		import_default; /* copy column defaults */
	bool		import_keys;	/* primary key columns get key 'true' */
	char	   *engine_id;		/* the IMPORT's engine, or NULL */
	List	   *table_options;	/* DefElems stamped on every table */
} ImportOptions;

/* One remote column, in the form the local table will have. */
typedef struct RemoteColumn
{
	char	   *name;
	char	   *type;			/* local type name, ready for SQL */
	bool		not_null;
	char	   *default_expr;	/* or NULL */
	bool		key;			/* part of the primary key */
} RemoteColumn;

/* One remote table (or view, ...) and its columns in order. */
typedef struct RemoteTable
{
	char	   *name;
	List	   *columns;		/* RemoteColumn * */
} RemoteTable;

/* A page of the catalog query: malloc'd, so freed by a reset callback. */
typedef struct CatalogScan
{
	SemossPage *page;
	MemoryContextCallback cleanup;
} CatalogScan;

/* Columns of semoss_fdw_engines(): id, name, subtype, permission, description. */
#define ENGINE_COLUMNS		5

/* The IMPORT options accepted, for the hint of an unknown one. */
#define IMPORT_OPTION_NAMES \
	"import_not_null, import_default, import_keys, engine_id, fetch_size"

/* Defined in option.c; called to check per-table options as tables do. */
extern Datum semoss_fdw_validator(PG_FUNCTION_ARGS);

PG_FUNCTION_INFO_V1(semoss_fdw_engines);

/*
 * Parse the IMPORT options into *opts.  engine_id and fetch_size are
 * stamped on every created table, so they are checked by the validator of
 * foreign table options, exactly as if they had been written there.
 */
static void
parse_import_options(List *options, ImportOptions *opts)
{
	ListCell   *lc;
	ListCell   *lc2;

	opts->import_not_null = true;
	opts->import_default = false;
	opts->import_keys = true;
	opts->engine_id = NULL;
	opts->table_options = NIL;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		foreach(lc2, options)
		{
			DefElem    *other = (DefElem *) lfirst(lc2);

			if (other == def)
				break;
			if (strcmp(other->defname, def->defname) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("option \"%s\" given more than once",
								def->defname)));
		}

		if (strcmp(def->defname, "import_not_null") == 0)
			opts->import_not_null = defGetBoolean(def);
		else if (strcmp(def->defname, "import_default") == 0)
			opts->import_default = defGetBoolean(def);
		else if (strcmp(def->defname, "import_keys") == 0)
			opts->import_keys = defGetBoolean(def);
		else if (strcmp(def->defname, "engine_id") == 0 ||
				 strcmp(def->defname, "fetch_size") == 0)
		{
			opts->table_options = lappend(opts->table_options, def);
			if (strcmp(def->defname, "engine_id") == 0)
				opts->engine_id = defGetString(def);
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\" for IMPORT FOREIGN SCHEMA",
							def->defname),
					 errhint("Valid options in this context are: %s.",
							 IMPORT_OPTION_NAMES)));
	}

	if (opts->table_options != NIL)
	{
		Datum		array = transformRelOptions((Datum) 0, opts->table_options,
												NULL, NULL, false, false);

		DirectFunctionCall2(semoss_fdw_validator, array,
							ObjectIdGetDatum(ForeignTableRelationId));
	}
}

/* The first line of remote text, for messages (palloc'd). */
static char *
first_line(const char *text)
{
	size_t		len = strcspn(text, "\r\n");

	return pnstrdup(text, len);
}

/*
 * True if a pixel error says the engine does not exist or the user may not
 * see it: SEMOSS cannot tell the two apart ("Database <id> does not exist
 * or user does not have access to database").
 */
static bool
engine_access_refused(const SemossError *err)
{
	return err->status == SEMOSS_ERR_PIXEL &&
		strstr(err->detail, "does not have access") != NULL;
}

/* Raise the error for an engine the user mapping cannot see. */
static void
report_engine_not_visible(ForeignServer *server, const char *engine_id,
						  const SemossError *err)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("SEMOSS engine \"%s\" does not exist or is not visible to this user",
					engine_id),
			 errdetail("SEMOSS said: %s", first_line(err->detail)),
			 errhint("SELECT * FROM semoss_fdw_engines(%s) lists the engines the user mapping can see.",
					 quote_literal_cstr(server->servername))));
}

/*
 * The catalog query: one row per column of every importable relation of
 * the remote schema, in attnum order, plus one row with a NULL relname if
 * the schema exists but holds nothing to import; no row at all if there is
 * no such schema.  Relations are tables, views, materialized views,
 * foreign tables and partitioned tables; partitions only when LIMIT TO
 * names them.  Every value is text.  Needs PostgreSQL 12 or later on the
 * remote side (attgenerated); on anything else the query fails and IMPORT
 * falls back to SEMOSS's metadata.
 */
static char *
build_catalog_sql(ImportForeignSchemaStmt *stmt)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoString(&buf,
						   "SELECT c.relname::pg_catalog.text, a.attname::pg_catalog.text,"
						   " pg_catalog.format_type(a.atttypid, a.atttypmod),"
						   " a.attnotnull::pg_catalog.text,"
						   " CASE WHEN a.attgenerated = '' THEN"
						   " pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,"
						   " (a.attnum = ANY (pk.conkey))::pg_catalog.text"
						   " FROM pg_catalog.pg_namespace n"
						   " LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid"
						   " AND c.relkind IN ('r', 'v', 'm', 'f', 'p')");
	if (stmt->list_type != FDW_IMPORT_SCHEMA_LIMIT_TO)
		appendStringInfoString(&buf, " AND NOT c.relispartition");
	if (stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO ||
		stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT)
	{
		bool		first = true;

		appendStringInfoString(&buf, " AND c.relname ");
		if (stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT)
			appendStringInfoString(&buf, "NOT ");
		appendStringInfoString(&buf, "IN (");
		foreach(lc, stmt->table_list)
		{
			RangeVar   *rv = (RangeVar *) lfirst(lc);

			if (!first)
				appendStringInfoString(&buf, ", ");
			first = false;
			semoss_append_string_literal(&buf, rv->relname);
		}
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfoString(&buf,
						   " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
						   " AND a.attnum > 0 AND NOT a.attisdropped"
						   " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid"
						   " AND ad.adnum = a.attnum"
						   " LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = c.oid"
						   " AND pk.contype = 'p'"
						   " WHERE n.nspname = ");
	semoss_append_string_literal(&buf, stmt->remote_schema);
	appendStringInfoString(&buf, " ORDER BY c.relname, a.attnum");
	return buf.data;
}

/* Reset callback: free the malloc'd page of a catalog query, if any. */
static void
catalog_scan_cleanup(void *arg)
{
	CatalogScan *scan = (CatalogScan *) arg;

	if (scan->page != NULL)
	{
		semoss_page_free(scan->page);
		scan->page = NULL;
	}
}

/*
 * Cell (row, col) of a page as a palloc'd string in the database encoding,
 * or NULL for SQL NULL.
 */
static char *
cell_text(const SemossPage *page, int row, int col)
{
	const char *text;
	size_t		len;
	char	   *converted;

	if (semoss_page_cell(page, row, col, &text, &len) == SEMOSS_CELL_NULL ||
		text == NULL)
		return NULL;
	converted = pg_any_to_server(text, (int) len, PG_UTF8);
	return converted == text ? pnstrdup(text, len) : converted;
}

/* True if a text cell holds "true". */
static bool
cell_is_true(const SemossPage *page, int row, int col)
{
	char	   *text = cell_text(page, row, col);

	return text != NULL && strcmp(text, "true") == 0;
}

/*
 * Add one row of the catalog query to *tables (rows come ordered by
 * relation, then attnum, so a new relname starts a new table).
 */
static void
add_catalog_row(const SemossPage *page, int row, List **tables,
				RemoteTable **current)
{
	char	   *relname = cell_text(page, row, CatalogRelname);
	char	   *attname;
	RemoteColumn *column;

	if (relname == NULL)
		return;					/* the schema exists but is empty */
	if (*current == NULL || strcmp((*current)->name, relname) != 0)
	{
		*current = palloc0(sizeof(RemoteTable));
		(*current)->name = relname;
		*tables = lappend(*tables, *current);
	}

	attname = cell_text(page, row, CatalogAttname);
	if (attname == NULL)
		return;					/* a relation without columns */
	column = palloc0(sizeof(RemoteColumn));
	column->name = attname;
	column->type = cell_text(page, row, CatalogType);
	column->not_null = cell_is_true(page, row, CatalogNotNull);
	column->default_expr = cell_text(page, row, CatalogDefault);
	column->key = cell_is_true(page, row, CatalogIsKey);
	if (column->type == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("the remote catalog gave no type for column \"%s\" of \"%s\"",
						attname, relname)));
	(*current)->columns = lappend((*current)->columns, column);
}

/*
 * Read the remote schema's tables and columns from the engine's live
 * catalog.  Returns false, with *refusal set to SEMOSS's reason, when
 * SEMOSS refused the query (the caller then falls back to SEMOSS's
 * metadata); every other failure is an error.
 */
static bool
read_remote_catalog(SemossConnection *conn, ForeignServer *server,
					const char *engine_id, ImportForeignSchemaStmt *stmt,
					List **tables, char **refusal)
{
	SemossSession *session = semoss_connection_session(conn);
	char	   *sql = build_catalog_sql(stmt);
	char	   *sql_utf8 = pg_server_to_any(sql, strlen(sql), PG_UTF8);
	CatalogScan *scan = palloc0(sizeof(CatalogScan));
	RemoteTable *current = NULL;
	bool		schema_found = false;
	SemossError err;
	SemossPage *page;
	char	   *task_id;

	*tables = NIL;
	scan->cleanup.func = catalog_scan_cleanup;
	scan->cleanup.arg = scan;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &scan->cleanup);

	if (semoss_query(session, engine_id, sql_utf8, CATALOG_FETCH_SIZE,
					 &page, &err) != SEMOSS_OK)
	{
		if (engine_access_refused(&err))
			report_engine_not_visible(server, engine_id, &err);
		if (err.status == SEMOSS_ERR_PIXEL)
		{
			char	   *reason = first_line(err.detail[0] != '\0' ? err.detail : err.message);
			size_t		len = strlen(reason);

			if (len > 0 && reason[len - 1] == '.')
				reason[len - 1] = '\0';
			*refusal = psprintf("SEMOSS refused the catalog query: %s.", reason);
			return false;
		}
		semoss_report_error(&err, sql);
	}
	scan->page = page;
	task_id = pstrdup(semoss_page_task_id(page));
	semoss_connection_track_task(conn, task_id);

	for (;;)
	{
		int			nrows = semoss_page_nrows(page);
		int			row;

		if (semoss_page_ncols(page) != CatalogNumColumns)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_COLUMN_NUMBER),
					 errmsg("SEMOSS returned %d columns where %d were expected",
							semoss_page_ncols(page), (int) CatalogNumColumns),
					 errcontext("remote SQL: %s", sql)));
		for (row = 0; row < nrows; row++)
		{
			schema_found = true;
			add_catalog_row(page, row, tables, &current);
		}
		semoss_page_free(page);
		scan->page = NULL;
		if (nrows < CATALOG_FETCH_SIZE)
			break;

		/* a failure leaves the task tracked: it is removed at abort */
		if (semoss_task_collect(session, task_id, CATALOG_FETCH_SIZE, &page,
								&err) != SEMOSS_OK)
			semoss_report_error(&err, sql);
		scan->page = page;
	}
	semoss_connection_untrack_task(conn, task_id);
	semoss_task_remove_later(session, task_id);

	if (!schema_found)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("schema \"%s\" is not present on foreign server \"%s\"",
						stmt->remote_schema, server->servername),
				 errdetail("The database of SEMOSS engine \"%s\" has no schema of that name.",
						   engine_id)));
	return true;
}

/* True if the first word of a physical type name is one of names[]. */
static bool
physical_type_is(const char *physical, const char *const *names)
{
	size_t		len = strcspn(physical, " (");

	for (; *names != NULL; names++)
	{
		if (strlen(*names) == len && pg_strncasecmp(physical, *names, len) == 0)
			return true;
	}
	return false;
}

/*
 * The local type for a column known only from SEMOSS's metadata.  SEMOSS's
 * type (the metamodel's data type when it has one) decides:
 *	STRING -> text, NUMBER -> numeric, INT -> bigint,
 *	DOUBLE -> double precision, DATE -> date, TIMESTAMP -> timestamp,
 *	BOOLEAN -> boolean, anything else -> text;
 * and the physical type, when SEMOSS kept one, corrects what SEMOSS's
 * classification gets wrong: a "numeric" type that is no number type
 * (SEMOSS calls interval INT) becomes text, NUMERIC/DECIMAL stay numeric
 * (not double), and BOOL (which SEMOSS stores as STRING) and TIMESTAMPTZ
 * keep their kind.
 */
static const char *
approximate_type(const SemossColumnInfo *col)
{
	static const char *const number_types[] = {
		"INT", "INT2", "INT4", "INT8", "INTEGER", "SMALLINT", "BIGINT",
		"TINYINT", "MEDIUMINT", "SERIAL", "SERIAL2", "SERIAL4", "SERIAL8",
		"SMALLSERIAL", "BIGSERIAL", "NUMERIC", "DECIMAL", "NUMBER", "FLOAT",
		"FLOAT4", "FLOAT8", "REAL", "DOUBLE", NULL
	};
	static const char *const exact_types[] = {"NUMERIC", "DECIMAL", NULL};
	static const char *const bool_types[] = {"BOOL", "BOOLEAN", NULL};
	static const char *const timestamptz_types[] = {"TIMESTAMPTZ", NULL};
	const char *kind = col->data_type != NULL ? col->data_type : col->type;
	const char *physical = col->physical_type;
	bool		numeric = false;
	const char *result;

	if (pg_strcasecmp(kind, "INT") == 0)
	{
		result = "bigint";
		numeric = true;
	}
	else if (pg_strcasecmp(kind, "DOUBLE") == 0)
	{
		result = "double precision";
		numeric = true;
	}
	else if (pg_strcasecmp(kind, "NUMBER") == 0)
	{
		result = "numeric";
		numeric = true;
	}
	else if (pg_strcasecmp(kind, "DATE") == 0)
		result = "date";
	else if (pg_strcasecmp(kind, "TIMESTAMP") == 0)
		result = "timestamp";
	else if (pg_strcasecmp(kind, "BOOLEAN") == 0)
		result = "boolean";
	else
		result = "text";

	if (physical == NULL)
		return result;
	if (numeric && !physical_type_is(physical, number_types))
		return "text";
	if (numeric && physical_type_is(physical, exact_types))
		return "numeric";
	if (physical_type_is(physical, bool_types))
		return "boolean";
	if (strcmp(result, "timestamp") == 0 &&
		(physical_type_is(physical, timestamptz_types) ||
		 pg_strncasecmp(physical, "TIMESTAMP WITH TIME ZONE", 24) == 0))
		return "timestamptz";
	return result;
}

/* True if `name` is in the LIMIT TO / EXCEPT list of stmt. */
static bool
name_in_table_list(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;

	foreach(lc, stmt->table_list)
	{
		if (strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0)
			return true;
	}
	return false;
}

/*
 * Read the engine's tables and columns from SEMOSS's metadata, keeping
 * those LIMIT TO / EXCEPT let through.  Columns come in SEMOSS's order (by
 * name); types are approximate (see approximate_type).
 */
static List *
read_semoss_metadata(SemossConnection *conn, ForeignServer *server,
					 const char *engine_id, ImportForeignSchemaStmt *stmt)
{
	SemossColumnInfo *cols;
	int			ncols;
	SemossError err;
	char	  **names;
	const char **types;
	List	   *tables = NIL;
	RemoteTable *current = NULL;
	int			i;

	if (semoss_table_structure(semoss_connection_session(conn), engine_id,
							   &cols, &ncols, &err) != SEMOSS_OK)
	{
		if (engine_access_refused(&err))
			report_engine_not_visible(server, engine_id, &err);
		semoss_report_error(&err, NULL);
	}

	/* copy out of malloc'd memory before anything can raise an error */
	names = palloc(sizeof(char *) * 2 * Max(ncols, 1));
	types = palloc(sizeof(char *) * Max(ncols, 1));
	for (i = 0; i < ncols; i++)
	{
		names[2 * i] = pstrdup(cols[i].table);
		names[2 * i + 1] = pstrdup(cols[i].column);
		types[i] = approximate_type(&cols[i]);
	}
	semoss_columns_free(cols, ncols);

	for (i = 0; i < ncols; i++)
	{
		char	   *table = pg_any_to_server(names[2 * i], strlen(names[2 * i]), PG_UTF8);
		RemoteColumn *column;
		ListCell   *lc;

		if ((stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO &&
			 !name_in_table_list(stmt, table)) ||
			(stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT &&
			 name_in_table_list(stmt, table)))
			continue;

		/* rows come grouped by table; look further only if they are not */
		if (current == NULL || strcmp(current->name, table) != 0)
		{
			current = NULL;
			foreach(lc, tables)
			{
				if (strcmp(((RemoteTable *) lfirst(lc))->name, table) == 0)
					current = (RemoteTable *) lfirst(lc);
			}
			if (current == NULL)
			{
				current = palloc0(sizeof(RemoteTable));
				current->name = table;
				tables = lappend(tables, current);
			}
		}
		column = palloc0(sizeof(RemoteColumn));
		column->name = pg_any_to_server(names[2 * i + 1],
										strlen(names[2 * i + 1]), PG_UTF8);
		column->type = pstrdup(types[i]);
		current->columns = lappend(current->columns, column);
	}
	return tables;
}

/*
 * Every table LIMIT TO names must have been found: a table listed by the
 * user (perhaps from an earlier look at the engine) that is gone now is an
 * error rather than silence.
 */
static void
check_limit_to_found(ImportForeignSchemaStmt *stmt, List *tables,
					 ForeignServer *server, const char *engine_id,
					 bool from_catalog)
{
	ListCell   *lc;
	ListCell   *lc2;

	if (stmt->list_type != FDW_IMPORT_SCHEMA_LIMIT_TO)
		return;
	foreach(lc, stmt->table_list)
	{
		const char *name = ((RangeVar *) lfirst(lc))->relname;
		bool		found = false;

		foreach(lc2, tables)
		{
			if (strcmp(((RemoteTable *) lfirst(lc2))->name, name) == 0)
				found = true;
		}
		if (found)
			continue;
		if (from_catalog)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
					 errmsg("remote table \"%s\" named in LIMIT TO does not exist",
							name),
					 errdetail("Schema \"%s\" on foreign server \"%s\" has no table, view or foreign table of that name.",
							   stmt->remote_schema, server->servername)));
		ereport(ERROR,
				(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
				 errmsg("remote table \"%s\" named in LIMIT TO does not exist",
						name),
				 errdetail("SEMOSS's metadata of engine \"%s\" has no table of that name.",
						   engine_id),
				 errhint("SEMOSS caches that metadata: a table created since it was last updated is missing from it.")));
	}
}

/*
 * The CREATE FOREIGN TABLE command for one remote table.  Local names are
 * the remote ones, quoted as needed; the remote names are also stored in
 * options, so they stay exact whatever the local names become.
 */
static char *
deparse_create_table(const RemoteTable *table, ForeignServer *server,
					 const char *remote_schema, const ImportOptions *opts)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (",
					 quote_identifier(table->name));
	foreach(lc, table->columns)
	{
		RemoteColumn *col = (RemoteColumn *) lfirst(lc);

		appendStringInfoString(&buf, first ? "\n  " : ",\n  ");
		first = false;
		appendStringInfo(&buf, "%s %s OPTIONS (column_name %s",
						 quote_identifier(col->name), col->type,
						 quote_literal_cstr(col->name));
		if (col->key && opts->import_keys)
			appendStringInfoString(&buf, ", key 'true'");
		appendStringInfoChar(&buf, ')');
		if (col->default_expr != NULL && opts->import_default)
			appendStringInfo(&buf, " DEFAULT %s", col->default_expr);
		if (col->not_null && opts->import_not_null)
			appendStringInfoString(&buf, " NOT NULL");
	}
	appendStringInfo(&buf, "\n) SERVER %s\nOPTIONS (",
					 quote_identifier(server->servername));
	if (remote_schema != NULL)
		appendStringInfo(&buf, "schema_name %s, ",
						 quote_literal_cstr(remote_schema));
	appendStringInfo(&buf, "table_name %s", quote_literal_cstr(table->name));
	foreach(lc, opts->table_options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		appendStringInfo(&buf, ", %s %s", def->defname,
						 quote_literal_cstr(defGetString(def)));
	}
	appendStringInfoString(&buf, ");");
	return buf.data;
}

/*
 * ImportForeignSchema: the CREATE FOREIGN TABLE commands for the remote
 * schema stmt->remote_schema of the engine (the IMPORT's engine_id option,
 * else the server's), read as the current user's user mapping allows.
 */
List *
semossImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);
	SemossServerOptions sopts;
	ImportOptions opts;
	const char *engine_id;
	SemossConnection *conn;
	List	   *tables = NIL;
	List	   *commands = NIL;
	char	   *refusal = NULL;
	bool		from_catalog = false;
	ListCell   *lc;

	parse_import_options(stmt->options, &opts);
	semoss_get_server_options(server, &sopts);
	engine_id = opts.engine_id != NULL ? opts.engine_id : sopts.engine_id;
	if (engine_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no SEMOSS engine to import from",
						server->servername),
				 errhint("Add OPTIONS (engine_id '...') to IMPORT FOREIGN SCHEMA, or set the server's \"engine_id\"; SELECT * FROM semoss_fdw_engines(%s) lists the engines.",
						 quote_literal_cstr(server->servername))));

	conn = semoss_get_connection(GetUserMapping(GetUserId(), serverOid));
	if (sopts.dialect == NULL)
		sopts.dialect = semoss_engine_dialect(server, engine_id);

	if (strcmp(sopts.dialect->name, "postgres") == 0)
		from_catalog = read_remote_catalog(conn, server, engine_id, stmt,
										   &tables, &refusal);
	else
		refusal = psprintf("Server \"%s\" uses dialect \"%s\"; only the catalog of a \"postgres\" engine is read.",
						   server->servername, sopts.dialect->name);
	if (!from_catalog)
		tables = read_semoss_metadata(conn, server, engine_id, stmt);

	check_limit_to_found(stmt, tables, server, engine_id, from_catalog);

	if (!from_catalog)
		ereport(NOTICE,
				(errmsg("column types imported from SEMOSS's metadata are approximate"),
				 errdetail("%s  SEMOSS's metadata is cached by SEMOSS and may miss recent tables; it has no schemas, column order, NOT NULL constraints, defaults or keys.",
						   refusal),
				 errhint("Check the imported column types; ALTER FOREIGN TABLE can change them.")));

	foreach(lc, tables)
		commands = lappend(commands,
						   deparse_create_table((RemoteTable *) lfirst(lc),
												server,
												from_catalog ? stmt->remote_schema : NULL,
												&opts));
	return commands;
}

/* A malloc'd engine string as a text Datum in the database encoding. */
static Datum
engine_text(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	if (s == NULL)
		return (Datum) 0;
	return CStringGetTextDatum(pg_any_to_server(s, strlen(s), PG_UTF8));
}

/*
 * semoss_fdw_engines(server_name text): the database engines that the
 * caller's user mapping for the server can see (SEMOSS's MyEngines), so
 * the engine_id of a server or of IMPORT can be found from psql.
 */
Datum
semoss_fdw_engines(PG_FUNCTION_ARGS)
{
	char	   *servername = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ForeignServer *server = GetForeignServerByName(servername, false);
	SemossConnection *conn;
	SemossEngineInfo *engines;
	int			nengines;
	SemossError err;
	char	  **copies;
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	int			i;

	semoss_check_server_usage(server);
	conn = semoss_get_connection(GetUserMapping(GetUserId(), server->serverid));
	if (semoss_list_engines(semoss_connection_session(conn), &engines,
							&nengines, &err) != SEMOSS_OK)
		semoss_report_error(&err, NULL);

	/* copy out of malloc'd memory before anything can raise an error */
	copies = palloc0(sizeof(char *) * ENGINE_COLUMNS * Max(nengines, 1));
	for (i = 0; i < nengines; i++)
	{
		const char *fields[ENGINE_COLUMNS] = {
			engines[i].id, engines[i].name, engines[i].subtype,
			engines[i].permission, engines[i].description
		};
		int			j;

		for (j = 0; j < ENGINE_COLUMNS; j++)
			copies[i * ENGINE_COLUMNS + j] = fields[j] ? pstrdup(fields[j]) : NULL;
	}
	semoss_engines_free(engines, nengines);

	tupstore = semoss_begin_materialized_srf(fcinfo, &tupdesc);

	for (i = 0; i < nengines; i++)
	{
		Datum		values[ENGINE_COLUMNS];
		bool		nulls[ENGINE_COLUMNS];
		int			j;

		for (j = 0; j < ENGINE_COLUMNS; j++)
			values[j] = engine_text(copies[i * ENGINE_COLUMNS + j], &nulls[j]);
		tuplestore_putvalues(tupstore, tupdesc, values, nulls);
	}
	return (Datum) 0;
}
