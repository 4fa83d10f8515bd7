// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the sg_table interface as importers and exporters that know
 * nothing of mapping types use it: an exporter with map_dma_buf and
 * unmap_dma_buf, and the importer's cycle of attach, map, unmap and detach,
 * by a dynamic importer (dma_buf_dynamic_attach(), map under the reservation
 * lock) and by a static one (dma_buf_attach(), the _unlocked map calls).
 *
 * Those two cases, and the dynamic cycle's two halves (attach+detach, and
 * map+unmap of an attachment held), use only what v7.3.4 has, so that the
 * same file builds on the base tree and on the series, and tooling/bench
 * compares the two kernels' figures. bench_sgt_native, the cycle of an
 * importer that declares the SGT type, is built only with the series'
 * CONFIG_DMABUF_MAPPING_BENCH.
 *
 * Prints figures, in ns per cycle, the best of BENCH_SGT_ROUNDS rounds;
 * asserts no timing, only that each cycle reached the exporter.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/scatterlist.h>
#ifdef CONFIG_DMABUF_MAPPING_BENCH
#include <linux/dma-buf-mapping-sgt.h>
#endif

MODULE_IMPORT_NS("DMA_BUF");

#define BENCH_SGT_ROUNDS	11
#define BENCH_SGT_LOOPS		2000

struct bench_sgt {
	struct device *dev;
	struct dma_buf *dmabuf;
	struct sg_table sgt;
	struct dma_buf_attachment *attach;	/* bench_sgt_map_only's */
	unsigned long maps, unmaps, attaches, detaches;
};

/* What a cycle does once: attach and detach, map and unmap. */
#define BENCH_SGT_ATTACHES	BIT(0)
#define BENCH_SGT_MAPS		BIT(1)

static struct sg_table *bench_sgt_map(struct dma_buf_attachment *attach,
				      enum dma_data_direction dir)
{
	struct bench_sgt *b = attach->dmabuf->priv;

	b->maps++;
	return &b->sgt;
}

static void bench_sgt_unmap(struct dma_buf_attachment *attach,
			    struct sg_table *sgt, enum dma_data_direction dir)
{
	struct bench_sgt *b = attach->dmabuf->priv;

	b->unmaps++;
}

static int bench_sgt_attach(struct dma_buf *dmabuf,
			    struct dma_buf_attachment *attach)
{
	struct bench_sgt *b = dmabuf->priv;

	b->attaches++;
	return 0;
}

static void bench_sgt_detach(struct dma_buf *dmabuf,
			     struct dma_buf_attachment *attach)
{
	struct bench_sgt *b = dmabuf->priv;

	b->detaches++;
}

static void bench_sgt_release(struct dma_buf *dmabuf)
{
}

/* An exporter of v7.3.4's kind: the sg_table ops in struct dma_buf_ops. */
static const struct dma_buf_ops bench_sgt_ops = {
	.attach = bench_sgt_attach,
	.detach = bench_sgt_detach,
	.map_dma_buf = bench_sgt_map,
	.unmap_dma_buf = bench_sgt_unmap,
	.release = bench_sgt_release,
};

static void bench_sgt_invalidate(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops bench_sgt_importer = {
	.invalidate_mappings = bench_sgt_invalidate,
};

static void bench_sgt_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

static void bench_sgt_free_table(void *sgt)
{
	sg_free_table(sgt);
}

static int bench_sgt_init(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct bench_sgt *b;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	b->dev = kunit_device_register(test, "dma-buf-sgt-bench");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b->dev);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(&b->sgt, 1, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, bench_sgt_free_table,
						  &b->sgt));

	exp_info.ops = &bench_sgt_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = b;
	b->dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b->dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_sgt_put,
							   b->dmabuf));
	test->priv = b;
	return 0;
}

/* Map and unmap under the reservation lock. */
static int bench_sgt_map_unmap(struct dma_buf_attachment *attach)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	struct sg_table *sgt;

	dma_resv_lock(dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_TO_DEVICE);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment(attach, sgt, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	return PTR_ERR_OR_ZERO(sgt);
}

/* Map and unmap under the reservation lock, then detach. */
static int bench_sgt_locked_cycle(struct dma_buf_attachment *attach)
{
	int ret = bench_sgt_map_unmap(attach);

	dma_buf_detach(attach->dmabuf, attach);
	return ret;
}

static int bench_sgt_dynamic_cycle(struct bench_sgt *b)
{
	struct dma_buf_attachment *attach;

	attach = dma_buf_dynamic_attach(b->dmabuf, b->dev, &bench_sgt_importer,
					NULL);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	return bench_sgt_locked_cycle(attach);
}

static int bench_sgt_static_cycle(struct bench_sgt *b)
{
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;

	attach = dma_buf_attach(b->dmabuf, b->dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_TO_DEVICE);
	dma_buf_detach(b->dmabuf, attach);
	return PTR_ERR_OR_ZERO(sgt);
}

