// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the PAL mapping type: matching, routing, the checks made
 * when the exporter creates its list, the one list every map shares,
 * revocation and the request that only the core can make.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/delay.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/scatterlist.h>

#include "st-dma-buf-alloc.h"
#include "st-dma-buf-fail-nth.h"
#include "st-dma-buf-race.h"

MODULE_IMPORT_NS("DMA_BUF");

#define PAL_TEST_SIZE	(4 * PAGE_SIZE)

struct pal_ctx {
	struct kunit *test;
	struct device *dev;
	struct dma_buf *dmabuf;
	/* the exporter's list, and what it was made of */
	struct dma_buf_pal *pal;
	struct phys_vec vec[2];
	/* a list that map_pal hands out instead of @pal, if set */
	struct dma_buf_pal *other;
	/* the PAL ops the exporter offers, if not pal_ops */
	const struct dma_buf_pal_exp_ops *exp_ops;
	bool offer_sgt;
	bool only_sgt;
	bool skip_fill;
	/* map: set the list a second time; that call's return */
	bool set_twice;
	int second_set_ret;
	/* map: the error to return after setting the list */
	int fail_after_set;
	bool revoked;
	int maps, unmaps, sgt_maps, invalidates;
	/* lists handed out and not given back */
	int held;
	/* @unmaps when the exporter's detach ran */
	int unmaps_at_detach;
	bool resv_held_in_map;
	struct dma_buf_pal_req *last_req;
	struct sg_table sgt;
};

static struct pal_ctx *pal_ctx_of(struct dma_buf_attachment *attach)
{
	return attach->dmabuf->priv;
}

static int pal_map(struct dma_buf_attachment *attach,
		   struct dma_buf_pal_req *req)
{
	struct pal_ctx *ctx = pal_ctx_of(attach);
	int ret;

	ctx->maps++;
#ifdef CONFIG_LOCKDEP
	ctx->resv_held_in_map = lockdep_is_held(&attach->dmabuf->resv->lock.base);
#else
	ctx->resv_held_in_map = ww_mutex_is_locked(&attach->dmabuf->resv->lock);
#endif
	ctx->last_req = req;
	if (ctx->revoked)
		return -ENODEV;
	if (ctx->skip_fill)
		return 0;
	ret = dma_buf_pal_req_set(req, ctx->other ?: ctx->pal);
	if (!ret && ctx->fail_after_set)
		return ctx->fail_after_set;
	if (!ret)
		ctx->held++;
	if (!ret && ctx->set_twice)
		ctx->second_set_ret = dma_buf_pal_req_set(req, ctx->pal);
	return ret;
}

static void pal_unmap(struct dma_buf_attachment *attach)
{
	pal_ctx_of(attach)->unmaps++;
	pal_ctx_of(attach)->held--;
}

static const struct dma_buf_pal_exp_ops pal_ops = {
	.map_pal = pal_map,
	.unmap_pal = pal_unmap,
};

static struct sg_table *pal_sgt_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct pal_ctx *ctx = pal_ctx_of(attach);

	ctx->sgt_maps++;
	return &ctx->sgt;
}

static void pal_sgt_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
}

static const struct dma_buf_sgt_exp_ops pal_sgt_ops = {
	.map_dma_buf = pal_sgt_map,
	.unmap_dma_buf = pal_sgt_unmap,
};

static int pal_match_mapping(struct dma_buf_attachment *attach)
{
	static const struct dma_buf_pal_exp_data pal = {
		.attr = DMA_BUF_PAL_MMIO,
	};
	static const struct dma_buf_sgt_exp_data sgt = { };
	struct pal_ctx *ctx = pal_ctx_of(attach);
	struct dma_buf_mapping_match exp[] = {
		dma_buf_pal_export(ctx->exp_ops ?: &pal_ops, &pal),
		dma_buf_sgt_export(&pal_sgt_ops, &sgt),
	};

	if (ctx->only_sgt)
		return dma_buf_match_mapping(attach, &exp[1], 1);
	return dma_buf_match_mapping(attach, exp, ctx->offer_sgt ? 2 : 1);
}

