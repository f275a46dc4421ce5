// SPDX-License-Identifier: Apache-2.0
// fr_budget.c: the overhead budget: a thread that records more than its share
// of time allows, over a horizon of a second, has its hottest sites muted for
// a while.
//
// Recording costs about FR_EVENT_COST_NS per event, so a budget of b percent
// of a thread's time is one event per FR_EVENT_COST_NS * 100 / b ns (1%:
// half a million events a second). Each thread has a token bucket that holds
// FR_BUDGET_HORIZON_NS of that allowance, refilled at half the budget:
// bursts are free as long as the thread's rate over about a second stays
// under its budget, so a request handler that calls a small function
// thousands of times in a millisecond and then idles is never muted (a chunk-local rate, what this file judged
// by before, muted it within the first burst, and with it the one slow call
// the recording was for). The check costs the hot path nothing: it runs in
// the slow path, when a thread has filled a quarter of its chunk (fr_thread.c
// sets the hot path's limit there) or all of it, and charges the events
// written since the last check, estimated from the thread's bytes per event.
// A thread whose bucket runs dry has its chunk read back, its events counted
// per site, and the sites with the most events muted, hottest first, until
// what is left is half the budget; a site whose own rate is under a tenth of
// the budget is never muted, whatever the thread's total. A new thread's
// bucket starts with a grant from a shared one (one thread's allowance),
// which also pays for the threads that end before their first check: a
// program that starts thread after thread is budgeted as one thread, not
// given a fresh bucket per thread.
//
// Muting is XRay's unpatching, decided by a rate: one byte per site, the
// guard the inserted code already tests (fr_sites.c), so a muted function
// costs what it costs while the recorder is stopped; or, for a function
// whose counting costs at most a quarter of the budget, the counted tier
// (fr_counted.c): its calls counted per thread, its slow ones recorded,
// and charged to the thread like recorded events (muted outright once they
// cost more than that quarter). A
// lock site keeps its contended waits and a blocking site its calls longer
// than FR_SLOW_CALL_NS (FR_GUARD_SLOW). It is not forever: a muted site is re-armed after the
// re-arm time (1 s, FR_OPTIONS rearm=), doubled each time the budget has to
// mute it again (at most 64 times), so a function hot only at start-up is
// recorded again later and one hot for good costs a burst now and then. The
// chunk of the thread that muted or re-armed a site holds an FR_EXT_MUTED or
// FR_EXT_REARMED event; a site muted when a snapshot is taken has
// FR_SITE_MUTED in its record.
//
// Concurrency: the checks run on a writer thread in its slow path or at its
// exit (fr_tls.busy set), before it takes fr_state.lock; a thread's bucket
// is its own. The per-site counts (with what they are of, fr_tally), the
// list of muted sites and the shared bucket are static, claimed with an
// atomic flag: a thread that finds it taken skips that part of its check
// (its next check tries again). Muting and re-arming take the site
// registry's lock with a try for the same reason: a hook never waits for a
// snapshot. fr_budget_start waits for the flag (its holders never block).
// The budget's parameters, the earliest re-arm time and the re-arm round
// are stored and read relaxed.
#include "fr_internal.h"

#include <sched.h>
#include <string.h>

#define FR_BUDGET_SLOTS 4096u // distinct sites counted per chunk (a power of 2)
// The bucket holds this much of a thread's allowance, and is refilled at
// half the budget's rate: a thread whose rate stays under half its budget
// is never muted, and one at its budget runs its bucket dry in a second
// (a burst far above it, in proportionally less).
#define FR_BUDGET_HORIZON_NS (500ull * 1000 * 1000)
// A site whose events cost less than this fraction of the budget is never
// muted: muting it would save little and lose a function a reader wants.
#define FR_BUDGET_FLOOR_DIVISOR 10
#define FR_REARM_DEFAULT_NS (1000ull * 1000 * 1000)
#define FR_REARM_MAX_DOUBLINGS 6 // a site muted again and again: 64 x rearm
#define FR_MUTED_SITES 1024      // muted sites remembered for re-arming
#define FR_ESTIMATED_CHECKS 8    // checks on a density before a recount
// The grace, an eighth of a full bucket: what a thread keeps after a
// recount that could not bring it under its budget, or a re-arm.
#define FR_BUDGET_GRACE_DIVISOR 8
// Sites a recount looks at, hottest first, for what to mute: this bounds
// the check's time when many sites are under the floor (a site it does not
// reach is looked at again next time).
#define FR_MUTE_CANDIDATES 64
// A site with fewer events than this in the chunk is never muted: its rate
// cannot be told (a thread's one call of its start routine, seen just
// before a check under a tiny budget, read as a thousand calls a second).
#define FR_MUTE_MIN_EVENTS 8
// What a counted call costs per event (its entry and its exit hooks each
// go out of line to count, and read no clock, but save and restore the
// registers they use): about what recording costs. Measured with
// bench/counted.sh: 176 instructions a call against recording's 138 and a
// read of the CPU's clock (bench/RESULTS.md, "The counted tier"). So
// counting a function saves the budget nothing: a muted function is
// counted (fr_counted.c) when counting it takes at most a quarter of the
// budget, and what it costs stays in the thread's rate, for which the
// budget mutes other sites outright.
#define FR_COUNTED_COST_NS FR_EVENT_COST_NS
#define FR_COUNTED_BUDGET_DIVISOR 4

