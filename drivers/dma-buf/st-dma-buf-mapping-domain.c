// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the IOMMU domain mapping type: the core's conversion of a
 * PAL exporter's list into an importer's iommu_domain, through iommu_map()
 * and iommu_unmap() of the IOMMU core, on a software domain whose page table
 * is an xarray.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-domain.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/xarray.h>

#include "st-dma-buf-fail-nth.h"
#include "st-dma-buf-race.h"

MODULE_IMPORT_NS("DMA_BUF");

/* Three discontiguous ranges of a pretend BAR: 2 pages, 1 page, 3 pages. */
#define DOM_PAGES	6
#define DOM_SIZE	(DOM_PAGES * PAGE_SIZE)
#define DOM_PROT_BITS	6

/*
 * A software IOMMU domain: one xarray entry per mapped page, holding the
 * physical page frame and the prot it was mapped with. Its map can be made
 * to fail at a given page, as a real page table's allocation can.
 */
struct dom_fake {
	struct iommu_domain domain;
	struct xarray pages;
	/* fail the map of the page that would be the fail_at'th mapped */
	unsigned int fail_at;
	unsigned int nr_map_pages;
};

static struct dom_fake *dom_fake_of(struct iommu_domain *domain)
{
	return container_of(domain, struct dom_fake, domain);
}

static int dom_fake_map(struct iommu_domain *domain, unsigned long iova,
			phys_addr_t paddr, size_t pgsize, size_t pgcount,
			int prot, gfp_t gfp, size_t *mapped)
{
	struct dom_fake *f = dom_fake_of(domain);
	size_t i, n = pgsize * pgcount / PAGE_SIZE;
	int ret;

	for (i = 0; i < n; i++) {
		unsigned long idx = (iova >> PAGE_SHIFT) + i;
		unsigned long val = (PHYS_PFN(paddr) + i) << DOM_PROT_BITS | prot;

		if (f->fail_at && ++f->nr_map_pages == f->fail_at)
			return -ENOMEM;
		ret = xa_insert(&f->pages, idx, xa_mk_value(val), gfp);
		if (ret)
			return ret == -EBUSY ? -EEXIST : ret;
		*mapped += PAGE_SIZE;
	}
	return 0;
}

static size_t dom_fake_unmap(struct iommu_domain *domain, unsigned long iova,
			     size_t pgsize, size_t pgcount,
			     struct iommu_iotlb_gather *gather)
{
	struct dom_fake *f = dom_fake_of(domain);
	size_t i, n = pgsize * pgcount / PAGE_SIZE;

	for (i = 0; i < n; i++)
		if (!xa_erase(&f->pages, (iova >> PAGE_SHIFT) + i))
			break;
	return i * PAGE_SIZE;
}

static phys_addr_t dom_fake_iova_to_phys(struct iommu_domain *domain,
					 dma_addr_t iova)
{
	void *e = xa_load(&dom_fake_of(domain)->pages, iova >> PAGE_SHIFT);

	if (!e)
		return 0;
	return PFN_PHYS(xa_to_value(e) >> DOM_PROT_BITS) + offset_in_page(iova);
}

static const struct iommu_domain_ops dom_fake_ops = {
	.map_pages = dom_fake_map,
	.unmap_pages = dom_fake_unmap,
	.iova_to_phys = dom_fake_iova_to_phys,
};

static void dom_fake_destroy(void *p)
{
	xa_destroy(&((struct dom_fake *)p)->pages);
}

static struct iommu_domain *dom_fake_new(struct kunit *test)
{
	struct dom_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	xa_init(&f->pages);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dom_fake_destroy, f));
	f->domain.type = IOMMU_DOMAIN_UNMANAGED;
	f->domain.ops = &dom_fake_ops;
	f->domain.pgsize_bitmap = PAGE_SIZE;
	return &f->domain;
}

