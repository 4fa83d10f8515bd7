// SPDX-License-Identifier: GPL-2.0-only
/*
 * The race engine of the dma-buf KUnit suites (see st-dma-buf-race.h).
 *
 * Three pairs of threads, each on the suite's dma-buf: revoke against map
 * and unmap, revoke against attach, map, unmap and detach, and map and
 * unmap of one attachment against attach, map, unmap and detach of others.
 * A revocation sets the exporter's revoked flag and invalidates under the
 * reservation lock, as vfio-pci does; the importer gives its mapping back
 * from invalidate_mappings, as iommufd and xe do, so when the invalidation
 * returns the exporter must hold nothing out. Each pair runs until each of
 * its threads made half of DMABUF_RACE_OPS operations, or DMABUF_RACE_MS
 * went by (which fails the test); then every mapping must be back, the races must have met (maps
 * refused while revoked, mappings invalidated) and lockdep must still be on.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/debug_locks.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "st-dma-buf-race.h"

/*
 * Operations of a pair, both threads together, and the time they may take:
 * a bound for a thread that stops making progress, well above what the
 * slowest pair takes with KASAN, lockdep and kmemleak under QEMU's TCG
 * (about 65 s, with kmemleak recording every allocation).
 */
#define DMABUF_RACE_OPS		100000
#define DMABUF_RACE_MS		180000

struct dmabuf_race_thread;

/* One importer: its attachment and what it has mapped. */
struct dmabuf_race_imp {
	struct dmabuf_race *race;
	struct dma_buf_attachment *attach;
	unsigned int id;
	/* what race->map returned and is not given back; reservation lock */
	void *mapped;
	unsigned long invalidated;
};

struct dmabuf_race_pair {
	struct dmabuf_race *race;
	unsigned long deadline;
	/* threads that made DMABUF_RACE_OPS / 2 operations */
	atomic_t halves;
	bool stop;
	/* held != 0 right after an invalidation; reservation lock */
	unsigned long held_after_revoke;
};

struct dmabuf_race_thread {
	struct dmabuf_race_pair *pair;
	int (*step)(struct dmabuf_race_thread *t);
	struct dmabuf_race_imp imp;
	unsigned long ops, refused;
	int err;
	struct completion done;
};

static void dmabuf_race_invalidate(struct dma_buf_attachment *attach)
{
	struct dmabuf_race_imp *imp = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (imp->mapped) {
		imp->race->unmap(attach, imp->id, imp->mapped, true);
		imp->mapped = NULL;
		imp->invalidated++;
	}
}

static const struct dma_buf_attach_ops dmabuf_race_importer = {
	.invalidate_mappings = dmabuf_race_invalidate,
};

/* Revoke, check that nothing is left out, and give the memory back. */
static int dmabuf_race_revoke(struct dmabuf_race_thread *t)
{
	struct dmabuf_race *race = t->pair->race;
	struct dma_resv *resv = race->dmabuf->resv;

	dma_resv_lock(resv, NULL);
	*race->revoked = true;
	dma_buf_invalidate_mappings(race->dmabuf);
	if (*race->held)
		t->pair->held_after_revoke++;
	dma_resv_unlock(resv);
	cond_resched();
	dma_resv_lock(resv, NULL);
	*race->revoked = false;
	dma_resv_unlock(resv);
	return 0;
}

/* Map, let the other thread in, and unmap unless a revocation did. */
static int dmabuf_race_map(struct dmabuf_race_thread *t)
{
	struct dmabuf_race_imp *imp = &t->imp;
	struct dma_resv *resv = imp->race->dmabuf->resv;
	void *mapped;
	int ret = 0;

	dma_resv_lock(resv, NULL);
	mapped = imp->race->map(imp->attach, imp->id);
	if (!IS_ERR(mapped))
		imp->mapped = mapped;
	else if (PTR_ERR(mapped) == -ENODEV)
		t->refused++;
	else
		ret = PTR_ERR(mapped);
	dma_resv_unlock(resv);
	cond_resched();
	dma_resv_lock(resv, NULL);
	if (imp->mapped) {
		imp->race->unmap(imp->attach, imp->id, imp->mapped, false);
		imp->mapped = NULL;
	}
	dma_resv_unlock(resv);
	return ret;
}

static int dmabuf_race_attach(struct dmabuf_race_imp *imp)
{
	struct dma_buf_attachment *attach;

	attach = imp->race->attach(imp->race, &dmabuf_race_importer, imp);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	imp->attach = attach;
	return 0;
}

static void dmabuf_race_detach(struct dmabuf_race_imp *imp)
{
	if (imp->attach)
		dma_buf_detach(imp->race->dmabuf, imp->attach);
	imp->attach = NULL;
}

/* A whole importer's life: attach, map, unmap, detach. */
static int dmabuf_race_attach_cycle(struct dmabuf_race_thread *t)
{
	int ret;

	ret = dmabuf_race_attach(&t->imp);
	if (ret)
		return ret;
	ret = dmabuf_race_map(t);
	dmabuf_race_detach(&t->imp);
	return ret;
}

