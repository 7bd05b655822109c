/*-------------------------------------------------------------------------
 *
 * option.c
 *		  Validation and lookup of semoss_fdw's options.
 *
 * Every option is described once, in semoss_options[], with the catalog it
 * belongs to and how its value is checked.  Secrets are accepted only in
 * user mappings; giving one anywhere else is refused with a hint, so that a
 * key never lands in a catalog that every user can read.
 *
 * IDENTIFICATION
 *		  src/option.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "semoss_fdw.h"

/* How an option's value is checked. */
typedef enum SemossOptionKind
{
	OPT_STRING,					/* any non-empty string */
	OPT_URL,					/* http:// or https:// URL */
	OPT_IDENTIFIER,				/* safe inside a pixel "..." string */
	OPT_FETCH_SIZE,				/* integer in 1..SEMOSS_MAX_FETCH_SIZE */
	OPT_BATCH_SIZE,				/* integer in 1..SEMOSS_MAX_BATCH_SIZE */
	OPT_SECONDS,				/* integer in 0..86400 */
	OPT_BOOLEAN,
	OPT_DIALECT,				/* a name known to dialect.c */
	OPT_COST,					/* a non-negative number */
	OPT_SAMPLING,				/* an ANALYZE sampling method */
	OPT_SECRET					/* any non-empty string; user mappings only */
} SemossOptionKind;

typedef struct SemossOption
{
	const char *name;
	Oid			context;		/* catalog the option belongs to */
	SemossOptionKind kind;
} SemossOption;

static const SemossOption semoss_options[] = {
	/* server */
	{"url", ForeignServerRelationId, OPT_URL},
	{"engine_id", ForeignServerRelationId, OPT_IDENTIFIER},
	{"fetch_size", ForeignServerRelationId, OPT_FETCH_SIZE},
	{"connect_timeout", ForeignServerRelationId, OPT_SECONDS},
	{"request_timeout", ForeignServerRelationId, OPT_SECONDS},
	{"tls_verify", ForeignServerRelationId, OPT_BOOLEAN},
	{"ca_file", ForeignServerRelationId, OPT_STRING},
	{"dialect", ForeignServerRelationId, OPT_DIALECT},
	{"collation_matches", ForeignServerRelationId, OPT_BOOLEAN},
	{"fdw_startup_cost", ForeignServerRelationId, OPT_COST},
	{"fdw_tuple_cost", ForeignServerRelationId, OPT_COST},
	{"batch_size", ForeignServerRelationId, OPT_BATCH_SIZE},
	{"updatable", ForeignServerRelationId, OPT_BOOLEAN},
	{"truncatable", ForeignServerRelationId, OPT_BOOLEAN},
	{"use_remote_estimate", ForeignServerRelationId, OPT_BOOLEAN},
	{"analyze_sampling", ForeignServerRelationId, OPT_SAMPLING},
	/* user mapping */
	{"access_key", UserMappingRelationId, OPT_SECRET},
	{"secret_key", UserMappingRelationId, OPT_SECRET},
	{"bearer_token", UserMappingRelationId, OPT_SECRET},
	{"bearer_provider", UserMappingRelationId, OPT_STRING},
	/* foreign table */
	{"engine_id", ForeignTableRelationId, OPT_IDENTIFIER},
	{"schema_name", ForeignTableRelationId, OPT_STRING},
	{"table_name", ForeignTableRelationId, OPT_STRING},
	{"query", ForeignTableRelationId, OPT_STRING},
	{"fetch_size", ForeignTableRelationId, OPT_FETCH_SIZE},
	{"batch_size", ForeignTableRelationId, OPT_BATCH_SIZE},
	{"updatable", ForeignTableRelationId, OPT_BOOLEAN},
	{"truncatable", ForeignTableRelationId, OPT_BOOLEAN},
	{"use_remote_estimate", ForeignTableRelationId, OPT_BOOLEAN},
	{"analyze_sampling", ForeignTableRelationId, OPT_SAMPLING},
	/* column */
	{"column_name", AttributeRelationId, OPT_STRING},
	{"key", AttributeRelationId, OPT_BOOLEAN},	/* part of the row key */
	{NULL, InvalidOid, OPT_STRING}
};