/* Number of pages mapped in @domain, anywhere. */
static unsigned long dom_nr_pages(struct iommu_domain *domain)
{
	unsigned long idx, n = 0;
	void *e;

	xa_for_each(&dom_fake_of(domain)->pages, idx, e)
		n++;
	return n;
}

/* The prot a page was mapped with, or -1. */
static int dom_prot(struct iommu_domain *domain, unsigned long iova)
{
	void *e = xa_load(&dom_fake_of(domain)->pages, iova >> PAGE_SHIFT);

	return e ? xa_to_value(e) & ((1 << DOM_PROT_BITS) - 1) : -1;
}

struct dom_ctx {
	struct device *dev;
	struct dma_buf *dmabuf;
	struct dma_buf_pal *pal;
	struct phys_vec vec[3];
	bool offer_sgt;
	bool only_sgt;
	bool revoked;
	int maps, unmaps, invalidates;
	/* lists handed out and not given back */
	int held;
	/* unmaps of the races' importers that failed */
	int race_errors;
	/* @unmaps and the domain's mapped pages when the exporter's detach ran */
	int unmaps_at_detach;
	unsigned long pages_at_detach;
	struct iommu_domain *domain;
};

static struct dom_ctx *dom_ctx_of(struct dma_buf_attachment *attach)
{
	return attach->dmabuf->priv;
}

static int dom_map_pal(struct dma_buf_attachment *attach,
		       struct dma_buf_pal_req *req)
{
	struct dom_ctx *ctx = dom_ctx_of(attach);
	int ret;

	ctx->maps++;
	if (ctx->revoked)
		return -ENODEV;
	ret = dma_buf_pal_req_set(req, ctx->pal);
	if (!ret)
		ctx->held++;
	return ret;
}

static void dom_unmap_pal(struct dma_buf_attachment *attach)
{
	dom_ctx_of(attach)->unmaps++;
	dom_ctx_of(attach)->held--;
}

static const struct dma_buf_pal_exp_ops dom_pal_ops = {
	.map_pal = dom_map_pal,
	.unmap_pal = dom_unmap_pal,
};

static struct sg_table *dom_sgt_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	return ERR_PTR(-EIO);
}

static void dom_sgt_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
}

static const struct dma_buf_sgt_exp_ops dom_sgt_ops = {
	.map_dma_buf = dom_sgt_map,
	.unmap_dma_buf = dom_sgt_unmap,
};

static int dom_match_mapping(struct dma_buf_attachment *attach)
{
	static const struct dma_buf_pal_exp_data pal = {
		.attr = DMA_BUF_PAL_MMIO,
	};
	static const struct dma_buf_sgt_exp_data sgt = { };
	struct dom_ctx *ctx = dom_ctx_of(attach);
	struct dma_buf_mapping_match exp[] = {
		dma_buf_pal_export(&dom_pal_ops, &pal),
		dma_buf_sgt_export(&dom_sgt_ops, &sgt),
	};

	if (ctx->only_sgt)
		return dma_buf_match_mapping(attach, &exp[1], 1);
	return dma_buf_match_mapping(attach, exp, ctx->offer_sgt ? 2 : 1);
}

static void dom_release(struct dma_buf *dmabuf)
{
}

static void dom_detach(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attach)
{
	struct dom_ctx *ctx = dmabuf->priv;

	ctx->unmaps_at_detach = ctx->unmaps;
	if (ctx->domain)
		ctx->pages_at_detach = dom_nr_pages(ctx->domain);
}

static const struct dma_buf_ops dom_dmabuf_ops = {
	.match_mapping = dom_match_mapping,
	.detach = dom_detach,
	.release = dom_release,
};

static void dom_invalidate(struct dma_buf_attachment *attach)
{
	dom_ctx_of(attach)->invalidates++;
}

static const struct dma_buf_attach_ops dom_importer = {
	.invalidate_mappings = dom_invalidate,
};

static void dom_dmabuf_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

static void dom_pal_put(void *pal)
{
	dma_buf_pal_put(pal);
}