static void pal_release(struct dma_buf *dmabuf)
{
}

static void pal_detach(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attach)
{
	struct pal_ctx *ctx = dmabuf->priv;

	ctx->unmaps_at_detach = ctx->unmaps;
}

static const struct dma_buf_ops pal_dmabuf_ops = {
	.match_mapping = pal_match_mapping,
	.detach = pal_detach,
	.release = pal_release,
};

static void pal_invalidate(struct dma_buf_attachment *attach)
{
	pal_ctx_of(attach)->invalidates++;
}

static const struct dma_buf_attach_ops pal_importer = {
	.invalidate_mappings = pal_invalidate,
};

static void pal_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

/* The exporter's reference, unless the test dropped it already. */
static void pal_ctx_put(void *p)
{
	struct pal_ctx *ctx = p;

	dma_buf_pal_put(ctx->pal);
	dma_buf_pal_put(ctx->other);
}

static unsigned int pal_refs(const struct dma_buf_pal *pal)
{
	return refcount_read(&pal->ref);
}

static int pal_init(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct pal_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	ctx->dev = kunit_device_register(test, "dma-buf-pal-test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(&ctx->sgt, 1, GFP_KERNEL));
	/* Two discontiguous ranges of a pretend BAR: 3 pages, then 1. */
	ctx->vec[0] = (struct phys_vec){ .paddr = 0xfe000000, .len = 3 * PAGE_SIZE };
	ctx->vec[1] = (struct phys_vec){ .paddr = 0xfe100000, .len = PAGE_SIZE };
	ctx->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, ctx->vec, 2,
				      PAL_TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pal);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pal_ctx_put,
							   ctx));

	exp_info.ops = &pal_dmabuf_ops;
	exp_info.size = PAL_TEST_SIZE;
	exp_info.priv = ctx;
	ctx->dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dmabuf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pal_put, ctx->dmabuf));
	test->priv = ctx;
	return 0;
}

static void pal_exit(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;

	sg_free_table(&ctx->sgt);
}

static struct dma_buf_attachment *pal_attach(struct kunit *test, u32 attrs)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_pal_imp_data data = { .attrs = attrs };
	struct dma_buf_mapping_match imp = dma_buf_pal_import(&data);

	return dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1,
				      &pal_importer, NULL);
}

static const struct dma_buf_pal *pal_map_locked(struct dma_buf_attachment *attach)
{
	const struct dma_buf_pal *pal;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	pal = dma_buf_pal_map(attach);
	dma_resv_unlock(attach->dmabuf->resv);
	return pal;
}

static void pal_unmap_locked(struct dma_buf_attachment *attach,
			     const struct dma_buf_pal *pal)
{
	dma_resv_lock(attach->dmabuf->resv, NULL);
	dma_buf_pal_unmap(attach, pal);
	dma_resv_unlock(attach->dmabuf->resv);
}