/* The values of the analyze_sampling option, in the order of hints. */
static const struct
{
	const char *name;
	SemossSampling method;
}			sampling_methods[] = {
	{"off", SEMOSS_SAMPLE_OFF},
	{"auto", SEMOSS_SAMPLE_AUTO},
	{"random", SEMOSS_SAMPLE_RANDOM},
	{"system", SEMOSS_SAMPLE_SYSTEM},
	{"bernoulli", SEMOSS_SAMPLE_BERNOULLI},
};

/* Parse an analyze_sampling value; false if it names no method. */
static bool
parse_sampling_option(const char *value, SemossSampling *method)
{
	size_t		i;

	for (i = 0; i < lengthof(sampling_methods); i++)
	{
		if (strcmp(sampling_methods[i].name, value) == 0)
		{
			*method = sampling_methods[i].method;
			return true;
		}
	}
	return false;
}

/* The analyze_sampling value that names `method`, for messages. */
const char *
semoss_sampling_name(SemossSampling method)
{
	size_t		i;

	for (i = 0; i < lengthof(sampling_methods); i++)
	{
		if (sampling_methods[i].method == method)
			return sampling_methods[i].name;
	}
	return "?";
}

/* Comma-separated list of the analyze_sampling values, for hints. */
static char *
sampling_option_names(void)
{
	StringInfoData buf;
	size_t		i;

	initStringInfo(&buf);
	for (i = 0; i < lengthof(sampling_methods); i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", sampling_methods[i].name);
	return buf.data;
}

/* Human name of an option context, for messages. */
static const char *
context_name(Oid context)
{
	switch (context)
	{
		case ForeignDataWrapperRelationId:
			return "foreign data wrapper";
		case ForeignServerRelationId:
			return "server";
		case UserMappingRelationId:
			return "user mapping";
		case ForeignTableRelationId:
			return "foreign table";
		case AttributeRelationId:
			return "column";
	}
	return "object";
}

/* Find the description of option `name` in `context`, or NULL. */
static const SemossOption *
find_option(const char *name, Oid context)
{
	const SemossOption *opt;

	for (opt = semoss_options; opt->name; opt++)
	{
		if (opt->context == context && strcmp(opt->name, name) == 0)
			return opt;
	}
	return NULL;
}

/* Find option `name` in any context, to explain where it belongs. */
static const SemossOption *
find_option_anywhere(const char *name)
{
	const SemossOption *opt;

	for (opt = semoss_options; opt->name; opt++)
	{
		if (strcmp(opt->name, name) == 0)
			return opt;
	}
	return NULL;
}

/* Raise the error for an option that does not belong in `context`. */
static void
reject_option(DefElem *def, Oid context)
{
	const SemossOption *elsewhere = find_option_anywhere(def->defname);
	StringInfoData valid;
	const SemossOption *opt;

	if (elsewhere && elsewhere->kind == OPT_SECRET)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" is only allowed in a user mapping",
						def->defname),
				 errdetail("Secrets given to a %s would be readable by every user.",
						   context_name(context)),
				 errhint("Use CREATE USER MAPPING ... OPTIONS (%s '...').",
						 def->defname)));

	initStringInfo(&valid);
	for (opt = semoss_options; opt->name; opt++)
	{
		if (opt->context == context)
			appendStringInfo(&valid, "%s%s", valid.len > 0 ? ", " : "",
							 opt->name);
	}

	if (elsewhere)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" is not allowed for a %s",
						def->defname, context_name(context)),
				 errdetail("\"%s\" is an option of a %s.", def->defname,
						   context_name(elsewhere->context)),
				 valid.len > 0
				 ? errhint("Valid options in this context are: %s.", valid.data)
				 : errhint("There are no valid options in this context.")));

	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
			 errmsg("invalid option \"%s\"", def->defname),
			 valid.len > 0
			 ? errhint("Valid options in this context are: %s.", valid.data)
			 : errhint("There are no valid options in this context.")));
}

