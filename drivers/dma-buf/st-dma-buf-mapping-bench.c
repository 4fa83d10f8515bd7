// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmarks of the PAL and IOV types: print figures, assert no timing
 * (tooling/bench sets each figure beside its goal).
 *
 * Built as the module dmabuf_bench (CONFIG_DMABUF_MAPPING_BENCH), not
 * with the unit tests. Run it alone with:
 *   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf \
 *	--kconfig_add=CONFIG_DMABUF_MAPPING_BENCH=y \
 *	--raw_output=kunit 'dma-buf-mapping-bench'
 *
 * bench_list_table times the core's hand-out of a PAL and of an IOV list
 * (ns per map+unmap, bytes one map allocates) for 1, 64, 4096 and 65536
 * ranges of 2 MiB and of 1 GiB; it needs no PCI device.
 *
 * bench_mmio_table needs PCI P2P: on x86_64 with CONFIG_PCI_P2PDMA and two
 * pci-testdev functions behind one bridge, and for its IOMMU figures a third
 * on the root bus, behind an IOMMU, with a CPU for which the kernel allows
 * P2P through the host bridge, e.g. --arch=x86_64 with
 *   --qemu_args='-machine q35 -cpu EPYC -device intel-iommu
 *	-device pci-bridge,id=b0,chassis_nr=1
 *	-device pci-testdev,bus=b0,addr=1 -device pci-testdev,bus=b0,addr=2
 *	-device pci-testdev' --kernel_args=intel_iommu=on
 *
 * The sg_table interface's own benchmark, which builds on v7.3.4 too, is
 * st-dma-buf-sgt-bench.c.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-domain.h>
#include <linux/dma-buf-mapping-iov.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "dma-buf-internal.h"
#include "st-dma-buf-alloc.h"

MODULE_IMPORT_NS("DMA_BUF");

#define BENCH_ROUNDS	5

/* Each round of an MMIO benchmark runs this long at least. */
#define BENCH_ROUND_NS		(20 * NSEC_PER_MSEC)

struct bench_ctx {
	struct device *dev;
};

/* A PAL exporter of MMIO: its list, made once, and its calls. */
struct bench_mmio {
	struct dma_buf_pal_exp_data e_pal;
	struct dma_buf_pal *pal;
	unsigned long maps, unmaps;
};

static void bench_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_ops bench_ops = {
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
	struct bench_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->dev = kunit_device_register(test, "dma-buf-mapping-bench");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	test->priv = ctx;
	return 0;
}

static int bench_pal_map(struct dma_buf_attachment *attach,
			 struct dma_buf_pal_req *req)
{
	struct bench_mmio *m = attach->dmabuf->priv;

	m->maps++;
	return dma_buf_pal_req_set(req, m->pal);
}

KUNIT_DEFINE_ACTION_WRAPPER(bench_pal_put, dma_buf_pal_put,
			    struct dma_buf_pal *);

static void bench_pal_unmap(struct dma_buf_attachment *attach)
{
	struct bench_mmio *m = attach->dmabuf->priv;

	m->unmaps++;
}

static const struct dma_buf_pal_exp_ops bench_pal_ops = {
	.map_pal = bench_pal_map,
	.unmap_pal = bench_pal_unmap,
};

static void bench_put_pci_dev(void *pdev)
{
	pci_dev_put(pdev);
}

/* Keep a reference to @pdev until the case ends; @pdev, or NULL. */
static struct pci_dev *bench_hold(struct kunit *test, struct pci_dev *pdev)
{
	pci_dev_get(pdev);
	if (kunit_add_action_or_reset(test, bench_put_pci_dev, pdev))
		return NULL;
	return pdev;
}

/*
 * The pci-testdev functions of the x86_64 run's topology: @provider and
 * @peer behind one bridge (P2P by bus address), @far on the root bus (P2P
 * through the host bridge, and so through the IOMMU when there is one).
 * Those absent are NULL.
 */
