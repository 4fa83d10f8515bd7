// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the IOV mapping type: which PF, VF and BAR pairs match,
 * routing of map and unmap, the checks made when the exporter creates its
 * ranges, the one list every map shares, revocation and the request that
 * only the core can make.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-iov.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-resv.h>
#include <linux/lockdep.h>
#include <linux/pci.h>

#include "dma-buf-internal.h"

#include "st-dma-buf-alloc.h"
#include "st-dma-buf-fail-nth.h"
#include "st-dma-buf-race.h"

MODULE_IMPORT_NS("DMA_BUF");

#define IOV_TEST_BAR		2
#define IOV_TEST_BAR_PAGES	16
#define IOV_TEST_SIZE		(4 * PAGE_SIZE)

struct iov_ctx {
	struct pci_dev *pf, *vf, *other_pf, *other_vf;
	struct dma_buf *dmabuf;
	/* what the exporter offers */
	struct pci_dev *exp_vf;
	unsigned int exp_bar;
	/* the IOV ops the exporter offers, if not iov_ops */
	const struct dma_buf_iov_exp_ops *exp_ops;
	bool offer_sgt;
	/* the exporter's ranges, and what they were made of */
	struct dma_buf_iov *iov;
	struct range r[2];
	/* ranges that map_iov hands out instead of @iov, if set */
	struct dma_buf_iov *other;
	bool skip_fill;
	/* map: set the list a second time; that call's return */
	bool set_twice;
	int second_set_ret;
	bool revoked;
	int maps, unmaps, invalidates;
	/* ranges handed out and not given back */
	int held;
	/* @unmaps when the exporter's detach ran */
	int unmaps_at_detach;
	bool resv_held_in_map;
	struct sg_table sgt;
};

static struct iov_ctx *iov_ctx_of(struct dma_buf_attachment *attach)
{
	return attach->dmabuf->priv;
}

static int iov_map(struct dma_buf_attachment *attach,
		   struct dma_buf_iov_req *req)
{
	struct iov_ctx *ctx = iov_ctx_of(attach);
	int ret;

	ctx->maps++;
#ifdef CONFIG_LOCKDEP
	ctx->resv_held_in_map = lockdep_is_held(&attach->dmabuf->resv->lock.base);
#else
	ctx->resv_held_in_map = ww_mutex_is_locked(&attach->dmabuf->resv->lock);
#endif
	if (ctx->revoked)
		return -ENODEV;
	if (ctx->skip_fill)
		return 0;
	ret = dma_buf_iov_req_set(req, ctx->other ?: ctx->iov);
	if (!ret)
		ctx->held++;
	if (!ret && ctx->set_twice)
		ctx->second_set_ret = dma_buf_iov_req_set(req, ctx->iov);
	return ret;
}

static void iov_unmap(struct dma_buf_attachment *attach)
{
	iov_ctx_of(attach)->unmaps++;
	iov_ctx_of(attach)->held--;
}

static const struct dma_buf_iov_exp_ops iov_ops = {
	.map_iov = iov_map,
	.unmap_iov = iov_unmap,
};

static struct sg_table *iov_sgt_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	return &iov_ctx_of(attach)->sgt;
}

static void iov_sgt_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
}

static const struct dma_buf_sgt_exp_ops iov_sgt_ops = {
	.map_dma_buf = iov_sgt_map,
	.unmap_dma_buf = iov_sgt_unmap,
};

static int iov_match_mapping(struct dma_buf_attachment *attach)
{
	struct iov_ctx *ctx = iov_ctx_of(attach);
	const struct dma_buf_iov_exp_data iov = {
		.vf = ctx->exp_vf,
		.bar = ctx->exp_bar,
	};
	static const struct dma_buf_sgt_exp_data sgt = { };
	const struct dma_buf_mapping_match exp[] = {
		dma_buf_iov_export(ctx->exp_ops ?: &iov_ops, &iov),
		dma_buf_sgt_export(&iov_sgt_ops, &sgt),
	};

	return dma_buf_match_mapping(attach, exp, ctx->offer_sgt ? 2 : 1);
}

static void iov_release(struct dma_buf *dmabuf)
{
}

static void iov_detach(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attach)
{
	struct iov_ctx *ctx = dmabuf->priv;

	ctx->unmaps_at_detach = ctx->unmaps;
}

static const struct dma_buf_ops iov_dmabuf_ops = {
	.match_mapping = iov_match_mapping,
	.detach = iov_detach,
	.release = iov_release,
};

static void iov_invalidate(struct dma_buf_attachment *attach)
{
	iov_ctx_of(attach)->invalidates++;
}

