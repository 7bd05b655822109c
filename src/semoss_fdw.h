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

#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "nodes/execnodes.h"
#include "nodes/plannodes.h"
#include "commands/explain.h"
#include "lib/stringinfo.h"
#include "nodes/pathnodes.h"
#include "fmgr.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "semoss_client.h"

/*
 * Without a fetch_size option, a page holds about SEMOSS_PAGE_CELLS cells
 * (rows x columns), within [SEMOSS_AUTO_FETCH_MIN, SEMOSS_AUTO_FETCH_MAX]
 * rows: a page costs the backend about 30 bytes per cell while it is read
 * (40 at the peak of its parse), so this bounds memory whatever the width
 * of the rows (see bench/ and the README).
 */
#define SEMOSS_PAGE_CELLS				30000
#define SEMOSS_AUTO_FETCH_MIN			100
#define SEMOSS_AUTO_FETCH_MAX			10000
#define SEMOSS_MAX_FETCH_SIZE			1000000
/*
 * Rows per INSERT statement.  One request carries batch_size rows, up to
 * about SEMOSS_MAX_BATCH_BYTES of SQL; see modify.c and bench/.
 */
#define SEMOSS_DEFAULT_BATCH_SIZE		1000
#define SEMOSS_MAX_BATCH_SIZE			100000
#define SEMOSS_MAX_BATCH_BYTES			(8 * 1024 * 1024)
/* How much of a remote statement an error context shows. */
#define SEMOSS_ERROR_SQL_CHARS			1000
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
	bool		escape_string_syntax;	/* E'...' reads backslashes the same
										 * whatever the server's settings */
	/* wrap an expression so the remote returns its exact text form */
	const char *exact_text_prefix;
	const char *exact_text_suffix;
	bool		exact_text;		/* false: values arrive in SEMOSS's lossy
								 * JSON form and are converted from that */
	/*
	 * The database runs INSERT/UPDATE/DELETE ... RETURNING and data-modifying
	 * WITH as a query, so SEMOSS's Collect path returns rows and counts of
	 * writes.  Without it writes go through ExecQuery, which returns
	 * nothing: no RETURNING, no direct modification.
	 */
	bool		dml_returning;
	/*
	 * What LIMIT is given to mean no limit, when an OFFSET needs one before
	 * it or a LIMIT parameter is NULL.
	 */
	const char *limit_all;
} SemossDialect;

/*
 * How a write statement travels through SEMOSS (see modify.c): through
 * ExecQuery, which returns nothing, or through the Collect path, which
 * returns its RETURNING rows or the number of rows it wrote.
 */
typedef enum SemossDmlForm
{
	SEMOSS_DML_EXEC,			/* ExecQuery: nothing comes back */
	SEMOSS_DML_COUNT,			/* Collect: one row, the rows written */
	SEMOSS_DML_ROWS				/* Collect: RETURNING columns per row */
} SemossDmlForm;

/*
 * How ANALYZE asks the engine for a sample (the analyze_sampling option,
 * see analyze.c): not at all (every row is fetched), with TABLESAMPLE
 * SYSTEM or BERNOULLI, or with a random() filter; auto is BERNOULLI where
 * the remote relation takes TABLESAMPLE, else random().
 */
typedef enum SemossSampling
{
	SEMOSS_SAMPLE_OFF,
	SEMOSS_SAMPLE_AUTO,
	SEMOSS_SAMPLE_RANDOM,
	SEMOSS_SAMPLE_SYSTEM,
	SEMOSS_SAMPLE_BERNOULLI
} SemossSampling;

/*
 * Settings a server gives its foreign tables and a table may override with
 * an option of the same name.
 */
typedef struct SemossTableSettings
{
	int			fetch_size;		/* rows per page; 0 = automatic */
	int			batch_size;		/* rows per INSERT request */
	bool		updatable;		/* INSERT/UPDATE/DELETE allowed */
	bool		truncatable;	/* TRUNCATE allowed */
	bool		use_remote_estimate;	/* ask the engine for row estimates */
	SemossSampling analyze_sampling;	/* how ANALYZE samples remotely */
} SemossTableSettings;

/* Server-level settings after defaults were applied. */
typedef struct SemossServerOptions
{
	char	   *url;
	char	   *engine_id;		/* NULL when only tables name one */
	int			connect_timeout;	/* seconds */
	int			request_timeout;	/* seconds, 0 = none */
	bool		tls_verify;
	char	   *ca_file;		/* NULL = system store */
	const SemossDialect *dialect;	/* NULL: follow the engine's subtype */
	bool		collation_matches;	/* remote sorts text as we do */
	double		fdw_startup_cost;	/* planner cost of one round trip */
	double		fdw_tuple_cost; /* planner cost of one row */
	SemossTableSettings table_defaults;
} SemossServerOptions;

