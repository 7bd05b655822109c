/*-------------------------------------------------------------------------
 *
 * tap.c
 *		  Minimal test harness for the SEMOSS client unit tests.
 *
 * IDENTIFICATION
 *		  test/client/tap.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

bool		tap_current_failed = false;

static int	test_number = 0;
static int	passed = 0;
static int	failed = 0;
static int	skipped = 0;

static SemossError *recorded = NULL;
static int	nrecorded = 0;

/* Run one test function and print its TAP line. */
void
run_test(const char *name, TestFunc fn)
{
	tap_current_failed = false;
	fn();
	test_number++;
	if (tap_current_failed)
	{
		failed++;
		printf("not ok %d - %s\n", test_number, name);
	}
	else
	{
		passed++;
		printf("ok %d - %s\n", test_number, name);
	}
	fflush(stdout);
}

/* Print a skipped test; it counts neither as passed nor failed. */
void
skip_test(const char *name, const char *reason)
{
	test_number++;
	skipped++;
	printf("ok %d - %s # SKIP %s\n", test_number, name, reason);
	fflush(stdout);
}

/* Print a diagnostic line ("# ..."). */
void
tap_diag(const char *fmt,...)
{
	char		buf[4096];
	va_list		ap;
	char	   *line;
	char	   *next;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* every line of a multi-line diagnostic gets its own "# " */
	for (line = buf; line != NULL; line = next)
	{
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		printf("# %s\n", line);
	}
	fflush(stdout);
}

/* Record a failed check of the current test. */
void
tap_check_failed(const char *file, int line, const char *fmt,...)
{
	va_list		ap;

	tap_current_failed = true;
	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Compare a status, recording the error for the credential check. */
void
tap_check_status(const char *file, int line, const char *what,
				 SemossStatus st, SemossStatus expected, const SemossError *err)
{
	if (err != NULL && st != SEMOSS_OK)
		tap_record_error(err);
	if (st != expected)
		tap_check_failed(file, line, "%s: got %s, expected %s (message: %s | detail: %s)",
						 what, semoss_status_name(st), semoss_status_name(expected),
						 err ? err->message : "", err ? err->detail : "");
}

/* Print the closing line; returns the number of failures. */
int
tap_summary(void)
{
	if (skipped > 0)
		printf("# %d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	free(recorded);
	recorded = NULL;
	return failed;
}

/* Milliseconds from a monotonic clock. */
double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Keep a copy of an error for the final credential check. */
void
tap_record_error(const SemossError *err)
{
	SemossError *p = realloc(recorded, (size_t) (nrecorded + 1) * sizeof(SemossError));

	if (p == NULL)
		return;
	recorded = p;
	recorded[nrecorded++] = *err;
}

int
tap_recorded_errors(void)
{
	return nrecorded;
}

const SemossError *
tap_recorded_error(int i)
{
	return &recorded[i];
}
