// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the mapping type core: prints figures, asserts no timing.
 *
 * Run it alone with:
 *   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf \
 *	--raw_output=kunit 'dma-buf-mapping-bench'
 *
 * bench_list_scaling times the core's hand-out of a PAL and of an IOV list
 * of 64 and of 65536 ranges.
 *
 * bench_pal_vs_sgt needs PCI P2P: on x86_64 with CONFIG_PCI_P2PDMA and two
 * pci-testdev functions behind one bridge, e.g. --arch=x86_64 with
 *   --qemu_args='-device pci-bridge,id=b0,chassis_nr=1
 *	-device pci-testdev,bus=b0,addr=1 -device pci-testdev,bus=b0,addr=2'
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-iov.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "dma-buf-internal.h"

MODULE_IMPORT_NS("DMA_BUF");

#define BENCH_ROUNDS	5
#define BENCH_LOOPS	2000

/* PAL against SGT: 1 GiB of MMIO in 64 ranges. */
#define BENCH_MMIO_SIZE		SZ_1G
#define BENCH_MMIO_RANGES	64
#define BENCH_MMIO_LOOPS	200

struct bench_ctx {
	struct device *dev;
	struct dma_buf *dmabuf;
	struct sg_table sgt;
	unsigned long maps, unmaps, attaches, detaches;
	struct dma_buf_pal *pal;
};

static struct sg_table *bench_map(struct dma_buf_attachment *attach,
				  enum dma_data_direction dir)
{
	struct bench_ctx *ctx = attach->dmabuf->priv;

	ctx->maps++;
	return &ctx->sgt;
}

static void bench_unmap(struct dma_buf_attachment *attach,
			struct sg_table *sgt, enum dma_data_direction dir)
{
	struct bench_ctx *ctx = attach->dmabuf->priv;

	ctx->unmaps++;
}

static const struct dma_buf_sgt_exp_ops bench_sgt_ops = {
	.map_dma_buf = bench_map,
	.unmap_dma_buf = bench_unmap,
};

static int bench_attach(struct dma_buf *dmabuf,
			struct dma_buf_attachment *attach)
{
	struct bench_ctx *ctx = dmabuf->priv;

	ctx->attaches++;
	return 0;
}

static void bench_detach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attach)
{
	struct bench_ctx *ctx = dmabuf->priv;

	ctx->detaches++;
}

static void bench_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_sgt_exp_data bench_plain = { };

/* A native SGT exporter with the static single-entry form. */
static const struct dma_buf_ops bench_ops = {
	.attach = bench_attach,
	.detach = bench_detach,
	.release = bench_release,
};

static void bench_invalidate(struct dma_buf_attachment *attach)
{
}

/* A dynamic importer that honours revocation, as iommufd and xe are. */
static const struct dma_buf_attach_ops bench_importer = {
	.allow_peer2peer = false,
	.invalidate_mappings = bench_invalidate,
};

static void bench_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

static int bench_init(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct bench_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->dev = kunit_device_register(test, "dma-buf-mapping-bench");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(&ctx->sgt, 1, GFP_KERNEL));

	exp_info.ops = &bench_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = ctx;
	exp_info.mapping = dma_buf_sgt_export(&bench_sgt_ops, &bench_plain);
	ctx->dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dmabuf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, bench_put, ctx->dmabuf));
	test->priv = ctx;
	return 0;
}

static void bench_exit(struct kunit *test)
{
	struct bench_ctx *ctx = test->priv;

	sg_free_table(&ctx->sgt);
}

typedef int (*bench_cycle_fn)(struct bench_ctx *ctx);

/* Map and unmap once under the reservation lock, as a dynamic importer does. */
static int bench_map_unmap(struct dma_buf_attachment *attach)
{
	struct sg_table *sgt;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_TO_DEVICE);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment(attach, sgt, DMA_TO_DEVICE);
	dma_resv_unlock(attach->dmabuf->resv);
	dma_buf_detach(attach->dmabuf, attach);
	return PTR_ERR_OR_ZERO(sgt);
}

/* Through the core, as a native SGT importer does it. */
static int bench_cycle_native(struct bench_ctx *ctx)
{
	struct dma_buf_sgt_imp_data data = { .dev = ctx->dev };
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&data);
	struct dma_buf_attachment *attach;

	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1,
					&bench_importer, NULL);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	return bench_map_unmap(attach);
}