static const struct dma_buf_attach_ops iov_importer = {
	.invalidate_mappings = iov_invalidate,
};

static void iov_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

/* The exporter's reference, unless the test dropped it already. */
static void iov_ctx_put(void *p)
{
	struct iov_ctx *ctx = p;

	dma_buf_iov_put(ctx->iov);
	dma_buf_iov_put(ctx->other);
}

static unsigned int iov_refs(const struct dma_buf_iov *iov)
{
	return refcount_read(&iov->ref);
}

static void iov_put_device(void *dev)
{
	put_device(dev);
}

static void iov_fake_release(struct device *dev)
{
	kfree(to_pci_dev(dev));
}

/*
 * A pretend PCI function with a 16-page BAR 2: a VF of @pf, or a PF when
 * @pf is NULL. Only what the IOV type reads is filled in.
 */
static struct pci_dev *iov_fake_pdev(struct kunit *test, const char *name,
				     struct pci_dev *pf)
{
	struct resource *res;
	struct pci_dev *pdev;

	/* Freed by its release(), when the last reference goes. */
	pdev = kzalloc_obj(*pdev);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	device_initialize(&pdev->dev);
	pdev->dev.release = iov_fake_release;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iov_put_device,
							   &pdev->dev));
	KUNIT_ASSERT_EQ(test, 0, dev_set_name(&pdev->dev, "%s", name));
	res = &pdev->resource[IOV_TEST_BAR];
	res->start = 0x80000000;
	res->end = res->start + IOV_TEST_BAR_PAGES * PAGE_SIZE - 1;
	res->flags = IORESOURCE_MEM;
#ifdef CONFIG_PCI_IOV
	if (pf) {
		pdev->is_virtfn = 1;
		pdev->physfn = pf;
	}
#endif
	return pdev;
}

static int iov_init(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct iov_ctx *ctx;

	if (!IS_ENABLED(CONFIG_PCI_IOV))
		kunit_skip(test, "needs CONFIG_PCI_IOV for VFs");

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->pf = iov_fake_pdev(test, "iov-test-pf", NULL);
	ctx->vf = iov_fake_pdev(test, "iov-test-vf", ctx->pf);
	ctx->other_pf = iov_fake_pdev(test, "iov-test-other-pf", NULL);
	ctx->other_vf = iov_fake_pdev(test, "iov-test-other-vf", ctx->other_pf);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(&ctx->sgt, 1, GFP_KERNEL));
	ctx->exp_vf = ctx->vf;
	ctx->exp_bar = IOV_TEST_BAR;
	/* Two ranges of the VF BAR, out of order: 3 pages at 8, 1 page at 1. */
	ctx->r[0] = (struct range){ 8 * PAGE_SIZE, 11 * PAGE_SIZE - 1 };
	ctx->r[1] = (struct range){ PAGE_SIZE, 2 * PAGE_SIZE - 1 };
	ctx->iov = dma_buf_iov_create(ctx->vf, IOV_TEST_BAR, ctx->r, 2,
				      IOV_TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->iov);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iov_ctx_put,
							   ctx));

	exp_info.ops = &iov_dmabuf_ops;
	exp_info.size = IOV_TEST_SIZE;
	exp_info.priv = ctx;
	ctx->dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dmabuf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, iov_put, ctx->dmabuf));
	test->priv = ctx;
	return 0;
}

static void iov_exit(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;

	if (ctx)
		sg_free_table(&ctx->sgt);
}

/* Attach for @dev's device with an importer that names @pf and @bar. */
static struct dma_buf_attachment *iov_attach(struct kunit *test,
					     struct pci_dev *dev,
					     struct pci_dev *pf,
					     unsigned int bar, bool with_sgt)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_iov_imp_data iov = { .pf = pf, .bar = bar };
	struct dma_buf_sgt_imp_data sgt = { };
	struct dma_buf_mapping_match imp[] = {
		dma_buf_iov_import(&iov),
		dma_buf_sgt_import(&sgt),
	};

	return dma_buf_mapping_attach(ctx->dmabuf, &dev->dev, imp,
				      with_sgt ? 2 : 1, &iov_importer, NULL);
}

static struct dma_buf_iov *iov_map_locked(struct dma_buf_attachment *attach)
{
	struct dma_buf_iov *iov;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	iov = dma_buf_iov_map(attach);
	dma_resv_unlock(attach->dmabuf->resv);
	return iov;
}

static void iov_unmap_locked(struct dma_buf_attachment *attach,
			     struct dma_buf_iov *iov)
{
	dma_resv_lock(attach->dmabuf->resv, NULL);
	dma_buf_iov_unmap(attach, iov);
	dma_resv_unlock(attach->dmabuf->resv);
}