static void pal_test_routing(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;
	unsigned int i;

	ctx->offer_sgt = true;
	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_pal(attach));

	pal = pal_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal);
	KUNIT_EXPECT_EQ(test, ctx->maps, 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 1);
	KUNIT_EXPECT_TRUE(test, ctx->resv_held_in_map);
	KUNIT_EXPECT_EQ(test, pal->attr, DMA_BUF_PAL_MMIO);
	KUNIT_EXPECT_EQ(test, pal->size, PAL_TEST_SIZE);
	KUNIT_ASSERT_EQ(test, pal->nr, ARRAY_SIZE(ctx->vec));
	for (i = 0; i < pal->nr; i++) {
		KUNIT_EXPECT_EQ(test, pal->vec[i].paddr, ctx->vec[i].paddr);
		KUNIT_EXPECT_EQ(test, pal->vec[i].len, ctx->vec[i].len);
	}
	/* The exporter's own list, with a reference for the importer. */
	KUNIT_EXPECT_PTR_EQ(test, pal, (const struct dma_buf_pal *)ctx->pal);
	KUNIT_EXPECT_EQ(test, pal_refs(pal), 2);
	pal_unmap_locked(attach, pal);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, ctx->sgt_maps, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void pal_test_sgt_importer_falls_back(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	/* PAL comes first, but an SGT-only importer gets the SGT entry. */
	ctx->offer_sgt = true;
	attach = dma_buf_attach(ctx->dmabuf, ctx->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_FALSE(test, dma_buf_attachment_is_pal(attach));
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_type(attach,
							   &dma_buf_mapping_sgt));
	/* An sg_table attachment cannot be mapped as a list. */
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(pal_map_locked(attach)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);
	dma_buf_detach(ctx->dmabuf, attach);

	/* Without the SGT entry there is nothing in common. */
	ctx->offer_sgt = false;
	attach = dma_buf_attach(ctx->dmabuf, ctx->dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
}

/*
 * The importer side's calls on an attachment they do not fit: a list
 * unmapped from an sg_table attachment, or no list from a PAL attachment.
 * Each is refused with a warning and reaches neither the exporter nor the
 * list's reference count.
 */
static void pal_test_wrong_attachment(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	ctx->offer_sgt = true;
	attach = dma_buf_attach(ctx->dmabuf, ctx->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_FALSE(test, dma_buf_attachment_is_pal(attach));
	kunit_warning_suppress(test) {
		pal_unmap_locked(attach, ctx->pal);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	dma_buf_detach(ctx->dmabuf, attach);

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_pal(attach));
	kunit_warning_suppress(test) {
		pal_unmap_locked(attach, NULL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * An exporter that sets the list of a request twice: the second set is
 * refused with a warning and takes no reference; the map gets the list of
 * the first, with one reference for the importer.
 */
static void pal_test_second_set_refused(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	ctx->set_twice = true;
	kunit_warning_suppress(test) {
		pal = pal_map_locked(attach);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_ASSERT_PTR_EQ(test, pal, ctx->pal);
	KUNIT_EXPECT_EQ(test, ctx->second_set_ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 2);
	pal_unmap_locked(attach, pal);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void pal_test_conversion_refused(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_sgt_imp_data p2p = { .allow_p2p = true };
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&p2p);
	struct dma_buf_attachment *attach;

	/* PAL without a P2P provider cannot become an sg_table... */
	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1,
					&pal_importer, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);

	/* ...and an sg_table is never turned into physical addresses. */
	ctx->only_sgt = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(pal_attach(test, BIT(DMA_BUF_PAL_MMIO))),
			-EOPNOTSUPP);
}

/*
 * A PAL exporter gives both map_pal and unmap_pal: without either, the
 * attach fails, where the same exporter with both attaches.
 */
static void pal_test_exporter_without_ops(struct kunit *test)
{
	static const struct dma_buf_pal_exp_ops map_only = { .map_pal = pal_map };
	static const struct dma_buf_pal_exp_ops unmap_only = { .unmap_pal = pal_unmap };
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	ctx->exp_ops = &map_only;
	KUNIT_EXPECT_EQ(test, PTR_ERR(pal_attach(test, BIT(DMA_BUF_PAL_MMIO))),
			-EINVAL);
	ctx->exp_ops = &unmap_only;
	KUNIT_EXPECT_EQ(test, PTR_ERR(pal_attach(test, BIT(DMA_BUF_PAL_MMIO))),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);

	ctx->exp_ops = NULL;
	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void pal_test_attr_mismatch(struct kunit *test)
{
	/* An importer that does not handle MMIO does not match. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(pal_attach(test, 0)), -EOPNOTSUPP);
}

/*
 * Each list breaks one rule, which names itself (@why, for entry @bad) in the
 * warning; @bad is -1 for the rules on the whole list. A list that only the
 * rule it is named for can refuse: "total overflows" overflows at its
 * second entry, and adds up to the size once it wrapped.
 */
struct pal_bad_list {
	const char *name;
	struct phys_vec vec[3];
	unsigned int nr;
	const char *why;
	int bad;
	bool no_vec;
};

#define WHY_SIZE	"total length is not the dma-buf size"

static const struct pal_bad_list pal_bad_lists[] = {
	{ "empty list", { }, 0, "empty list" },
	{ "no list", { }, 2, "no list", .no_vec = true },
	{ "zero-length range", { { 0x10000, 4 * PAGE_SIZE }, { 0x20000, 0 } }, 2,
	  "empty range", 1 },
	{ "unaligned address", { { 0x10000 + 8, 4 * PAGE_SIZE } }, 1,
	  "unaligned range" },
	{ "unaligned length", { { 0x10000, 4 * PAGE_SIZE - 8 }, { 0x20000, 8 } }, 2,
	  "unaligned range" },
	{ "range wraps", { { (phys_addr_t)-PAGE_SIZE, 4 * PAGE_SIZE } }, 1,
	  "range wraps around" },
	{ "short of the size", { { 0x10000, 3 * PAGE_SIZE } }, 1, WHY_SIZE, -1 },
	{ "longer than the size", { { 0x10000, 4 * PAGE_SIZE }, { 0x20000, PAGE_SIZE } }, 2,
	  WHY_SIZE, -1 },
	{ "total overflows", { { 0x10000, 4 * PAGE_SIZE },
			       { 0, (size_t)-PAGE_SIZE }, { 0, PAGE_SIZE } }, 3,
	  "total length overflows", 1 },
};

/* The case's name says what refuses it: tooling/bad-inputs prints them. */
static void pal_bad_list_desc(const struct pal_bad_list *t, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: -EINVAL, %s", t->name,
		 t->why);
}

KUNIT_ARRAY_PARAM(pal_bad_list, pal_bad_lists, pal_bad_list_desc);

static void pal_test_bad_list(struct kunit *test)
{
	const struct pal_bad_list *t = test->param_value;
	const struct phys_vec *vec = t->no_vec ? NULL : t->vec;
	unsigned int bad;
	const char *why;

	/* The rule the case is named for refuses it, at the entry it broke. */
	why = dma_buf_pal_list_fault(DMA_BUF_PAL_MMIO, vec, t->nr,
				     PAL_TEST_SIZE, &bad);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_STREQ(test, why, t->why);
	if (t->bad >= 0)
		KUNIT_EXPECT_EQ(test, bad, t->bad);

	/* An exporter bug: refused, with a warning naming the caller. */
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(dma_buf_pal_create(DMA_BUF_PAL_MMIO,
							   vec, t->nr,
							   PAL_TEST_SIZE)),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
}

/* A good list of an unknown kind of memory is refused as well. */
static void pal_test_bad_attr(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	unsigned int bad;

	KUNIT_EXPECT_STREQ(test, dma_buf_pal_list_fault(0, ctx->vec, 2,
							PAL_TEST_SIZE, &bad) ?: "",
			   "unknown kind of memory");
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(dma_buf_pal_create(0, ctx->vec, 2,
							   PAL_TEST_SIZE)),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
}

/* A list that is not the dma-buf's is refused at map, and not counted. */
static void pal_test_foreign_list(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	ctx->other = dma_buf_pal_create(DMA_BUF_PAL_MMIO, ctx->vec, 1,
					3 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->other);
	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(pal_map_locked(attach)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->maps, 1);
	/* The exporter's map failed, so there is nothing to unmap. */
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->other), 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void pal_test_no_fill(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	/* map_pal claiming success without a list is refused, and balanced. */
	ctx->skip_fill = true;
	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(pal_map_locked(attach)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * map_pal that fails after it set the list: the map fails with its error,
 * and the reference the set took for the importer is dropped.
 */
static void pal_test_map_fails_after_set(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	ctx->fail_after_set = -EIO;
	pal = pal_map_locked(attach);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pal), -EIO);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void pal_test_revoke(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	pal = pal_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal);

	/* The exporter revokes: importers are told, then map fails. */
	dma_resv_lock(ctx->dmabuf->resv, NULL);
	ctx->revoked = true;
	dma_buf_invalidate_mappings(ctx->dmabuf);
	dma_resv_unlock(ctx->dmabuf->resv);
	KUNIT_EXPECT_EQ(test, ctx->invalidates, 1);
	pal_unmap_locked(attach, pal);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pal_map_locked(attach)), -ENODEV);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * The exporter may drop its list while a map is out: the importer's view
 * stays valid until its unmap, which frees it (KASAN checks both).
 */
static void pal_test_exporter_put_first(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	pal = pal_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal);
	KUNIT_EXPECT_EQ(test, pal_refs(pal), 2);

	dma_buf_pal_put(ctx->pal);
	ctx->pal = NULL;
	ctx->revoked = true;
	KUNIT_EXPECT_EQ(test, pal_refs(pal), 1);
	KUNIT_EXPECT_EQ(test, pal->nr, ARRAY_SIZE(ctx->vec));
	KUNIT_EXPECT_EQ(test, pal->vec[1].paddr, ctx->vec[1].paddr);
	pal_unmap_locked(attach, pal);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * A dma-buf of the suite's exporter whose list (ctx->other) has @nr
 * overlapping one-page ranges, as vfio accepts them.
 */
static struct dma_buf *pal_export_many(struct kunit *test, unsigned int nr)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct pal_ctx *ctx = test->priv;
	struct dma_buf *dmabuf;
	struct phys_vec *vec;
	unsigned int i;

	vec = kvcalloc(nr, sizeof(*vec), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vec);
	for (i = 0; i < nr; i++)
		vec[i] = (struct phys_vec){
			.paddr = 0xfe000000 + (i % 4) * PAGE_SIZE,
			.len = PAGE_SIZE,
		};
	ctx->other = dma_buf_pal_create(DMA_BUF_PAL_MMIO, vec, nr,
					(u64)nr * PAGE_SIZE);
	kvfree(vec);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->other);
	KUNIT_EXPECT_EQ(test, ctx->other->nr, nr);

	exp_info.ops = &pal_dmabuf_ops;
	exp_info.size = (size_t)nr * PAGE_SIZE;
	exp_info.priv = ctx;
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pal_put, dmabuf));
	return dmabuf;
}