struct fr_site_count {
  uint32_t site; // 0: free
  uint32_t count;
  uint64_t first_ticks; // of its first event in the chunk
};

static struct fr_site_count fr_budget_counts[FR_BUDGET_SLOTS];
static uint32_t fr_budget_used[FR_BUDGET_SLOTS]; // slots to clear afterwards
static uint32_t fr_slots_used;
static int fr_budget_claimed;

// What the per-site counts are of: one chunk of one thread, decoded up to
// the cursor. A recount of the same chunk goes on from there rather than
// decode the chunk from its start again: while a program starts or changes
// phase, the looks after a recount cut short come a quarter chunk apart,
// and decoding from the start each time made the recounts cost three
// quarters of what the hooks themselves cost in speedtest1's first 20 ms
// (with the one-pass ranking below, a third). A chunk
// taken again is another (its base time differs); any other thread's
// recount starts the counts over.
static struct {
  const struct fr_chunk *chunk; // NULL: the counts are of nothing
  uint64_t base_ticks;
  struct fr_cursor cursor;
  uint64_t events;  // decoded so far
  uint64_t charged; // the same, a counted call as what it costs
} fr_tally;

static double fr_budget_fraction; // of a thread's time; 0: no budget
static uint64_t fr_budget_ticks_per_event; // 0: no budget, or not calibrated
static uint64_t fr_budget_capacity;        // events in a full bucket
static uint64_t fr_budget_hz;
// The recorder's start, from which a check before the first calibration
// measures the tick rate; fr_budget_wanted is set once they are stored.
static uint64_t fr_budget_start_ticks;
static uint64_t fr_budget_start_ns;
static int fr_budget_wanted;
uint64_t fr_slow_call_ticks = UINT64_MAX;

// A site the budget muted: how often, when last, and when it is re-armed
// (0: it records now).
struct fr_muted_entry {
  uint32_t site;
  uint32_t times;
  uint64_t muted_at;
  uint64_t due;
};
static struct fr_muted_entry fr_muted[FR_MUTED_SITES];
static uint32_t fr_muted_count;
static uint64_t fr_rearm_ns = FR_REARM_DEFAULT_NS;
static int fr_counted_mode; // enum fr_counted_mode
static uint64_t fr_rearm_ticks;            // 0: never re-armed
static uint64_t fr_rearm_due = UINT64_MAX; // the earliest due time
// Counts the looks that re-armed a site. A thread that sees it move at its
// look starts a new measure with at most an eighth of a bucket (the grace):
// a re-arm is a probe, not a new allowance. Before, a thread whose muted
// sites had let its bucket fill spent all of it on a re-armed site still
// hot: on speedtest1, 170,000 events in 20 ms after 47 sites were re-armed
// at once, a sixth of all it recorded in the run.
static uint32_t fr_rearm_round;

// The shared bucket: one thread's allowance, refilled with wall-clock time
// from when it was last refilled (0: not yet started). A new thread's
// bucket starts with a grant from it, at most FR_BUDGET_GRANT_DIVISOR-th of
// a full one, and threads that exit before their first look are charged to
// it: a program that starts thread after thread is budgeted as one thread,
// not given a fresh bucket per thread.
#define FR_BUDGET_GRANT_DIVISOR 8
static struct fr_budget_bucket fr_shared;
static uint64_t fr_shared_refilled;

static int fr_budget_claim(void) {
  return !__atomic_exchange_n(&fr_budget_claimed, 1, __ATOMIC_ACQUIRE);
}

static void fr_budget_release(void) {
  __atomic_store_n(&fr_budget_claimed, 0, __ATOMIC_RELEASE);
}

// A fork child: the thread that held the flag (if any) is gone, and only
// the forking thread's chunk goes on.
void fr_budget_after_fork_child(void) {
  fr_budget_claimed = 0;
  fr_tally.chunk = NULL;
}