static int dom_init(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dom_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->dev = kunit_device_register(test, "dma-buf-domain-test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	ctx->vec[0] = (struct phys_vec){ .paddr = 0xfe000000, .len = 2 * PAGE_SIZE };
	ctx->vec[1] = (struct phys_vec){ .paddr = 0xfe100000, .len = PAGE_SIZE };
	ctx->vec[2] = (struct phys_vec){ .paddr = 0xfe200000, .len = 3 * PAGE_SIZE };
	ctx->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, ctx->vec, 3, DOM_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pal);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dom_pal_put,
							   ctx->pal));
	exp_info.ops = &dom_dmabuf_ops;
	exp_info.size = DOM_SIZE;
	exp_info.priv = ctx;
	ctx->dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dom_dmabuf_put,
							   ctx->dmabuf));
	test->priv = ctx;
	return 0;
}

static struct dma_buf_attachment *dom_attach(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct dma_buf_mapping_match imp = dma_buf_domain_import();

	return dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1,
				      &dom_importer, NULL);
}

static int dom_map(struct dma_buf_attachment *attach,
		   struct iommu_domain *domain, unsigned long iova, u64 offset,
		   u64 length, int prot)
{
	int ret;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	ret = dma_buf_domain_map(attach, domain, iova, offset, length, prot);
	dma_resv_unlock(attach->dmabuf->resv);
	return ret;
}

static int dom_unmap(struct dma_buf_attachment *attach,
		     struct iommu_domain *domain, unsigned long iova,
		     u64 length)
{
	int ret;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	ret = dma_buf_domain_unmap(attach, domain, iova, length);
	dma_resv_unlock(attach->dmabuf->resv);
	return ret;
}

static int dom_probe(struct dma_buf_attachment *attach)
{
	int ret;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	ret = dma_buf_domain_probe(attach);
	dma_resv_unlock(attach->dmabuf->resv);
	return ret;
}

/* The physical address of byte @offset of the dma-buf, from its ranges. */
static phys_addr_t dom_phys_at(const struct dom_ctx *ctx, u64 offset)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctx->vec); i++) {
		if (offset < ctx->vec[i].len)
			return ctx->vec[i].paddr + offset;
		offset -= ctx->vec[i].len;
	}
	return 0;
}

/*
 * Every page of [@iova, @iova + @length) translates to the dma-buf's byte
 * @offset onwards, with @prot; the pages just before and after are not
 * mapped. A check at a byte inside each page too, not only its start.
 */
static void dom_expect_mapped(struct kunit *test, struct iommu_domain *domain,
			      unsigned long iova, u64 offset, u64 length,
			      int prot)
{
	struct dom_ctx *ctx = test->priv;
	u64 at;

	for (at = 0; at < length; at += PAGE_SIZE) {
		KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova + at + 8),
				dom_phys_at(ctx, offset + at) + 8);
		KUNIT_EXPECT_EQ(test, dom_prot(domain, iova + at), prot);
	}
	if (iova)
		KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova - PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova + length), 0);
}

/* Every page of [@iova, @iova + @length) is unmapped. */
static void dom_expect_unmapped(struct kunit *test, struct iommu_domain *domain,
				unsigned long iova, u64 length)
{
	u64 at;

	for (at = 0; at < length; at += PAGE_SIZE)
		KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova + at), 0);
}

/*
 * An importer that lists only the domain type gets it from a PAL exporter,
 * through the core's conversion, even when the exporter offers SGT too; not
 * from an SGT-only exporter; and not at all without invalidate_mappings.
 */
static void dom_test_negotiation(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct dma_buf_mapping_match imp = dma_buf_domain_import();
	struct dma_buf_attachment *attach;

	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_domain(attach));
	KUNIT_EXPECT_FALSE(test, dma_buf_attachment_is_pal(attach));
	dma_buf_detach(ctx->dmabuf, attach);

	ctx->offer_sgt = true;
	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_domain(attach));
	dma_buf_detach(ctx->dmabuf, attach);

	ctx->only_sgt = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(dom_attach(test)), -EOPNOTSUPP);
	ctx->only_sgt = false;

	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);
}