/* Parse a non-negative integer option value; false if it is not one. */
static bool
parse_int_option(const char *value, long min, long max, int *result)
{
	char	   *end;
	long		parsed;

	errno = 0;
	parsed = strtol(value, &end, 10);
	while (*end == ' ')
		end++;
	if (errno != 0 || end == value || *end != '\0' ||
		parsed < min || parsed > max)
		return false;
	*result = (int) parsed;
	return true;
}

/* True if `url` starts with http:// or https:// and names a host. */
static bool
url_is_acceptable(const char *url)
{
	const char *rest;

	if (pg_strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (pg_strncasecmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return false;

	if (*rest == '\0' || *rest == '/' || *rest == ':')
		return false;
	for (; *rest; rest++)
	{
		if ((unsigned char) *rest <= ' ' || *rest == '\x7f')
			return false;
	}
	return true;
}

/* Check the value of one option of a known kind. */
static void
validate_option_value(const SemossOption *opt, DefElem *def)
{
	const char *value = defGetString(def);
	int			ival;
	bool		bval;

	if (value[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" must not be empty", opt->name)));

	switch (opt->kind)
	{
		case OPT_STRING:
		case OPT_SECRET:
			break;
		case OPT_URL:
			if (!url_is_acceptable(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"url\": \"%s\"", value),
						 errdetail("Only http:// and https:// URLs with a host name are accepted."),
						 errhint("Give the SEMOSS API base, for example 'https://host/Monolith/api'.")));
			break;
		case OPT_IDENTIFIER:
			if (!semoss_identifier_is_safe(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("Engine ids may not contain quotes, backslashes, angle brackets or control characters, and are at most 200 bytes long.")));
			break;
		case OPT_FETCH_SIZE:
		case OPT_BATCH_SIZE:
			{
				int			max = opt->kind == OPT_FETCH_SIZE
				? SEMOSS_MAX_FETCH_SIZE : SEMOSS_MAX_BATCH_SIZE;

				if (!parse_int_option(value, 1, max, &ival))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									opt->name, value),
							 errdetail("\"%s\" must be an integer from 1 to %d.",
									   opt->name, max)));
			}
			break;
		case OPT_SECONDS:
			if (!parse_int_option(value, 0, 86400, &ival))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("\"%s\" must be a number of seconds from 0 to 86400.",
								   opt->name)));
			break;
		case OPT_BOOLEAN:
			if (!parse_bool(value, &bval))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("\"%s\" requires a Boolean value.", opt->name)));
			if (strcmp(opt->name, "tls_verify") == 0 && !bval && !superuser())
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to turn off TLS verification"),
						 errdetail("Only superusers may set \"tls_verify\" to false.")));
			break;
		case OPT_COST:
			{
				char	   *end;
				double		cost = strtod(value, &end);

				if (end == value || *end != '\0' || !(cost >= 0) || isinf(cost))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									opt->name, value),
							 errdetail("\"%s\" must be a non-negative number.",
									   opt->name)));
			}
			break;
		case OPT_SAMPLING:
			{
				SemossSampling method;

				if (!parse_sampling_option(value, &method))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									opt->name, value),
							 errhint("Valid values are: %s.",
									 sampling_option_names())));
			}
			break;
		case OPT_DIALECT:
			if (strcmp(value, "auto") != 0 &&
				semoss_dialect_by_name(value) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("unsupported dialect \"%s\"", value),
						 errhint("Supported dialects are: auto, %s.",
								 semoss_dialect_names())));
			break;
	}
}

/* Look up a DefElem by name in a list of options, or NULL. */
static DefElem *
find_defelem(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, name) == 0)
			return def;
	}
	return NULL;
}