static void iov_test_routing(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov;
	struct range *r;
	unsigned long i, n = 0;

	ctx->offer_sgt = true;
	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_iov(attach));
	KUNIT_EXPECT_PTR_EQ(test, dma_buf_iov_vf(attach), ctx->vf);

	iov = iov_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iov);
	KUNIT_EXPECT_EQ(test, ctx->maps, 1);
	KUNIT_EXPECT_TRUE(test, ctx->resv_held_in_map);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 1);
	KUNIT_EXPECT_EQ(test, iov->bar, IOV_TEST_BAR);
	KUNIT_EXPECT_EQ(test, iov->size, IOV_TEST_SIZE);
	KUNIT_ASSERT_EQ(test, iov->nr, ARRAY_SIZE(ctx->r));
	xa_for_each(&iov->ranges, i, r) {
		KUNIT_ASSERT_LT(test, i, ARRAY_SIZE(ctx->r));
		KUNIT_EXPECT_EQ(test, r->start, ctx->r[i].start);
		KUNIT_EXPECT_EQ(test, r->end, ctx->r[i].end);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(ctx->r));
	/* The exporter's own ranges, with a reference for the importer. */
	KUNIT_EXPECT_PTR_EQ(test, iov, ctx->iov);
	KUNIT_EXPECT_EQ(test, iov_refs(iov), 2);
	iov_unmap_locked(attach, iov);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * An IOV exporter gives both map_iov and unmap_iov: without either, the
 * attach fails, where the same exporter with both attaches.
 */
static void iov_test_exporter_without_ops(struct kunit *test)
{
	static const struct dma_buf_iov_exp_ops map_only = { .map_iov = iov_map };
	static const struct dma_buf_iov_exp_ops unmap_only = { .unmap_iov = iov_unmap };
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	ctx->exp_ops = &map_only;
	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	ctx->exp_ops = &unmap_only;
	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);

	ctx->exp_ops = NULL;
	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void iov_test_not_sgt(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	/* An IOV attachment is not an sg_table, and says so. */
	dma_resv_lock(ctx->dmabuf->resv, NULL);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(dma_buf_map_attachment(attach,
							       DMA_TO_DEVICE)),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	dma_resv_unlock(ctx->dmabuf->resv);
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

enum iov_refusal {
	IOV_OTHER_DEVICE,	/* the attach is made for another device */
	IOV_OTHER_PF,		/* the importer drives another PF */
	IOV_OTHER_BAR,		/* the importer knows another BAR */
	IOV_NOT_A_VF,		/* the exporter's device is a PF */
	IOV_VF_OF_OTHER_PF,	/* the exporter's VF belongs to another PF */
};

#define WHY_OTHER_PF	"VF of another PF"

/*
 * Each case changes one thing of a pair that matches, which only the rule
 * @why can refuse: dma_buf_iov_mismatch() names it, and the attach is
 * refused with -EOPNOTSUPP, the error of an entry that does not apply.
 */
struct iov_refusal_case {
	const char *name;
	enum iov_refusal what;
	const char *why;
};

static const struct iov_refusal_case iov_refusal_cases[] = {
	{ "attach for another device", IOV_OTHER_DEVICE,
	  "attach not for the PF's device" },
	{ "importer names another PF", IOV_OTHER_PF, WHY_OTHER_PF },
	{ "another BAR", IOV_OTHER_BAR, "another BAR" },
	{ "exporter device is not a VF", IOV_NOT_A_VF,
	  "exporter's device is not a VF" },
	{ "exporter's VF is another PF's", IOV_VF_OF_OTHER_PF, WHY_OTHER_PF },
};

/* The case's name says what refuses it: tooling/bad-inputs prints them. */
static void iov_refusal_desc(const struct iov_refusal_case *t, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: -EOPNOTSUPP, %s", t->name,
		 t->why);
}

KUNIT_ARRAY_PARAM(iov_refusal, iov_refusal_cases, iov_refusal_desc);

/* What an attach pairs: the exporter's entry, the importer's, the device. */
struct iov_pair {
	struct pci_dev *dev;
	struct dma_buf_iov_exp_data exp;
	struct dma_buf_iov_imp_data imp;
};

/* The PF's attach of its VF's BAR: the pair that matches. */
static struct iov_pair iov_good_pair(struct iov_ctx *ctx)
{
	return (struct iov_pair){
		.dev = ctx->pf,
		.exp = { .vf = ctx->vf, .bar = IOV_TEST_BAR },
		.imp = { .pf = ctx->pf, .bar = IOV_TEST_BAR },
	};
}