/* Through the core, as an importer that has not been converted does it. */
static int bench_cycle_legacy(struct bench_ctx *ctx)
{
	struct dma_buf_attachment *attach;

	attach = dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev, &bench_importer,
					NULL);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	return bench_map_unmap(attach);
}

/*
 * The same exporter ops called directly, with what the dma-buf core did
 * before mapping types around them: the attachment allocated, put on the
 * buffer's list and taken off it under the reservation lock, and the lock
 * held for map and unmap.
 */
static int bench_cycle_direct(struct bench_ctx *ctx)
{
	struct dma_buf *dmabuf = ctx->dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	int ret;

	attach = kzalloc_obj(*attach);
	if (!attach)
		return -ENOMEM;
	attach->dmabuf = dmabuf;
	attach->dev = ctx->dev;
	attach->importer_ops = &bench_importer;
	ret = dmabuf->ops->attach(dmabuf, attach);
	if (ret)
		goto out;
	dma_resv_lock(dmabuf->resv, NULL);
	list_add(&attach->node, &dmabuf->attachments);
	dma_resv_unlock(dmabuf->resv);

	dma_resv_lock(dmabuf->resv, NULL);
	sgt = bench_sgt_ops.map_dma_buf(attach, DMA_TO_DEVICE);
	bench_sgt_ops.unmap_dma_buf(attach, sgt, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);

	dma_resv_lock(dmabuf->resv, NULL);
	list_del(&attach->node);
	dma_resv_unlock(dmabuf->resv);
	dmabuf->ops->detach(dmabuf, attach);
out:
	kfree(attach);
	return ret;
}

/* Best of BENCH_ROUNDS rounds of BENCH_LOOPS cycles, in ns per cycle. */
static u64 bench_run(struct kunit *test, bench_cycle_fn fn)
{
	struct bench_ctx *ctx = test->priv;
	u64 best = U64_MAX;
	int r, i;

	for (r = 0; r < BENCH_ROUNDS; r++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < BENCH_LOOPS; i++)
			KUNIT_ASSERT_EQ(test, fn(ctx), 0);
		best = min(best, div_u64(ktime_get_ns() - t0, BENCH_LOOPS));
		cond_resched();
	}
	return best;
}

static void bench_report(struct kunit *test, const char *what, u64 a,
			 const char *a_name, u64 b, const char *b_name,
			 unsigned int goal_pct)
{
	u64 pct = b ? div64_u64(a * 100, b) : 0;

	kunit_info(test, "bench: %s: %s %llu ns/cycle, %s %llu ns/cycle, ratio %llu.%02llu (goal <= %u.%02u)\n",
		   what, a_name, a, b_name, b, div_u64(pct, 100), pct % 100,
		   goal_pct / 100, goal_pct % 100);
}

static void bench_core_vs_direct(struct kunit *test)
{
	struct bench_ctx *ctx = test->priv;
	u64 core, direct;

	/* Warm up the allocator and the caches first. */
	bench_run(test, bench_cycle_direct);
	direct = bench_run(test, bench_cycle_direct);
	core = bench_run(test, bench_cycle_native);
	bench_report(test, "attach+map+unmap+detach", core, "core", direct,
		     "direct ops", 115);
	/* Every cycle really reached the exporter. */
	KUNIT_EXPECT_EQ(test, ctx->maps, 3 * BENCH_ROUNDS * BENCH_LOOPS);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, ctx->maps);
	KUNIT_EXPECT_EQ(test, ctx->attaches, ctx->detaches);
}

static void bench_legacy_vs_native(struct kunit *test)
{
	struct bench_ctx *ctx = test->priv;
	u64 legacy, native;

	bench_run(test, bench_cycle_native);
	native = bench_run(test, bench_cycle_native);
	legacy = bench_run(test, bench_cycle_legacy);
	bench_report(test, "importer", legacy, "dma_buf_dynamic_attach()",
		     native, "native SGT importer", 105);
	KUNIT_EXPECT_EQ(test, ctx->maps, 3 * BENCH_ROUNDS * BENCH_LOOPS);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, ctx->maps);
}

static int bench_pal_map(struct dma_buf_attachment *attach,
			 struct dma_buf_pal_req *req)
{
	struct bench_ctx *ctx = attach->dmabuf->priv;

	ctx->maps++;
	return dma_buf_pal_req_set(req, ctx->pal);
}

KUNIT_DEFINE_ACTION_WRAPPER(bench_pal_put, dma_buf_pal_put,
			    struct dma_buf_pal *);