/* Checks that involve more than one option of the same object. */
static void
validate_option_combination(List *options, Oid context)
{
	if (context == UserMappingRelationId)
	{
		bool		has_access = find_defelem(options, "access_key") != NULL;
		bool		has_secret = find_defelem(options, "secret_key") != NULL;
		bool		has_token = find_defelem(options, "bearer_token") != NULL;
		bool		has_provider = find_defelem(options, "bearer_provider") != NULL;
		DefElem    *secret = find_defelem(options, "secret_key");

		if (has_access != has_secret)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("options \"access_key\" and \"secret_key\" must be given together")));
		if (has_provider && !has_token)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("option \"bearer_provider\" requires \"bearer_token\"")));
		if (has_access && has_token)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("a user mapping takes either \"access_key\" and \"secret_key\" or \"bearer_token\", not both")));
		if (secret && strchr(defGetString(secret), ':') != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("invalid value for option \"secret_key\""),
					 errdetail("SEMOSS splits Basic credentials at ':' and refuses a secret key that contains one.")));
	}
	else if (context == ForeignTableRelationId)
	{
		if (find_defelem(options, "query") != NULL &&
			(find_defelem(options, "table_name") != NULL ||
			 find_defelem(options, "schema_name") != NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"query\" cannot be combined with \"table_name\" or \"schema_name\""),
					 errhint("A foreign table reads either a remote table or the result of a remote query.")));
	}
}

PG_FUNCTION_INFO_V1(semoss_fdw_validator);

/*
 * Validate the options given to a CREATE/ALTER of an object that uses
 * semoss_fdw.  On ALTER, PostgreSQL passes the complete resulting list, so
 * checks across options see the final state.
 */
Datum
semoss_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			context = PG_GETARG_OID(1);
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const SemossOption *opt = find_option(def->defname, context);

		if (opt == NULL)
			reject_option(def, context);
		validate_option_value(opt, def);
	}
	validate_option_combination(options, context);

	PG_RETURN_VOID();
}

/*
 * Apply `def` to *settings if it is one of the settings a foreign table may
 * override (the same option names on servers and tables); false if it is
 * another option.  Values were validated when the option was set.
 */
static bool
apply_table_setting(DefElem *def, SemossTableSettings *settings)
{
	const char *value = defGetString(def);

	if (strcmp(def->defname, "fetch_size") == 0)
		(void) parse_int_option(value, 1, SEMOSS_MAX_FETCH_SIZE, &settings->fetch_size);
	else if (strcmp(def->defname, "batch_size") == 0)
		(void) parse_int_option(value, 1, SEMOSS_MAX_BATCH_SIZE, &settings->batch_size);
	else if (strcmp(def->defname, "updatable") == 0)
		(void) parse_bool(value, &settings->updatable);
	else if (strcmp(def->defname, "truncatable") == 0)
		(void) parse_bool(value, &settings->truncatable);
	else if (strcmp(def->defname, "use_remote_estimate") == 0)
		(void) parse_bool(value, &settings->use_remote_estimate);
	else if (strcmp(def->defname, "analyze_sampling") == 0)
		(void) parse_sampling_option(value, &settings->analyze_sampling);
	else
		return false;
	return true;
}

/* Fill `opts` from a server's options, applying defaults. */
void
semoss_get_server_options(ForeignServer *server, SemossServerOptions *opts)
{
	ListCell   *lc;

	memset(opts, 0, sizeof(*opts));
	opts->connect_timeout = SEMOSS_DEFAULT_CONNECT_TIMEOUT;
	opts->request_timeout = SEMOSS_DEFAULT_REQUEST_TIMEOUT;
	opts->tls_verify = true;
	opts->dialect = NULL;		/* auto */
	opts->fdw_startup_cost = SEMOSS_DEFAULT_STARTUP_COST;
	opts->fdw_tuple_cost = SEMOSS_DEFAULT_TUPLE_COST;
	opts->table_defaults.batch_size = SEMOSS_DEFAULT_BATCH_SIZE;
	opts->table_defaults.updatable = true;
	opts->table_defaults.truncatable = true;
	opts->table_defaults.analyze_sampling = SEMOSS_SAMPLE_AUTO;

	foreach(lc, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const char *value = defGetString(def);

		if (strcmp(def->defname, "url") == 0)
			opts->url = pstrdup(value);
		else if (strcmp(def->defname, "engine_id") == 0)
			opts->engine_id = pstrdup(value);
		else if (strcmp(def->defname, "connect_timeout") == 0)
			(void) parse_int_option(value, 0, 86400, &opts->connect_timeout);
		else if (strcmp(def->defname, "request_timeout") == 0)
			(void) parse_int_option(value, 0, 86400, &opts->request_timeout);
		else if (strcmp(def->defname, "tls_verify") == 0)
			(void) parse_bool(value, &opts->tls_verify);
		else if (strcmp(def->defname, "ca_file") == 0)
			opts->ca_file = pstrdup(value);
		else if (strcmp(def->defname, "dialect") == 0)
			opts->dialect = semoss_dialect_by_name(value);	/* NULL for auto */
		else if (strcmp(def->defname, "collation_matches") == 0)
			(void) parse_bool(value, &opts->collation_matches);
		else if (strcmp(def->defname, "fdw_startup_cost") == 0)
			opts->fdw_startup_cost = strtod(value, NULL);
		else if (strcmp(def->defname, "fdw_tuple_cost") == 0)
			opts->fdw_tuple_cost = strtod(value, NULL);
		else
			(void) apply_table_setting(def, &opts->table_defaults);
	}

	if (opts->url == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"url\" option", server->servername),
				 errhint("Use ALTER SERVER %s OPTIONS (ADD url 'https://host/Monolith/api').",
						 quote_identifier(server->servername))));
}

