/*-------------------------------------------------------------------------
 *
 * transaction.c
 *		  Keep PostgreSQL's transactions honest about writes to SEMOSS.
 *
 * SEMOSS commits every request on its own (ExecQuery commits whatever its
 * "commit" argument says, and the Collect path runs in autocommit), and it
 * has no way to hold a transaction open across requests.  A write sent to
 * it is therefore permanent the moment it succeeds, whatever the local
 * transaction does afterwards.
 *
 * This file counts the remote write statements of the current transaction,
 * per subtransaction level, so that:
 *	- ROLLBACK, ROLLBACK TO SAVEPOINT or an error after remote writes raise a
 *	  WARNING saying how many statements SEMOSS had already committed;
 *	- PREPARE TRANSACTION after remote writes is refused, since there is no
 *	  remote transaction that could be prepared.
 *
 * IDENTIFICATION
 *		  src/transaction.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"

#include "semoss_fdw.h"

/*
 * writes_at_level[n]: remote write statements made at transaction nesting
 * level n (1 = the top level) and not yet folded into level n - 1.
 */
static int64 *writes_at_level = NULL;
static int	levels_allocated = 0;
static bool callbacks_registered = false;

/* Remote writes of the whole current transaction. */
static int64
total_writes(void)
{
	int64		total = 0;
	int			level;

	for (level = 0; level < levels_allocated; level++)
		total += writes_at_level[level];
	return total;
}

/* Forget every count: the transaction is over. */
static void
reset_writes(void)
{
	if (writes_at_level != NULL)
		memset(writes_at_level, 0, sizeof(int64) * levels_allocated);
}

/* The WARNING that writes already committed by SEMOSS survive a rollback. */
static void
warn_committed_writes(int64 writes, bool to_savepoint)
{
	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg_plural("SEMOSS had already committed " INT64_FORMAT " write statement of this %s",
						   "SEMOSS had already committed " INT64_FORMAT " write statements of this %s",
						   writes, writes,
						   to_savepoint ? "subtransaction" : "transaction"),
			 errdetail("SEMOSS commits every request on its own; rolling back cannot undo writes to SEMOSS foreign tables.  Writes whose request was cut off are counted too, since they may have run."),
			 errhint("Check the remote data; writes through semoss_fdw are not transactional (see the semoss_fdw README).")));
}

/*
 * At the end of a top-level transaction: refuse to PREPARE one that wrote
 * remotely, warn when one that wrote remotely is rolled back.
 */
static void
transaction_callback(XactEvent event, void *arg)
{
	int64		writes = total_writes();

	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			if (writes > 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has written to SEMOSS"),
						 errdetail("SEMOSS committed each of its " INT64_FORMAT " write statements when it ran; there is no remote transaction to prepare.",
								   writes)));
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			reset_writes();
			if (writes > 0)
				warn_committed_writes(writes, false);
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			reset_writes();
			break;
		default:
			break;
	}
}

/*
 * At the end of a subtransaction its writes become its parent's, and a
 * rollback to a savepoint after remote writes gets the same WARNING.
 */
static void
subtransaction_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	int64		writes;

	if (event != SUBXACT_EVENT_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB)
		return;
	if (level >= levels_allocated || level < 2)
		return;

	writes = writes_at_level[level];
	writes_at_level[level] = 0;
	writes_at_level[level - 1] += writes;
	if (event == SUBXACT_EVENT_ABORT_SUB && writes > 0)
		warn_committed_writes(writes, true);
}

/*
 * True if a write request that ended with `status` may have run, and so
 * been committed, on SEMOSS: it succeeded, or it was cut off or answered
 * strangely after it was sent.  A request refused before it ran (no
 * connection, no login, a pixel that reported the statement's failure)
 * wrote nothing.
 */
static bool
write_may_have_run(SemossStatus status)
{
	switch (status)
	{
		case SEMOSS_OK:
		case SEMOSS_ERR_CONNECTION_LOST:
		case SEMOSS_ERR_TIMEOUT:
		case SEMOSS_ERR_CANCELLED:
		case SEMOSS_ERR_HTTP:
		case SEMOSS_ERR_PROTOCOL:
		case SEMOSS_ERR_TASK_LOST:
			return true;
		default:
			return false;
	}
}

/* Make room for counts up to transaction nesting level `level`. */
static void
ensure_level(int level)
{
	int			wanted;

	if (level < levels_allocated)
		return;
	wanted = Max(levels_allocated * 2, 8);
	while (wanted <= level)
		wanted *= 2;
	if (writes_at_level == NULL)
		writes_at_level = MemoryContextAllocZero(TopMemoryContext,
												 sizeof(int64) * wanted);
	else
	{
		writes_at_level = repalloc(writes_at_level, sizeof(int64) * wanted);
		memset(writes_at_level + levels_allocated, 0,
			   sizeof(int64) * (wanted - levels_allocated));
	}
	levels_allocated = wanted;
}

/*
 * Record a write statement sent to SEMOSS in the current (sub)transaction
 * that ended with `status`, if it may have been committed there.  Call it
 * before reporting the request's error, if any.
 */
void
semoss_note_write_attempt(SemossStatus status)
{
	int			level = GetCurrentTransactionNestLevel();

	if (!write_may_have_run(status))
		return;
	if (!callbacks_registered)
	{
		RegisterXactCallback(transaction_callback, NULL);
		RegisterSubXactCallback(subtransaction_callback, NULL);
		callbacks_registered = true;
	}
	ensure_level(level);
	writes_at_level[level]++;
}