/* The pair of the case: the pair that matches, with one thing changed. */
static struct iov_pair iov_refused_pair(struct kunit *test)
{
	const struct iov_refusal_case *t = test->param_value;
	struct iov_pair p = iov_good_pair(test->priv);
	struct iov_ctx *ctx = test->priv;

	switch (t->what) {
	case IOV_OTHER_DEVICE:
		p.dev = ctx->other_pf;
		break;
	case IOV_OTHER_PF:
		p.dev = ctx->other_pf;
		p.imp.pf = ctx->other_pf;
		break;
	case IOV_OTHER_BAR:
		p.imp.bar = 0;
		break;
	case IOV_NOT_A_VF:
		p.exp.vf = ctx->pf;
		break;
	case IOV_VF_OF_OTHER_PF:
		p.exp.vf = ctx->other_vf;
		break;
	}
	return p;
}

static struct dma_buf_attachment *iov_attach_pair(struct kunit *test,
						  const struct iov_pair *p,
						  bool with_sgt)
{
	struct iov_ctx *ctx = test->priv;

	ctx->exp_vf = p->exp.vf;
	ctx->exp_bar = p->exp.bar;
	return iov_attach(test, p->dev, p->imp.pf, p->imp.bar, with_sgt);
}

static void iov_test_refused(struct kunit *test)
{
	const struct iov_refusal_case *t = test->param_value;
	struct iov_pair p = iov_refused_pair(test);
	struct iov_ctx *ctx = test->priv;
	struct iov_pair good = iov_good_pair(ctx);
	struct dma_buf_attachment *attach;

	/* The rule the case is named for refuses it; the pair it changes fits. */
	KUNIT_EXPECT_STREQ(test, dma_buf_iov_mismatch(&p.dev->dev, &p.exp,
						      &p.imp) ?: "(none)",
			   t->why);
	KUNIT_EXPECT_NULL(test, dma_buf_iov_mismatch(&good.dev->dev, &good.exp,
						     &good.imp));

	/* With IOV only on both sides, nothing is left. */
	attach = iov_attach_pair(test, &p, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);

	/* With SGT behind it, the importer falls back to SGT. */
	ctx->offer_sgt = true;
	attach = iov_attach_pair(test, &p, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_FALSE(test, dma_buf_attachment_is_iov(attach));
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_type(attach,
							   &dma_buf_mapping_sgt));
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_rejected, 1);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(iov_map_locked(attach)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * The importer side's calls on an attachment they do not fit: ranges
 * unmapped from, or the VF asked of, an sg_table attachment, and no ranges
 * from an IOV attachment. Each is refused with a warning and reaches
 * neither the exporter nor the ranges' reference count.
 */
static void iov_test_wrong_attachment(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	/* Another PF's importer falls back to the sg_table. */
	ctx->offer_sgt = true;
	attach = iov_attach(test, ctx->other_pf, ctx->other_pf, IOV_TEST_BAR,
			    true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_FALSE(test, dma_buf_attachment_is_iov(attach));
	kunit_warning_suppress(test) {
		iov_unmap_locked(attach, ctx->iov);
		KUNIT_EXPECT_NULL(test, dma_buf_iov_vf(attach));
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	dma_buf_detach(ctx->dmabuf, attach);

	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_iov(attach));
	KUNIT_EXPECT_PTR_EQ(test, dma_buf_iov_vf(attach), ctx->vf);
	kunit_warning_suppress(test) {
		iov_unmap_locked(attach, NULL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * An exporter that sets the ranges of a request twice: the second set is
 * refused with a warning and takes no reference; the map gets the ranges
 * of the first, with one reference for the importer.
 */
static void iov_test_second_set_refused(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov;

	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	ctx->set_twice = true;
	kunit_warning_suppress(test) {
		iov = iov_map_locked(attach);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_ASSERT_PTR_EQ(test, iov, ctx->iov);
	KUNIT_EXPECT_EQ(test, ctx->second_set_ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 2);
	iov_unmap_locked(attach, iov);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void iov_test_bad_exporter_bar(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;

	/* A BAR number that cannot exist is an exporter bug, not a skip. */
	ctx->exp_bar = PCI_STD_NUM_BARS;
	ctx->offer_sgt = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(iov_attach(test, ctx->pf, ctx->pf,
						 PCI_STD_NUM_BARS, true)),
			-EINVAL);
}

/*
 * Each list breaks one rule, which names itself (@why, for entry @bad) in the
 * warning; @bad is -1 for the rule on the whole list. Only the rule a list is
 * named for can refuse it: without that rule the list would be accepted, or
 * refused at another entry ("unaligned start": the second range's end is
 * unaligned too). No case overflows the total: each range is inside the
 * 16-page BAR.
 */
struct iov_bad_list {
	const char *name;
	struct range r[3];
	unsigned int nr;
	const char *why;
	int bad;
	bool no_ranges;
};

#define IOV_P(n)	((u64)(n) * PAGE_SIZE)
#define WHY_UNALIGNED	"unaligned range"
#define WHY_PAST_BAR	"range past the end of the BAR"
#define WHY_SIZE	"total length is not the dma-buf size"

static const struct iov_bad_list iov_bad_lists[] = {
	{ "empty list", { }, 0, "empty list" },
	{ "no list", { }, 2, "no list", .no_ranges = true },
	{ "empty range", { { IOV_P(0), IOV_P(4) - 1 }, { IOV_P(6), IOV_P(6) - 1 } }, 2,
	  "empty range", 1 },
	{ "unaligned start", { { IOV_P(1) + 8, IOV_P(3) - 1 },
			       { IOV_P(8), IOV_P(10) + 7 } }, 2, WHY_UNALIGNED },
	{ "unaligned end", { { IOV_P(0), IOV_P(4) - 9 }, { IOV_P(8), IOV_P(8) + 7 } }, 2,
	  WHY_UNALIGNED },
	{ "past the end of the BAR", { { IOV_P(14), IOV_P(18) - 1 } }, 1,
	  WHY_PAST_BAR },
	{ "last page plus one", { { IOV_P(0), IOV_P(3) - 1 },
				  { IOV_P(IOV_TEST_BAR_PAGES),
				    IOV_P(IOV_TEST_BAR_PAGES + 1) - 1 } }, 2,
	  WHY_PAST_BAR, 1 },
	{ "short of the size", { { IOV_P(0), IOV_P(3) - 1 } }, 1, WHY_SIZE, -1 },
	{ "longer than the size", { { IOV_P(0), IOV_P(4) - 1 }, { IOV_P(8), IOV_P(9) - 1 } }, 2,
	  WHY_SIZE, -1 },
};

/* The case's name says what refuses it: tooling/bad-inputs prints them. */
static void iov_bad_list_desc(const struct iov_bad_list *t, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: -EINVAL, %s", t->name,
		 t->why);
}

KUNIT_ARRAY_PARAM(iov_bad_list, iov_bad_lists, iov_bad_list_desc);

static void iov_test_bad_list(struct kunit *test)
{
	const struct iov_bad_list *t = test->param_value;
	const struct range *r = t->no_ranges ? NULL : t->r;
	struct iov_ctx *ctx = test->priv;
	unsigned int bad;
	const char *why;

	/* The rule the case is named for refuses it, at the entry it broke. */
	why = dma_buf_iov_list_fault(ctx->vf, IOV_TEST_BAR, r, t->nr,
				     IOV_TEST_SIZE, &bad);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_STREQ(test, why, t->why);
	if (t->bad >= 0)
		KUNIT_EXPECT_EQ(test, bad, t->bad);

	/* An exporter bug: refused, with a warning naming the caller. */
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(dma_buf_iov_create(ctx->vf, IOV_TEST_BAR,
							   r, t->nr,
							   IOV_TEST_SIZE)),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
}

/* Good ranges without a VF, or of a BAR that cannot exist, are refused. */
static void iov_test_bad_vf_or_bar(struct kunit *test)
{
	static const char why[] = "no VF or no such BAR";
	struct iov_ctx *ctx = test->priv;
	unsigned int bad;

	KUNIT_EXPECT_STREQ(test, dma_buf_iov_list_fault(NULL, IOV_TEST_BAR,
							ctx->r, 2,
							IOV_TEST_SIZE, &bad) ?: "",
			   why);
	KUNIT_EXPECT_STREQ(test, dma_buf_iov_list_fault(ctx->vf, PCI_STD_NUM_BARS,
							ctx->r, 2,
							IOV_TEST_SIZE, &bad) ?: "",
			   why);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(dma_buf_iov_create(NULL, IOV_TEST_BAR,
							   ctx->r, 2,
							   IOV_TEST_SIZE)),
				-EINVAL);
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(dma_buf_iov_create(ctx->vf,
							   PCI_STD_NUM_BARS,
							   ctx->r, 2,
							   IOV_TEST_SIZE)),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
}

/*
 * Ranges that are not the dma-buf's (another size, another BAR) are refused
 * at map, and not counted.
 */
static void iov_test_foreign_list(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct resource *res = &ctx->vf->resource[0];
	unsigned int i;

	res->start = 0x90000000;
	res->end = res->start + IOV_TEST_BAR_PAGES * PAGE_SIZE - 1;
	res->flags = IORESOURCE_MEM;
	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	for (i = 0; i < 2; i++) {
		ctx->other = i ? dma_buf_iov_create(ctx->vf, 0, ctx->r, 2,
						    IOV_TEST_SIZE) :
				 dma_buf_iov_create(ctx->vf, IOV_TEST_BAR,
						    ctx->r, 1, 3 * PAGE_SIZE);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->other);
		kunit_warning_suppress(test) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(iov_map_locked(attach)),
					-EINVAL);
			KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
		}
		KUNIT_EXPECT_EQ(test, iov_refs(ctx->other), 1);
		dma_buf_iov_put(ctx->other);
		ctx->other = NULL;
	}
	KUNIT_EXPECT_EQ(test, ctx->maps, 2);
	/* The exporter's map failed, so there is nothing to unmap. */
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void iov_test_last_page(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov;
	/* The BAR's last page is part of the BAR. */
	const struct range last = { IOV_P(IOV_TEST_BAR_PAGES - 4),
				    IOV_P(IOV_TEST_BAR_PAGES) - 1 };

	ctx->other = dma_buf_iov_create(ctx->vf, IOV_TEST_BAR, &last, 1,
					IOV_TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->other);
	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	iov = iov_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iov);
	KUNIT_EXPECT_EQ(test, ((struct range *)xa_load(&iov->ranges, 0))->end,
			IOV_P(IOV_TEST_BAR_PAGES) - 1);
	iov_unmap_locked(attach, iov);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * A dma-buf of the suite's exporter whose list (ctx->other) has @nr
 * overlapping one-page ranges of the VF's BAR, as vfio accepts them.
 */
static struct dma_buf *iov_export_many(struct kunit *test, unsigned int nr)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct iov_ctx *ctx = test->priv;
	struct dma_buf *dmabuf;
	struct range *r;
	unsigned int i;

	r = kvcalloc(nr, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < nr; i++)
		r[i] = (struct range){ IOV_P(i % 4), IOV_P(i % 4 + 1) - 1 };
	ctx->other = dma_buf_iov_create(ctx->vf, IOV_TEST_BAR, r, nr,
					IOV_P(nr));
	kvfree(r);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->other);
	KUNIT_EXPECT_EQ(test, ctx->other->nr, nr);
	KUNIT_EXPECT_EQ(test,
			((struct range *)xa_load(&ctx->other->ranges, nr - 1))->start,
			IOV_P((nr - 1) % 4));

	exp_info.ops = &iov_dmabuf_ops;
	exp_info.size = IOV_P(nr);
	exp_info.priv = ctx;
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iov_put, dmabuf));
	return dmabuf;
}