/*
 * Every map of every attachment gets the exporter's one list, by reference:
 * no copy, whatever its length. Run at vfio's limit of 65536 ranges, where
 * a copy would be a 1 MiB allocation per map.
 */
static void pal_test_maps_share_one_list(struct kunit *test)
{
	struct dma_buf_pal_imp_data imp_data = { .attrs = BIT(DMA_BUF_PAL_MMIO) };
	struct dma_buf_mapping_match imp = dma_buf_pal_import(&imp_data);
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *a, *b;
	const struct dma_buf_pal *p[3];
	struct dma_buf *dmabuf;
	unsigned int i;

	dmabuf = pal_export_many(test, 65536);
	a = dma_buf_mapping_attach(dmabuf, ctx->dev, &imp, 1, &pal_importer,
				   NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	b = dma_buf_mapping_attach(dmabuf, ctx->dev, &imp, 1, &pal_importer,
				   NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	p[0] = pal_map_locked(a);
	p[1] = pal_map_locked(a);
	p[2] = pal_map_locked(b);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_ASSERT_PTR_EQ(test, p[i],
				    (const struct dma_buf_pal *)ctx->other);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->other), 4);
	KUNIT_EXPECT_EQ(test, a->map.nr_mapped, 2);
	KUNIT_EXPECT_EQ(test, b->map.nr_mapped, 1);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		pal_unmap_locked(i < 2 ? a : b, p[i]);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->other), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 3);
	dma_buf_detach(dmabuf, b);
	dma_buf_detach(dmabuf, a);
}