static void bench_find_testdevs(struct kunit *test, struct pci_dev **provider,
				struct pci_dev **peer, struct pci_dev **far)
{
	struct pci_dev *a = NULL, *b;

	*provider = *peer = *far = NULL;
	while ((a = pci_get_device(0x1b36, 0x0005, a))) {
		if (pci_is_root_bus(a->bus)) {
			if (!*far)
				*far = bench_hold(test, a);
			continue;
		}
		for (b = NULL; !*provider &&
		     (b = pci_get_device(0x1b36, 0x0005, b));) {
			if (b == a || b->bus != a->bus)
				continue;
			*peer = bench_hold(test, a);
			*provider = bench_hold(test, b);
			pci_dev_put(b);
		}
	}
}

/* A device's DMA masks, to put back. */
struct bench_dma_mask {
	struct device *dev;
	u64 mask, coherent;
};

static void bench_dma_mask_restore(void *p)
{
	struct bench_dma_mask *m = p;

	dma_set_mask(m->dev, m->mask);
	dma_set_coherent_mask(m->dev, m->coherent);
}

/* Give @dev, which has no driver, a 64-bit DMA mask until the case ends. */
static void bench_dma_mask_64(struct kunit *test, struct device *dev)
{
	struct bench_dma_mask *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	*m = (struct bench_dma_mask){
		.dev = dev,
		.mask = dma_get_mask(dev),
		.coherent = dev->coherent_dma_mask,
	};
	KUNIT_ASSERT_EQ(test, 0, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, bench_dma_mask_restore,
						  m));
}

/* Whether @dev's DMA API maps through an IOMMU. */
static bool bench_behind_iommu(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}

/*
 * The best of BENCH_ROUNDS rounds, each of BENCH_ROUND_NS at least, of
 * @cycle(@arg), in ns per cycle; a cycle that fails ends the case.
 */
static u64 bench_best(struct kunit *test, int (*cycle)(void *arg), void *arg)
{
	u64 best = U64_MAX;
	int r;

	for (r = 0; r < BENCH_ROUNDS; r++) {
		u64 t0 = ktime_get_ns(), t;
		unsigned long n = 0;

		do {
			KUNIT_ASSERT_EQ(test, 0, cycle(arg));
			n++;
			t = ktime_get_ns() - t0;
		} while (t < BENCH_ROUND_NS);
		best = min(best, div64_u64(t, n));
		cond_resched();
	}
	return best;
}

/*
 * A PAL exporter of @size bytes of @provider's MMIO in @nr ranges of the
 * same length. Only addresses are computed from the list, nothing is
 * accessed, so every range may start at BAR 0.
 */
static struct dma_buf *bench_mmio_export(struct kunit *test,
					 struct pci_dev *provider,
					 unsigned int nr, u64 size)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct phys_vec *mmio;
	struct bench_mmio *m;
	struct dma_buf *dmabuf;
	unsigned int i;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	mmio = kvcalloc(nr, sizeof(*mmio), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mmio);
	for (i = 0; i < nr; i++) {
		mmio[i].paddr = pci_resource_start(provider, 0);
		mmio[i].len = div_u64(size, nr);
	}
	m->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, mmio, nr, size);
	kvfree(mmio);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m->pal);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_pal_put,
							   m->pal));
	m->e_pal = (struct dma_buf_pal_exp_data){
		.attr = DMA_BUF_PAL_MMIO,
		.provider = pcim_p2pdma_provider(provider, 0),
		.provider_pdev = provider,
	};
	KUNIT_ASSERT_NOT_NULL(test, m->e_pal.provider);
	exp_info.ops = &bench_ops;
	exp_info.size = size;
	exp_info.priv = m;
	exp_info.mapping = dma_buf_pal_export(&bench_pal_ops, &m->e_pal);
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_put,
							   dmabuf));
	return dmabuf;
}

/*
 * A dynamic importer of @dmabuf for @dev with the one mapping type @type:
 * "pal", "domain" or "sgt".
 */