/*
 * A slice that starts inside the first range and ends inside the last maps
 * page by page onto the right physical pages, with the importer's prot and
 * IOMMU_MMIO, and nothing around it; unmap takes all of it out and gives
 * the list back.
 */
static void dom_test_map_translates(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *domain = dom_fake_new(test);
	const unsigned long iova = 0x40000000;
	struct dma_buf_attachment *attach;

	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_EQ(test, 0, dom_map(attach, domain, iova, PAGE_SIZE,
					 4 * PAGE_SIZE, IOMMU_READ));
	dom_expect_mapped(test, domain, iova, PAGE_SIZE, 4 * PAGE_SIZE,
			  IOMMU_READ | IOMMU_MMIO);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 4);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 1);
	KUNIT_EXPECT_EQ(test, ctx->maps, 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 2);

	/* The whole buffer, writable, somewhere else in the same domain. */
	KUNIT_ASSERT_EQ(test, 0, dom_map(attach, domain, 0, 0, DOM_SIZE,
					 IOMMU_READ | IOMMU_WRITE));
	dom_expect_mapped(test, domain, 0, 0, DOM_SIZE,
			  IOMMU_READ | IOMMU_WRITE | IOMMU_MMIO);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 4 + DOM_PAGES);

	KUNIT_EXPECT_EQ(test, 0, dom_unmap(attach, domain, iova, 4 * PAGE_SIZE));
	dom_expect_unmapped(test, domain, iova, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), DOM_PAGES);
	KUNIT_EXPECT_EQ(test, 0, dom_unmap(attach, domain, 0, DOM_SIZE));
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 2);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * Bad ranges and prot are refused before the exporter is asked, and leave
 * the domain as it was; a range that overlaps one already mapped fails in
 * the domain and leaves it as it was too.
 */
