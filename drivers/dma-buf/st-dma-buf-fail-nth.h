/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every allocation of a stretch of a dma-buf KUnit case failed once, one at
 * a time: the kernel's own fault injection, through the counter that
 * /proc/self/task/<tid>/fail-nth sets (current->fail_nth), with failslab set
 * to fail sleeping allocations too (its debugfs ignore-gfp-wait), as
 * tools/testing/selftests/iommu/iommufd_fail_nth.c does from userspace.
 * Slab allocations only: fail_page_alloc would add the page allocations of
 * slab refills, which come and go with the slabs' state, so that the n-th
 * allocation would not be the same one from run to run. The
 * case runs its stretch with n = 0 (nothing fails: a first round fills the
 * caches other code keeps, such as P2P distances, which would otherwise
 * take the place of an allocation of the stretch in one round only), then
 * n = 1, 2, ... until the stretch makes no n-th allocation. The kmalloc and
 * kmem_cache_alloc tracepoints (st-dma-buf-alloc.h) tell the call site of
 * each allocation: those of a round that failed nothing are the stretch's
 * allocation sites, and each must have failed once. A refill of a slab's
 * per-CPU sheaf is an allocation too for fail-nth, made when the slab's
 * state asks for it, so that it can take a site's turn in one pass: a site
 * that did not fail gets up to two more passes.
 */
#ifndef __ST_DMA_BUF_FAIL_NTH_H__
#define __ST_DMA_BUF_FAIL_NTH_H__

#include <kunit/test.h>
#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/sched.h>

#include "st-dma-buf-alloc.h"

#define DMABUF_FAIL_NTH_MAX_SITES	32
#define DMABUF_FAIL_NTH_PASSES		3

/**
 * struct dmabuf_fail_nth - one case's walk over the allocations of a stretch
 * @test: the case.
 * @count: the tracepoint probes, which note the site of a failed allocation.
 * @n: the allocation failing in this round; 0 in the first round.
 * @armed: between dmabuf_fail_nth_arm() and dmabuf_fail_nth_disarm().
 * @failed: rounds in which the n-th allocation was made and failed.
 * @refused: of those, the rounds whose stretch returned an error.
 * @passes: the passes over n = 1, 2, ... begun.
 * @round: the call sites of this round's allocations.
 * @all: the call sites of the rounds that failed nothing: the stretch's.
 * @failed_sites: the call sites of the allocations that failed.
 * @nr_all: the entries of @all.
 * @nr_failed_sites: the entries of @failed_sites.
 */
struct dmabuf_fail_nth {
	struct kunit *test;
	struct dmabuf_alloc_count *count;
	unsigned int n;
	bool armed;
	unsigned int failed, refused, passes;
	unsigned long round[DMABUF_FAIL_NTH_MAX_SITES];
	unsigned long all[DMABUF_FAIL_NTH_MAX_SITES];
	unsigned long failed_sites[DMABUF_FAIL_NTH_MAX_SITES];
	unsigned int nr_all, nr_failed_sites;
};

/* Add @site to @sites, of @nr entries, unless it is there; false if full. */
static inline bool dmabuf_fail_nth_add(unsigned long *sites, unsigned int *nr,
				       unsigned long site)
{
	if (dmabuf_alloc_site_in(sites, *nr, site))
		return true;
	if (*nr == DMABUF_FAIL_NTH_MAX_SITES)
		return false;
	sites[(*nr)++] = site;
	return true;
}

/* The stretch's allocation sites that have not failed yet. */
static inline unsigned int dmabuf_fail_nth_missing(const struct dmabuf_fail_nth *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->nr_all; i++)
		n += !dmabuf_alloc_site_in(f->failed_sites, f->nr_failed_sites,
					  f->all[i]);
	return n;
}

/* The task's fail-nth counter, which only CONFIG_FAULT_INJECTION has. */
static inline void dmabuf_fail_nth_set_counter(unsigned int n)
{
#ifdef CONFIG_FAULT_INJECTION
	WRITE_ONCE(current->fail_nth, n);
#endif
}

static inline unsigned int dmabuf_fail_nth_counter(void)
{
#ifdef CONFIG_FAULT_INJECTION
	return READ_ONCE(current->fail_nth);
#else
	return 0;
#endif
}

/*
 * A debugfs attribute of fault injection (a bool or an unsigned long, by
 * @size), and its value before the case.
 */
struct dmabuf_fail_nth_knob {
	void *p;
	size_t size;
	unsigned long old;
};

static inline unsigned long dmabuf_fail_nth_get(const struct dmabuf_fail_nth_knob *k)
{
	if (k->size == sizeof(bool))
		return READ_ONCE(*(bool *)k->p);
	return READ_ONCE(*(unsigned long *)k->p);
}

static inline void dmabuf_fail_nth_put(const struct dmabuf_fail_nth_knob *k,
				       unsigned long val)
{
	if (k->size == sizeof(bool))
		WRITE_ONCE(*(bool *)k->p, val);
	else
		WRITE_ONCE(*(unsigned long *)k->p, val);
}

static inline void dmabuf_fail_nth_restore(void *p)
{
	struct dmabuf_fail_nth_knob *k = p;

	dmabuf_fail_nth_put(k, k->old);
}

/*
 * The value behind debugfs DIR/NAME: debugfs_create_bool() and _ul() keep a
 * pointer to it in the file's inode. Looked up, not opened: the KUnit
 * kernel has no debugfs mounted, and its files have no read_iter or
 * write_iter for kernel_read() and kernel_write().
 */