/*
 * Every map of every attachment gets the exporter's one list, by reference:
 * no copy and no xarray built per map. Run at vfio's limit of 65536
 * (overlapping) ranges, where a copy would be a 1 MiB allocation and about
 * a thousand xarray nodes per map.
 */
static void iov_test_maps_share_one_list(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_iov_imp_data data = { .pf = ctx->pf, .bar = IOV_TEST_BAR };
	struct dma_buf_mapping_match imp = dma_buf_iov_import(&data);
	struct dma_buf_attachment *a, *b;
	struct dma_buf_iov *p[3];
	struct dma_buf *dmabuf;
	unsigned int i;

	dmabuf = iov_export_many(test, 65536);
	a = dma_buf_mapping_attach(dmabuf, &ctx->pf->dev, &imp, 1,
				   &iov_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	b = dma_buf_mapping_attach(dmabuf, &ctx->pf->dev, &imp, 1,
				   &iov_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	p[0] = iov_map_locked(a);
	p[1] = iov_map_locked(a);
	p[2] = iov_map_locked(b);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_ASSERT_PTR_EQ(test, p[i], ctx->other);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->other), 4);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		iov_unmap_locked(i < 2 ? a : b, p[i]);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->other), 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 3);
	dma_buf_detach(dmabuf, b);
	dma_buf_detach(dmabuf, a);
}