static void dom_test_bad_map(struct kunit *test)
{
	static const struct {
		unsigned long iova;
		u64 offset, length;
		int prot;
	} bad[] = {
		{ 0, 0, 0, IOMMU_READ },			/* empty */
		{ 0, 1, PAGE_SIZE, IOMMU_READ },		/* offset */
		{ 0, 0, PAGE_SIZE + 1, IOMMU_READ },		/* length */
		{ 1, 0, PAGE_SIZE, IOMMU_READ },		/* iova */
		{ 0, PAGE_SIZE, DOM_SIZE, IOMMU_READ },		/* past the end */
		{ 0, U64_MAX & PAGE_MASK, 2 * PAGE_SIZE, IOMMU_READ }, /* wraps */
		{ ULONG_MAX & PAGE_MASK, 0, 2 * PAGE_SIZE, IOMMU_READ }, /* iova wraps */
		{ 0, 0, PAGE_SIZE, 0 },				/* no access */
		{ 0, 0, PAGE_SIZE, IOMMU_READ | IOMMU_CACHE },	/* cached MMIO */
		{ 0, 0, PAGE_SIZE, IOMMU_READ | IOMMU_PRIV },
	};
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *domain = dom_fake_new(test);
	struct iommu_domain blocked = { .type = IOMMU_DOMAIN_BLOCKED };
	struct dma_buf_attachment *attach;
	unsigned int i;

	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, dom_map(attach, domain, bad[i].iova,
						  bad[i].offset, bad[i].length,
						  bad[i].prot), -EINVAL,
				    "case %u", i);
	KUNIT_EXPECT_EQ(test, dom_map(attach, &blocked, 0, 0, PAGE_SIZE,
				      IOMMU_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, dom_map(attach, NULL, 0, 0, PAGE_SIZE,
				      IOMMU_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);

	KUNIT_ASSERT_EQ(test, 0, dom_map(attach, domain, 0x10000000, 0,
					 2 * PAGE_SIZE, IOMMU_READ));
	KUNIT_EXPECT_EQ(test, dom_map(attach, domain, 0x10000000 - PAGE_SIZE,
				      0, 3 * PAGE_SIZE, IOMMU_READ), -EEXIST);
	dom_expect_mapped(test, domain, 0x10000000, 0, 2 * PAGE_SIZE,
			  IOMMU_READ | IOMMU_MMIO);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 2);
	KUNIT_EXPECT_EQ(test, ctx->maps, ctx->unmaps + 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 1);
	KUNIT_EXPECT_EQ(test, 0, dom_unmap(attach, domain, 0x10000000,
					   2 * PAGE_SIZE));
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * The importer can only unmap a range it mapped, into that domain, at that
 * iova, of that length, once; anything else is refused and changes nothing.
 */
/*
 * The domain type's calls on an attachment of another type (an sg_table
 * importer's): each is refused with -EINVAL and a warning, and neither
 * the exporter nor the domain is touched.
 */
static void dom_test_wrong_attachment(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *domain = dom_fake_new(test);
	struct dma_buf_attachment *attach;

	ctx->only_sgt = true;
	attach = dma_buf_attach(ctx->dmabuf, ctx->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_FALSE(test, dma_buf_attachment_is_domain(attach));
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, dom_map(attach, domain, 0, 0, PAGE_SIZE,
					      IOMMU_READ), -EINVAL);
		KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, 0, PAGE_SIZE),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, dom_probe(attach), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 3);
	}
	KUNIT_EXPECT_EQ(test, ctx->maps, 0);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * An importer that takes part of a range out of its domain behind the
 * core's back (an importer bug): the core's unmap takes out what is left,
 * warns that the domain did not hold the whole range, and still gives the
 * list back.
 */
static void dom_test_range_taken_behind(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *domain = dom_fake_new(test);
	struct dma_buf_attachment *attach;

	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_EQ(test, dom_map(attach, domain, 0, 0, DOM_SIZE,
				      IOMMU_READ), 0);
	KUNIT_ASSERT_EQ(test, iommu_unmap(domain, DOM_SIZE - PAGE_SIZE,
					  PAGE_SIZE), PAGE_SIZE);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, 0, DOM_SIZE), 0);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void dom_test_unmap_not_mapped(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *domain = dom_fake_new(test);
	struct iommu_domain *other = dom_fake_new(test);
	const unsigned long iova = 0x20000000;
	struct dma_buf_attachment *attach;

	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, iova, PAGE_SIZE), -ENOENT);
	KUNIT_ASSERT_EQ(test, 0, dom_map(attach, domain, iova, 0, 3 * PAGE_SIZE,
					 IOMMU_WRITE));

	KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, iova, PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, iova + PAGE_SIZE,
					2 * PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, dom_unmap(attach, other, iova, 3 * PAGE_SIZE),
			-ENOENT);
	dom_expect_mapped(test, domain, iova, 0, 3 * PAGE_SIZE,
			  IOMMU_WRITE | IOMMU_MMIO);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 0);

	KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, iova, 3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, iova, 3 * PAGE_SIZE),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * The domain fails part way, in the third of the slice's ranges, after two
 * iommu_map() calls succeeded: what was mapped is unmapped, the list goes
 * back to the exporter, and nothing is recorded.
 */
