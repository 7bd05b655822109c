/*-------------------------------------------------------------------------
 *
 * result.c
 *		  Reading a remote result page by page, and holding its pages.
 *
 * Every reader of remote rows (scans, ANALYZE, semoss_fdw_query) speaks
 * the same protocol: Database | Query | Collect(fetch_size) for the first
 * page, Task | Collect for the next ones, a short page ends the result.
 * The task (a server-side cursor) is tracked while the result is read, so
 * that an aborted transaction queues its removal; a finished task is
 * removed with the next request, an abandoned one at once.
 *
 * Pages are malloc'd by the client layer.  A held page is freed when it is
 * replaced or released, and by a reset callback of the memory context that
 * holds it, so an error never leaks one.
 *
 * IDENTIFICATION
 *		  src/result.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "semoss_fdw.h"

/* Free the held page, if any. */
void
semoss_held_page_release(SemossHeldPage *held)
{
	if (held->page != NULL)
	{
		semoss_page_free(held->page);
		held->page = NULL;
	}
}

/* Memory context reset callback: the page is malloc'd, not palloc'd. */
static void
held_page_cleanup(void *arg)
{
	semoss_held_page_release((SemossHeldPage *) arg);
}

/*
 * Start holding pages in `held`, which lives in memory context `cxt`: when
 * that context is reset or deleted, the held page is freed.
 */
void
semoss_held_page_init(SemossHeldPage *held, MemoryContext cxt)
{
	held->page = NULL;
	held->cleanup.func = held_page_cleanup;
	held->cleanup.arg = held;
	MemoryContextRegisterResetCallback(cxt, &held->cleanup);
}

/* Hold `page` instead of the page held so far (which is freed). */
void
semoss_held_page_set(SemossHeldPage *held, SemossPage *page)
{
	semoss_held_page_release(held);
	held->page = page;
}

/*
 * Prepare `result`, which lives in the current memory context, to read
 * results of statements on `engine_id` through `conn`, fetch_size rows per
 * page.
 */
void
semoss_result_init(SemossRemoteResult *result, SemossConnection *conn,
				   const char *engine_id, int fetch_size)
{
	memset(result, 0, sizeof(*result));
	result->conn = conn;
	result->engine_id = pstrdup(engine_id);
	result->fetch_size = fetch_size;
	result->cxt = CurrentMemoryContext;
	semoss_held_page_init(&result->page, result->cxt);
}

/*
 * Forget the statement being read: a task not read to the end is removed
 * in front of the next request (no round trip now), and the held page is
 * freed.
 */
static void
forget_statement(SemossRemoteResult *result)
{
	if (result->task_id != NULL)
	{
		if (!result->eof)
		{
			semoss_connection_untrack_task(result->conn, result->task_id);
			semoss_task_remove_later(semoss_connection_session(result->conn),
									 result->task_id);
		}
		pfree(result->task_id);
		result->task_id = NULL;
	}
	semoss_held_page_release(&result->page);
	result->eof = false;
	result->pages = 0;
}

/*
 * Read the result of `sql` from now on, giving up the previous statement's.
 * With `writes`, the statement changes data: SEMOSS's edit permission is
 * checked before it is sent, and the attempt is counted for the
 * transaction's warnings (see transaction.c).  `sql` is copied; it is shown
 * in the context of errors.
 */
void
semoss_result_start(SemossRemoteResult *result, const char *sql, bool writes)
{
	forget_statement(result);
	if (result->sql != NULL)
		pfree(result->sql);
	result->sql = MemoryContextStrdup(result->cxt, sql);
	result->writes = writes;
}

/*
 * The next page of the result (held by `result` until the next call), or
 * NULL after the last one.  With `ncolumns` >= 0, a page of another width
 * is an error.  A short page ends the result; its task is finished on the
 * server but still stored there, so its removal is queued for the next
 * request.
 */
SemossPage *
semoss_result_next_page(SemossRemoteResult *result, int ncolumns)
{
	SemossSession *session = semoss_connection_session(result->conn);
	SemossError err;
	SemossStatus status;
	SemossPage *page = NULL;

	semoss_held_page_release(&result->page);
	if (result->eof)
		return NULL;

	CHECK_FOR_INTERRUPTS();
	if (result->task_id == NULL)
	{
		if (result->writes)
			semoss_connection_check_write_access(result->conn, result->engine_id);
		status = semoss_query(session, result->engine_id,
							  pg_server_to_any(result->sql, strlen(result->sql), PG_UTF8),
							  result->fetch_size, &page, &err);
		if (result->writes)
			semoss_note_write_attempt(status);
	}
	else
		status = semoss_task_collect(session, result->task_id,
									 result->fetch_size, &page, &err);
	if (status != SEMOSS_OK)
		semoss_report_error(&err, result->sql);
	semoss_held_page_set(&result->page, page);
	result->pages++;
	result->wire_requests++;
	result->wire_rows += semoss_page_nrows(page);
	result->wire_bytes += semoss_page_bytes(page);

	if (result->task_id == NULL)
	{
		result->task_id = MemoryContextStrdup(result->cxt, semoss_page_task_id(page));
		semoss_connection_track_task(result->conn, result->task_id);
	}

	if (ncolumns >= 0 && semoss_page_ncols(page) != ncolumns)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_COLUMN_NUMBER),
				 errmsg("SEMOSS returned %d columns where %d were expected",
						semoss_page_ncols(page), ncolumns),
				 errcontext("remote SQL: %s", result->sql)));

	if (semoss_page_nrows(page) < result->fetch_size)
	{
		result->eof = true;
		semoss_connection_untrack_task(result->conn, result->task_id);
		semoss_task_remove_later(session, result->task_id);
	}
	return page;
}

/*
 * Read the statement again from its first page (its task, if not read to
 * the end, is given up).
 */
void
semoss_result_restart(SemossRemoteResult *result)
{
	forget_statement(result);
}

/*
 * Done reading: a result not read to the end (LIMIT, a cursor closed
 * early) still holds a cursor and a database connection on the SEMOSS
 * side, so its task is removed now rather than with the next request.
 */
void
semoss_result_close(SemossRemoteResult *result)
{
	if (result->task_id != NULL && !result->eof)
	{
		SemossSession *session = semoss_connection_session(result->conn);
		SemossError err;

		semoss_connection_untrack_task(result->conn, result->task_id);
		if (semoss_task_remove(session, result->task_id, &err) != SEMOSS_OK)
		{
			if (err.status == SEMOSS_ERR_CANCELLED)
				semoss_report_error(&err, NULL);
			/* the query itself succeeded; retry the removal later */
			semoss_task_remove_later(session, result->task_id);
			elog(DEBUG1, "semoss_fdw: could not remove task %s: %s",
				 result->task_id, err.message);
		}
		result->eof = true;
	}
	semoss_held_page_release(&result->page);
}