static struct dma_buf_attachment *
bench_mmio_attach(struct dma_buf *dmabuf, struct device *dev,
		  const char *type)
{
	static const struct dma_buf_pal_imp_data i_pal = {
		.attrs = BIT(DMA_BUF_PAL_MMIO),
	};
	struct dma_buf_sgt_imp_data i_sgt = { .dev = dev, .allow_p2p = true };
	struct dma_buf_mapping_match imp;

	if (!strcmp(type, "pal"))
		imp = dma_buf_pal_import(&i_pal);
#ifdef CONFIG_DMABUF_MAPPING_DOMAIN
	else if (!strcmp(type, "domain"))
		imp = dma_buf_domain_import();
#endif
	else
		imp = dma_buf_sgt_import(&i_sgt);
	return dma_buf_mapping_attach(dmabuf, dev, &imp, 1, &bench_importer,
				      NULL);
}

/*
 * Map @attach once: the sg_table describes all @size bytes. 0, or the error
 * of the map.
 */
static int bench_check_sgt(struct kunit *test,
			   struct dma_buf_attachment *attach, u64 size)
{
	struct scatterlist *sg;
	struct sg_table *sgt;
	u64 total = 0;
	int i;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (!IS_ERR(sgt)) {
		for_each_sgtable_dma_sg(sgt, sg, i)
			total += sg_dma_len(sg);
		dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL);
	}
	dma_resv_unlock(attach->dmabuf->resv);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	KUNIT_EXPECT_EQ(test, total, size);
	return 0;
}

#ifdef CONFIG_DMABUF_MAPPING_DOMAIN
/* Where the domain benchmarks map, and how. */
#define BENCH_DOMAIN_IOVA	SZ_4G
#define BENCH_DOMAIN_PROT	(IOMMU_READ | IOMMU_WRITE)

struct bench_domain {
	struct dma_buf_attachment *attach;
	struct iommu_domain *domain;
	const struct dma_buf_pal *pal;
};

/*
 * The physical limit of the domain type: iommu_map() of each range, as the
 * type maps MMIO, and one iommu_unmap().
 */
static int bench_direct_cycle(void *arg)
{
	struct bench_domain *d = arg;
	unsigned long iova = BENCH_DOMAIN_IOVA;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < d->pal->nr && !ret; i++) {
		ret = iommu_map(d->domain, iova, d->pal->vec[i].paddr,
				d->pal->vec[i].len,
				BENCH_DOMAIN_PROT | IOMMU_MMIO, GFP_KERNEL_ACCOUNT);
		if (!ret)
			iova += d->pal->vec[i].len;
	}
	if (iova != BENCH_DOMAIN_IOVA &&
	    iommu_unmap(d->domain, BENCH_DOMAIN_IOVA,
			iova - BENCH_DOMAIN_IOVA) != iova - BENCH_DOMAIN_IOVA)
		ret = ret ?: -EIO;
	return ret;
}

KUNIT_DEFINE_ACTION_WRAPPER(bench_domain_free, iommu_domain_free,
			    struct iommu_domain *);

/* An IOMMU paging domain for @dev, freed when the case ends, or NULL. */
static struct iommu_domain *bench_domain_alloc(struct kunit *test,
					       struct device *dev)
{
	struct iommu_domain *domain = iommu_paging_domain_alloc(dev);

	if (IS_ERR(domain))
		return NULL;
	if (kunit_add_action_or_reset(test, bench_domain_free, domain))
		return NULL;
	return domain;
}
#endif

#if IS_BUILTIN(CONFIG_DMABUF_MAPPING_BENCH) && IS_ENABLED(CONFIG_TRACEPOINTS)
/*
 * The pages the page allocator gives the counted task, besides what the
 * kmalloc tracepoints count: an sg_table's chunks of entries come from
 * __get_free_page(). Compound allocations are left out: large kmallocs
 * (counted as kmallocs already), slabs of more than a page, and folios,
 * among them an IOMMU's page-table pages, which belong to the domain, not
 * to the mapping. A slab of one page refilled during the counted map would
 * count twice; the map is counted after the timed rounds, with the caches
 * warm. The tracepoint is not exported: built in only.
 */
