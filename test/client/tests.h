/*-------------------------------------------------------------------------
 *
 * tests.h
 *		  The four groups of SEMOSS client tests.
 *
 * IDENTIFICATION
 *		  test/client/tests.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TESTS_H
#define TESTS_H

extern void run_pure_tests(void);
extern void run_json_tests(void);
extern void run_transport_tests(void);
extern void run_emulator_tests(void);

#endif							/* TESTS_H */
