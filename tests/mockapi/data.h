/*
 * data.h - the mock dataset and its two JSON encodings.
 *
 * Items are produced on demand from a generator index g; nothing is stored.
 * The original dataset is g = 0 .. items-1 in that order.  A drift (once,
 * after a number of served pages) inserts `ins` new items at the front
 * (g = items .. items+ins-1, so their ids are above every original id) and
 * deletes the last `del` original items.
 *
 * The wire form (what list endpoints send) and the canonical form (what
 * invdump must write, served by /truth) come from one item layout written
 * through two small encoders; see data.c.
 */
#ifndef MOCKAPI_DATA_H
#define MOCKAPI_DATA_H

#include <stdint.h>

#include "../../src/buf.h"

/* id of item g is DATA_ID_BASE + g: 2^53 + 1, not exact in a double. */
#define DATA_ID_BASE UINT64_C(9007199254740993)

/* A consistent snapshot of the dataset, taken once per request. */
struct data_view {
	uint64_t items;         /* --items: the original size */
	uint64_t ins;           /* items inserted at the front (0 before drift) */
	uint64_t keep;          /* original items still present */
	uint64_t n;             /* current size: ins + keep */
	uint64_t item_size;     /* pad target of the canonical form; 0: none */
	int drifted;
};

/* data_item()/data_array() flags */
#define DATA_BADUTF8 0x1        /* first item's note holds 0xC3 0x28 */

enum data_form {
	data_form_wire,
	data_form_canon
};

/* Called once by main, single-threaded; drift_after 0 means never. */
void data_init(uint64_t items, uint64_t item_size, uint64_t drift_after,
    uint64_t drift_ins, uint64_t drift_del);
void data_view(struct data_view *v);
/* Counts one list page served from the dataset; may apply the drift. */
void data_served(void);
int data_drifted(void);

/* Generator index of the item at position pos (< v->n). */
uint64_t data_gen(const struct data_view *v, uint64_t pos);
/* Position just after the item with this id (Meraki's startingAfter). */
uint64_t data_pos_after_id(const struct data_view *v, uint64_t id);

/* Appends item g in the given form (no newline). */
void data_item(struct buf *b, const struct data_view *v, uint64_t g,
    enum data_form f, int flags);
/* Appends a wire-form JSON array of the items at positions off .. off+cnt-1,
 * with some whitespace between them. */
void data_array(struct buf *b, const struct data_view *v, uint64_t off,
    uint64_t cnt, int flags);
/* Appends canonical lines from *pos on until b holds at least `want` bytes
 * or the dataset ends; advances *pos. */
void data_truth(struct buf *b, const struct data_view *v, uint64_t *pos,
    size_t want);
/* Appends s as a canonical JSON string (quotes included). */
void data_json_str(struct buf *b, const char *s);

#endif