static void bench_page_alloc(void *data, struct page *page, unsigned int order,
			     gfp_t gfp, int migratetype)
{
	struct dmabuf_alloc_count *c = data;

	if (page && !(gfp & __GFP_COMP) && dmabuf_alloc_counting(c))
		c->bytes += PAGE_SIZE << order;
}

static void bench_page_alloc_off(void *c)
{
	unregister_trace_mm_page_alloc(bench_page_alloc, c);
	tracepoint_synchronize_unregister();
}

/* The allocation counter, also counting the page allocator's pages. */
static struct dmabuf_alloc_count *bench_counter(struct kunit *test)
{
	struct dmabuf_alloc_count *c = dmabuf_alloc_counter(test);

	KUNIT_ASSERT_EQ(test, 0, register_trace_mm_page_alloc(bench_page_alloc, c));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, bench_page_alloc_off,
						  c));
	return c;
}
#else
/* Without the page allocator's pages: not counted, so not printed. */
static struct dmabuf_alloc_count *bench_counter(struct kunit *test)
{
	kunit_info(test, "the bytes a map allocates are counted in a kernel with tracepoints and this benchmark built in: not printed\n");
	return NULL;
}
#endif

/* What one benchmark of the MMIO table times, and for which device. */
struct bench_mmio_ctx {
	struct kunit *test;
	struct dma_buf *dmabuf;
	struct dmabuf_alloc_count *count;
	unsigned int nr;
	u64 size;
};

/* "@what-@nr-{2m,1g}: N ns", and "mem-@what-...: N bytes" if counted. */
static void bench_mmio_print(struct bench_mmio_ctx *c, const char *what,
			     u64 ns, long bytes)
{
	const char *sz = c->size == SZ_1G ? "1g" : "2m";

	kunit_info(c->test, "bench: %s-%u-%s: %llu ns\n", what, c->nr, sz, ns);
	if (bytes >= 0)
		kunit_info(c->test, "bench: mem-%s-%u-%s: %ld bytes\n",
			   what, c->nr, sz, bytes);
}

/*
 * What one map allocates and holds until its unmap (bench_counter() says
 * what is counted): counted over the map alone, by @map_only(@arg) (map,
 * count, unmap). -1 without the counter.
 */
static long bench_map_bytes(struct bench_mmio_ctx *c,
			    int (*map_only)(void *arg,
					    struct dmabuf_alloc_count *count),
			    void *arg)
{
	if (!c->count)
		return -1;
	KUNIT_ASSERT_EQ(c->test, 0, map_only(arg, c->count));
	return c->count->bytes;
}

/*
 * One map and its unmap under the reservation lock, of a PAL, SGT, IOMMU
 * domain or IOV attachment; with @count, the map's allocations are counted
 * (bench_map_bytes()), without it the call is a cycle bench_best() times.
 */
static int bench_pal_map_only(void *arg, struct dmabuf_alloc_count *count)
{
	struct dma_buf_attachment *attach = arg;
	const struct dma_buf_pal *list;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	if (count)
		dmabuf_alloc_count_begin(count);
	list = dma_buf_pal_map(attach);
	if (count)
		dmabuf_alloc_count_end(count);
	if (!IS_ERR(list))
		dma_buf_pal_unmap(attach, list);
	dma_resv_unlock(attach->dmabuf->resv);
	return PTR_ERR_OR_ZERO(list);
}

static int bench_pal_cycle(void *arg)
{
	return bench_pal_map_only(arg, NULL);
}

static int bench_sgt_map_only(void *arg, struct dmabuf_alloc_count *count)
{
	struct dma_buf_attachment *attach = arg;
	struct sg_table *sgt;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	if (count)
		dmabuf_alloc_count_begin(count);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (count)
		dmabuf_alloc_count_end(count);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL);
	dma_resv_unlock(attach->dmabuf->resv);
	return PTR_ERR_OR_ZERO(sgt);
}

