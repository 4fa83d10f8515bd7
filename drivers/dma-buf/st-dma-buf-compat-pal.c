// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite dma-buf-compat-pal: the cells of st-dma-buf-compat.h whose
 * exporter refuses importers that do not accept P2P, as vfio-pci's sg_table
 * export did in v7.3.4, run on an exporter that offers PAL only, as
 * vfio-pci's does now: one page of a PCI BAR, with the BAR's P2P provider,
 * which every SGT importer gets through the core's PAL -> SGT conversion.
 *
 * tooling/steps/compat shows that the cells pass alike on v7.3.4 and with
 * the series for the sg_table exporter; passing here shows the same for the
 * PAL-only one, with what the cells are told differs: an importer without
 * P2P is refused by the core, before the exporter's attach runs; a list is
 * mapped without a direction; and the sg_table holds the BAR's PCI bus
 * address, as v7.3.4's vfio-pci gave between two functions behind one
 * bridge (both built it with dma_buf_phys_vec_to_sgt()).
 *
 * Needs the P2P devices of the x86_64 run (st-dma-buf-p2p.h); skipped
 * elsewhere.
 */

#include <linux/dma-buf-mapping-pal.h>
#include <linux/pci-p2pdma.h>

#include "st-dma-buf-compat.h"
#include "st-dma-buf-p2p.h"

MODULE_IMPORT_NS("DMA_BUF");

struct compat_pal {
	struct compat_ctx ctx;
	struct dma_buf_pal_exp_data data;
	struct dma_buf_pal *pal;
};

static struct compat_pal *compat_pal_of(struct dma_buf *dmabuf)
{
	return container_of(compat_ctx_of(dmabuf), struct compat_pal, ctx);
}

static int compat_pal_map(struct dma_buf_attachment *attach,
			  struct dma_buf_pal_req *req)
{
	struct compat_pal *cp = compat_pal_of(attach->dmabuf);
	struct compat_ctx *ctx = &cp->ctx;

	ctx->map_calls++;
	ctx->mapped_attach = attach;
	ctx->pinned_in_map = ctx->pin_calls > ctx->unpin_calls;
	if (ctx->map_err)
		return ctx->map_err;
	return dma_buf_pal_req_set(req, cp->pal);
}

static void compat_pal_unmap(struct dma_buf_attachment *attach)
{
	compat_ctx_of(attach->dmabuf)->unmap_calls++;
}

static const struct dma_buf_pal_exp_ops compat_pal_ops = {
	.map_pal = compat_pal_map,
	.unmap_pal = compat_pal_unmap,
};

static int compat_pal_match(struct dma_buf_attachment *attach)
{
	struct compat_pal *cp = compat_pal_of(attach->dmabuf);
	const struct dma_buf_mapping_match exp[] = {
		dma_buf_pal_export(&compat_pal_ops, &cp->data),
	};

	return dma_buf_match_mapping(attach, exp, ARRAY_SIZE(exp));
}

/* The attach and detach of the cells' other exporters: they count. */
static const struct dma_buf_ops compat_pal_dmabuf_ops = {
	.match_mapping = compat_pal_match,
	.attach = compat_attach,
	.detach = compat_detach,
	.release = compat_release,
};

static void compat_pal_export(struct kunit *test, enum compat_exporter kind)
{
	KUNIT_ASSERT_EQ(test, kind, EXP_NEEDS_P2P);
	compat_export_ops(test, kind, &compat_pal_dmabuf_ops);
}

KUNIT_DEFINE_ACTION_WRAPPER(compat_pal_put, dma_buf_pal_put,
			    struct dma_buf_pal *);

/*
 * The list: BAR 0 of the provider behind the client's bridge, one page; the
 * importer: the client.
 */
static int compat_pal_init(struct kunit *test)
{
	struct dmabuf_p2p_devs d;
	struct compat_pal *cp;
	struct phys_vec vec;

	cp = kunit_kzalloc(test, sizeof(*cp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	compat_ctx_init(test, &cp->ctx);
	dmabuf_get_p2p_devs(test, &d);

	KUNIT_ASSERT_EQ(test, pcim_p2pdma_init(d.near), 0);
	cp->data.attr = DMA_BUF_PAL_MMIO;
	cp->data.provider = pcim_p2pdma_provider(d.near, 0);
	cp->data.provider_pdev = d.near;
	KUNIT_ASSERT_NOT_NULL(test, cp->data.provider);
	vec.paddr = pci_resource_start(d.near, 0);
	vec.len = pci_resource_len(d.near, 0);
	KUNIT_ASSERT_EQ(test, vec.len, PAGE_SIZE);
	cp->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, &vec, 1, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp->pal);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, compat_pal_put, cp->pal));

	cp->ctx.dev = &d.client->dev;
	cp->ctx.export = compat_pal_export;
	cp->ctx.sgt_addr = pci_bus_address(d.near, 0);
	cp->ctx.refused_attach_calls = 0;
	cp->ctx.map_sees_dir = false;
	return 0;
}

static const struct compat_cell compat_pal_cells[] = {
	{ EXP_NEEDS_P2P, IMP_STATIC },
	{ EXP_NEEDS_P2P, IMP_DYNAMIC },
	{ EXP_NEEDS_P2P, IMP_DYNAMIC_P2P },
};

KUNIT_ARRAY_PARAM(compat_pal_cell, compat_pal_cells, compat_cell_desc);

/*
 * The exporter's map error reaches the importer, as v7.3.4's vfio-pci's
 * -ENODEV of revoked memory did, and the attachment maps again afterwards.
 */
static void compat_pal_test_map_error(struct kunit *test)
{
	struct compat_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;

	compat_pal_export(test, EXP_NEEDS_P2P);
	attach = compat_attach_as(test, IMP_DYNAMIC_P2P, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	ctx->map_err = -ENODEV;
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -ENODEV);
	KUNIT_EXPECT_EQ(test, ctx->unmap_calls, 0);

	ctx->map_err = 0;
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_FROM_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, sg_dma_address(sgt->sgl), ctx->sgt_addr);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, ctx->map_calls, 2);
	KUNIT_EXPECT_EQ(test, ctx->unmap_calls, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static struct kunit_case compat_pal_cases[] = {
	KUNIT_CASE_PARAM(compat_test_cell, compat_pal_cell_gen_params),
	KUNIT_CASE(compat_pal_test_map_error),
	KUNIT_CASE(compat_test_attach_error),
	{}
};

static struct kunit_suite compat_pal_suite = {
	.name = "dma-buf-compat-pal",
	.init = compat_pal_init,
	.exit = compat_exit,
	.test_cases = compat_pal_cases,
};

kunit_test_suite(compat_pal_suite);
