// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOMMU domain mapping type, and the core's conversion into it from PAL.
 */

#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-domain.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-resv.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "dma-buf-internal.h"

/**
 * DOC: IOMMU domain mapping type
 *
 * An importer that manages IO page tables of its own, such as iommufd, lists
 * this type instead of receiving physical addresses: it names one of its
 * iommu_domains, an IO virtual address and a slice of the dma-buf, and the
 * core maps that slice into the domain with iommu_map(). The physical
 * addresses stay in the core.
 *
 * No exporter offers this type. The core converts into it from an exporter's
 * PAL entry for MMIO (see "PAL mapping type"), whose one shared list it maps
 * without copying it. Every dma_buf_domain_map() asks the exporter for its
 * list, so a revoked exporter refuses it with its error (-ENODEV for
 * vfio-pci); maps the slice with IOMMU_MMIO added to the importer's
 * IOMMU_READ and IOMMU_WRITE; and records the range for the attachment.
 * dma_buf_domain_unmap() takes exactly such a range back and gives the list
 * back to the exporter. A map that fails part way leaves nothing mapped.
 *
 * When the exporter invalidates its mappings with
 * dma_buf_invalidate_mappings() (vfio-pci's revocation does), the core itself
 * unmaps every recorded range of every such attachment from its domain and
 * gives the lists back, before it tells the importer through
 * &dma_buf_attach_ops.invalidate_mappings: once the exporter's call returns,
 * no domain maps the memory any more, and the revocation never waits for an
 * importer. The importer still calls dma_buf_domain_unmap() for each of its
 * ranges afterwards, which then only forgets it.
 *
 * The importer keeps each domain alive until it has unmapped its ranges from
 * it, and never unmaps them from the domain behind the core's back. All the
 * functions of this type are called with the dma-buf's reservation lock
 * held, which protects the records; they may sleep.
 */

/**
 * struct dma_buf_domain_range - a range the core mapped into a domain
 * @node: in &dma_buf_domain_conv.ranges.
 * @domain: the importer's domain.
 * @iova: where the range starts in @domain.
 * @length: its length in bytes.
 * @pal: the exporter's list it was mapped from, with the reference of that
 *	map; NULL once the core unmapped the range for an invalidation.
 */
struct dma_buf_domain_range {
	struct list_head node;
	struct iommu_domain *domain;
	unsigned long iova;
	u64 length;
	struct dma_buf_pal *pal;
};

/**
 * struct dma_buf_domain_conv - what a PAL to domain attachment keeps
 * @ops: the exporter's PAL operations.
 * @attr: the kind of memory the exporter declared.
 * @ranges: the ranges mapped for the attachment that the importer has not
 *	unmapped yet, invalidated ones included.
 * @nr_ranges: the length of @ranges.
 */
struct dma_buf_domain_conv {
	const struct dma_buf_pal_exp_ops *ops;
	enum dma_buf_pal_attr attr;
	struct list_head ranges;
	unsigned int nr_ranges;
};

/* No exporter offers the type: only the core's conversion reaches it. */
static int dma_buf_domain_match(struct dma_buf_attachment *attach,
				const struct dma_buf_mapping_match *exp,
				const struct dma_buf_mapping_match *imp)
{
	return -EOPNOTSUPP;
}

static void dma_buf_domain_describe(struct seq_file *s,
				    const struct dma_buf_attachment *attach)
{
	const struct dma_buf_domain_conv *conv = attach->map.priv;

	seq_printf(s, "%u mapped, %u invalidated", attach->map.nr_mapped,
		   conv->nr_ranges - attach->map.nr_mapped);
}

static const struct dma_buf_mapping_type dma_buf_mapping_domain = {
	.name = "domain",
	.match = dma_buf_domain_match,
	.describe = dma_buf_domain_describe,
};

/**
 * dma_buf_domain_import - an importer's IOMMU domain entry
 *
 * The importer must have &dma_buf_attach_ops.invalidate_mappings.
 *
 * Return: the entry, to put in the list passed to dma_buf_mapping_attach().
 */
struct dma_buf_mapping_match dma_buf_domain_import(void)
{
	return (struct dma_buf_mapping_match){
		.type = &dma_buf_mapping_domain,
	};
}
EXPORT_SYMBOL_NS_GPL(dma_buf_domain_import, "DMA_BUF");

/**
 * dma_buf_attachment_is_domain - check whether an attachment maps into domains
 * @attach: the attachment
 *
 * Return: true if @attach maps through dma_buf_domain_map().
 */
bool dma_buf_attachment_is_domain(const struct dma_buf_attachment *attach)
{
	return dma_buf_attachment_is_type(attach, &dma_buf_mapping_domain);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_attachment_is_domain, "DMA_BUF");

/**
 * dma_buf_domain_probe - check that the exporter can hand out its memory now
 * @attach: an attachment that negotiated the domain type
 *
 * Asks the exporter for its memory and gives it straight back, mapping
 * nothing: for an importer that must refuse a revoked buffer before it has
 * a domain to map it into.
 *
 * Context: reservation lock held; may sleep.
 *
 * Return: 0, -EINVAL for an attachment of another type, or the exporter's
 * error (-ENODEV once revoked).
 */
