/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a stretch of a dma-buf KUnit case allocates, counted through the
 * kmalloc and kmem_cache_alloc tracepoints for the task that runs the case:
 * every slab and large kmalloc allocation passes through one of them, and so
 * does every vmalloc (its area is kmalloc'd).
 */
#ifndef __ST_DMA_BUF_ALLOC_H__
#define __ST_DMA_BUF_ALLOC_H__

#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <trace/events/kmem.h>

/**
 * struct dmabuf_alloc_count - the allocations of one task, while counting
 * @task: the task whose allocations count.
 * @counting: set between dmabuf_alloc_count_begin() and _end().
 * @nr: the number of allocations.
 * @largest: the largest of them, in bytes (what the allocator gave).
 * @bytes: all of them, in bytes (what the allocator gave).
 * @failed_site: the call site of the last allocation that failed, or 0.
 * @sites: if set, the distinct call sites of the allocations that did not
 *	fail go there, up to @max_sites of them.
 * @nr_sites: the distinct call sites seen; more than @max_sites when some
 *	did not fit in @sites.
 * @max_sites: the entries @sites has room for.
 */
struct dmabuf_alloc_count {
	struct task_struct *task;
	bool counting;
	unsigned long nr;
	size_t largest;
	size_t bytes;
	unsigned long failed_site;
	unsigned long *sites;
	unsigned int nr_sites, max_sites;
};

/* Whether @site is one of the @nr entries of @sites. */
static inline bool dmabuf_alloc_site_in(const unsigned long *sites,
					unsigned int nr, unsigned long site)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (sites[i] == site)
			return true;
	return false;
}

static inline void dmabuf_alloc_site(struct dmabuf_alloc_count *c,
				     unsigned long call_site)
{
	if (dmabuf_alloc_site_in(c->sites, min(c->nr_sites, c->max_sites),
				 call_site))
		return;
	if (c->nr_sites < c->max_sites)
		c->sites[c->nr_sites] = call_site;
	c->nr_sites++;
}

/* Whether an allocation made now is the counted task's, while counting. */
static inline bool dmabuf_alloc_counting(const struct dmabuf_alloc_count *c)
{
	return READ_ONCE(c->counting) && current == c->task;
}

/*
 * With CONFIG_DEBUG_KMEMLEAK, kmemleak records each allocation in an
 * object of its own, allocated by __alloc_object() right after the
 * allocation it records (and taken from kmemleak's pool if that fails):
 * not an allocation of the code under test.
 */
static __maybe_unused noinline bool dmabuf_alloc_is_kmemleak(unsigned long call_site)
{
	char sym[KSYM_SYMBOL_LEN];

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		return false;
	sprint_symbol_no_offset(sym, call_site);
	return !strcmp(sym, "__alloc_object");
}

static inline void dmabuf_alloc_note(struct dmabuf_alloc_count *c,
				     unsigned long call_site, const void *ptr,
				     size_t size)
{
	if (!dmabuf_alloc_counting(c))
		return;
	c->nr++;
	c->largest = max(c->largest, size);
	if (ptr)
		c->bytes += size;
	if (!ptr)
		c->failed_site = call_site;
	else if (c->sites)
		dmabuf_alloc_site(c, call_site);
}

static inline void dmabuf_alloc_kmalloc(void *data, unsigned long call_site,
					const void *ptr, size_t bytes_req,
					size_t bytes_alloc, gfp_t gfp_flags,
					int node)
{
	dmabuf_alloc_note(data, call_site, ptr, max(bytes_req, bytes_alloc));
}

static inline void dmabuf_alloc_cache(void *data, unsigned long call_site,
				      const void *ptr, struct kmem_cache *s,
				      gfp_t gfp_flags, int node)
{
	if (dmabuf_alloc_counting(data) && dmabuf_alloc_is_kmemleak(call_site))
		return;
	dmabuf_alloc_note(data, call_site, ptr, kmem_cache_size(s));
}

static inline void dmabuf_alloc_kmalloc_off(void *c)
{
	unregister_trace_kmalloc(dmabuf_alloc_kmalloc, c);
	tracepoint_synchronize_unregister();
}

static inline void dmabuf_alloc_cache_off(void *c)
{
	unregister_trace_kmem_cache_alloc(dmabuf_alloc_cache, c);
	tracepoint_synchronize_unregister();
}

/*
 * A counter of the current task's allocations, not counting yet. Skips the
 * case without CONFIG_TRACEPOINTS. The probes go when the case ends, even
 * if an assertion ends it early.
 */
static inline struct dmabuf_alloc_count *dmabuf_alloc_counter(struct kunit *test)
{
	struct dmabuf_alloc_count *c;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "counting allocations needs CONFIG_TRACEPOINTS");
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->task = current;
	KUNIT_ASSERT_EQ(test, 0, register_trace_kmalloc(dmabuf_alloc_kmalloc, c));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dmabuf_alloc_kmalloc_off, c));
	KUNIT_ASSERT_EQ(test, 0, register_trace_kmem_cache_alloc(dmabuf_alloc_cache, c));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dmabuf_alloc_cache_off, c));
	return c;
}

static inline void dmabuf_alloc_count_begin(struct dmabuf_alloc_count *c)
{
	c->nr = 0;
	c->largest = 0;
	c->bytes = 0;
	WRITE_ONCE(c->counting, true);
}

static inline void dmabuf_alloc_count_end(struct dmabuf_alloc_count *c)
{
	WRITE_ONCE(c->counting, false);
}

/* What the stretch @what allocated, to the log; the case fails unless none. */
static inline void dmabuf_alloc_count_expect_none(struct kunit *test,
						  const struct dmabuf_alloc_count *c,
						  const char *what)
{
	kunit_info(test, "%s: %lu allocations, largest %zu bytes\n", what,
		   c->nr, c->largest);
	KUNIT_EXPECT_EQ(test, c->nr, 0);
}

#endif