/* Everything a scan of one foreign table needs to know about it. */
typedef struct SemossTableOptions
{
	SemossServerOptions server;
	char	   *engine_id;		/* table option, else the server's */
	char	   *schema_name;	/* NULL = unqualified */
	char	   *table_name;		/* remote table name */
	char	   *query;			/* remote SELECT used as the table, or NULL */
	SemossTableSettings settings;	/* the server's, overridden */
} SemossTableOptions;

/* What a relation the engine computes is made of. */
typedef enum SemossRelKind
{
	SEMOSS_REL_BASE,			/* one foreign table */
	SEMOSS_REL_JOIN,			/* a join of foreign tables */
	SEMOSS_REL_GROUPED,			/* GROUP BY / aggregates over one of those */
	SEMOSS_REL_ORDERED			/* ORDER BY over one of those, recorded for
								 * the LIMIT (no path of its own) */
} SemossRelKind;

/*
 * Planner state of a relation the engine computes (fdw_private of a base,
 * join or grouped RelOptInfo).  For joins and grouped relations, `opts`
 * are those of the tables below: server, engine and settings are shared.
 */
typedef struct SemossRelInfo
{
	SemossRelKind kind;
	SemossTableOptions opts;
	List	   *remote_conds;	/* RestrictInfos the engine evaluates (a
								 * join: those applied after it) */
	List	   *local_conds;	/* RestrictInfos evaluated here */
	Bitmapset  *attrs_used;		/* columns needed here (base only) */
	double		remote_selectivity; /* of remote_conds */
	double		remote_rows;	/* rows the engine estimated it returns, or
								 * -1 without use_remote_estimate */

	/* a join */
	RelOptInfo *outerrel;
	RelOptInfo *innerrel;
	JoinType	jointype;
	List	   *joinclauses;	/* RestrictInfos of the ON clause */

	/* a grouped relation; an ordered one */
	RelOptInfo *input_rel;		/* what is grouped, or sorted */
	List	   *grouped_tlist;	/* TargetEntries the engine returns */
	List	   *having_conds;	/* HAVING clauses (expressions) */
} SemossRelInfo;

/*
 * Indexes of the items of a ForeignScan's fdw_private list.  The list, not
 * a struct, keeps the plan copyable and readable by EXPLAIN.  A scan turned
 * into a direct modification (modify.c) reads its RETURNING rows or its
 * count the same way, and has two more items.
 */
enum SemossScanPrivateIndex
{
	/* remote SQL, as parts: String text and Integer holes (see deparse.c) */
	ScanPrivateSelectSql,
	/* attnums the remote columns fill, in order (List of Integer) */
	ScanPrivateRetrievedAttrs,
	/* rows per Collect (Integer) */
	ScanPrivateFetchSize,
	/* engine the SQL runs on (String) */
	ScanPrivateEngineId,
	/*
	 * holes of the LIMIT count and OFFSET values when they are known only at
	 * execution (List of two Integers, -1 for none), or NIL
	 */
	ScanPrivateLimitHoles,
	/* direct modification only: SemossDmlForm of the statement (Integer) */
	ScanPrivateDmlForm,
	/* direct modification only: whether it counts the rows (Integer 0/1) */
	ScanPrivateSetProcessed
};

/*
 * The LIMIT and OFFSET of a query sent to the engine (see the final-rel
 * path in semoss_fdw.c).  Each is NULL when the query has none, a Const
 * written into the SQL as a number, or an expression (a parameter of a
 * prepared statement) evaluated at execution and written into a hole; the
 * deparser sets the hole numbers, -1 for none.
 */
typedef struct SemossRemoteLimit
{
	Node	   *count;
	Node	   *offset;
	int			count_hole;
	int			offset_hole;
} SemossRemoteLimit;

/* in semoss_fdw.c: the setting semoss_fdw.pushdown */
extern bool semoss_pushdown_enabled;

/* A cached SEMOSS session; see connection.c. */
typedef struct SemossConnection SemossConnection;

/* in option.c */
extern void semoss_get_server_options(ForeignServer *server,
									  SemossServerOptions *opts);
extern void semoss_get_table_options(Oid foreigntableid,
									 SemossTableOptions *opts);
extern char *semoss_option_value(List *options, const char *name);
extern char *semoss_remote_column_name(Oid relid, AttrNumber attnum);
extern int	semoss_fetch_size(int fetch_size_option, int ncolumns);
extern bool semoss_column_is_key(Oid relid, AttrNumber attnum);
extern const char *semoss_sampling_name(SemossSampling method);