int dma_buf_domain_probe(struct dma_buf_attachment *attach)
{
	struct dma_buf_domain_conv *conv;
	struct dma_buf_pal *pal;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(!dma_buf_attachment_is_domain(attach)))
		return -EINVAL;
	conv = attach->map.priv;
	pal = dma_buf_pal_get_list(attach, conv->ops, conv->attr);
	if (IS_ERR(pal))
		return PTR_ERR(pal);
	conv->ops->unmap_pal(attach);
	dma_buf_pal_put(pal);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_domain_probe, "DMA_BUF");

/* Map [@offset, @offset + @length) of @pal at @iova; all of it or nothing. */
static int dma_buf_domain_map_pal(struct iommu_domain *domain,
				  unsigned long iova,
				  const struct dma_buf_pal *pal, u64 offset,
				  u64 length, int prot)
{
	unsigned long at = iova;
	u64 left = length;
	unsigned int i;
	int ret;

	for (i = 0; i < pal->nr && left; i++) {
		phys_addr_t paddr = pal->vec[i].paddr;
		u64 len = pal->vec[i].len;

		if (offset >= len) {
			offset -= len;
			continue;
		}
		paddr += offset;
		len = min(len - offset, left);
		offset = 0;
		ret = iommu_map(domain, at, paddr, len, prot,
				GFP_KERNEL_ACCOUNT);
		if (ret) {
			if (at != iova)
				iommu_unmap(domain, iova, at - iova);
			return ret;
		}
		at += len;
		left -= len;
	}
	return 0;
}

/* Take a range out of its domain and give its list back to the exporter. */
static void dma_buf_domain_range_unmap(struct dma_buf_attachment *attach,
				       struct dma_buf_domain_conv *conv,
				       struct dma_buf_domain_range *r)
{
	size_t done;

	done = iommu_unmap(r->domain, r->iova, r->length);
	WARN(done != r->length,
	     "dma-buf %s: %s: %zu of %llu bytes at iova %#lx were still mapped\n",
	     attach->dmabuf->exp_name, dev_name(attach->dev), done, r->length,
	     r->iova);
	conv->ops->unmap_pal(attach);
	dma_buf_pal_put(r->pal);
	r->pal = NULL;
	attach->map.nr_mapped--;
}

static const char *dma_buf_domain_fault(const struct dma_buf_attachment *attach,
					const struct iommu_domain *domain,
					unsigned long iova, u64 offset,
					u64 length)
{
	unsigned long align;
	u64 end;

	if (!domain || !(domain->type & __IOMMU_DOMAIN_PAGING) ||
	    !domain->pgsize_bitmap)
		return "not a paging domain";
	/* The domain's smallest page, which can be smaller than the CPU's. */
	align = 1UL << __ffs(domain->pgsize_bitmap);
	if (!length || !IS_ALIGNED(offset | length | iova, align))
		return "empty or unaligned range";
	if (check_add_overflow(offset, length, &end) ||
	    end > attach->dmabuf->size)
		return "range past the end of the dma-buf";
	if (length - 1 > ULONG_MAX - iova)
		return "iova range wraps around";
	return NULL;
}

/**
 * dma_buf_domain_map - map a slice of a dma-buf into an IOMMU domain
 * @attach: an attachment that negotiated the domain type
 * @domain: the importer's paging domain
 * @iova: where the slice starts in @domain
 * @offset: where the slice starts in the dma-buf
 * @length: its length, not zero; @iova, @offset and @length are aligned to
 *	the smallest page size of @domain
 * @prot: IOMMU_READ and/or IOMMU_WRITE; the core adds what the memory needs
 *	(IOMMU_MMIO for MMIO)
 *
 * Asks the exporter for its memory and maps the slice into @domain with
 * iommu_map(). The range is recorded for @attach until the importer unmaps
 * it with dma_buf_domain_unmap(), with the same @domain, @iova and @length;
 * the core unmaps it from @domain itself when the exporter invalidates its
 * mappings (see "IOMMU domain mapping type").
 *
 * Context: reservation lock held; may sleep.
 *
 * Return: 0, or -EINVAL for an attachment of another type or a bad range
 * or @prot (with a message), the exporter's error (-ENODEV once revoked),
 * -ENOMEM, or the error of iommu_map(); on error nothing is mapped.
 */