void fr_budget_set_rearm(uint64_t ns) {
  __atomic_store_n(&fr_rearm_ns, ns, __ATOMIC_RELAXED);
}

void fr_budget_set_counted(int mode) {
  __atomic_store_n(&fr_counted_mode, mode, __ATOMIC_RELAXED);
}

// Is site, muted at this rate (events per tick), counted instead? With the
// registry's lock held. The counted sites together, not each, may take a
// quarter of the budget: each alone, four slots took all of it (on
// speedtest1, 620,000 counted calls in a 2.3 s run beside 720,000 recorded
// events, and the run 2.3% over plain where the budget meant 1%).
static int fr_counts_at(uint32_t site, double site_rate, double allowed) {
  switch (__atomic_load_n(&fr_counted_mode, __ATOMIC_RELAXED)) {
  case FR_COUNTED_ALL:
    return 1;
  case FR_COUNTED_NONE:
    return 0;
  default:
    return (fr_counted_rate_besides(site) + site_rate) * FR_COUNTED_COST_NS <=
           allowed * FR_EVENT_COST_NS / FR_COUNTED_BUDGET_DIVISOR;
  }
}

void fr_budget_start(const fr_config *cfg,
                     const struct fr_clock_anchor *start) {
  double percent = cfg->budget_percent;
  __atomic_store_n(&fr_budget_wanted, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_ticks_per_event, 0, __ATOMIC_RELAXED);
  double fraction = percent > 0 && percent < 100 ? percent / 100 : 0;
  __atomic_store(&fr_budget_fraction, &fraction, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_start_ticks, start->ticks, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_start_ns, start->monotonic_ns, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_wanted, fraction > 0, __ATOMIC_RELEASE);
  while (!fr_budget_claim()) // a check in progress on another thread
    sched_yield();
  fr_muted_count = 0; // fr_sites_arm records every site again
  fr_tally.chunk = NULL;
  __atomic_store_n(&fr_rearm_due, UINT64_MAX, __ATOMIC_RELAXED);
  fr_shared = (struct fr_budget_bucket){0, 0, 0, 0, 0};
  fr_shared_refilled = 0;
  fr_budget_release();
}

void fr_budget_calibrate(double tick_hz) {
  double fraction;
  __atomic_load(&fr_budget_fraction, &fraction, __ATOMIC_RELAXED);
  uint64_t rearm_ns = __atomic_load_n(&fr_rearm_ns, __ATOMIC_RELAXED);
  if (fraction <= 0 || tick_hz <= 0)
    return;
  __atomic_store_n(&fr_slow_call_ticks,
                   (uint64_t)(tick_hz * FR_SLOW_CALL_NS * 1e-9),
                   __ATOMIC_RELAXED);
  double per_event = tick_hz * FR_EVENT_COST_NS * 1e-9 / fraction;
  uint64_t ticks_per_event = per_event < 1 ? 1 : (uint64_t)per_event;
  uint64_t horizon = (uint64_t)(tick_hz * FR_BUDGET_HORIZON_NS * 1e-9);
  uint64_t rearm = (uint64_t)(tick_hz * (double)rearm_ns * 1e-9);
  __atomic_store_n(&fr_rearm_ticks, rearm_ns && !rearm ? 1 : rearm,
                   __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_capacity, horizon / ticks_per_event,
                   __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_hz, (uint64_t)tick_hz, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_ticks_per_event, ticks_per_event,
                   __ATOMIC_RELEASE);
}

int fr_budget_is_set(void) {
  return __atomic_load_n(&fr_budget_wanted, __ATOMIC_RELAXED);
}

// A check in the recorder's first millisecond, before any slow path has
// calibrated the budget (fr_thread.c does at each chunk until min_age is
// known): measures the tick rate from the start itself, once a millisecond
// has passed, so that a chunk taken at the very start is budgeted like the
// rest instead of running to its end unchecked. Returns ticks per event, 0
// while it cannot tell yet.
static uint64_t fr_budget_calibrate_early(void) {
  if (!__atomic_load_n(&fr_budget_wanted, __ATOMIC_ACQUIRE))
    return 0;
  struct fr_clock_anchor now;
  fr_clock_anchor_now(&now);
  uint64_t start_ns = __atomic_load_n(&fr_budget_start_ns, __ATOMIC_RELAXED);
  uint64_t start_ticks =
      __atomic_load_n(&fr_budget_start_ticks, __ATOMIC_RELAXED);
  if (now.monotonic_ns < start_ns + 1000 * 1000 || now.ticks <= start_ticks)
    return 0;
  fr_budget_calibrate((double)(now.ticks - start_ticks) * 1e9 /
                      (double)(now.monotonic_ns - start_ns));
  return __atomic_load_n(&fr_budget_ticks_per_event, __ATOMIC_ACQUIRE);
}

