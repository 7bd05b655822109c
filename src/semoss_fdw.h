/*-------------------------------------------------------------------------
 *
 * semoss_fdw.h
 *		  Declarations shared by the PostgreSQL side of semoss_fdw.
 *
 * The plain-C SEMOSS client lives behind semoss_client.h; everything here
 * may use PostgreSQL headers.  Prototypes are grouped by the file that
 * defines them.
 *
 * IDENTIFICATION
 *		  src/semoss_fdw.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEMOSS_FDW_H
#define SEMOSS_FDW_H

#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/pathnodes.h"
#include "fmgr.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "semoss_client.h"

/*
 * Without a fetch_size option, a page holds about SEMOSS_PAGE_CELLS cells
 * (rows x columns), within [SEMOSS_AUTO_FETCH_MIN, SEMOSS_AUTO_FETCH_MAX]
 * rows: a page costs the backend about 100 bytes per cell, so this bounds
 * memory whatever the width of the rows (see bench/ and the README).
 */
#define SEMOSS_PAGE_CELLS				30000
#define SEMOSS_AUTO_FETCH_MIN			100
#define SEMOSS_AUTO_FETCH_MAX			10000
#define SEMOSS_MAX_FETCH_SIZE			1000000
#define SEMOSS_DEFAULT_CONNECT_TIMEOUT	10	/* seconds */
#define SEMOSS_DEFAULT_REQUEST_TIMEOUT	300 /* seconds; 0 = none */

/*
 * Planner costs: a SEMOSS round trip (HTTP, pixel parsing, a JDBC query)
 * is far dearer than a local page read, and every row travels as JSON.
 */
#define SEMOSS_DEFAULT_STARTUP_COST		100.0
#define SEMOSS_DEFAULT_TUPLE_COST		0.2

/*
 * How to write SQL for one kind of RDBMS behind a SEMOSS engine.  The
 * deparser is driven by this table so that another dialect is a local
 * addition (see dialect.c).
 */
typedef struct SemossDialect
{
	const char *name;			/* value of the "dialect" option */
	const char *engine_subtypes;	/* comma-separated SEMOSS subtypes */
	char		ident_quote;	/* identifier quote character */
	/* wrap an expression so the remote returns its exact text form */
	const char *exact_text_prefix;
	const char *exact_text_suffix;
	bool		exact_text;		/* false: values arrive in SEMOSS's lossy
								 * JSON form and are converted from that */
} SemossDialect;

/* Server-level settings after defaults were applied. */
typedef struct SemossServerOptions
{
	char	   *url;
	char	   *engine_id;		/* NULL when only tables name one */
	int			fetch_size;		/* 0 = automatic */
	int			connect_timeout;	/* seconds */
	int			request_timeout;	/* seconds, 0 = none */
	bool		tls_verify;
	char	   *ca_file;		/* NULL = system store */
	const SemossDialect *dialect;
	bool		collation_matches;	/* remote sorts text as we do */
	double		fdw_startup_cost;	/* planner cost of one round trip */
	double		fdw_tuple_cost; /* planner cost of one row */
} SemossServerOptions;

/* Everything a scan of one foreign table needs to know about it. */
typedef struct SemossTableOptions
{
	SemossServerOptions server;
	char	   *engine_id;		/* table option, else the server's */
	char	   *schema_name;	/* NULL = unqualified */
	char	   *table_name;		/* remote table name */
	char	   *query;			/* remote SELECT used as the table, or NULL */
	int			fetch_size;		/* 0 = automatic */
} SemossTableOptions;

/* A cached SEMOSS session; see connection.c. */
typedef struct SemossConnection SemossConnection;

/* in option.c */
extern void semoss_get_server_options(ForeignServer *server,
									  SemossServerOptions *opts);
extern void semoss_get_table_options(Oid foreigntableid,
									 SemossTableOptions *opts);
extern char *semoss_option_value(List *options, const char *name);
extern char *semoss_remote_column_name(Oid relid, AttrNumber attnum);
extern int	semoss_fetch_size(const SemossTableOptions *opts, int ncolumns);

/* in dialect.c */
extern const SemossDialect *semoss_dialect_by_name(const char *name);
extern char *semoss_dialect_names(void);
extern void semoss_append_identifier(StringInfo buf,
									 const SemossDialect *dialect,
									 const char *ident);

/* in deparse.c */
extern List *semoss_deparse_select(PlannerInfo *root, RelOptInfo *baserel,
								   Relation rel,
								   const SemossTableOptions *opts,
								   Bitmapset *attrs_used, List *remote_conds,
								   List *pathkeys, int64 limit,
								   List **retrieved_attrs, List **params);
extern char *semoss_assemble_sql(List *parts, char **values);
extern Expr *semoss_pathkey_expr(PlannerInfo *root, RelOptInfo *rel,
								 const SemossTableOptions *opts,
								 PathKey *pathkey);
extern void semoss_append_string_literal(StringInfo buf, const char *text);
extern void semoss_append_literal(StringInfo buf, Oid type, int32 typmod,
								  Datum value, bool isnull);

/* in shippable.c */
extern bool semoss_is_builtin(Oid objectid);
extern bool semoss_is_foreign_expr(PlannerInfo *root, RelOptInfo *rel,
								   const SemossTableOptions *opts, Expr *expr);
extern bool semoss_is_foreign_sort(PlannerInfo *root, RelOptInfo *rel,
								   const SemossTableOptions *opts, Expr *expr);

/* in convert.c */
typedef struct SemossRowConverter SemossRowConverter;
extern SemossRowConverter *semoss_make_row_converter(Relation rel,
													 List *retrieved_attrs);
extern int	semoss_row_converter_width(const SemossRowConverter *conv);
extern void semoss_convert_row(SemossRowConverter *conv,
							   const SemossPage *page, int row,
							   int64 row_number, Datum *values, bool *nulls);

/* in srf.c */
extern Tuplestorestate *semoss_begin_materialized_srf(FunctionCallInfo fcinfo,
													   TupleDesc *tupdesc);

/* in connection.c */
extern SemossConnection *semoss_get_connection(UserMapping *user);
extern SemossSession *semoss_connection_session(SemossConnection *conn);
extern void semoss_connection_track_task(SemossConnection *conn,
										 const char *task_id);
extern void semoss_connection_untrack_task(SemossConnection *conn,
										   const char *task_id);
extern void semoss_report_error(const SemossError *err,
								const char *remote_sql) pg_attribute_noreturn();

/* in import.c */
extern List *semossImportForeignSchema(ImportForeignSchemaStmt *stmt,
									   Oid serverOid);

#endif							/* SEMOSS_FDW_H */