int dma_buf_domain_map(struct dma_buf_attachment *attach,
		       struct iommu_domain *domain, unsigned long iova,
		       u64 offset, u64 length, int prot)
{
	struct dma_buf_domain_conv *conv;
	struct dma_buf_domain_range *r;
	struct dma_buf_pal *pal;
	const char *why;
	int ret;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(!dma_buf_attachment_is_domain(attach)))
		return -EINVAL;
	conv = attach->map.priv;

	why = dma_buf_domain_fault(attach, domain, iova, offset, length);
	if (!why && (!prot || (prot & ~(IOMMU_READ | IOMMU_WRITE))))
		why = "prot other than IOMMU_READ and IOMMU_WRITE";
	if (why) {
		dev_warn_ratelimited(attach->dev,
				     "dma-buf %s: domain map of %#llx+%#llx at iova %#lx refused: %s\n",
				     attach->dmabuf->exp_name, offset, length,
				     iova, why);
		return -EINVAL;
	}
	if (conv->attr == DMA_BUF_PAL_MMIO)
		prot |= IOMMU_MMIO;

	r = kzalloc_obj(*r, GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	pal = dma_buf_pal_get_list(attach, conv->ops, conv->attr);
	if (IS_ERR(pal)) {
		kfree(r);
		return PTR_ERR(pal);
	}
	ret = dma_buf_domain_map_pal(domain, iova, pal, offset, length, prot);
	if (ret) {
		conv->ops->unmap_pal(attach);
		dma_buf_pal_put(pal);
		kfree(r);
		return ret;
	}
	r->domain = domain;
	r->iova = iova;
	r->length = length;
	r->pal = pal;
	list_add_tail(&r->node, &conv->ranges);
	conv->nr_ranges++;
	attach->map.nr_mapped++;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_domain_map, "DMA_BUF");

/**
 * dma_buf_domain_unmap - unmap a range that dma_buf_domain_map() mapped
 * @attach: the attachment it was mapped for
 * @domain: the domain it was mapped into
 * @iova: where it starts in @domain
 * @length: its length, as given to dma_buf_domain_map()
 *
 * Unmaps the range from @domain, unless the core already did when the
 * exporter invalidated its mappings, and forgets it.
 *
 * Context: reservation lock held; may sleep.
 *
 * Return: 0, or -EINVAL for an attachment of another type, or -ENOENT (with
 * a message) when @attach has no such range; @domain is then not touched.
 */
int dma_buf_domain_unmap(struct dma_buf_attachment *attach,
			 struct iommu_domain *domain, unsigned long iova,
			 u64 length)
{
	struct dma_buf_domain_conv *conv;
	struct dma_buf_domain_range *r;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(!dma_buf_attachment_is_domain(attach)))
		return -EINVAL;
	conv = attach->map.priv;

	list_for_each_entry(r, &conv->ranges, node) {
		if (r->domain != domain || r->iova != iova ||
		    r->length != length)
			continue;
		if (r->pal)
			dma_buf_domain_range_unmap(attach, conv, r);
		list_del(&r->node);
		conv->nr_ranges--;
		kfree(r);
		return 0;
	}
	dev_warn_ratelimited(attach->dev,
			     "dma-buf %s: domain unmap of %#llx bytes at iova %#lx refused: not mapped\n",
			     attach->dmabuf->exp_name, length, iova);
	return -ENOENT;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_domain_unmap, "DMA_BUF");

static int dma_buf_pal_domain_match(struct dma_buf_attachment *attach,
				    const struct dma_buf_mapping_match *exp,
				    const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_pal_exp_data *e = exp->data;

	return e->attr == DMA_BUF_PAL_MMIO ? 0 : -EOPNOTSUPP;
}

static int dma_buf_pal_domain_finish(struct dma_buf_attachment *attach,
				     const struct dma_buf_mapping_match *exp,
				     const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_pal_exp_data *e = exp->data;
	struct dma_buf_domain_conv *conv;
	int ret;

	ret = dma_buf_pal_check_ops(attach, exp->ops);
	if (ret)
		return ret;
	conv = kzalloc_obj(*conv);
	if (!conv)
		return -ENOMEM;
	conv->ops = exp->ops;
	conv->attr = e->attr;
	INIT_LIST_HEAD(&conv->ranges);
	attach->map.priv = conv;
	attach->map.ops = exp->ops;
	return 0;
}

/* The exporter invalidates: take every range out of its domain now. */
static void dma_buf_pal_domain_invalidate(struct dma_buf_attachment *attach)
{
	struct dma_buf_domain_conv *conv = attach->map.priv;
	struct dma_buf_domain_range *r;

	list_for_each_entry(r, &conv->ranges, node)
		if (r->pal)
			dma_buf_domain_range_unmap(attach, conv, r);
}

/*
 * At detach, after dma_buf_mapping_reclaim() unmapped the ranges the
 * importer left (through the reclaim hook); or when the attach fails.
 */
static void dma_buf_pal_domain_release(struct dma_buf_attachment *attach)
{
	struct dma_buf_domain_conv *conv = attach->map.priv;
	struct dma_buf_domain_range *r, *tmp;

	list_for_each_entry_safe(r, tmp, &conv->ranges, node) {
		if (r->pal)
			dma_buf_domain_range_unmap(attach, conv, r);
		kfree(r);
	}
	kfree(conv);
}

const struct dma_buf_mapping_conv dma_buf_pal_to_domain = {
	.from = &dma_buf_mapping_pal,
	.to = &dma_buf_mapping_domain,
	.match = dma_buf_pal_domain_match,
	.finish = dma_buf_pal_domain_finish,
	.release = dma_buf_pal_domain_release,
	.invalidate = dma_buf_pal_domain_invalidate,
	.reclaim = dma_buf_pal_domain_invalidate,
};