// Refills the bucket with what elapsed ticks earn at half the budget's rate
// (up to full: then the measure of the rate starts over) and charges events;
// 1 if that overdraws it. Half: a thread left at its full budget would
// spend it all, every second, on whatever its hot sites are (on SQLite's
// speedtest1, about twice the events and the recorder's cost of muting to
// half the budget, which the chunk-local rule did); half is where muting
// aims anyway.
static int fr_bucket_charge(struct fr_budget_bucket *b, uint64_t elapsed,
                            uint64_t events, uint64_t per_event) {
  int64_t capacity = (int64_t)__atomic_load_n(&fr_budget_capacity,
                                              __ATOMIC_RELAXED);
  uint64_t earned = elapsed / (2 * per_event);
  b->tokens += earned > (uint64_t)capacity ? capacity : (int64_t)earned;
  if (b->tokens >= capacity) {
    b->tokens = capacity;
    b->spent = b->elapsed = 0;
  }
  b->elapsed += elapsed;
  b->spent += events;
  // At most a chunk's bytes, and the calls its counted events hold.
  b->tokens -= (int64_t)events;
  return b->tokens < 0;
}

static void fr_count_site(uint32_t site, uint64_t ticks, uint32_t events) {
  uint32_t slot = (site * 0x9e3779b1u) >> 20 & (FR_BUDGET_SLOTS - 1);
  for (;; slot = (slot + 1) & (FR_BUDGET_SLOTS - 1)) {
    struct fr_site_count *e = &fr_budget_counts[slot];
    if (e->site == site) {
      e->count = e->count > UINT32_MAX - events ? UINT32_MAX : e->count + events;
      return;
    }
    if (e->site)
      continue;
    if (fr_slots_used >= FR_BUDGET_SLOTS * 3 / 4)
      return; // full enough: a site this rare is not the one to mute
    e->site = site;
    e->count = events;
    e->first_ticks = ticks;
    fr_budget_used[fr_slots_used++] = slot;
    return;
  }
}

// What a counted function's calls cost, in recorded events: each call runs
// two hooks, which count it at about what recording costs. Charged like
// recorded events (from fr_tls.counted_unbilled, which the counted tier adds
// to as it writes its counts out), so that a counted function that gets
// hotter is seen, and muted outright once counting it costs more than its
// share (before, counted calls were never charged: a function counted at a
// moderate rate cost what it cost however hot it got, until re-armed).
static uint64_t fr_counted_events(uint64_t calls) {
  return calls * 2 * FR_COUNTED_COST_NS / FR_EVENT_COST_NS;
}

// Counts the events from the cursor up to len bytes (through the reader's
// decoder, include/fr_codec.h), and leaves the cursor after them; returns
// how many there were, each FR_EXT_COUNTED one event (the bytes' density).
// With per_site (the caller holds the flag; the cursor started at the
// chunk's base time, so that each site's first event has its time), counts
// them per site too, a counted function's calls as what they cost
// (fr_counted_events), and sets *charged to the events with those calls.
// Stops at anything it cannot read (it never should: the thread wrote
// them). Always inlined, and per_site is a constant at each call: a runtime
// test would let the compiler load the counts' globals ahead of it in a
// count taken without the flag, which ThreadSanitizer reports as a race
// with the thread that holds it.
static inline __attribute__((always_inline)) uint64_t
fr_count_events_in(const uint8_t *events, uint32_t len, struct fr_cursor *cur,
                   const int per_site, uint64_t *charged) {
  uint64_t count = 0, counted = 0;
  struct fr_event ev;
  while (fr_decode_next(events, len, cur, &ev) == 1) {
    count++;
    if (!per_site)
      continue;
    if (ev.event_class != FR_EV_EXT) {
      fr_count_site(ev.id, ev.ticks, 1);
    } else if (ev.id == FR_EXT_COUNTED && ev.field[0]) {
      // Stamped when written out: its calls came before.
      uint64_t cost = fr_counted_events(ev.field[0]);
      fr_count_site((uint32_t)ev.arg, ev.ticks,
                    cost < UINT32_MAX ? (uint32_t)cost : UINT32_MAX);
      counted += cost;
    }
  }
  if (per_site)
    *charged = count + counted;
  return count;
}

static uint64_t fr_count_events(const uint8_t *events, uint32_t len) {
  struct fr_cursor cur;
  fr_cursor_start(&cur, 0);
  return fr_count_events_in(events, len, &cur, 0, NULL);
}

