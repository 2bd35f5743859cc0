/*
 * test_hashset.c - the one set of hashes: adds, repeats, growth, clearing,
 * and the hash 0.
 */
#include "hash.h"
#include "hashset.h"
#include "tap.h"

int
main(void)
{
	struct hashset s = HASHSET_INIT;
	uint64_t i;
	int bad;

	ok(!hashset_has(&s, 42), "an empty set has nothing");
	ok(hashset_add(&s, 42) == 0 && hashset_add(&s, 42) == 1,
	    "a new hash is added once, then seen");
	ok(hashset_add(&s, 0) == 0 && hashset_has(&s, 0) && hashset_has(&s, 1),
	    "0 is stored (as 1)");
	for (i = 0, bad = 0; i < 100000; i++)
		bad += hashset_add(&s, hash_bytes(&i, sizeof i)) != 0;
	ok(bad == 0 && hashset_count(&s) == 100002,
	    "100000 distinct hashes are all new (growth keeps them)");
	for (i = 0, bad = 0; i < 100000; i++)
		bad += !hashset_has(&s, hash_bytes(&i, sizeof i));
	ok(bad == 0, "... and all found again");
	for (i = 100000, bad = 0; i < 101000; i++)
		bad += hashset_has(&s, hash_bytes(&i, sizeof i));
	ok(bad == 0, "... and none that was not added");
	hashset_clear(&s);
	ok(hashset_count(&s) == 0 && !hashset_has(&s, 42),
	    "clearing empties it");
	ok(hashset_add(&s, 7) == 0, "and it is usable again");
	hashset_free(&s);
	ok(!hashset_has(&s, 7), "freed: empty");
	ok(hash_bytes("abc", 3) == hash_bytes("abc", 3) &&
	    hash_bytes("abc", 3) != hash_bytes("abd", 3) &&
	    hash_bytes("", 0) != hash_bytes("\0", 1),
	    "the hash: equal bytes hash equal; a change or a length changes it");
	return tap_done();
}