/* in dialect.c */
extern const SemossDialect *semoss_dialect_by_name(const char *name);
extern const SemossDialect *semoss_dialect_for_subtype(const char *subtype);
extern char *semoss_dialect_names(void);
extern void semoss_append_identifier(StringInfo buf,
									 const SemossDialect *dialect,
									 const char *ident);

/* in deparse.c */
extern List *semoss_deparse_select(PlannerInfo *root, RelOptInfo *baserel,
								   Relation rel,
								   const SemossTableOptions *opts,
								   Bitmapset *attrs_used, List *remote_conds,
								   List *pathkeys, SemossRemoteLimit *limit,
								   List **retrieved_attrs, List **params);
extern List *semoss_deparse_pushed_select(PlannerInfo *root,
										  RelOptInfo *foreignrel, List *tlist,
										  List *pathkeys,
										  SemossRemoteLimit *limit,
										  List **params);
extern char *semoss_assemble_sql(List *parts, char **values);
extern int	semoss_statement_length(const char *sql);
extern Expr *semoss_pathkey_expr(PlannerInfo *root, RelOptInfo *rel,
								 const SemossTableOptions *opts,
								 PathKey *pathkey);
extern void semoss_append_string_literal(StringInfo buf, const char *text);
extern void semoss_append_literal(StringInfo buf, Oid type, int32 typmod,
								  Datum value, bool isnull);
extern int	semoss_portable_output_begin(void);
extern void semoss_portable_output_end(int nestlevel);
extern void semoss_append_value_literal(StringInfo buf,
										const SemossDialect *dialect,
										FmgrInfo *output, Datum value,
										bool isnull);
extern void semoss_append_remote_table(StringInfo buf,
									   const SemossTableOptions *opts);
extern void semoss_deparse_insert(Relation rel, const SemossTableOptions *opts,
								  List *target_attrs, bool do_nothing,
								  SemossDmlForm form, List *returning_attrs,
								  char **prefix, List **row_parts,
								  char **suffix);
extern List *semoss_deparse_update(Relation rel, const SemossTableOptions *opts,
								   List *target_attrs, List *key_attrs,
								   SemossDmlForm form, List *returning_attrs);
extern List *semoss_deparse_delete(Relation rel, const SemossTableOptions *opts,
								   List *key_attrs, SemossDmlForm form,
								   List *returning_attrs);
extern List *semoss_deparse_direct_modify(PlannerInfo *root, RelOptInfo *baserel,
										  Relation rel,
										  const SemossTableOptions *opts,
										  CmdType operation, List *target_attrs,
										  List *target_exprs, List *remote_conds,
										  SemossDmlForm form,
										  List *returning_attrs,
										  List **params);

/* in shippable.c */
extern bool semoss_is_builtin(Oid objectid);
extern bool semoss_is_foreign_expr(PlannerInfo *root, RelOptInfo *rel,
								   const SemossTableOptions *opts, Expr *expr);
extern bool semoss_is_foreign_grouping_expr(PlannerInfo *root,
											RelOptInfo *input_rel,
											const SemossTableOptions *opts,
											Expr *expr);
extern bool semoss_is_foreign_sort(PlannerInfo *root, RelOptInfo *rel,
								   const SemossTableOptions *opts, Expr *expr);

/* in convert.c */
typedef struct SemossRowConverter SemossRowConverter;
extern SemossRowConverter *semoss_make_row_converter(Relation rel,
													 List *retrieved_attrs);
extern SemossRowConverter *semoss_make_tlist_converter(TupleDesc tupdesc,
													   List *scan_tlist,
													   EState *estate);
extern int	semoss_row_converter_width(const SemossRowConverter *conv);
extern void semoss_convert_row(SemossRowConverter *conv,
							   const SemossPage *page, int row,
							   int64 row_number, Datum *values, bool *nulls);
extern int64 semoss_page_row_count(const SemossPage *page,
								   const char *remote_sql);

/* in result.c */

/* A malloc'd page held by the executor; see result.c. */
typedef struct SemossHeldPage
{
	SemossPage *page;			/* or NULL */
	MemoryContextCallback cleanup;	/* frees `page`, on error too */
} SemossHeldPage;

/* The result of one remote statement, read page by page; see result.c. */
typedef struct SemossRemoteResult
{
	SemossConnection *conn;
	char	   *engine_id;
	int			fetch_size;
	MemoryContext cxt;			/* where this lives */
	char	   *sql;			/* the statement, for error contexts */
	bool		writes;			/* it changes data */
	char	   *task_id;		/* NULL until its first page arrived */
	bool		eof;			/* its last page has arrived */
	int			pages;			/* pages of it fetched */
	SemossHeldPage page;		/* the current page */

	/* what reading cost on the wire, over every statement (EXPLAIN) */
	int64		wire_requests;
	int64		wire_rows;
	int64		wire_bytes;
} SemossRemoteResult;