static void fr_counts_clear(void) {
  for (uint32_t i = 0; i < fr_slots_used; i++)
    fr_budget_counts[fr_budget_used[i]] = (struct fr_site_count){0, 0, 0};
  fr_slots_used = 0;
}

// With the flag held: counts the first len bytes of t's chunk per site,
// going on from fr_tally where it is of this chunk; returns the events in
// them, and sets *charged to the same with counted calls at their cost.
static uint64_t fr_count_events_per_site(const struct fr_chunk *c,
                                         uint32_t len, uint64_t *charged) {
  if (fr_tally.chunk != c || fr_tally.base_ticks != c->hdr.base_ticks ||
      fr_tally.cursor.offset > len) {
    fr_counts_clear();
    fr_tally.chunk = c;
    fr_tally.base_ticks = c->hdr.base_ticks;
    fr_cursor_start(&fr_tally.cursor, c->hdr.base_ticks);
    fr_tally.events = fr_tally.charged = 0;
  }
  uint64_t charged_now;
  fr_tally.events +=
      fr_count_events_in(c->data, len, &fr_tally.cursor, 1, &charged_now);
  fr_tally.charged += charged_now;
  *charged = fr_tally.charged;
  return fr_tally.events;
}

static uint32_t fr_density(uint32_t len, uint64_t events) {
  return events ? (uint32_t)((uint64_t)len * 256 / events) : 0;
}

// The events of len bytes to charge to b: estimated from its density, or
// counted every FR_ESTIMATED_CHECKS-th time (and at first) in case the mix
// of events changed.
static uint64_t fr_bucket_events(struct fr_budget_bucket *b,
                                 const uint8_t *data, uint32_t len) {
  if (b->density && b->estimated < FR_ESTIMATED_CHECKS) {
    b->estimated++;
    return (uint64_t)len * 256 / b->density;
  }
  uint64_t events = fr_count_events(data, len);
  b->density = fr_density(len, events);
  b->estimated = 0;
  return events;
}

// With the flag held: the site is muted from now; when to re-arm it.
static void fr_note_muted(uint32_t site, uint64_t now) {
  struct fr_muted_entry *e = NULL;
  for (uint32_t i = 0; i < fr_muted_count && !e; i++)
    if (fr_muted[i].site == site)
      e = &fr_muted[i];
  if (!e) {
    if (fr_muted_count == FR_MUTED_SITES)
      return; // too many remembered: muted until the next start
    e = &fr_muted[fr_muted_count++];
    *e = (struct fr_muted_entry){site, 0, 0, 0};
  }
  uint32_t doublings =
      e->times < FR_REARM_MAX_DOUBLINGS ? e->times : FR_REARM_MAX_DOUBLINGS;
  e->times++;
  e->muted_at = now;
  uint64_t rearm = __atomic_load_n(&fr_rearm_ticks, __ATOMIC_RELAXED);
  e->due = rearm ? now + (rearm << doublings) : 0;
  if (e->due && e->due < __atomic_load_n(&fr_rearm_due, __ATOMIC_RELAXED))
    __atomic_store_n(&fr_rearm_due, e->due, __ATOMIC_RELAXED);
}

// A site's events per tick: its share of the thread's rate, or what its own
// events in the chunk add up to over the time they span, whichever is less.
// The share alone is wrong for a site whose events in the chunk are older
// than the thread's measure: a function called every millisecond for a
// second, then a flood, holds a part of the chunk that the flood's rate
// would make tens of thousands of calls a second.
static double fr_site_rate(const struct fr_site_count *e, double rate,
                           uint64_t events, uint64_t now) {
  double share = rate * (double)e->count / (double)events;
  uint64_t span = now > e->first_ticks ? now - e->first_ticks : 1;
  double own = (double)e->count / (double)span;
  return own < share ? own : share;
}

// With the flag held, the counts taken: the slots of the sites with the
// most events, at most FR_MUTE_CANDIDATES, most first, into top; returns
// how many. One pass: a pass over every site for each one looked at, as
// before, took 40% of a recount's time on speedtest1's start once each
// chunk was decoded only once. The counts stay as they are, for the next
// recount of the same chunk.
static uint32_t fr_hottest_sites(uint16_t top[FR_MUTE_CANDIDATES]) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < fr_slots_used; i++) {
    uint32_t slot = fr_budget_used[i];
    uint32_t count = fr_budget_counts[slot].count;
    if (n == FR_MUTE_CANDIDATES &&
        count <= fr_budget_counts[top[n - 1]].count)
      continue;
    uint32_t at = n < FR_MUTE_CANDIDATES ? n++ : n - 1;
    for (; at > 0 && fr_budget_counts[top[at - 1]].count < count; at--)
      top[at] = top[at - 1];
    top[at] = (uint16_t)slot;
  }
  return n;
}