/*
 * A map and its unmap at vfio's limit of 65536 ranges allocate nothing at
 * all, counted through the allocators' tracepoints: a copy of the list, an
 * index built per map or any other allocation on that path fails the case.
 */
static void pal_test_map_allocates_nothing(struct kunit *test)
{
	struct dma_buf_pal_imp_data imp_data = { .attrs = BIT(DMA_BUF_PAL_MMIO) };
	struct dma_buf_mapping_match imp = dma_buf_pal_import(&imp_data);
	struct dmabuf_alloc_count *count = dmabuf_alloc_counter(test);
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;
	struct dma_buf *dmabuf;

	dmabuf = pal_export_many(test, 65536);
	attach = dma_buf_mapping_attach(dmabuf, ctx->dev, &imp, 1,
					&pal_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dmabuf_alloc_count_begin(count);
	pal = pal_map_locked(attach);
	if (!IS_ERR_OR_NULL(pal))
		pal_unmap_locked(attach, pal);
	dmabuf_alloc_count_end(count);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, pal);
	dmabuf_alloc_count_expect_none(test, count, "map + unmap of 65536 ranges");
	dma_buf_detach(dmabuf, attach);
}

static void pal_test_forged_request(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	/* Large and zeroed: whatever the real layout, the key does not match. */
	u64 forged[16] = { };

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	/* Calling the exporter's op directly cannot produce a list. */
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test,
				pal_ops.map_pal(attach,
						(struct dma_buf_pal_req *)forged),
				-EINVAL);
		KUNIT_EXPECT_EQ(test,
				dma_buf_pal_req_set(NULL, ctx->pal),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	dma_buf_detach(ctx->dmabuf, attach);
}