static int bench_sgt_cycle(void *arg)
{
	return bench_sgt_map_only(arg, NULL);
}

/*
 * Time the map+unmap of @type ("pal", or "sgt" through the core's
 * conversion) of an importer on @dev, and name the figure @what. An SGT
 * importer the core refuses, or whose map fails, is reported as not
 * measured.
 */
static void bench_mmio_one(struct bench_mmio_ctx *c, struct device *dev,
			   const char *type, const char *what)
{
	bool pal = !strcmp(type, "pal");
	struct dma_buf_attachment *a;
	long bytes;
	int ret;
	u64 t;

	a = bench_mmio_attach(c->dmabuf, dev, type);
	ret = PTR_ERR_OR_ZERO(a);
	if (!ret && !pal)
		ret = bench_check_sgt(c->test, a, c->size);
	if (ret) {
		kunit_info(c->test, "%s of %s: not measured, refused (%d)\n",
			   what, dev_name(dev), ret);
		if (!IS_ERR(a))
			dma_buf_detach(c->dmabuf, a);
		return;
	}
	t = bench_best(c->test, pal ? bench_pal_cycle : bench_sgt_cycle, a);
	bytes = bench_map_bytes(c, pal ? bench_pal_map_only : bench_sgt_map_only,
				a);
	bench_mmio_print(c, what, t, bytes);
	dma_buf_detach(c->dmabuf, a);
}

#ifdef CONFIG_DMABUF_MAPPING_DOMAIN
static int bench_domain_map_only(void *arg, struct dmabuf_alloc_count *count)
{
	struct bench_domain *d = arg;
	u64 size = d->pal->size;
	int ret;

	dma_resv_lock(d->attach->dmabuf->resv, NULL);
	if (count)
		dmabuf_alloc_count_begin(count);
	ret = dma_buf_domain_map(d->attach, d->domain, BENCH_DOMAIN_IOVA, 0,
				 size, BENCH_DOMAIN_PROT);
	if (count)
		dmabuf_alloc_count_end(count);
	if (!ret)
		ret = dma_buf_domain_unmap(d->attach, d->domain,
					   BENCH_DOMAIN_IOVA, size);
	dma_resv_unlock(d->attach->dmabuf->resv);
	return ret;
}

static int bench_domain_cycle(void *arg)
{
	return bench_domain_map_only(arg, NULL);
}

/*
 * The IOMMU domain type's map+unmap of the whole buffer into @domain, and
 * iommu_map() and iommu_unmap() of the same ranges called directly.
 */
static void bench_mmio_domain(struct bench_mmio_ctx *c, struct device *dev,
			      struct iommu_domain *domain)
{
	struct bench_domain d = {
		.domain = domain,
		.pal = ((struct bench_mmio *)c->dmabuf->priv)->pal,
	};

	d.attach = bench_mmio_attach(c->dmabuf, dev, "domain");
	if (IS_ERR(d.attach)) {
		kunit_info(c->test, "domain of %s: not measured, refused (%pe)\n",
			   dev_name(dev), d.attach);
		return;
	}
	bench_mmio_print(c, "domain", bench_best(c->test, bench_domain_cycle, &d),
			 bench_map_bytes(c, bench_domain_map_only, &d));
	bench_mmio_print(c, "iommu-direct",
			 bench_best(c->test, bench_direct_cycle, &d), -1);
	KUNIT_EXPECT_EQ(c->test, (phys_addr_t)0,
			iommu_iova_to_phys(domain, BENCH_DOMAIN_IOVA));
	dma_buf_detach(c->dmabuf, d.attach);
}
#endif