/*
 * A map and its unmap at vfio's limit of 65536 ranges allocate nothing at
 * all, counted through the allocators' tracepoints: a copy of the ranges,
 * an xarray built per map or any other allocation on that path fails the
 * case.
 */
static void iov_test_map_allocates_nothing(struct kunit *test)
{
	struct dmabuf_alloc_count *count = dmabuf_alloc_counter(test);
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_iov_imp_data data = { .pf = ctx->pf, .bar = IOV_TEST_BAR };
	struct dma_buf_mapping_match imp = dma_buf_iov_import(&data);
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov;
	struct dma_buf *dmabuf;

	dmabuf = iov_export_many(test, 65536);
	attach = dma_buf_mapping_attach(dmabuf, &ctx->pf->dev, &imp, 1,
					&iov_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dmabuf_alloc_count_begin(count);
	iov = iov_map_locked(attach);
	if (!IS_ERR_OR_NULL(iov))
		iov_unmap_locked(attach, iov);
	dmabuf_alloc_count_end(count);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, iov);
	dmabuf_alloc_count_expect_none(test, count, "map + unmap of 65536 ranges");
	dma_buf_detach(dmabuf, attach);
}

static void iov_test_no_fill(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	/* map_iov claiming success without ranges is refused, and balanced. */
	ctx->skip_fill = true;
	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(iov_map_locked(attach)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void iov_test_revoke(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov;

	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	iov = iov_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iov);

	/* The exporter revokes: importers are told, then map fails. */
	dma_resv_lock(ctx->dmabuf->resv, NULL);
	ctx->revoked = true;
	dma_buf_invalidate_mappings(ctx->dmabuf);
	dma_resv_unlock(ctx->dmabuf->resv);
	KUNIT_EXPECT_EQ(test, ctx->invalidates, 1);
	iov_unmap_locked(attach, iov);
	KUNIT_EXPECT_EQ(test, PTR_ERR(iov_map_locked(attach)), -ENODEV);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * The exporter may drop its ranges while a map is out: the importer's view
 * stays valid until its unmap, which frees it (KASAN checks both).
 */
static void iov_test_exporter_put_first(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov;

	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	iov = iov_map_locked(attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iov);
	KUNIT_EXPECT_EQ(test, iov_refs(iov), 2);

	dma_buf_iov_put(ctx->iov);
	ctx->iov = NULL;
	ctx->revoked = true;
	KUNIT_EXPECT_EQ(test, iov_refs(iov), 1);
	KUNIT_EXPECT_EQ(test, ((struct range *)xa_load(&iov->ranges, 1))->start,
			ctx->r[1].start);
	iov_unmap_locked(attach, iov);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void iov_test_forged_request(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	/* Large and zeroed: whatever the real layout, the key does not match. */
	u64 forged[16] = { };

	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test,
				iov_ops.map_iov(attach,
						(struct dma_buf_iov_req *)forged),
				-EINVAL);
		KUNIT_EXPECT_EQ(test,
				dma_buf_iov_req_set(NULL, ctx->iov),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	dma_buf_detach(ctx->dmabuf, attach);
}

/* IOV's map does not pin: a static importer is refused. */
static void iov_test_static_importer_refused(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_iov_imp_data data = { .pf = ctx->pf, .bar = IOV_TEST_BAR };
	struct dma_buf_mapping_match imp = dma_buf_iov_import(&data);
	struct dma_buf_attachment *attach;

	attach = dma_buf_mapping_attach(ctx->dmabuf, &ctx->pf->dev, &imp, 1,
					NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);
}

/*
 * Detaching with ranges still out is an importer bug: warned about, and the
 * core gives them back before the exporter's detach; another list while
 * one is out is an exporter bug, refused.
 */
static void iov_test_detach_with_list_out(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iov_map_locked(attach));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iov_map_locked(attach));
	ctx->other = dma_buf_iov_create(ctx->vf, IOV_TEST_BAR, ctx->r, 2,
					IOV_TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->other);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(iov_map_locked(attach)), -EINVAL);
		iov_unmap_locked(attach, ctx->other);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->other), 1);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 3);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 2);
	kunit_warning_suppress(test) {
		dma_buf_detach(ctx->dmabuf, attach);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 3);
	KUNIT_EXPECT_EQ(test, ctx->unmaps_at_detach, 3);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 1);
}

