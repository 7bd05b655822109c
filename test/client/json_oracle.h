/*-------------------------------------------------------------------------
 *
 * json_oracle.h
 *		  An independent judge of the client's JSON scanner, built on json-c.
 *
 * Used by the unit tests (test_json.c) and the fuzz harness
 * (test/fuzz/fuzz_response.c) to compare src/semoss_json.c with json-c on
 * the same bodies: which bodies are valid, and what every cell holds.
 *
 * IDENTIFICATION
 *		  test/client/json_oracle.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSON_ORACLE_H
#define JSON_ORACLE_H

#include "semoss_client_internal.h"

extern json_object *oracle_json_c_parse(const char *body, size_t len,
										bool *ok);
extern bool oracle_accepts(const char *body, size_t len);
extern json_object *oracle_values(json_object *root);
extern bool oracle_cell_matches(json_object *expected, SemossCellKind kind,
								const char *text, size_t len);
extern bool oracle_page_matches(const SemossPage *page, json_object *values,
								char *why, size_t whysize);
extern bool oracle_is_json_error(const SemossError *err);

#endif							/* JSON_ORACLE_H */
