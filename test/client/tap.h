/*-------------------------------------------------------------------------
 *
 * tap.h
 *		  Minimal test harness for the SEMOSS client unit tests.
 *
 * A test is a void function run by run_test(); CHECK* macros record
 * failures (with file:line diagnostics) without stopping the test, and
 * run_test prints "ok N - name" or "not ok N - name".  tap_summary prints
 * the closing "N passed, N failed" line.
 *
 * IDENTIFICATION
 *		  test/client/tap.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semoss_client.h"

typedef void (*TestFunc) (void);

extern bool tap_current_failed;

extern void run_test(const char *name, TestFunc fn);
extern void skip_test(const char *name, const char *reason);
extern void tap_diag(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void tap_check_failed(const char *file, int line, const char *fmt,...) __attribute__((format(printf, 3, 4)));
extern int	tap_summary(void);
extern double now_ms(void);

/* Remember every error seen, to check none carries a credential. */
extern void tap_record_error(const SemossError *err);
extern int	tap_recorded_errors(void);
extern const SemossError *tap_recorded_error(int i);

#define CHECK(cond) \
	do { if (!(cond)) tap_check_failed(__FILE__, __LINE__, "%s", #cond); } while (0)

#define CHECK_STR(actual, expected) \
	do { \
		const char *a_ = (actual); const char *e_ = (expected); \
		if (a_ == NULL || e_ == NULL ? a_ != e_ : strcmp(a_, e_) != 0) \
			tap_check_failed(__FILE__, __LINE__, "%s: got \"%s\", expected \"%s\"", \
							 #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
	} while (0)

#define CHECK_INT(actual, expected) \
	do { \
		long long a_ = (long long) (actual); long long e_ = (long long) (expected); \
		if (a_ != e_) \
			tap_check_failed(__FILE__, __LINE__, "%s: got %lld, expected %lld", \
							 #actual, a_, e_); \
	} while (0)

/* Check a status; on mismatch show the error message and detail. */
#define CHECK_ST(st, expected, err) \
	tap_check_status(__FILE__, __LINE__, #st, (st), (expected), (err))

extern void tap_check_status(const char *file, int line, const char *what,
							 SemossStatus st, SemossStatus expected,
							 const SemossError *err);

#endif							/* TAP_H */
