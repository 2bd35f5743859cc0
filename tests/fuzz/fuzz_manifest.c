/*
 * fuzz_manifest.c - libFuzzer target for reading back a jobs run's
 * manifest (manifest_known_pages_text), which a later run trusts only as a
 * hint: how many pages a target found the night before.
 *
 * Input: the manifest's text (any bytes; a NUL ends it early).
 *
 * These must hold for every input, for the names "a", "b", "" and a name
 * NULL:
 *   - every count is 0 or more, and 0 for the NULL name;
 *   - a text yajl_tree cannot parse gives 0 for every name;
 *   - reading it twice gives the same counts.
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_manifest
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "manifest.h"

#include "fuzz_check.h"

#define NNAMES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NNAMES] = { "a", "b", "", NULL };
	long long one[NNAMES], two[NNAMES];
	char *text = malloc(size + 1);
	yajl_val root;
	int i;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	manifest_known_pages_text(text, names, NNAMES, one);
	manifest_known_pages_text(text, names, NNAMES, two);
	root = yajl_tree_parse(text, NULL, 0);
	for (i = 0; i < NNAMES; i++) {
		CHECK(one[i] >= 0);
		CHECK(one[i] == two[i]);
		CHECK(root != NULL || one[i] == 0);
	}
	CHECK(one[3] == 0);
	yajl_tree_free(root);
	free(text);
	return 0;
}