/*
 * Print the best of BENCH_SGT_ROUNDS rounds of BENCH_SGT_LOOPS cycles, in ns
 * per cycle, as "bench: @name: N ns", after a round to warm up; and check
 * that every cycle reached the exporter as @what says (BENCH_SGT_*).
 */
static void bench_sgt_run(struct kunit *test, const char *name,
			  int (*cycle)(struct bench_sgt *b), unsigned int what)
{
	const unsigned long n = (BENCH_SGT_ROUNDS + 1) * BENCH_SGT_LOOPS;
	struct bench_sgt *b = test->priv;
	unsigned long maps = b->maps, attaches = b->attaches;
	unsigned long detaches = b->detaches;
	u64 best = U64_MAX;
	int r, i;

	for (r = 0; r <= BENCH_SGT_ROUNDS; r++) {
		u64 t0 = ktime_get_ns(), t;

		for (i = 0; i < BENCH_SGT_LOOPS; i++)
			KUNIT_ASSERT_EQ(test, 0, cycle(b));
		t = div_u64(ktime_get_ns() - t0, BENCH_SGT_LOOPS);
		if (r)
			best = min(best, t);
		cond_resched();
	}
	kunit_info(test, "bench: %s: %llu ns\n", name, best);
	KUNIT_EXPECT_EQ(test, b->maps - maps, what & BENCH_SGT_MAPS ? n : 0);
	KUNIT_EXPECT_EQ(test, b->unmaps, b->maps);
	KUNIT_EXPECT_EQ(test, b->attaches - attaches,
			what & BENCH_SGT_ATTACHES ? n : 0);
	KUNIT_EXPECT_EQ(test, b->detaches - detaches, b->attaches - attaches);
}

static void bench_sgt_dynamic(struct kunit *test)
{
	bench_sgt_run(test, "sgt-dynamic", bench_sgt_dynamic_cycle,
		      BENCH_SGT_ATTACHES | BENCH_SGT_MAPS);
}

static void bench_sgt_static(struct kunit *test)
{
	bench_sgt_run(test, "sgt-static", bench_sgt_static_cycle,
		      BENCH_SGT_ATTACHES | BENCH_SGT_MAPS);
}

/* The dynamic cycle's two halves, to tell where its time goes. */
static int bench_sgt_attach_only_cycle(struct bench_sgt *b)
{
	struct dma_buf_attachment *attach;

	attach = dma_buf_dynamic_attach(b->dmabuf, b->dev, &bench_sgt_importer,
					NULL);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	dma_buf_detach(b->dmabuf, attach);
	return 0;
}

static void bench_sgt_attach_only(struct kunit *test)
{
	bench_sgt_run(test, "sgt-attach", bench_sgt_attach_only_cycle,
		      BENCH_SGT_ATTACHES);
}

static int bench_sgt_map_only_cycle(struct bench_sgt *b)
{
	return bench_sgt_map_unmap(b->attach);
}

static void bench_sgt_map_only(struct kunit *test)
{
	struct bench_sgt *b = test->priv;

	b->attach = dma_buf_dynamic_attach(b->dmabuf, b->dev,
					   &bench_sgt_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b->attach);
	bench_sgt_run(test, "sgt-map", bench_sgt_map_only_cycle,
		      BENCH_SGT_MAPS);
	dma_buf_detach(b->dmabuf, b->attach);
	KUNIT_EXPECT_EQ(test, b->detaches, b->attaches);
}

#ifdef CONFIG_DMABUF_MAPPING_BENCH
/* The same exporter, by an importer that declares the SGT type. */
static int bench_sgt_native_cycle(struct bench_sgt *b)
{
	struct dma_buf_sgt_imp_data data = { .dev = b->dev };
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&data);
	struct dma_buf_attachment *attach;

	attach = dma_buf_mapping_attach(b->dmabuf, b->dev, &imp, 1,
					&bench_sgt_importer, NULL);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	return bench_sgt_locked_cycle(attach);
}

static void bench_sgt_native(struct kunit *test)
{
	bench_sgt_run(test, "sgt-native", bench_sgt_native_cycle,
		      BENCH_SGT_ATTACHES | BENCH_SGT_MAPS);
}
#endif

static struct kunit_case dma_buf_sgt_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_sgt_dynamic),
	KUNIT_CASE_SLOW(bench_sgt_static),
	KUNIT_CASE_SLOW(bench_sgt_attach_only),
	KUNIT_CASE_SLOW(bench_sgt_map_only),
#ifdef CONFIG_DMABUF_MAPPING_BENCH
	KUNIT_CASE_SLOW(bench_sgt_native),
#endif
	{}
};

static struct kunit_suite dma_buf_sgt_bench_suite = {
	.name = "dma-buf-sgt-bench",
	.init = bench_sgt_init,
	.test_cases = dma_buf_sgt_bench_cases,
};

kunit_test_suite(dma_buf_sgt_bench_suite);