static void bench_pal_unmap(struct dma_buf_attachment *attach)
{
	struct bench_ctx *ctx = attach->dmabuf->priv;

	ctx->unmaps++;
}

static const struct dma_buf_pal_exp_ops bench_pal_ops = {
	.map_pal = bench_pal_map,
	.unmap_pal = bench_pal_unmap,
};

static void bench_put_pci_dev(void *pdev)
{
	pci_dev_put(pdev);
}

/* Two pci-testdev functions behind one bridge: P2P by bus address. */
static bool bench_find_p2p_pair(struct kunit *test, struct pci_dev **client,
				struct pci_dev **provider)
{
	struct pci_dev *a = NULL, *b;

	while ((a = pci_get_device(0x1b36, 0x0005, a))) {
		if (pci_is_root_bus(a->bus))
			continue;
		b = NULL;
		while ((b = pci_get_device(0x1b36, 0x0005, b))) {
			if (b == a || b->bus != a->bus)
				continue;
			*client = a;
			*provider = b;
			/* Both references are dropped when the case ends. */
			return !kunit_add_action_or_reset(test, bench_put_pci_dev,
							  a) &&
			       !kunit_add_action_or_reset(test, bench_put_pci_dev,
							  b);
		}
	}
	return false;
}

/* Best of BENCH_ROUNDS rounds of map+unmap under the reservation lock. */
static u64 bench_mmio_run(struct kunit *test, struct dma_buf_attachment *attach,
			  bool pal)
{
	struct dma_resv *resv = attach->dmabuf->resv;
	u64 best = U64_MAX;
	int r, i;

	for (r = 0; r < BENCH_ROUNDS; r++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < BENCH_MMIO_LOOPS; i++) {
			dma_resv_lock(resv, NULL);
			if (pal) {
				const struct dma_buf_pal *list;

				list = dma_buf_pal_map(attach);
				if (!IS_ERR(list))
					dma_buf_pal_unmap(attach, list);
				dma_resv_unlock(resv);
				KUNIT_ASSERT_NOT_ERR_OR_NULL(test, list);
			} else {
				struct sg_table *sgt;

				sgt = dma_buf_map_attachment(attach,
							     DMA_BIDIRECTIONAL);
				if (!IS_ERR(sgt))
					dma_buf_unmap_attachment(attach, sgt,
								 DMA_BIDIRECTIONAL);
				dma_resv_unlock(resv);
				KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
			}
		}
		best = min(best, div_u64(ktime_get_ns() - t0,
					 BENCH_MMIO_LOOPS));
		cond_resched();
	}
	return best;
}

/*
 * The same MMIO handed out as a physical address list, and as an sg_table of
 * bus addresses for a P2P peer, which the core builds from the list with
 * dma_buf_phys_vec_to_sgt(), as it does for vfio-pci's SGT importers.
 */
