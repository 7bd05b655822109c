/*-------------------------------------------------------------------------
 *
 * test_main.c
 *		  Entry point of the SEMOSS client unit tests.
 *
 * Usage: client_tests [pure|json|transport|emulator]...  (default: all
 * four).
 * Prints one "ok N - name" / "not ok N - name" line per test and a final
 * "N passed, N failed" line; exits non-zero if anything failed.
 *
 * IDENTIFICATION
 *		  test/client/test_main.c
 *
 *-------------------------------------------------------------------------
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tests.h"

int
main(int argc, char **argv)
{
	SemossError err;
	bool		all = (argc < 2);
	int			i;
	int			failures;

	if (semoss_global_init(&err) != SEMOSS_OK)
	{
		printf("not ok 1 - semoss_global_init: %s\n0 passed, 1 failed\n", err.message);
		return 1;
	}
	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "pure") != 0 && strcmp(argv[i], "json") != 0 &&
			strcmp(argv[i], "transport") != 0 && strcmp(argv[i], "emulator") != 0)
		{
			fprintf(stderr, "usage: %s [pure|json|transport|emulator]...\n", argv[0]);
			return 2;
		}
	}
	for (i = all ? 0 : 1; i < (all ? 4 : argc); i++)
	{
		static const char *const groups[] = {"pure", "json", "transport", "emulator"};
		const char *group = all ? groups[i] : argv[i];

		tap_diag("group: %s", group);
		if (strcmp(group, "pure") == 0)
			run_pure_tests();
		else if (strcmp(group, "json") == 0)
			run_json_tests();
		else if (strcmp(group, "transport") == 0)
			run_transport_tests();
		else
			run_emulator_tests();
	}
	failures = tap_summary();
	curl_global_cleanup();
	return failures > 0 ? 1 : 0;
}