/*
 * The scaling table for MMIO: 1, 64, 4096 and 65536 ranges of 2 MiB and of
 * 1 GiB (where each range is a page at least), handed out as a physical
 * address list, as an sg_table of bus addresses for a peer behind the
 * provider's bridge, and, for a device on the root bus behind the IOMMU
 * (when the kernel has an IOMMU and allows P2P through the host bridge), as
 * an sg_table mapped through the IOMMU: what the core builds from the list
 * with dma_buf_phys_vec_to_sgt() for SGT importers, as v7.3.4's vfio-pci
 * does for its importers; and into that device's IOMMU domain by the
 * domain type, beside iommu_map() and iommu_unmap() called directly.
 * ns per map+unmap, and the bytes one map allocates (with tracepoints).
 */
static void bench_mmio_table(struct kunit *test)
{
	static const unsigned int nrs[] = { 1, 64, 4096, 65536 };
	static const u64 sizes[] = { SZ_2M, SZ_1G };
	struct bench_mmio_ctx c = { .test = test };
	struct pci_dev *provider, *peer, *far;
	struct iommu_domain *domain = NULL;
	unsigned int s, n;
	bool iommu;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA))
		kunit_skip(test, "needs CONFIG_PCI_P2PDMA (x86_64)");
	bench_find_testdevs(test, &provider, &peer, &far);
	if (!provider)
		kunit_skip(test, "needs two pci-testdev behind one bridge (x86_64 run)");
	KUNIT_ASSERT_EQ(test, pcim_p2pdma_init(provider), 0);
	iommu = far && bench_behind_iommu(&far->dev);
	/*
	 * A 64-bit DMA mask, as the GPUs and NICs that import a BAR have:
	 * pci-testdev has no driver to set one, and 1 GiB does not fit in the
	 * IOVA space its default 32-bit mask leaves below the PCI windows.
	 */
	if (iommu)
		bench_dma_mask_64(test, &far->dev);
	if (!iommu)
		kunit_info(test, "no pci-testdev on the root bus behind an IOMMU: SGT through an IOMMU and the domain type not measured\n");
#ifdef CONFIG_DMABUF_MAPPING_DOMAIN
	if (iommu)
		domain = bench_domain_alloc(test, &far->dev);
#endif
	c.count = bench_counter(test);

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (n = 0; n < ARRAY_SIZE(nrs); n++) {
			struct bench_mmio *m;

			if (div_u64(sizes[s], nrs[n]) < PAGE_SIZE)
				continue;
			c.size = sizes[s];
			c.nr = nrs[n];
			c.dmabuf = bench_mmio_export(test, provider, c.nr, c.size);
			m = c.dmabuf->priv;
			bench_mmio_one(&c, &peer->dev, "pal", "pal-mmio");
			bench_mmio_one(&c, &peer->dev, "sgt", "sgt-p2p-mmio");
			if (iommu)
				bench_mmio_one(&c, &far->dev, "sgt",
					       "sgt-iommu-mmio");
#ifdef CONFIG_DMABUF_MAPPING_DOMAIN
			if (domain)
				bench_mmio_domain(&c, &far->dev, domain);
#endif
			KUNIT_EXPECT_EQ(test, m->maps, m->unmaps);
		}
	}
}

/*
 * The list hand-out alone: map+unmap of a PAL and of an IOV dma-buf through
 * the core, each list made once by the exporter, for the scaling table's
 * ranges and sizes (65536 ranges is vfio-pci's limit). Needs no PCI device:
 * the IOV exporter is a pretend VF whose BAR is 1 GiB.
 */
#define BENCH_LIST_LOOPS	2000
#define BENCH_LIST_BAR		2

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
	res->start = SZ_4G;
	res->end = res->start + SZ_1G - 1;
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
 * A dma-buf of @size bytes in @nr ranges of the same length, its list made
 * once, and an attachment of the matching importer for @dev. With @vf, an
 * IOV exporter of @vf's BAR; otherwise a PAL exporter of MMIO.
 */
