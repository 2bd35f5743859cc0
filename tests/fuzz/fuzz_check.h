/*
 * fuzz_check.h - CHECK(c), the fuzz targets' one assertion: a broken
 * invariant says its file, line and text, then aborts, so that libFuzzer
 * keeps the input that broke it.
 */
#ifndef INVDUMP_FUZZ_CHECK_H
#define INVDUMP_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__,	\
			    __LINE__, #c);				\
			abort();					\
		}							\
	} while (0)

#endif