/* PAL's map does not pin: a static importer is refused. */
static void pal_test_static_importer_refused(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_pal_imp_data data = { .attrs = BIT(DMA_BUF_PAL_MMIO) };
	struct dma_buf_mapping_match imp = dma_buf_pal_import(&data);
	struct dma_buf_attachment *attach;

	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1, NULL,
					NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);

	/* The same list, from an importer that can be revoked, attaches. */
	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1,
					&pal_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_pal(attach));
	dma_buf_detach(ctx->dmabuf, attach);
}

/* An unmap without a map is refused, loudly, and frees nothing. */
static void pal_test_unmap_without_map(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_pal *bogus;

	bogus = kzalloc_obj(*bogus);
	KUNIT_ASSERT_NOT_NULL(test, bogus);
	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	kunit_warning_suppress(test) {
		pal_unmap_locked(attach, bogus);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
	kfree(bogus);
}

/*
 * Detaching with lists still out is an importer bug: warned about, and the
 * core gives them back before the exporter's detach, which would otherwise
 * wait for them forever in a revocation.
 */
static void pal_test_detach_with_list_out(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal_map_locked(attach));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal_map_locked(attach));
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 3);
	kunit_warning_suppress(test) {
		dma_buf_detach(ctx->dmabuf, attach);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 2);
	KUNIT_EXPECT_EQ(test, ctx->unmaps_at_detach, 2);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
}

/*
 * Every map of an attachment hands out the one list the exporter made: an
 * exporter that gives another one while the first is out is refused, and
 * the unmap of a list that no map handed out changes nothing.
 */
static void pal_test_second_list_refused(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	pal = pal_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal);
	ctx->other = dma_buf_pal_create(DMA_BUF_PAL_MMIO, ctx->vec, 2,
					PAL_TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->other);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(pal_map_locked(attach)), -EINVAL);
		pal_unmap_locked(attach, ctx->other);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	/* The refused map was given back at once; the first is still out. */
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 1);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->other), 1);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 2);
	pal_unmap_locked(attach, pal);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
	/* With none out, the exporter may hand out another list. */
	pal = pal_map_locked(attach);
	KUNIT_EXPECT_PTR_EQ(test, pal, (const struct dma_buf_pal *)ctx->other);
	if (!IS_ERR_OR_NULL(pal))
		pal_unmap_locked(attach, pal);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->other), 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

struct pal_waiter {
	struct dma_buf *dmabuf;
	struct completion done;
	struct completion finished;
	unsigned int reports;
	unsigned long waited;
};