static struct dma_buf_attachment *
iov_race_attach(struct dmabuf_race *race, const struct dma_buf_attach_ops *ops,
		void *priv)
{
	struct iov_ctx *ctx = race->dmabuf->priv;
	struct dma_buf_iov_imp_data data = { .pf = ctx->pf, .bar = IOV_TEST_BAR };
	struct dma_buf_mapping_match imp = dma_buf_iov_import(&data);

	return dma_buf_mapping_attach(race->dmabuf, &ctx->pf->dev, &imp, 1, ops,
				      priv);
}

static void *iov_race_map(struct dma_buf_attachment *attach, unsigned int id)
{
	return dma_buf_iov_map(attach);
}

static void iov_race_unmap(struct dma_buf_attachment *attach, unsigned int id,
			   void *mapped, bool invalidated)
{
	dma_buf_iov_unmap(attach, mapped);
}

/*
 * Revocations, maps, attaches and detaches from two threads at a time on
 * one set of ranges (see st-dma-buf-race.c): every map gives them back,
 * and only the exporter's reference is left.
 */
static void iov_test_races(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dmabuf_race race = {
		.dmabuf = ctx->dmabuf,
		.revoked = &ctx->revoked,
		.held = &ctx->held,
		.attach = iov_race_attach,
		.map = iov_race_map,
		.unmap = iov_race_unmap,
	};

	dmabuf_race_run(test, &race);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 1);
}