// With the flag held, the counts taken: mutes the hottest counted sites
// until the rest are half the budget, never one under the floor. rate is
// the thread's events per tick over the bucket's horizon, events the count
// the per-site counts add up to. Returns the notes written into out, and
// in *stop why it stopped.
enum fr_mute_stop {
  FR_MUTE_STOP_DONE,      // at half the budget, or every site looked at
  FR_MUTE_STOP_CUT_SHORT, // sites left it did not look at: no room for
                          // more notes, FR_MUTE_CANDIDATES looked at, or
                          // the registry busy
  FR_MUTE_STOP_UNDECIDED, // the sites left have too few events each to
                          // tell their rates
};
static uint32_t fr_mute_hottest(double *rate_io, uint64_t events, uint64_t now,
                                struct fr_budget_note *out, uint32_t max,
                                enum fr_mute_stop *stop) {
  const double thread_rate = *rate_io;
  double rate = thread_rate; // what is left once the muted sites are gone
  uint64_t per_event = __atomic_load_n(&fr_budget_ticks_per_event,
                                       __ATOMIC_RELAXED);
  double allowed = 1.0 / (double)per_event; // events per tick
  double hz = (double)__atomic_load_n(&fr_budget_hz, __ATOMIC_RELAXED);
  uint32_t n = 0, looked = 0;
  *stop = FR_MUTE_STOP_DONE;
  if (!events)
    return 0;
  if (!fr_sites_try_lock()) {
    *stop = FR_MUTE_STOP_CUT_SHORT;
    return 0; // *rate_io unchanged: nothing was muted
  }
  uint16_t top[FR_MUTE_CANDIDATES];
  uint32_t candidates = fr_hottest_sites(top);
  for (; rate > allowed / 2 && n < max && looked < candidates; looked++) {
    struct fr_site_count *hottest = &fr_budget_counts[top[looked]];
    if (hottest->count < FR_MUTE_MIN_EVENTS) {
      // This and the rest are each a few events: no rate to judge by.
      *stop = FR_MUTE_STOP_UNDECIDED;
      break;
    }
    // The thread's rate is accounted for by shares (of the whole thread's
    // rate, not of what is left); the floor and the note go by the site's
    // own rate.
    double share = thread_rate * (double)hottest->count / (double)events;
    double site_rate = fr_site_rate(hottest, thread_rate, events, now);
    if (site_rate < allowed / FR_BUDGET_FLOOR_DIVISOR)
      continue; // a less frequent site may still be over it (a new flood)
    // Counted rather than muted outright when counting it costs at most a
    // quarter of the budget (and, to begin counting it, the notes have room
    // for the two events that say so); what counting costs stays in the
    // thread's rate. A counted site past that (its calls are charged) is
    // muted outright.
    enum fr_mute_how how =
        !fr_counts_at(hottest->site, site_rate, allowed) ? FR_MUTE_OUTRIGHT
        : n + 2 <= max                                   ? FR_MUTE_COUNT
                                                         : FR_MUTE_KEEP;
    // A site muted already (by another thread, or a lock's contended
    // waits) has done all muting can do for it; one that cannot be muted
    // (a user annotation, a watched function) or stays counted stays in
    // the rate, and the next hottest is looked at (before, its share was
    // taken off as if muted, and a hot function behind a flood of logs was
    // never muted).
    enum fr_mute_result muted = fr_sites_mute(hottest->site, how);
    if (muted == FR_MUTE_COUNTED || muted == FR_MUTE_STILL_COUNTED)
      fr_counted_set_rate(hottest->site, site_rate);
    if (muted == FR_MUTE_REFUSED || muted == FR_MUTE_STILL_COUNTED)
      continue;
    if (muted != FR_MUTE_ALREADY) {
      out[n++] = (struct fr_budget_note){FR_EXT_MUTED, hottest->site,
                                         (uint64_t)(site_rate * hz)};
      if (muted == FR_MUTE_COUNTED)
        out[n++] = (struct fr_budget_note){FR_EXT_COUNTED, hottest->site, 0};
      fr_note_muted(hottest->site, now);
    }
    rate -= muted == FR_MUTE_COUNTED
                ? share * (1.0 - (double)FR_COUNTED_COST_NS / FR_EVENT_COST_NS)
                : share;
  }
  fr_sites_unlock();
  if (rate > allowed / 2 && (n >= max || looked >= FR_MUTE_CANDIDATES))
    *stop = FR_MUTE_STOP_CUT_SHORT;
  *rate_io = rate;
  return n;
}