static int dmabuf_race_fn(void *p)
{
	struct dmabuf_race_thread *t = p;
	struct dmabuf_race_pair *pair = t->pair;

	/*
	 * A thread that made its half goes on until the other made its own,
	 * so that they race to the end, but sleeps a little between its
	 * operations to leave the other most of the CPU; a thread that fails
	 * stops both.
	 */
	while (!READ_ONCE(pair->stop) &&
	       atomic_read(&pair->halves) < 2 &&
	       time_before(jiffies, pair->deadline)) {
		t->err = t->step(t);
		if (t->err) {
			WRITE_ONCE(pair->stop, true);
			break;
		}
		if (++t->ops == DMABUF_RACE_OPS / 2)
			atomic_inc(&pair->halves);
		if (t->ops > DMABUF_RACE_OPS / 2)
			usleep_range(20, 50);
		else
			cond_resched();
	}
	complete(&t->done);
	return 0;
}

static const char *dmabuf_race_step_name(int (*step)(struct dmabuf_race_thread *))
{
	if (step == dmabuf_race_revoke)
		return "revoke";
	if (step == dmabuf_race_map)
		return "map/unmap";
	return "attach/map/unmap/detach";
}

static void dmabuf_race_pair(struct kunit *test, struct dmabuf_race *race,
			     int (*a)(struct dmabuf_race_thread *),
			     int (*b)(struct dmabuf_race_thread *))
{
	struct dmabuf_race_pair pair = {
		.race = race,
		.halves = ATOMIC_INIT(0),
	};
	struct dmabuf_race_thread t[2] = {
		{ .pair = &pair, .step = a }, { .pair = &pair, .step = b },
	};
	unsigned long start = jiffies, invalidated = 0;
	struct task_struct *task;
	unsigned int i;

	pair.deadline = start + msecs_to_jiffies(DMABUF_RACE_MS);
	for (i = 0; i < 2; i++) {
		t[i].imp.race = race;
		t[i].imp.id = i;
		init_completion(&t[i].done);
		/* A thread that maps keeps one attachment for the whole run. */
		if (t[i].step == dmabuf_race_map)
			KUNIT_ASSERT_EQ(test, 0, dmabuf_race_attach(&t[i].imp));
	}
	for (i = 0; i < 2; i++) {
		task = kthread_run(dmabuf_race_fn, &t[i], "dma-buf-race-%u", i);
		if (IS_ERR(task)) {
			KUNIT_FAIL(test, "no thread: %pe", task);
			WRITE_ONCE(pair.stop, true);
			complete(&t[i].done);
		}
	}
	/* The threads use this stack frame: wait for them, however long. */
	for (i = 0; i < 2; i++)
		wait_for_completion(&t[i].done);

	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ_MSG(test, t[i].err, 0, "%s thread failed",
				    dmabuf_race_step_name(t[i].step));
		if (t[i].imp.attach)
			KUNIT_EXPECT_EQ(test, t[i].imp.attach->map.nr_mapped, 0);
		invalidated += t[i].imp.invalidated;
		dmabuf_race_detach(&t[i].imp);
	}
	kunit_info(test, "%s vs %s: %lu + %lu operations in %u ms, %lu maps refused while revoked, %lu mappings invalidated\n",
		   dmabuf_race_step_name(a), dmabuf_race_step_name(b),
		   t[0].ops, t[1].ops, jiffies_to_msecs(jiffies - start),
		   t[0].refused + t[1].refused, invalidated);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pair.halves), 2,
			    "not all %d operations within %u ms",
			    DMABUF_RACE_OPS, DMABUF_RACE_MS);
	KUNIT_EXPECT_EQ(test, pair.held_after_revoke, 0);
	KUNIT_EXPECT_EQ(test, *race->held, 0);
	/* The races met: unless they did, nothing was tested. */
	if (a == dmabuf_race_revoke)
		KUNIT_EXPECT_GT(test, t[1].refused + invalidated, 0);
}

/**
 * dmabuf_race_run - race revocation, maps, attaches and detaches
 * @test: the test
 * @race: the suite's dma-buf and operations
 *
 * Runs the three pairs of threads described above, one after the other,
 * and checks after each that every mapping came back. Skips on UML.
 */
void dmabuf_race_run(struct kunit *test, struct dmabuf_race *race)
{
	/*
	 * A kernel thread runs there until it sleeps: the threads would take
	 * turns, never meet inside an operation.
	 */
	if (IS_ENABLED(CONFIG_UML))
		kunit_skip(test, "UML does not preempt kernel threads");
	dmabuf_race_pair(test, race, dmabuf_race_revoke, dmabuf_race_map);
	dmabuf_race_pair(test, race, dmabuf_race_revoke,
			 dmabuf_race_attach_cycle);
	dmabuf_race_pair(test, race, dmabuf_race_map, dmabuf_race_attach_cycle);
	if (race->check)
		race->check(test, race);
	if (IS_ENABLED(CONFIG_LOCKDEP))
		KUNIT_EXPECT_TRUE_MSG(test, debug_locks,
				      "lockdep turned itself off");
}