/*
 * Every allocation of the exporter's ranges (the object and its xarray) and
 * of the PF's attach, map, unmap and detach failed once, one per round: the
 * creation, attach or map that made it returns -ENOMEM and leaves the state
 * as it was (no ranges made, no attachment, no list out); after a failed
 * map the same attachment maps; the last round fails nothing.
 */
static void iov_test_fail_nth(struct kunit *test)
{
	struct iov_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov, *list;
	struct dmabuf_fail_nth *f;

	f = dmabuf_fail_nth_start(test);
	for (;;) {
		dmabuf_fail_nth_arm(f);
		list = dma_buf_iov_create(ctx->vf, IOV_TEST_BAR, ctx->r,
					  ARRAY_SIZE(ctx->r), IOV_TEST_SIZE);
		if (IS_ERR(list)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(list)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(list), -ENOMEM);
			dmabuf_fail_nth_next(f);
			continue;
		}
		dma_buf_iov_put(list);
		attach = iov_attach(test, ctx->pf, ctx->pf, IOV_TEST_BAR, false);
		if (IS_ERR(attach)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(attach)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -ENOMEM);
			KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
			dmabuf_fail_nth_next(f);
			continue;
		}
		iov = iov_map_locked(attach);
		if (IS_ERR(iov)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(iov)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(iov), -ENOMEM);
			KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
			KUNIT_EXPECT_EQ(test, ctx->held, 0);
			iov = iov_map_locked(attach);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iov);
		}
		iov_unmap_locked(attach, iov);
		dma_buf_detach(ctx->dmabuf, attach);
		if (f->armed && !dmabuf_fail_nth_disarm(f, 0) &&
		    dmabuf_fail_nth_done(f))
			break;
		KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
		KUNIT_EXPECT_EQ(test, ctx->held, 0);
		KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 1);
		dmabuf_fail_nth_next(f);
	}
	KUNIT_EXPECT_EQ(test, ctx->held, 0);
	KUNIT_EXPECT_EQ(test, iov_refs(ctx->iov), 1);
	KUNIT_EXPECT_GT(test, f->refused, 0);
	dmabuf_fail_nth_report(f, "IOV ranges, attach, map, unmap, detach");
}

static struct kunit_case dma_buf_iov_cases[] = {
	KUNIT_CASE(iov_test_routing),
	KUNIT_CASE(iov_test_exporter_without_ops),
	KUNIT_CASE(iov_test_not_sgt),
	KUNIT_CASE_PARAM(iov_test_refused, iov_refusal_gen_params),
	KUNIT_CASE(iov_test_wrong_attachment),
	KUNIT_CASE(iov_test_second_set_refused),
	KUNIT_CASE(iov_test_bad_exporter_bar),
	KUNIT_CASE_PARAM(iov_test_bad_list, iov_bad_list_gen_params),
	KUNIT_CASE(iov_test_bad_vf_or_bar),
	KUNIT_CASE(iov_test_foreign_list),
	KUNIT_CASE(iov_test_last_page),
	KUNIT_CASE(iov_test_maps_share_one_list),
	KUNIT_CASE(iov_test_map_allocates_nothing),
	KUNIT_CASE(iov_test_no_fill),
	KUNIT_CASE(iov_test_revoke),
	KUNIT_CASE(iov_test_exporter_put_first),
	KUNIT_CASE(iov_test_forged_request),
	KUNIT_CASE(iov_test_static_importer_refused),
	KUNIT_CASE(iov_test_detach_with_list_out),
	KUNIT_CASE_SLOW(iov_test_races),
	KUNIT_CASE(iov_test_fail_nth),
	{}
};

static struct kunit_suite dma_buf_iov_suite = {
	.name = "dma-buf-mapping-iov",
	.init = iov_init,
	.exit = iov_exit,
	.test_cases = dma_buf_iov_cases,
};

kunit_test_suite(dma_buf_iov_suite);
