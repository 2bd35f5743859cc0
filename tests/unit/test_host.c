/*
 * test_host.c - the run's hosts: one per origin, --per-host slots, the
 * run's slots and each member's share of them, waiters served first come
 * first (a fresh request passes none that waits: -w 1 with two targets),
 * and how long a host has been busy.  No network: host_enter
 * and host_leave are called as a request would call them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "host.h"
#include "tap.h"

#define ok tap_ok

static atomic_int no_cancel;

static void
test_hosts_get(void)
{
	struct hosts hs;
	struct host *a, *b, *c;

	hosts_init(&hs, 0, 0, 0);
	a = hosts_get(&hs, "https://api.example.com/v1/items?x=1");
	b = hosts_get(&hs, "https://api.example.com:443/other");
	c = hosts_get(&hs, "http://api.example.com/v1/items");
	ok(a != NULL && a == b && c != NULL && c != a,
	    "one host per origin (scheme, host, port; 443 is https's)");
	ok(hosts_get(&hs, "ftp://example.com/") == NULL &&
	    hosts_get(&hs, "items") == NULL, "no host for what is no http(s) "
	    "URL");
	hosts_destroy(&hs);
}

/* --per-host 2: a third request waits; a cancelled wait holds nothing. */
static void
test_per_host(void)
{
	struct hosts hs;
	struct hosts_member m;
	struct host *h;
	atomic_int cancel = 1;

	hosts_init(&hs, 2, 0, 0);
	hosts_join(&hs, &m);
	h = hosts_get(&hs, "http://127.0.0.1:1/");
	ok(host_enter(&hs, h, &m, &no_cancel) == 0 &&
	    host_enter(&hs, h, &m, &no_cancel) == 0 && h->inflight == 2,
	    "--per-host 2: two requests at once");
	ok(host_try_enter(&hs, h, &m) < 0 && h->inflight == 2 &&
	    hs.run_inflight == 2, "... a hedge finds no free slot and takes "
	    "nothing");
	ok(host_enter(&hs, h, &m, &cancel) < 0 && h->inflight == 2 &&
	    hs.run_inflight == 2 && m.inflight == 2,
	    "... a third waits; cancelled, it holds no slot of either kind");
	nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	ok(host_busy(h) >= 0.019 && h->peak == 2, "busy since the first "
	    "request began (20 ms at least); the peak is kept");
	host_leave(&hs, h, &m);
	host_leave(&hs, h, &m);
	ok(h->inflight == 0 && hs.run_inflight == 0 && m.inflight == 0 &&
	    host_busy(h) == 0, "left: nothing under way, the host not busy");
	hosts_part(&hs, &m);
	hosts_destroy(&hs);
}

/* The run's slots: 4 in all, each of two members 2 at most. */
static void
test_run_share(void)
{
	struct hosts hs;
	struct hosts_member m1, m2;
	struct host *a, *b;
	atomic_int cancel = 1;

	hosts_init(&hs, 0, 0, 4);
	hosts_join(&hs, &m1);
	hosts_join(&hs, &m2);
	a = hosts_get(&hs, "http://127.0.0.1:1/");
	b = hosts_get(&hs, "http://127.0.0.2:1/");
	ok(host_enter(&hs, a, &m1, &no_cancel) == 0 &&
	    host_enter(&hs, a, &m1, &no_cancel) == 0 &&
	    host_try_enter(&hs, a, &m1) < 0,
	    "4 slots, 2 members: the first has its share, 2, and no more");
	ok(host_enter(&hs, a, &m1, &cancel) < 0 && a->inflight == 2,
	    "... one more waits for the run's slot after its host's, and "
	    "gives the host's back when cancelled");
	ok(host_enter(&hs, b, &m2, &no_cancel) == 0 &&
	    host_enter(&hs, b, &m2, &no_cancel) == 0 && hs.run_inflight == 4,
	    "... the other member's share is its own");
	host_leave(&hs, b, &m2);
	host_leave(&hs, b, &m2);
	hosts_part(&hs, &m2);
	ok(host_enter(&hs, a, &m1, &no_cancel) == 0 &&
	    host_enter(&hs, a, &m1, &no_cancel) == 0 && m1.inflight == 4,
	    "the other gone: the last member gets every slot");
	while (m1.inflight > 0)
		host_leave(&hs, a, &m1);
	hosts_part(&hs, &m1);
	hosts_destroy(&hs);
}

/* A request that waits for a slot gets it before a fresh one asked after
 * it, even one asked at the very moment the slot is given back. */
struct fifo_waiter {
	struct hosts *hs;
	struct host *h;
	struct hosts_member *m;
	atomic_int *seq;
	atomic_int waiting;
	int at;                 /* its place among the slots taken */
};

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *
fifo_thread(void *arg)
{
	struct fifo_waiter *w = arg;

	atomic_store(&w->waiting, 1);
	if (host_enter(w->hs, w->h, w->m, &no_cancel) < 0)
		return NULL;
	w->at = atomic_fetch_add(w->seq, 1);
	sleep_ms(20);
	host_leave(w->hs, w->h, w->m);
	return NULL;
}

/* per_host and run_cap as for hosts_init; rounds of: the main thread holds
 * the slot, another waits, the main thread gives it back and asks again
 * at once.  Returns the rounds the waiter was served first in. */
static int
fifo_rounds(int per_host, int run_cap, int rounds)
{
	struct hosts hs;
	struct hosts_member m1, m2;
	struct fifo_waiter w;
	struct host *h;
	atomic_int seq;
	pthread_t t;
	int i, first = 0, me;

	hosts_init(&hs, per_host, 0, run_cap);
	h = hosts_get(&hs, "http://127.0.0.1:1/");
	hosts_join(&hs, &m1);
	hosts_join(&hs, &m2);
	for (i = 0; i < rounds; i++) {
		atomic_store(&seq, 0);
		memset(&w, 0, sizeof w);
		w.hs = &hs;
		w.h = h;
		w.m = &m2;
		w.seq = &seq;
		w.at = -1;
		if (host_enter(&hs, h, &m1, &no_cancel) < 0 ||
		    pthread_create(&t, NULL, fifo_thread, &w) != 0)
			break;
		while (!atomic_load(&w.waiting))
			sleep_ms(1);
		sleep_ms(30);   /* it waits in host_enter by now */
		host_leave(&hs, h, &m1);
		if (host_enter(&hs, h, &m1, &no_cancel) == 0) {
			me = atomic_fetch_add(&seq, 1);
			host_leave(&hs, h, &m1);
		} else
			me = -1;
		pthread_join(t, NULL);
		first += w.at == 0 && me == 1;
	}
	hosts_part(&hs, &m2);
	hosts_part(&hs, &m1);
	hosts_destroy(&hs);
	return first;
}

static void
test_fifo(void)
{
	int n;

	n = fifo_rounds(0, 1, 5);
	ok(n == 5, "-w 1, two targets: the request waiting for the run's slot "
	    "gets it before the other's next one (%d of 5 rounds)", n);
	n = fifo_rounds(1, 0, 5);
	ok(n == 5, "--per-host 1: the same for the host's slot (%d of 5 "
	    "rounds)", n);
}

int
main(void)
{
	test_hosts_get();
	test_per_host();
	test_run_share();
	test_fifo();
	return tap_done();
}