static void bench_pal_vs_sgt(struct kunit *test)
{
	static const struct dma_buf_pal_imp_data i_pal = {
		.attrs = BIT(DMA_BUF_PAL_MMIO),
	};
	struct dma_buf_pal_exp_data e_pal = { .attr = DMA_BUF_PAL_MMIO };
	struct dma_buf_sgt_imp_data i_sgt = { .allow_p2p = true };
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf_attachment *a_pal, *a_sgt;
	struct bench_ctx *ctx = test->priv;
	struct dma_buf_mapping_match imp;
	struct pci_dev *client, *provider;
	const struct dma_buf_pal *list;
	struct phys_vec *mmio;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	u64 t_pal, t_sgt, x;
	int i;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA))
		kunit_skip(test, "needs CONFIG_PCI_P2PDMA (x86_64)");
	if (!bench_find_p2p_pair(test, &client, &provider))
		kunit_skip(test, "needs two pci-testdev behind one bridge (x86_64 run)");
	KUNIT_ASSERT_EQ(test, pcim_p2pdma_init(provider), 0);
	e_pal.provider = pcim_p2pdma_provider(provider, 0);
	e_pal.provider_pdev = provider;
	KUNIT_ASSERT_NOT_NULL(test, e_pal.provider);
	i_sgt.dev = &client->dev;

	/*
	 * Only addresses are computed from the list, nothing is accessed, so
	 * every range may start at the BAR: 64 ranges of 16 MiB.
	 */
	mmio = kunit_kcalloc(test, BENCH_MMIO_RANGES, sizeof(*mmio), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mmio);
	for (i = 0; i < BENCH_MMIO_RANGES; i++) {
		mmio[i].paddr = pci_resource_start(provider, 0);
		mmio[i].len = BENCH_MMIO_SIZE / BENCH_MMIO_RANGES;
	}
	ctx->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, mmio,
				      BENCH_MMIO_RANGES, BENCH_MMIO_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pal);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_pal_put,
							   ctx->pal));
	exp_info.ops = &bench_ops;
	exp_info.size = BENCH_MMIO_SIZE;
	exp_info.priv = ctx;
	exp_info.mapping = dma_buf_pal_export(&bench_pal_ops, &e_pal);
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_put,
							   dmabuf));

	/* Dynamic importers, as PAL requires (its map does not pin). */
	imp = dma_buf_pal_import(&i_pal);
	a_pal = dma_buf_mapping_attach(dmabuf, &client->dev, &imp, 1,
				       &bench_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a_pal);
	imp = dma_buf_sgt_import(&i_sgt);
	a_sgt = dma_buf_mapping_attach(dmabuf, &client->dev, &imp, 1,
				       &bench_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a_sgt);
	KUNIT_ASSERT_NOT_NULL(test, dma_buf_mapping_info_of(a_sgt)->conv);

	/* What each side gets describes the whole buffer. */
	dma_resv_lock(dmabuf->resv, NULL);
	list = dma_buf_pal_map(a_pal);
	KUNIT_EXPECT_FALSE(test, IS_ERR(list));
	if (!IS_ERR(list)) {
		KUNIT_EXPECT_EQ(test, list->nr, BENCH_MMIO_RANGES);
		dma_buf_pal_unmap(a_pal, list);
	}
	sgt = dma_buf_map_attachment(a_sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	if (!IS_ERR(sgt)) {
		struct scatterlist *sg;
		u64 total = 0;

		for_each_sgtable_dma_sg(sgt, sg, i)
			total += sg_dma_len(sg);
		KUNIT_EXPECT_EQ(test, total, BENCH_MMIO_SIZE);
		dma_buf_unmap_attachment(a_sgt, sgt, DMA_BIDIRECTIONAL);
	}
	dma_resv_unlock(dmabuf->resv);

	bench_mmio_run(test, a_pal, true);
	t_pal = bench_mmio_run(test, a_pal, true);
	t_sgt = bench_mmio_run(test, a_sgt, false);
	x = t_pal ? div64_u64(t_sgt * 100, t_pal) : 0;
	kunit_info(test, "bench: 1 GiB MMIO in %d ranges, map+unmap: PAL %llu ns, SGT (P2P bus addresses) %llu ns, PAL %llu.%02llux faster (goal >= 50x)\n",
		   BENCH_MMIO_RANGES, t_pal, t_sgt, div_u64(x, 100), x % 100);
	KUNIT_EXPECT_EQ(test, ctx->maps, ctx->unmaps);

	dma_buf_detach(dmabuf, a_sgt);
	dma_buf_detach(dmabuf, a_pal);
}

/*
 * The list hand-out alone: map+unmap of a PAL and of an IOV dma-buf through
 * the core, with a list of 64 and of 65536 ranges (vfio-pci's limit), each
 * list made once by the exporter. Flat in the number of ranges, since a map
 * only takes a reference.
 */
#define BENCH_LIST_SMALL	64
#define BENCH_LIST_LARGE	65536
#define BENCH_LIST_LOOPS	2000
#define BENCH_LIST_BAR		2
#define BENCH_LIST_BAR_PAGES	16

struct bench_list {
	struct dma_buf_pal *pal;
	struct dma_buf_iov *iov;
	unsigned long maps, unmaps;
};

static int bench_list_map_pal(struct dma_buf_attachment *attach,
			      struct dma_buf_pal_req *req)
{
	struct bench_list *l = attach->dmabuf->priv;

	l->maps++;
	return dma_buf_pal_req_set(req, l->pal);
}

static int bench_list_map_iov(struct dma_buf_attachment *attach,
			      struct dma_buf_iov_req *req)
{
	struct bench_list *l = attach->dmabuf->priv;

	l->maps++;
	return dma_buf_iov_req_set(req, l->iov);
}

static void bench_list_unmap(struct dma_buf_attachment *attach)
{
	struct bench_list *l = attach->dmabuf->priv;

	l->unmaps++;
}

static const struct dma_buf_pal_exp_ops bench_list_pal_ops = {
	.map_pal = bench_list_map_pal,
	.unmap_pal = bench_list_unmap,
};