static void dom_test_map_fails_half_way(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *domain = dom_fake_new(test);
	struct dma_buf_attachment *attach;

	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dom_fake_of(domain)->fail_at = 5;
	KUNIT_EXPECT_EQ(test, dom_map(attach, domain, 0, 0, DOM_SIZE,
				      IOMMU_READ), -ENOMEM);
	KUNIT_EXPECT_EQ(test, dom_fake_of(domain)->nr_map_pages, 5);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
	KUNIT_EXPECT_EQ(test, ctx->maps, 1);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 1);
	KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
	KUNIT_EXPECT_EQ(test, dom_unmap(attach, domain, 0, DOM_SIZE), -ENOENT);

	/* The next map of the same range works. */
	dom_fake_of(domain)->fail_at = 0;
	KUNIT_EXPECT_EQ(test, 0, dom_map(attach, domain, 0, 0, DOM_SIZE,
					 IOMMU_READ));
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), DOM_PAGES);
	KUNIT_EXPECT_EQ(test, 0, dom_unmap(attach, domain, 0, DOM_SIZE));
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * One attachment maps into two domains (as iommufd does for two HWPTs of
 * one IOAS), another into a third. Both see the memory. The exporter
 * revokes: before its call returns, no page is mapped in any domain and
 * every list is back, though no importer has unmapped anything yet. Maps
 * fail after that; the importers' unmaps only forget their ranges.
 */