extern void semoss_held_page_init(SemossHeldPage *held, MemoryContext cxt);
extern void semoss_held_page_set(SemossHeldPage *held, SemossPage *page);
extern void semoss_held_page_release(SemossHeldPage *held);
extern void semoss_result_init(SemossRemoteResult *result,
							   SemossConnection *conn, const char *engine_id,
							   int fetch_size);
extern void semoss_result_start(SemossRemoteResult *result, const char *sql,
								bool writes);
extern SemossPage *semoss_result_next_page(SemossRemoteResult *result,
										   int ncolumns);
extern void semoss_result_restart(SemossRemoteResult *result);
extern void semoss_result_close(SemossRemoteResult *result);

/* in srf.c */
extern Tuplestorestate *semoss_begin_materialized_srf(FunctionCallInfo fcinfo,
													   TupleDesc *tupdesc);

/* in connection.c */
extern SemossConnection *semoss_get_connection(UserMapping *user);
extern void semoss_check_server_usage(ForeignServer *server);
extern SemossSession *semoss_connection_session(SemossConnection *conn);
extern const SemossDialect *semoss_engine_dialect(ForeignServer *server,
												  const char *engine_id);
extern void semoss_connection_track_task(SemossConnection *conn,
										 const char *task_id);
extern void semoss_connection_untrack_task(SemossConnection *conn,
										   const char *task_id);
extern void semoss_connection_check_write_access(SemossConnection *conn,
												 const char *engine_id);
extern void semoss_report_error(const SemossError *err,
								const char *remote_sql) pg_attribute_noreturn();

/* in modify.c */
#if PG_VERSION_NUM >= 140000
extern void semossAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
										  RangeTblEntry *target_rte,
										  Relation target_relation);
#else
extern void semossAddForeignUpdateTargets(Query *parsetree,
										  RangeTblEntry *target_rte,
										  Relation target_relation);
#endif
extern List *semossPlanForeignModify(PlannerInfo *root, ModifyTable *plan,
									 Index resultRelation, int subplan_index);
extern bool semossPlanDirectModify(PlannerInfo *root, ModifyTable *plan,
								   Index resultRelation, int subplan_index);
extern void semossBeginForeignModify(ModifyTableState *mtstate,
									 ResultRelInfo *rinfo, List *fdw_private,
									 int subplan_index, int eflags);
extern TupleTableSlot *semossExecForeignInsert(EState *estate,
											   ResultRelInfo *rinfo,
											   TupleTableSlot *slot,
											   TupleTableSlot *planSlot);
extern TupleTableSlot **semossExecForeignBatchInsert(EState *estate,
													 ResultRelInfo *rinfo,
													 TupleTableSlot **slots,
													 TupleTableSlot **planSlots,
													 int *numSlots);
extern int	semossGetForeignModifyBatchSize(ResultRelInfo *rinfo);
extern TupleTableSlot *semossExecForeignUpdate(EState *estate,
											   ResultRelInfo *rinfo,
											   TupleTableSlot *slot,
											   TupleTableSlot *planSlot);
extern TupleTableSlot *semossExecForeignDelete(EState *estate,
											   ResultRelInfo *rinfo,
											   TupleTableSlot *slot,
											   TupleTableSlot *planSlot);
extern void semossEndForeignModify(EState *estate, ResultRelInfo *rinfo);
extern void semossBeginForeignInsert(ModifyTableState *mtstate,
									 ResultRelInfo *rinfo);
extern void semossEndForeignInsert(EState *estate, ResultRelInfo *rinfo);
extern int	semossIsForeignRelUpdatable(Relation rel);
extern void semossExplainForeignModify(ModifyTableState *mtstate,
									   ResultRelInfo *rinfo,
									   List *fdw_private, int subplan_index,
									   ExplainState *es);
extern void semossExecForeignTruncate(List *rels, DropBehavior behavior,
									  bool restart_seqs);

/* in analyze.c */
extern bool semossAnalyzeForeignTable(Relation relation,
									  AcquireSampleRowsFunc *func,
									  BlockNumber *totalpages);

/* in rawsql.c */
extern Datum semoss_fdw_exec(PG_FUNCTION_ARGS);
extern Datum semoss_fdw_query(PG_FUNCTION_ARGS);

/* in transaction.c */
extern void semoss_note_write_attempt(SemossStatus status);

/* in import.c */
extern List *semossImportForeignSchema(ImportForeignSchemaStmt *stmt,
									   Oid serverOid);

#endif							/* SEMOSS_FDW_H */