static const struct dma_buf_iov_exp_ops bench_list_iov_ops = {
	.map_iov = bench_list_map_iov,
	.unmap_iov = bench_list_unmap,
};

/* Their priv is a struct bench_list, so not bench_ops' attach and detach. */
static const struct dma_buf_ops bench_list_dmabuf_ops = {
	.release = bench_release,
};

static void bench_list_put(void *p)
{
	struct bench_list *l = p;

	dma_buf_pal_put(l->pal);
	dma_buf_iov_put(l->iov);
}

static void bench_put_device(void *dev)
{
	put_device(dev);
}

static void bench_fake_release(struct device *dev)
{
	kfree(to_pci_dev(dev));
}

/* A pretend PCI function with a small BAR: a VF of @pf, or a PF. */
static struct pci_dev *bench_fake_pdev(struct kunit *test, const char *name,
				       struct pci_dev *pf)
{
	struct resource *res;
	struct pci_dev *pdev;

	/* Freed by its release(), when the last reference goes. */
	pdev = kzalloc_obj(*pdev);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	device_initialize(&pdev->dev);
	pdev->dev.release = bench_fake_release;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_put_device,
							   &pdev->dev));
	KUNIT_ASSERT_EQ(test, 0, dev_set_name(&pdev->dev, "%s", name));
	res = &pdev->resource[BENCH_LIST_BAR];
	res->start = 0x80000000;
	res->end = res->start + BENCH_LIST_BAR_PAGES * PAGE_SIZE - 1;
	res->flags = IORESOURCE_MEM;
#ifdef CONFIG_PCI_IOV
	if (pf) {
		pdev->is_virtfn = 1;
		pdev->physfn = pf;
	}
#endif
	return pdev;
}

/*
 * A dma-buf of @nr overlapping one-page ranges, its list made once, and an
 * attachment of the matching importer for @dev. With @vf, an IOV exporter
 * of @vf's BAR; otherwise a PAL exporter of MMIO.
 */
static struct dma_buf_attachment *
bench_list_attach(struct kunit *test, struct device *dev, struct pci_dev *vf,
		  unsigned int nr)
{
	static const struct dma_buf_pal_exp_data e_pal = {
		.attr = DMA_BUF_PAL_MMIO,
	};
	static const struct dma_buf_pal_imp_data i_pal = {
		.attrs = BIT(DMA_BUF_PAL_MMIO),
	};
	struct dma_buf_iov_exp_data *e_iov;
	struct dma_buf_iov_imp_data *i_iov;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match imp;
	struct bench_list *l;
	struct dma_buf *dmabuf;
	unsigned int i;

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_list_put, l));
	if (vf) {
		struct range *r = kvcalloc(nr, sizeof(*r), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, r);
		for (i = 0; i < nr; i++)
			r[i] = (struct range){ (i % 4) * PAGE_SIZE,
					       (i % 4 + 1) * PAGE_SIZE - 1 };
		l->iov = dma_buf_iov_create(vf, BENCH_LIST_BAR, r, nr,
					    (u64)nr * PAGE_SIZE);
		kvfree(r);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l->iov);
		e_iov = kunit_kzalloc(test, sizeof(*e_iov), GFP_KERNEL);
		i_iov = kunit_kzalloc(test, sizeof(*i_iov), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, e_iov);
		KUNIT_ASSERT_NOT_NULL(test, i_iov);
		*e_iov = (struct dma_buf_iov_exp_data){ .vf = vf,
							.bar = BENCH_LIST_BAR };
		*i_iov = (struct dma_buf_iov_imp_data){ .pf = pci_physfn(vf),
							.bar = BENCH_LIST_BAR };
		exp_info.mapping = dma_buf_iov_export(&bench_list_iov_ops, e_iov);
		imp = dma_buf_iov_import(i_iov);
	} else {
		struct phys_vec *v = kvcalloc(nr, sizeof(*v), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, v);
		for (i = 0; i < nr; i++)
			v[i] = (struct phys_vec){
				.paddr = 0xfe000000 + (i % 4) * PAGE_SIZE,
				.len = PAGE_SIZE,
			};
		l->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, v, nr,
					    (u64)nr * PAGE_SIZE);
		kvfree(v);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l->pal);
		exp_info.mapping = dma_buf_pal_export(&bench_list_pal_ops, &e_pal);
		imp = dma_buf_pal_import(&i_pal);
	}
	exp_info.ops = &bench_list_dmabuf_ops;
	exp_info.size = (size_t)nr * PAGE_SIZE;
	exp_info.priv = l;
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_put, dmabuf));
	attach = dma_buf_mapping_attach(dmabuf, dev, &imp, 1, &bench_importer,
					NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	return attach;
}