static void dom_test_revoke(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *d1 = dom_fake_new(test);
	struct iommu_domain *d2 = dom_fake_new(test);
	struct iommu_domain *d3 = dom_fake_new(test);
	struct dma_buf_attachment *a, *b;

	a = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	b = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_ASSERT_EQ(test, 0, dom_map(a, d1, 0, 0, DOM_SIZE, IOMMU_READ));
	KUNIT_ASSERT_EQ(test, 0, dom_map(a, d2, 0x100000, 0, DOM_SIZE, IOMMU_READ));
	KUNIT_ASSERT_EQ(test, 0, dom_map(a, d2, 0x200000, 2 * PAGE_SIZE,
					 2 * PAGE_SIZE, IOMMU_READ));
	KUNIT_ASSERT_EQ(test, 0, dom_map(b, d3, 0, 3 * PAGE_SIZE,
					 3 * PAGE_SIZE, IOMMU_WRITE));
	dom_expect_mapped(test, d1, 0, 0, DOM_SIZE, IOMMU_READ | IOMMU_MMIO);
	dom_expect_mapped(test, d2, 0x100000, 0, DOM_SIZE, IOMMU_READ | IOMMU_MMIO);
	dom_expect_mapped(test, d3, 0, 3 * PAGE_SIZE, 3 * PAGE_SIZE,
			  IOMMU_WRITE | IOMMU_MMIO);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 5);
	/* A probe asks the exporter and gives the list straight back. */
	KUNIT_EXPECT_EQ(test, dom_probe(a), 0);
	KUNIT_EXPECT_EQ(test, ctx->maps, ctx->unmaps + 4);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 5);

	dma_resv_lock(ctx->dmabuf->resv, NULL);
	ctx->revoked = true;
	dma_buf_invalidate_mappings(ctx->dmabuf);
	dma_resv_unlock(ctx->dmabuf->resv);

	KUNIT_EXPECT_EQ(test, ctx->invalidates, 2);
	dom_expect_unmapped(test, d1, 0, DOM_SIZE);
	dom_expect_unmapped(test, d2, 0x100000, DOM_SIZE);
	dom_expect_unmapped(test, d3, 0, DOM_SIZE);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(d1) + dom_nr_pages(d2) + dom_nr_pages(d3), 0);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 5);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
	KUNIT_EXPECT_EQ(test, a->map.nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, dom_probe(b), -ENODEV);
	KUNIT_EXPECT_EQ(test, b->map.nr_mapped, 0);

	KUNIT_EXPECT_EQ(test, dom_map(a, d1, 0, 0, DOM_SIZE, IOMMU_READ), -ENODEV);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(d1), 0);

	KUNIT_EXPECT_EQ(test, 0, dom_unmap(a, d1, 0, DOM_SIZE));
	KUNIT_EXPECT_EQ(test, 0, dom_unmap(a, d2, 0x100000, DOM_SIZE));
	KUNIT_EXPECT_EQ(test, 0, dom_unmap(a, d2, 0x200000, 2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, dom_unmap(b, d3, 0, 3 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, dom_unmap(b, d3, 0, 3 * PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 5);
	dma_buf_detach(ctx->dmabuf, a);
	dma_buf_detach(ctx->dmabuf, b);
}

/*
 * Detaching with ranges still mapped is an importer bug: warned about, and
 * the core takes the ranges out of the domain and gives the lists back
 * before the exporter's detach.
 */
static void dom_test_detach_with_ranges_out(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct iommu_domain *domain = dom_fake_new(test);
	struct dma_buf_attachment *attach;

	ctx->domain = domain;
	attach = dom_attach(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_EQ(test, 0, dom_map(attach, domain, 0, 0, DOM_SIZE,
					 IOMMU_READ));
	KUNIT_ASSERT_EQ(test, 0, dom_map(attach, domain, 0x40000000, PAGE_SIZE,
					 PAGE_SIZE, IOMMU_WRITE));
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), DOM_PAGES + 1);
	kunit_warning_suppress(test) {
		dma_buf_detach(ctx->dmabuf, attach);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->unmaps, 2);
	KUNIT_EXPECT_EQ(test, ctx->unmaps_at_detach, 2);
	KUNIT_EXPECT_EQ(test, ctx->pages_at_detach, 0);
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
}

/*
 * Each of the races' two importers maps the first page at its own IOVA;
 * another user of the domain keeps a page mapped beside them.
 */
#define DOM_RACE_IOVA(id)	(((unsigned long)(id) + 1) << PAGE_SHIFT)
#define DOM_RACE_OTHER_IOVA	DOM_RACE_IOVA(2)
#define DOM_RACE_OTHER_PHYS	0x1000000UL

static struct dma_buf_attachment *
dom_race_attach(struct dmabuf_race *race, const struct dma_buf_attach_ops *ops,
		void *priv)
{
	struct dom_ctx *ctx = race->dmabuf->priv;
	struct dma_buf_mapping_match imp = dma_buf_domain_import();

	return dma_buf_mapping_attach(race->dmabuf, ctx->dev, &imp, 1, ops, priv);
}

static void *dom_race_map(struct dma_buf_attachment *attach, unsigned int id)
{
	struct dom_ctx *ctx = dom_ctx_of(attach);
	int ret;

	ret = dma_buf_domain_map(attach, ctx->domain, DOM_RACE_IOVA(id), 0,
				 PAGE_SIZE, IOMMU_READ);
	return ret ? ERR_PTR(ret) : ctx->domain;
}

/*
 * When the importer is told of a revocation, the core took the range out
 * of the domain already, and the unmap only forgets it, as iommufd's
 * invalidate_mappings does.
 */
static void dom_race_unmap(struct dma_buf_attachment *attach, unsigned int id,
			   void *mapped, bool invalidated)
{
	struct dom_ctx *ctx = dom_ctx_of(attach);

	if (invalidated && iommu_iova_to_phys(ctx->domain, DOM_RACE_IOVA(id)))
		ctx->race_errors++;
	if (dma_buf_domain_unmap(attach, ctx->domain, DOM_RACE_IOVA(id),
				 PAGE_SIZE))
		ctx->race_errors++;
}

static void dom_race_check(struct kunit *test, struct dmabuf_race *race)
{
	struct dom_ctx *ctx = race->dmabuf->priv;

	KUNIT_EXPECT_EQ(test, ctx->race_errors, 0);
	/* Only the other user's page is left, untouched. */
	KUNIT_EXPECT_EQ(test, dom_nr_pages(ctx->domain), 1);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(ctx->domain, DOM_RACE_OTHER_IOVA),
			DOM_RACE_OTHER_PHYS);
}

/*
 * Revocations, maps, attaches and detaches from two threads at a time on
 * one domain (see st-dma-buf-race.c): afterwards the domain maps only what
 * another user mapped beside them, and only the exporter's reference to
 * its list is left.
 */