/*
 * Fill `opts` for a foreign table: its server's settings, overridden by
 * the table's own options.  The remote table name defaults to the local
 * one; an engine id must come from the table or the server.
 */
void
semoss_get_table_options(Oid foreigntableid, SemossTableOptions *opts)
{
	ForeignTable *table = GetForeignTable(foreigntableid);
	ForeignServer *server = GetForeignServer(table->serverid);
	ListCell   *lc;

	memset(opts, 0, sizeof(*opts));
	semoss_get_server_options(server, &opts->server);
	opts->engine_id = opts->server.engine_id;
	opts->settings = opts->server.table_defaults;

	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const char *value = defGetString(def);

		if (strcmp(def->defname, "engine_id") == 0)
			opts->engine_id = pstrdup(value);
		else if (strcmp(def->defname, "schema_name") == 0)
			opts->schema_name = pstrdup(value);
		else if (strcmp(def->defname, "table_name") == 0)
			opts->table_name = pstrdup(value);
		else if (strcmp(def->defname, "query") == 0)
			opts->query = pstrdup(value);
		else
			(void) apply_table_setting(def, &opts->settings);
	}

	if (opts->query == NULL && opts->table_name == NULL)
		opts->table_name = get_rel_name(foreigntableid);

	if (opts->engine_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("foreign table \"%s\" has no SEMOSS engine",
						get_rel_name(foreigntableid)),
				 errhint("Set the \"engine_id\" option on the foreign table or on server \"%s\".",
						 server->servername)));
	if (opts->server.dialect == NULL)
		opts->server.dialect = semoss_engine_dialect(server, opts->engine_id);
}

/* The value of option `name` in a list of options, or NULL. */
char *
semoss_option_value(List *options, const char *name)
{
	DefElem    *def = find_defelem(options, name);

	return def != NULL ? defGetString(def) : NULL;
}

/* The remote name of a column: its column_name option, else its name. */
char *
semoss_remote_column_name(Oid relid, AttrNumber attnum)
{
	char	   *name = semoss_option_value(GetForeignColumnOptions(relid, attnum),
										   "column_name");

	return name != NULL ? name : get_attname(relid, attnum, false);
}

/* True if column `attnum` of foreign table `relid` has the option key 'true'. */
bool
semoss_column_is_key(Oid relid, AttrNumber attnum)
{
	char	   *value = semoss_option_value(GetForeignColumnOptions(relid, attnum),
											"key");
	bool		is_key = false;

	return value != NULL && parse_bool(value, &is_key) && is_key;
}

/*
 * Rows per page for a result of `ncolumns` columns: the fetch_size option
 * if one is set (fetch_size_option > 0), else as many rows as fit
 * SEMOSS_PAGE_CELLS cells, within the automatic bounds.
 */
int
semoss_fetch_size(int fetch_size_option, int ncolumns)
{
	int			rows;

	if (fetch_size_option > 0)
		return fetch_size_option;
	rows = SEMOSS_PAGE_CELLS / Max(ncolumns, 1);
	return Min(Max(rows, SEMOSS_AUTO_FETCH_MIN), SEMOSS_AUTO_FETCH_MAX);
}