static int pal_revoke_waiter(void *p)
{
	struct pal_waiter *w = p;
	unsigned long start = jiffies;

	w->reports = dma_buf_revoke_wait(w->dmabuf, &w->done, 1);
	w->waited = jiffies - start;
	complete(&w->finished);
	return 0;
}

/*
 * An exporter's revocation that waits for a list the importer keeps names
 * that importer (dma_buf_report_held()) while it waits, each wait twice as
 * long as the one before, and returns once the list is back; with nothing
 * held it returns without a report.
 */
static void pal_test_revoke_wait_reports(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;
	struct task_struct *task;
	struct pal_waiter *w;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->dmabuf = ctx->dmabuf;
	init_completion(&w->done);
	init_completion(&w->finished);

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_report_held(ctx->dmabuf), 0);
	pal = pal_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal);
	KUNIT_EXPECT_EQ(test, dma_buf_report_held(ctx->dmabuf), 1);

	task = kthread_run(pal_revoke_waiter, w, "dma-buf-pal-waiter");
	if (IS_ERR(task)) {
		pal_unmap_locked(attach, pal);
		dma_buf_detach(ctx->dmabuf, attach);
		KUNIT_FAIL(test, "no thread: %pe", task);
		return;
	}
	msleep(200);
	KUNIT_EXPECT_FALSE(test, completion_done(&w->finished));
	/* The importer gives the list back, the exporter's count drops. */
	pal_unmap_locked(attach, pal);
	KUNIT_EXPECT_EQ(test, dma_buf_report_held(ctx->dmabuf), 0);
	complete(&w->done);
	/* Completed, so the waiter ends: no early return before it does. */
	if (!wait_for_completion_timeout(&w->finished, 10 * HZ)) {
		KUNIT_FAIL(test, "the wait did not end within 10 s");
		wait_for_completion(&w->finished);
	}
	KUNIT_EXPECT_GE(test, w->reports, 1);
	/*
	 * Waits of 1, 2, 4, ... jiffies: r reports take at least 2^r - 1 - r
	 * jiffies (a timeout may end up to a jiffy early), so that over the
	 * 200 ms (20 jiffies or more) there are a handful, not one a jiffy.
	 */
	KUNIT_EXPECT_LE(test, w->reports, ilog2(w->waited + 1) + 2);

	/* Given back before the wait: no report. */
	w->reports = ~0U;
	reinit_completion(&w->finished);
	complete(&w->done);
	task = kthread_run(pal_revoke_waiter, w, "dma-buf-pal-waiter");
	if (IS_ERR(task))
		pal_revoke_waiter(w);
	wait_for_completion(&w->finished);
	KUNIT_EXPECT_EQ(test, w->reports, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

static struct dma_buf_attachment *
pal_race_attach(struct dmabuf_race *race, const struct dma_buf_attach_ops *ops,
		void *priv)
{
	struct pal_ctx *ctx = race->dmabuf->priv;
	struct dma_buf_pal_imp_data data = { .attrs = BIT(DMA_BUF_PAL_MMIO) };
	struct dma_buf_mapping_match imp = dma_buf_pal_import(&data);

	return dma_buf_mapping_attach(race->dmabuf, ctx->dev, &imp, 1, ops, priv);
}

static void *pal_race_map(struct dma_buf_attachment *attach, unsigned int id)
{
	return (void *)dma_buf_pal_map(attach);
}

static void pal_race_unmap(struct dma_buf_attachment *attach, unsigned int id,
			   void *mapped, bool invalidated)
{
	dma_buf_pal_unmap(attach, mapped);
}

/*
 * Revocations, maps, attaches and detaches from two threads at a time on
 * one list (see st-dma-buf-race.c): every list comes back, and only the
 * exporter's reference is left.
 */
static void pal_test_races(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dmabuf_race race = {
		.dmabuf = ctx->dmabuf,
		.revoked = &ctx->revoked,
		.held = &ctx->held,
		.attach = pal_race_attach,
		.map = pal_race_map,
		.unmap = pal_race_unmap,
	};

	dmabuf_race_run(test, &race);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
}

/*
 * Every allocation of the exporter's list creation and of an importer's
 * attach, map, unmap and detach failed once, one per round: the creation,
 * attach or map that made it returns -ENOMEM and leaves the state as it was
 * (no list made, no attachment, no list out); after a failed map the same
 * attachment maps; the last round fails nothing.
 */
static void pal_test_fail_nth(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;
	struct dma_buf_pal *list;
	struct dmabuf_fail_nth *f;

	f = dmabuf_fail_nth_start(test);
	for (;;) {
		dmabuf_fail_nth_arm(f);
		list = dma_buf_pal_create(DMA_BUF_PAL_MMIO, ctx->vec,
					  ARRAY_SIZE(ctx->vec), PAL_TEST_SIZE);
		if (IS_ERR(list)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(list)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(list), -ENOMEM);
			dmabuf_fail_nth_next(f);
			continue;
		}
		dma_buf_pal_put(list);
		attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
		if (IS_ERR(attach)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(attach)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -ENOMEM);
			KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
			dmabuf_fail_nth_next(f);
			continue;
		}
		pal = pal_map_locked(attach);
		if (IS_ERR(pal)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(pal)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(pal), -ENOMEM);
			KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
			KUNIT_EXPECT_EQ(test, ctx->held, 0);
			pal = pal_map_locked(attach);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal);
		}
		pal_unmap_locked(attach, pal);
		dma_buf_detach(ctx->dmabuf, attach);
		if (f->armed && !dmabuf_fail_nth_disarm(f, 0) &&
		    dmabuf_fail_nth_done(f))
			break;
		KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
		KUNIT_EXPECT_EQ(test, ctx->held, 0);
		KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
		dmabuf_fail_nth_next(f);
	}
	KUNIT_EXPECT_EQ(test, ctx->held, 0);
	KUNIT_EXPECT_EQ(test, pal_refs(ctx->pal), 1);
	KUNIT_EXPECT_GT(test, f->refused, 0);
	dmabuf_fail_nth_report(f, "PAL list, attach, map, unmap, detach");
}

