// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the PAL mapping type: matching, routing, the checks on
 * every list, revocation and the request that only the core can make.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-resv.h>
#include <linux/lockdep.h>
#include <linux/scatterlist.h>

MODULE_IMPORT_NS("DMA_BUF");

#define PAL_TEST_SIZE	(4 * PAGE_SIZE)

struct pal_ctx {
	struct kunit *test;
	struct device *dev;
	struct dma_buf *dmabuf;
	/* the exporter's current list */
	struct phys_vec vec[4];
	unsigned int nr;
	bool offer_sgt;
	bool only_sgt;
	bool skip_fill;
	bool revoked;
	int maps, unmaps, sgt_maps, invalidates;
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
	return dma_buf_pal_req_fill(req, ctx->vec, ctx->nr);
}

static void pal_unmap(struct dma_buf_attachment *attach)
{
	pal_ctx_of(attach)->unmaps++;
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
		dma_buf_pal_export(&pal_ops, &pal),
		dma_buf_sgt_export(&pal_sgt_ops, &sgt),
	};

	if (ctx->only_sgt)
		return dma_buf_match_mapping(attach, &exp[1], 1);
	return dma_buf_match_mapping(attach, exp, ctx->offer_sgt ? 2 : 1);
}

static void pal_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_ops pal_dmabuf_ops = {
	.match_mapping = pal_match_mapping,
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
	ctx->nr = 2;

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
	KUNIT_ASSERT_EQ(test, pal->nr, ctx->nr);
	for (i = 0; i < pal->nr; i++) {
		KUNIT_EXPECT_EQ(test, pal->vec[i].paddr, ctx->vec[i].paddr);
		KUNIT_EXPECT_EQ(test, pal->vec[i].len, ctx->vec[i].len);
	}
	/* A copy: the exporter changing its list later does not reach it. */
	KUNIT_EXPECT_PTR_NE(test, (const void *)pal->vec, (const void *)ctx->vec);
	pal_unmap_locked(attach, pal);
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

static void pal_test_attr_mismatch(struct kunit *test)
{
	/* An importer that does not handle MMIO does not match. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(pal_attach(test, 0)), -EOPNOTSUPP);
}

struct pal_bad_list {
	const char *name;
	struct phys_vec vec[3];
	unsigned int nr;
};

static const struct pal_bad_list pal_bad_lists[] = {
	{ "empty list", { }, 0 },
	{ "zero-length range", { { 0x10000, 4 * PAGE_SIZE }, { 0x20000, 0 } }, 2 },
	{ "unaligned address", { { 0x10000 + 8, 4 * PAGE_SIZE } }, 1 },
	{ "unaligned length", { { 0x10000, 4 * PAGE_SIZE - 8 }, { 0x20000, 8 } }, 2 },
	{ "range wraps", { { (phys_addr_t)-PAGE_SIZE, 4 * PAGE_SIZE } }, 1 },
	{ "short of the size", { { 0x10000, 3 * PAGE_SIZE } }, 1 },
	{ "longer than the size", { { 0x10000, 4 * PAGE_SIZE }, { 0x20000, PAGE_SIZE } }, 2 },
	{ "total overflows", { { 0x10000, 4 * PAGE_SIZE },
			       { 0, (size_t)-PAGE_SIZE }, { 0, 2 * PAGE_SIZE } }, 3 },
};

static void pal_bad_list_desc(const struct pal_bad_list *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pal_bad_list, pal_bad_lists, pal_bad_list_desc);

static void pal_test_bad_list(struct kunit *test)
{
	const struct pal_bad_list *t = test->param_value;
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	memcpy(ctx->vec, t->vec, sizeof(t->vec));
	ctx->nr = t->nr;
	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	/* An exporter bug: refused, with a warning naming the exporter. */
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(pal_map_locked(attach)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->maps, 1);
	/* The exporter's map failed, so there is nothing to unmap. */
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
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
				dma_buf_pal_req_fill(NULL, ctx->vec, ctx->nr),
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

/* Detaching with a list still out is an importer bug: warned about. */
static void pal_test_detach_with_list_out(struct kunit *test)
{
	struct pal_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	const struct dma_buf_pal *pal;

	attach = pal_attach(test, BIT(DMA_BUF_PAL_MMIO));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	pal = pal_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pal);
	kunit_warning_suppress(test) {
		dma_buf_detach(ctx->dmabuf, attach);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	/* What the importer leaked. */
	kfree(pal);
}

static struct kunit_case dma_buf_pal_cases[] = {
	KUNIT_CASE(pal_test_routing),
	KUNIT_CASE(pal_test_sgt_importer_falls_back),
	KUNIT_CASE(pal_test_conversion_refused),
	KUNIT_CASE(pal_test_attr_mismatch),
	KUNIT_CASE_PARAM(pal_test_bad_list, pal_bad_list_gen_params),
	KUNIT_CASE(pal_test_no_fill),
	KUNIT_CASE(pal_test_revoke),
	KUNIT_CASE(pal_test_forged_request),
	KUNIT_CASE(pal_test_static_importer_refused),
	KUNIT_CASE(pal_test_unmap_without_map),
	KUNIT_CASE(pal_test_detach_with_list_out),
	{}
};

static struct kunit_suite dma_buf_pal_suite = {
	.name = "dma-buf-mapping-pal",
	.init = pal_init,
	.exit = pal_exit,
	.test_cases = dma_buf_pal_cases,
};

kunit_test_suite(dma_buf_pal_suite);