/* Best of BENCH_ROUNDS rounds: ns per map+unmap of @attach's list. */
static u64 bench_list_run(struct kunit *test, struct dma_buf_attachment *attach)
{
	bool pal = dma_buf_attachment_is_pal(attach);
	struct bench_list *l = attach->dmabuf->priv;
	u64 best = U64_MAX;
	int r, i;

	for (r = 0; r < BENCH_ROUNDS; r++) {
		u64 t0;

		dma_resv_lock(attach->dmabuf->resv, NULL);
		t0 = ktime_get_ns();
		for (i = 0; i < BENCH_LIST_LOOPS; i++) {
			if (pal) {
				const struct dma_buf_pal *p = dma_buf_pal_map(attach);

				if (IS_ERR(p))
					break;
				dma_buf_pal_unmap(attach, p);
			} else {
				struct dma_buf_iov *v = dma_buf_iov_map(attach);

				if (IS_ERR(v))
					break;
				dma_buf_iov_unmap(attach, v);
			}
		}
		best = min(best, div_u64(ktime_get_ns() - t0, BENCH_LIST_LOOPS));
		dma_resv_unlock(attach->dmabuf->resv);
		KUNIT_ASSERT_EQ(test, i, BENCH_LIST_LOOPS);
		cond_resched();
	}
	KUNIT_EXPECT_EQ(test, l->maps, l->unmaps);
	return best;
}

static void bench_list_report(struct kunit *test, const char *type,
			      u64 small, u64 large)
{
	u64 pct = small ? div64_u64(large * 100, small) : 0;

	kunit_info(test, "bench: %s list hand-out, map+unmap: %u ranges %llu ns, %u ranges %llu ns, ratio %llu.%02llu (goal <= 1.50)\n",
		   type, BENCH_LIST_SMALL, small, BENCH_LIST_LARGE, large,
		   div_u64(pct, 100), pct % 100);
}

static void bench_list_scaling(struct kunit *test)
{
	struct bench_ctx *ctx = test->priv;
	struct dma_buf_attachment *a[2];
	struct pci_dev *pf, *vf;
	u64 t[2];
	int i;

	a[0] = bench_list_attach(test, ctx->dev, NULL, BENCH_LIST_SMALL);
	a[1] = bench_list_attach(test, ctx->dev, NULL, BENCH_LIST_LARGE);
	bench_list_run(test, a[1]);
	for (i = 0; i < 2; i++)
		t[i] = bench_list_run(test, a[i]);
	bench_list_report(test, "PAL", t[0], t[1]);
	for (i = 0; i < 2; i++)
		dma_buf_detach(a[i]->dmabuf, a[i]);

	if (!IS_ENABLED(CONFIG_PCI_IOV))
		kunit_skip(test, "IOV needs CONFIG_PCI_IOV for a VF");
	pf = bench_fake_pdev(test, "dma-buf-bench-pf", NULL);
	vf = bench_fake_pdev(test, "dma-buf-bench-vf", pf);
	a[0] = bench_list_attach(test, &pf->dev, vf, BENCH_LIST_SMALL);
	a[1] = bench_list_attach(test, &pf->dev, vf, BENCH_LIST_LARGE);
	bench_list_run(test, a[1]);
	for (i = 0; i < 2; i++)
		t[i] = bench_list_run(test, a[i]);
	bench_list_report(test, "IOV", t[0], t[1]);
	for (i = 0; i < 2; i++)
		dma_buf_detach(a[i]->dmabuf, a[i]);
}

static struct kunit_case dma_buf_mapping_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_core_vs_direct),
	KUNIT_CASE_SLOW(bench_legacy_vs_native),
	KUNIT_CASE_SLOW(bench_pal_vs_sgt),
	KUNIT_CASE_SLOW(bench_list_scaling),
	{}
};

static struct kunit_suite dma_buf_mapping_bench_suite = {
	.name = "dma-buf-mapping-bench",
	.init = bench_init,
	.exit = bench_exit,
	.test_cases = dma_buf_mapping_bench_cases,
};

kunit_test_suite(dma_buf_mapping_bench_suite);