// The grace, in events.
static int64_t fr_budget_grace(void) {
  return (int64_t)(__atomic_load_n(&fr_budget_capacity, __ATOMIC_RELAXED) /
                   FR_BUDGET_GRACE_DIVISOR);
}

// With the flag held: brings the shared bucket to now (starting it full)
// and returns the ticks since it was last refilled.
static uint64_t fr_shared_elapsed(uint64_t now) {
  if (!fr_shared_refilled) {
    fr_shared.tokens = (int64_t)__atomic_load_n(&fr_budget_capacity,
                                                __ATOMIC_RELAXED);
    fr_shared_refilled = now;
  }
  uint64_t elapsed = now > fr_shared_refilled ? now - fr_shared_refilled : 0;
  fr_shared_refilled += elapsed;
  return elapsed;
}

// With the flag held, a bucket ran dry: counts the events of t's chunk so
// far per site and mutes what it must. The bucket starts a new
// measure, empty when muting brought the rate to half the budget (the
// thread then earns its tokens back at half the budget's rate, what
// re-armed sites and new hot spots draw on), else with an eighth of a full
// one as grace: a thread that muting cannot bring under its budget (every
// site under the floor) is counted again only after that much more. Not
// when the muting was cut short with sites left to look at, or when the
// sites left had too few events to judge in less than half a chunk (a
// recount just after the thread changed chunks): then
// the bucket starts empty, and the next look, with more to go on, carries
// on. Before, a program's start, or a phase in which many sites turn hot
// at once, had the grace again and again: on speedtest1, 177,000 events
// recorded in its first 19 ms, where 1% allows 9,500 and the first grant
// 31,000. A thread whose sites stay too few to judge in half a chunk has
// the grace: a recount at every probe would decode its chunk over again.
static uint32_t fr_budget_recount(struct fr_budget_bucket *b,
                                  const struct fr_tls *t,
                                  struct fr_budget_note *out, uint32_t max) {
  const struct fr_chunk *c = t->chunk;
  uint32_t len = (uint32_t)(t->pos - c->data);
  uint32_t capacity = (uint32_t)(t->chunk_end - c->data);
  uint64_t now = t->last_ticks;
  uint64_t charged;
  uint64_t events = fr_count_events_per_site(c, len, &charged);
  b->density = fr_density(len, events);
  double rate = b->elapsed ? (double)b->spent / (double)b->elapsed : 0;
  enum fr_mute_stop stop;
  uint32_t n = fr_mute_hottest(&rate, charged, now, out, max, &stop);
  uint64_t per_event = __atomic_load_n(&fr_budget_ticks_per_event,
                                       __ATOMIC_RELAXED);
  int under = rate <= 0.5 / (double)per_event;
  int again_soon = stop == FR_MUTE_STOP_CUT_SHORT ||
                   (stop == FR_MUTE_STOP_UNDECIDED && len < capacity / 2);
  b->tokens = under || again_soon ? 0 : fr_budget_grace();
  b->spent = b->elapsed = 0;
  return n;
}

// Re-arms the muted sites that are due; returns the notes written into out.
static uint32_t fr_budget_rearm(uint64_t now, struct fr_budget_note *out,
                                uint32_t max) {
  if (!max || !fr_budget_claim())
    return 0;
  if (!fr_sites_try_lock()) {
    fr_budget_release();
    return 0;
  }
  double hz = (double)__atomic_load_n(&fr_budget_hz, __ATOMIC_RELAXED);
  uint64_t next = UINT64_MAX;
  uint32_t n = 0;
  for (uint32_t i = 0; i < fr_muted_count; i++) {
    struct fr_muted_entry *e = &fr_muted[i];
    if (!e->due)
      continue;
    if (e->due > now || n == max) {
      next = e->due < next ? e->due : next;
      continue;
    }
    // Not muted any more (its module unloaded, a restart): nothing to say.
    if (fr_sites_rearm(e->site))
      out[n++] = (struct fr_budget_note){
          FR_EXT_REARMED, e->site,
          hz > 0 ? (uint64_t)((double)(now - e->muted_at) * 1e3 / hz) : 0};
    e->due = 0;
  }
  if (n)
    __atomic_fetch_add(&fr_rearm_round, 1, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_rearm_due, next, __ATOMIC_RELAXED);
  fr_sites_unlock();
  fr_budget_release();
  return n;
}

// Sites were re-armed since the thread's last look (by it or another
// thread): its bucket keeps at most the grace, an eighth of a full one, and
// starts a new measure, so that a re-armed site still hot is judged again
// after that many events, not after all the tokens a quiet spell earned.
static void fr_budget_probation(struct fr_budget_bucket *b, uint32_t *seen) {
  uint32_t round = __atomic_load_n(&fr_rearm_round, __ATOMIC_RELAXED);
  if (*seen == round)
    return;
  *seen = round;
  int64_t grace = fr_budget_grace();
  if (b->tokens > grace)
    b->tokens = grace;
  b->spent = b->elapsed = 0;
}