static void dom_test_races(struct kunit *test)
{
	struct dom_ctx *ctx = test->priv;
	struct dmabuf_race race = {
		.dmabuf = ctx->dmabuf,
		.revoked = &ctx->revoked,
		.held = &ctx->held,
		.attach = dom_race_attach,
		.map = dom_race_map,
		.unmap = dom_race_unmap,
		.check = dom_race_check,
	};

	ctx->domain = dom_fake_new(test);
	KUNIT_ASSERT_EQ(test, 0, iommu_map(ctx->domain, DOM_RACE_OTHER_IOVA,
					   DOM_RACE_OTHER_PHYS, PAGE_SIZE,
					   IOMMU_READ, GFP_KERNEL));
	dmabuf_race_run(test, &race);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
}

/*
 * Every allocation of an importer's attach, map into a domain, unmap and
 * detach failed once, one per round (the fake domain's page table is an
 * xarray, whose allocations fail as a real page table's would): the attach
 * or map that made it returns -ENOMEM and leaves the state as it was (no
 * attachment; nothing in the domain, no list out); after a failed map the
 * same attachment maps; the last round fails nothing.
 */
static void dom_test_fail_nth(struct kunit *test)
{
	struct dmabuf_fail_nth *f = dmabuf_fail_nth_start(test);
	struct iommu_domain *domain = dom_fake_new(test);
	const unsigned long iova = 0x40000000;
	struct dom_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	int ret;

	for (;;) {
		dmabuf_fail_nth_arm(f);
		attach = dom_attach(test);
		if (IS_ERR(attach)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(attach)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -ENOMEM);
			KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
			dmabuf_fail_nth_next(f);
			continue;
		}
		ret = dom_map(attach, domain, iova, PAGE_SIZE, 4 * PAGE_SIZE,
			      IOMMU_READ);
		if (ret) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, ret));
			KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
			KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
			KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
			KUNIT_EXPECT_EQ(test, ctx->held, 0);
			KUNIT_ASSERT_EQ(test, 0, dom_map(attach, domain, iova,
							 PAGE_SIZE, 4 * PAGE_SIZE,
							 IOMMU_READ));
		}
		KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 4);
		KUNIT_EXPECT_EQ(test, 0, dom_unmap(attach, domain, iova,
						   4 * PAGE_SIZE));
		dma_buf_detach(ctx->dmabuf, attach);
		if (f->armed && !dmabuf_fail_nth_disarm(f, 0) &&
		    dmabuf_fail_nth_done(f))
			break;
		KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
		KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
		KUNIT_EXPECT_EQ(test, ctx->held, 0);
		dmabuf_fail_nth_next(f);
	}
	KUNIT_EXPECT_EQ(test, dom_nr_pages(domain), 0);
	KUNIT_EXPECT_EQ(test, ctx->held, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
	KUNIT_EXPECT_GT(test, f->refused, 0);
	dmabuf_fail_nth_report(f, "domain attach, map, unmap, detach");
}

static struct kunit_case dom_cases[] = {
	KUNIT_CASE(dom_test_negotiation),
	KUNIT_CASE(dom_test_map_translates),
	KUNIT_CASE(dom_test_bad_map),
	KUNIT_CASE(dom_test_wrong_attachment),
	KUNIT_CASE(dom_test_range_taken_behind),
	KUNIT_CASE(dom_test_unmap_not_mapped),
	KUNIT_CASE(dom_test_map_fails_half_way),
	KUNIT_CASE(dom_test_revoke),
	KUNIT_CASE(dom_test_detach_with_ranges_out),
	KUNIT_CASE_SLOW(dom_test_races),
	KUNIT_CASE(dom_test_fail_nth),
	{}
};

static struct kunit_suite dom_suite = {
	.name = "dma-buf-mapping-domain",
	.init = dom_init,
	.test_cases = dom_cases,
};

kunit_test_suite(dom_suite);