static struct dma_buf_attachment *
bench_list_attach(struct kunit *test, struct device *dev, struct pci_dev *vf,
		  unsigned int nr, u64 size)
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
	u64 len = div_u64(size, nr);
	unsigned int i;

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_list_put, l));
	if (vf) {
		struct range *r = kvcalloc(nr, sizeof(*r), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, r);
		for (i = 0; i < nr; i++)
			r[i] = (struct range){ i * len, (i + 1) * len - 1 };
		l->iov = dma_buf_iov_create(vf, BENCH_LIST_BAR, r, nr, size);
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
				.paddr = SZ_4G + i * len,
				.len = len,
			};
		l->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, v, nr, size);
		kvfree(v);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l->pal);
		exp_info.mapping = dma_buf_pal_export(&bench_list_pal_ops, &e_pal);
		imp = dma_buf_pal_import(&i_pal);
	}
	exp_info.ops = &bench_list_dmabuf_ops;
	exp_info.size = size;
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

#ifdef CONFIG_DMABUF_MAPPING_IOV
static int bench_iov_map_only(void *arg, struct dmabuf_alloc_count *count)
{
	struct dma_buf_attachment *attach = arg;
	struct dma_buf_iov *iov;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	if (count)
		dmabuf_alloc_count_begin(count);
	iov = dma_buf_iov_map(attach);
	if (count)
		dmabuf_alloc_count_end(count);
	if (!IS_ERR(iov))
		dma_buf_iov_unmap(attach, iov);
	dma_resv_unlock(attach->dmabuf->resv);
	return PTR_ERR_OR_ZERO(iov);
}
#endif

/*
 * The list hand-out's scaling table: 1, 64, 4096 and 65536 ranges of 2 MiB
 * and of 1 GiB (where each range is a page at least), PAL and IOV, ns per
 * map+unmap and (with tracepoints) the bytes one map allocates.
 */
static void bench_list_table(struct kunit *test)
{
	static const unsigned int nrs[] = { 1, 64, 4096, 65536 };
	static const u64 sizes[] = { SZ_2M, SZ_1G };
	struct bench_ctx *ctx = test->priv;
	struct bench_mmio_ctx c = { .test = test };
	struct pci_dev *pf = NULL, *vf = NULL;
	unsigned int s, n, iov;

	c.count = bench_counter(test);
	if (IS_ENABLED(CONFIG_DMABUF_MAPPING_IOV) && IS_ENABLED(CONFIG_PCI_IOV)) {
		pf = bench_fake_pdev(test, "dma-buf-bench-pf", NULL);
		vf = bench_fake_pdev(test, "dma-buf-bench-vf", pf);
	} else {
		kunit_info(test, "IOV needs CONFIG_PCI_IOV for a VF: not measured\n");
	}
	for (iov = 0; iov <= !!vf; iov++) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			for (n = 0; n < ARRAY_SIZE(nrs); n++) {
				struct dma_buf_attachment *a;
				long bytes = -1;

				if (div_u64(sizes[s], nrs[n]) < PAGE_SIZE)
					continue;
				c.size = sizes[s];
				c.nr = nrs[n];
				a = bench_list_attach(test, iov ? &pf->dev : ctx->dev,
						      iov ? vf : NULL, c.nr, c.size);
				c.dmabuf = a->dmabuf;
#ifdef CONFIG_DMABUF_MAPPING_IOV
				if (iov)
					bytes = bench_map_bytes(&c, bench_iov_map_only, a);
				else
#endif
					bytes = bench_map_bytes(&c, bench_pal_map_only, a);
				bench_mmio_print(&c, iov ? "iov-list" : "pal-list",
						 bench_list_run(test, a), bytes);
				dma_buf_detach(a->dmabuf, a);
			}
		}
	}
}

static struct kunit_case dma_buf_mapping_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_mmio_table),
	KUNIT_CASE_SLOW(bench_list_table),
	{}
};

static struct kunit_suite dma_buf_mapping_bench_suite = {
	.name = "dma-buf-mapping-bench",
	.init = bench_init,
	.test_cases = dma_buf_mapping_bench_cases,
};

kunit_test_suite(dma_buf_mapping_bench_suite);