static struct kunit_case dma_buf_pal_cases[] = {
	KUNIT_CASE(pal_test_routing),
	KUNIT_CASE(pal_test_sgt_importer_falls_back),
	KUNIT_CASE(pal_test_wrong_attachment),
	KUNIT_CASE(pal_test_second_set_refused),
	KUNIT_CASE(pal_test_conversion_refused),
	KUNIT_CASE(pal_test_exporter_without_ops),
	KUNIT_CASE(pal_test_attr_mismatch),
	KUNIT_CASE_PARAM(pal_test_bad_list, pal_bad_list_gen_params),
	KUNIT_CASE(pal_test_bad_attr),
	KUNIT_CASE(pal_test_foreign_list),
	KUNIT_CASE(pal_test_no_fill),
	KUNIT_CASE(pal_test_map_fails_after_set),
	KUNIT_CASE(pal_test_revoke),
	KUNIT_CASE(pal_test_exporter_put_first),
	KUNIT_CASE(pal_test_maps_share_one_list),
	KUNIT_CASE(pal_test_map_allocates_nothing),
	KUNIT_CASE(pal_test_forged_request),
	KUNIT_CASE(pal_test_static_importer_refused),
	KUNIT_CASE(pal_test_unmap_without_map),
	KUNIT_CASE(pal_test_detach_with_list_out),
	KUNIT_CASE(pal_test_second_list_refused),
	KUNIT_CASE(pal_test_revoke_wait_reports),
	KUNIT_CASE_SLOW(pal_test_races),
	KUNIT_CASE(pal_test_fail_nth),
	{}
};

static struct kunit_suite dma_buf_pal_suite = {
	.name = "dma-buf-mapping-pal",
	.init = pal_init,
	.exit = pal_exit,
	.test_cases = dma_buf_pal_cases,
};

kunit_test_suite(dma_buf_pal_suite);