// The budget's look at the thread's chunk so far: charges what it wrote
// since the last look, mutes if its bucket ran dry, re-arms what is due.
static uint32_t fr_budget_look(struct fr_tls *t, uint64_t per_event,
                               struct fr_budget_note *out, uint32_t max) {
  const struct fr_chunk *c = t->chunk;
  uint64_t now = t->last_ticks;
  uint32_t bytes = (uint32_t)(t->pos - c->data);
  uint32_t fresh = bytes >= t->budget_charged ? bytes - t->budget_charged : bytes;
  if (!t->budget_refilled) {
    // The thread's first look: its bucket starts with what the shared one
    // grants (a look that cannot have the flag now tries again next time).
    if (!fr_budget_claim())
      return 0;
    fr_bucket_charge(&fr_shared, fr_shared_elapsed(now), 0, per_event);
    int64_t grant = (int64_t)(__atomic_load_n(&fr_budget_capacity,
                                              __ATOMIC_RELAXED) /
                              FR_BUDGET_GRANT_DIVISOR);
    grant = fr_shared.tokens < grant ? fr_shared.tokens : grant;
    grant = grant > 0 ? grant : 0;
    fr_shared.tokens -= grant;
    fr_budget_release();
    t->budget.tokens = grant;
    t->budget.spent = t->budget.elapsed = 0;
    t->budget_refilled = c->hdr.base_ticks;
    t->budget_rearms_seen =
        __atomic_load_n(&fr_rearm_round, __ATOMIC_RELAXED);
  }
  fr_budget_probation(&t->budget, &t->budget_rearms_seen);
  t->budget_charged = bytes;
  uint64_t elapsed = now > t->budget_refilled ? now - t->budget_refilled : 0;
  t->budget_refilled = now > t->budget_refilled ? now : t->budget_refilled;
  uint64_t events =
      fr_bucket_events(&t->budget, c->data + (bytes - fresh), fresh) +
      fr_counted_events(t->counted_unbilled);
  t->counted_unbilled = 0;
  uint32_t n = 0;
  if (fr_bucket_charge(&t->budget, elapsed, events, per_event) &&
      fr_budget_claim()) {
    n = fr_budget_recount(&t->budget, t, out, max);
    fr_budget_release();
  }
  if (now >= __atomic_load_n(&fr_rearm_due, __ATOMIC_RELAXED))
    n += fr_budget_rearm(now, out + n, max - n);
  return n;
}

uint32_t fr_budget_check(struct fr_tls *t,
                         struct fr_budget_note out[FR_BUDGET_MAX_NOTES]) {
  uint64_t per_event =
      __atomic_load_n(&fr_budget_ticks_per_event, __ATOMIC_ACQUIRE);
  if (!per_event)
    per_event = fr_budget_calibrate_early();
  if (!per_event || !t->chunk || !t->pos)
    return 0;
  return fr_budget_look(t, per_event, out, FR_BUDGET_MAX_NOTES);
}

uint32_t fr_budget_thread_exit(struct fr_tls *t,
                               struct fr_budget_note out[FR_BUDGET_EXIT_NOTES]) {
  uint64_t per_event =
      __atomic_load_n(&fr_budget_ticks_per_event, __ATOMIC_ACQUIRE);
  const struct fr_chunk *c = t->chunk;
  if (!per_event || !c || !t->pos)
    return 0;
  if (t->budget_refilled) // it has a bucket of its own
    return fr_budget_look(t, per_event, out, FR_BUDGET_EXIT_NOTES);
  // A thread that ended before its first look: its events are charged to
  // the shared bucket.
  uint32_t bytes = (uint32_t)(t->pos - c->data);
  uint64_t now = t->last_ticks;
  if (!fr_budget_claim())
    return 0;
  uint64_t events = fr_bucket_events(&fr_shared, c->data, bytes) +
                    fr_counted_events(t->counted_unbilled);
  t->counted_unbilled = 0;
  uint32_t n = 0;
  if (fr_bucket_charge(&fr_shared, fr_shared_elapsed(now), events, per_event))
    n = fr_budget_recount(&fr_shared, t, out, FR_BUDGET_EXIT_NOTES);
  fr_budget_release();
  if (now >= __atomic_load_n(&fr_rearm_due, __ATOMIC_RELAXED))
    n += fr_budget_rearm(now, out + n, FR_BUDGET_EXIT_NOTES - n);
  return n;
}
