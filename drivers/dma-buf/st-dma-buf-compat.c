// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite dma-buf-compat: the cases of st-dma-buf-compat.h on exporters
 * as drivers wrote them before mapping types. The suite uses nothing but the
 * sg_table interface, so that the same files run, unchanged, on a kernel
 * without mapping types: passing on both is what "no change of behaviour"
 * means.
 */

#include "st-dma-buf-compat.h"

MODULE_IMPORT_NS("DMA_BUF");

static int compat_init(struct kunit *test)
{
	struct compat_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	compat_ctx_init(test, ctx);
	return 0;
}

static const struct compat_cell compat_cells[] = {
	{ EXP_PLAIN, IMP_STATIC },
	{ EXP_PLAIN, IMP_DYNAMIC },
	{ EXP_PLAIN, IMP_DYNAMIC_P2P },
	{ EXP_ATTACH, IMP_STATIC },
	{ EXP_ATTACH, IMP_DYNAMIC },
	{ EXP_ATTACH, IMP_DYNAMIC_P2P },
	{ EXP_PIN, IMP_STATIC },
	{ EXP_PIN, IMP_DYNAMIC },
	{ EXP_PIN, IMP_DYNAMIC_P2P },
	{ EXP_NEEDS_P2P, IMP_STATIC },
	{ EXP_NEEDS_P2P, IMP_DYNAMIC },
	{ EXP_NEEDS_P2P, IMP_DYNAMIC_P2P },
	{ EXP_DROPS_P2P, IMP_STATIC },
	{ EXP_DROPS_P2P, IMP_DYNAMIC },
	{ EXP_DROPS_P2P, IMP_DYNAMIC_P2P },
};

KUNIT_ARRAY_PARAM(compat_cell, compat_cells, compat_cell_desc);

/* An exporter's map error reaches the importer, and the pin is undone. */
static void compat_test_map_error(struct kunit *test)
{
	struct compat_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;

	compat_export(test, EXP_PIN);
	attach = compat_attach_as(test, IMP_STATIC, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	ctx->map_err = -EIO;
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -EIO);
	KUNIT_EXPECT_EQ(test, ctx->pin_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->unpin_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->unmap_calls, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

static struct kunit_case compat_cases[] = {
	KUNIT_CASE_PARAM(compat_test_cell, compat_cell_gen_params),
	KUNIT_CASE(compat_test_map_error),
	KUNIT_CASE(compat_test_attach_error),
	{}
};

static struct kunit_suite compat_suite = {
	.name = "dma-buf-compat",
	.init = compat_init,
	.exit = compat_exit,
	.test_cases = compat_cases,
};

kunit_test_suite(compat_suite);
