/* The unit test runner: every suite found in tests/unit/, one SRunner.
 * Writes "N passed, M failed" to $HUSK_RESULTS when set, for the summary. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	for (size_t i = 0; i < sizeof(unit_suites) / sizeof(unit_suites[0]); i++)
		srunner_add_suite(sr, unit_suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	int run = srunner_ntests_run(sr);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	const char *results = getenv("HUSK_RESULTS");
	if (results) {
		FILE *f = fopen(results, "w");
		if (f) {
			fprintf(f, "%d %d\n", run - failed, failed);
			fclose(f);
		}
	}
	return failed == 0 && run > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