static inline void *dmabuf_fail_nth_value(struct kunit *test, const char *dir,
					  const char *name)
{
	struct dentry *d, *file;
	void *p;

	d = debugfs_lookup(dir, NULL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(d), "no debugfs %s", dir);
	file = debugfs_lookup(name, d);
	dput(d);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(file), "no debugfs %s/%s",
			       dir, name);
	p = d_inode(file)->i_private;
	dput(file);
	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/*
 * Set debugfs DIR/NAME, a bool or an unsigned long (@size), to @val for the
 * case; it is set back when the case ends.
 */
static inline void dmabuf_fail_nth_set(struct kunit *test, const char *dir,
				       const char *name, unsigned long val,
				       size_t size)
{
	struct dmabuf_fail_nth_knob *k;

	k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	k->p = dmabuf_fail_nth_value(test, dir, name);
	k->size = size;
	k->old = dmabuf_fail_nth_get(k);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, dmabuf_fail_nth_restore, k));
	dmabuf_fail_nth_put(k, val);
}

static inline void dmabuf_fail_nth_stop(void *p)
{
	dmabuf_fail_nth_set_counter(0);
}

/*
 * Fault injection for the case's task: skips the case without failslab and
 * its debugfs attributes (UML's KUnit config has neither), or without the
 * tracepoints that tell the sites.
 */
static inline struct dmabuf_fail_nth *dmabuf_fail_nth_start(struct kunit *test)
{
	struct dmabuf_fail_nth *f;

	if (!IS_ENABLED(CONFIG_FAILSLAB) ||
	    !IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS");
	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->test = test;
	f->count = dmabuf_alloc_counter(test);
	/* Sleeping allocations too, and no stack dump for each failure. */
	dmabuf_fail_nth_set(test, "failslab", "ignore-gfp-wait", false,
			    sizeof(bool));
	dmabuf_fail_nth_set(test, "failslab", "verbose", 0,
			    sizeof(unsigned long));
	/* Whatever ends the case, the task's counter does not outlive it. */
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, dmabuf_fail_nth_stop, NULL));
	return f;
}

/* Make the n-th allocation of the task from here on fail (none for n = 0). */
static inline void dmabuf_fail_nth_arm(struct dmabuf_fail_nth *f)
{
	dmabuf_alloc_count_begin(f->count);
	f->count->failed_site = 0;
	f->count->sites = f->round;
	f->count->nr_sites = 0;
	f->count->max_sites = ARRAY_SIZE(f->round);
	f->armed = true;
	dmabuf_fail_nth_set_counter(f->n);
}

/*
 * Stop failing. True if the n-th allocation was made (and failed), or, in
 * the first round (n = 0), if the stretch succeeded: the rounds go on.
 * @ret is what the stretch returned: an error counts as refused.
 */
static inline bool dmabuf_fail_nth_disarm(struct dmabuf_fail_nth *f, int ret)
{
	bool hit = f->armed && !dmabuf_fail_nth_counter();
	unsigned int i;

	dmabuf_fail_nth_set_counter(0);
	dmabuf_alloc_count_end(f->count);
	f->count->sites = NULL;
	f->armed = false;
	if (!f->n)
		return !ret;
	if (!hit) {
		KUNIT_EXPECT_LE_MSG(f->test, f->count->nr_sites, ARRAY_SIZE(f->round),
				    "more allocation sites than fault injection keeps");
		for (i = 0; i < min_t(unsigned int, f->count->nr_sites, ARRAY_SIZE(f->round)); i++)
			KUNIT_EXPECT_TRUE(f->test, dmabuf_fail_nth_add(f->all, &f->nr_all,
								       f->round[i]));
		return false;
	}
	f->failed++;
	if (ret)
		f->refused++;
	KUNIT_EXPECT_TRUE(f->test, dmabuf_fail_nth_add(f->failed_sites,
						       &f->nr_failed_sites,
						       f->count->failed_site));
	return true;
}

/*
 * After a round that failed nothing: true when every allocation site of the
 * stretch has failed once, or after DMABUF_FAIL_NTH_PASSES passes;
 * otherwise the next round begins another pass at n = 1.
 */
static inline bool dmabuf_fail_nth_done(struct dmabuf_fail_nth *f)
{
	if (!dmabuf_fail_nth_missing(f) || ++f->passes == DMABUF_FAIL_NTH_PASSES)
		return true;
	f->n = 0;
	return false;
}

/* The next round fails the next allocation. */
static inline void dmabuf_fail_nth_next(struct dmabuf_fail_nth *f)
{
	f->n++;
}

/*
 * The case's lines for the test command's summary (tooling/steps/kunit-x86
 * adds them up): the sites that failed, and any that did not, which fails
 * the case.
 */
static inline void dmabuf_fail_nth_report(struct dmabuf_fail_nth *f,
					  const char *what)
{
	struct kunit *test = f->test;
	unsigned int i, missing = dmabuf_fail_nth_missing(f);

	kunit_info(test,
		   "fault injection: %s: %u of %u allocation sites failed, in %u rounds (%u refused with the state as before, %u absorbed by a fallback)\n",
		   what, f->nr_all - missing, f->nr_all, f->failed, f->refused,
		   f->failed - f->refused);
	for (i = 0; i < f->nr_all; i++)
		kunit_info(test, "fault injection: %s: %s %pS\n", what,
			   dmabuf_alloc_site_in(f->failed_sites, f->nr_failed_sites,
						f->all[i]) ? "failed" : "NOT FAILED",
			   (void *)f->all[i]);
	KUNIT_EXPECT_GT(test, f->nr_all, 0);
	KUNIT_EXPECT_EQ_MSG(test, missing, 0,
			    "allocation sites that never failed in %u passes",
			    DMABUF_FAIL_NTH_PASSES);
}

#endif
