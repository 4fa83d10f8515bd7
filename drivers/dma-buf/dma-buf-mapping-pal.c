// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PAL mapping type: physical address lists.
 */

#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-resv.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "dma-buf-internal.h"

/**
 * DOC: PAL mapping type
 *
 * A physical address list describes an exporter's memory, such as a PCI BAR,
 * as CPU physical addresses. Only exporters use it: no driver is handed the
 * physical addresses of another driver's memory. The core converts the list
 * for importers, into an sg_table of DMA addresses for SGT importers (see
 * "DMA-buf mapping types") or into an importer's IOMMU domain (see "IOMMU
 * domain mapping type"). The importer side of this type
 * (dma_buf_pal_import(), dma_buf_pal_map() and the like) is exported to the
 * dma-buf KUnit tests only, and the exporter's &dma_buf_pal_exp_ops.map_pal
 * can only hand its list to a request that the core made.
 *
 * The exporter makes its list once, with dma_buf_pal_create(), which
 * checks it: at least one entry, no empty entry, page-aligned addresses and
 * lengths, no range that wraps around the address space. A list that breaks
 * a rule is an exporter bug: it is refused with -EINVAL and a warning naming
 * the caller. At every map the exporter hands that same object to the core
 * with dma_buf_pal_req_set(), which checks only that it is a list of the
 * dma-buf's size and of the declared kind of memory, and takes a reference
 * for the importer; dma_buf_pal_unmap() drops it. A map makes no copy and
 * no allocation, whatever the length of the list. The exporter drops its
 * own reference with dma_buf_pal_put() when the dma-buf is released; the
 * list is freed when the last reference goes.
 */

/* Only the core has this object, so only the core can make a request. */
static const char dma_buf_pal_key = 'P';

/**
 * struct dma_buf_pal_req - a request for the list of one map
 * @key: &dma_buf_pal_key for a request the core made.
 * @attach: the attachment being mapped.
 * @attr: the kind of memory the exporter declared when matching.
 * @pal: the exporter's list, once dma_buf_pal_req_set() succeeded.
 */
struct dma_buf_pal_req {
	const char *key;
	struct dma_buf_attachment *attach;
	enum dma_buf_pal_attr attr;
	struct dma_buf_pal *pal;
};

static const char *dma_buf_pal_attr_name(enum dma_buf_pal_attr attr)
{
	return attr == DMA_BUF_PAL_MMIO ? "mmio" : "?";
}

static int dma_buf_pal_match(struct dma_buf_attachment *attach,
			     const struct dma_buf_mapping_match *exp,
			     const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_pal_exp_data *e = exp->data;
	const struct dma_buf_pal_imp_data *i = imp->data;

	if (e->attr != DMA_BUF_PAL_MMIO)
		return -EINVAL;
	return i->attrs & BIT(e->attr) ? 0 : -EOPNOTSUPP;
}

/*
 * Both PAL ops are required, whatever the importer gets: PAL, an sg_table or
 * a mapping in its IOMMU domain.
 */
int dma_buf_pal_check_ops(const struct dma_buf_attachment *attach,
			  const struct dma_buf_pal_exp_ops *ops)
{
	if (ops->map_pal && ops->unmap_pal)
		return 0;
	dev_warn_ratelimited(attach->dev,
			     "dma-buf %s: PAL exporter without map/unmap\n",
			     attach->dmabuf->exp_name);
	return -EINVAL;
}

static int dma_buf_pal_finish(struct dma_buf_attachment *attach,
			      const struct dma_buf_mapping_match *exp,
			      const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_pal_exp_data *e = exp->data;
	int ret;

	ret = dma_buf_pal_check_ops(attach, exp->ops);
	if (ret)
		return ret;
	/* The kind of memory is part of the match; keep it for the checks. */
	attach->map.priv = (void *)(uintptr_t)e->attr;
	return 0;
}

static void dma_buf_pal_describe(struct seq_file *s,
				 const struct dma_buf_attachment *attach)
{
	seq_printf(s, "attr %s, %u mapped",
		   dma_buf_pal_attr_name((uintptr_t)attach->map.priv),
		   attach->map.nr_mapped);
}

/* At detach: give back the lists the importer left mapped. */
static void dma_buf_pal_reclaim(struct dma_buf_attachment *attach)
{
	while (attach->map.nr_mapped)
		dma_buf_pal_unmap(attach, dma_buf_mapping_held(attach));
}

const struct dma_buf_mapping_type dma_buf_mapping_pal = {
	.name = "pal",
	.exp_data_size = sizeof(struct dma_buf_pal_exp_data),
	.imp_data_size = sizeof(struct dma_buf_pal_imp_data),
	.match = dma_buf_pal_match,
	.finish = dma_buf_pal_finish,
	.reclaim = dma_buf_pal_reclaim,
	.describe = dma_buf_pal_describe,
};

/**
 * dma_buf_pal_export - an exporter's PAL entry
 * @ops: the exporter's PAL operations
 * @data: its match data
 *
 * Return: the entry, to put in the list passed to dma_buf_match_mapping().
 */
struct dma_buf_mapping_match
dma_buf_pal_export(const struct dma_buf_pal_exp_ops *ops,
		   const struct dma_buf_pal_exp_data *data)
{
	return (struct dma_buf_mapping_match){
		.type = &dma_buf_mapping_pal,
		.ops = ops,
		.data = data,
		.data_size = sizeof(*data),
	};
}
EXPORT_SYMBOL_NS_GPL(dma_buf_pal_export, "DMA_BUF");

/*
 * Why a list breaks a rule of the DOC above, or NULL when it is good; *@bad
 * is the entry at fault. Its own function so that the KUnit cases check
 * which rule refused each bad list.
 */
VISIBLE_IF_KUNIT const char *
dma_buf_pal_list_fault(enum dma_buf_pal_attr attr, const struct phys_vec *vec,
		       unsigned int nr, u64 size, unsigned int *bad)
{
	u64 end, total = 0;
	unsigned int i;

	*bad = 0;
	if (!nr)
		return "empty list";
	if (!vec)
		return "no list";
	for (i = 0; i < nr; i++) {
		*bad = i;
		if (!vec[i].len)
			return "empty range";
		if (!PAGE_ALIGNED(vec[i].paddr) || !PAGE_ALIGNED(vec[i].len))
			return "unaligned range";
		if (check_add_overflow((u64)vec[i].paddr, (u64)vec[i].len, &end))
			return "range wraps around";
		if (check_add_overflow(total, (u64)vec[i].len, &total))
			return "total length overflows";
	}
	if (attr != DMA_BUF_PAL_MMIO)
		return "unknown kind of memory";
	if (total != size)
		return "total length is not the dma-buf size";
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_pal_list_fault);

/**
 * dma_buf_pal_create - make the physical address list of a dma-buf
 * @attr: what the memory is
 * @vec: the ranges, in buffer order; only read during this call
 * @nr: number of entries in @vec
 * @size: the size of the dma-buf; the lengths must add up to it
 *
 * Checks the list (see "PAL mapping type") and copies it into one
 * reference-counted object, allocated with kvmalloc() and charged to the
 * caller's memory cgroup. The exporter hands the object to every map with
 * dma_buf_pal_req_set() and never changes it.
 *
 * Context: process context, may sleep.
 *
 * Return: the list, holding the exporter's reference, to be dropped with
 * dma_buf_pal_put(); or ERR_PTR(-EINVAL) for a bad list (with a warning
 * naming the caller), or ERR_PTR(-ENOMEM).
 */
struct dma_buf_pal *dma_buf_pal_create(enum dma_buf_pal_attr attr,
				       const struct phys_vec *vec,
				       unsigned int nr, u64 size)
{
	struct dma_buf_pal *pal;
	unsigned int bad;
	const char *why;

	why = dma_buf_pal_list_fault(attr, vec, nr, size, &bad);
	if (why) {
		WARN(1, "dma-buf: %pS gave a bad physical address list: %s (entry %u of %u)\n",
		     __builtin_return_address(0), why, bad, nr);
		return ERR_PTR(-EINVAL);
	}

	pal = kvmalloc(struct_size(pal, vec, nr), GFP_KERNEL_ACCOUNT);
	if (!pal)
		return ERR_PTR(-ENOMEM);
	pal->attr = attr;
	pal->nr = nr;
	pal->size = size;
	refcount_set(&pal->ref, 1);
	memcpy(pal->vec, vec, flex_array_size(pal, vec, nr));
	return pal;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_pal_create, "DMA_BUF");

/**
 * dma_buf_pal_put - drop a reference to a physical address list
 * @pal: the list, or NULL
 *
 * The exporter calls it once, for the reference dma_buf_pal_create() gave
 * it, typically when the dma-buf is released. The list is freed when the
 * last map of it has been given back too.
 *
 * Context: process context, may sleep.
 */
void dma_buf_pal_put(struct dma_buf_pal *pal)
{
	if (pal && refcount_dec_and_test(&pal->ref))
		kvfree(pal);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_pal_put, "DMA_BUF");

/**
 * dma_buf_pal_req_set - give the core the physical address list of a map
 * @req: the request passed to &dma_buf_pal_exp_ops.map_pal
 * @pal: the exporter's list, from dma_buf_pal_create()
 *
 * Takes a reference to @pal for the importer; the list is not copied and
 * its entries are not checked again.
 *
 * Context: inside &dma_buf_pal_exp_ops.map_pal, reservation lock held.
 *
 * Return: 0, or -EINVAL for a request the core did not make, a second set,
 * or a list whose size or kind of memory is not the dma-buf's (with a
 * warning naming the exporter).
 */
int dma_buf_pal_req_set(struct dma_buf_pal_req *req, struct dma_buf_pal *pal)
{
	struct dma_buf *dmabuf;

	if (WARN(!req || req->key != &dma_buf_pal_key || req->pal,
		 "dma-buf: PAL list set outside a core request\n"))
		return -EINVAL;
	dmabuf = req->attach->dmabuf;
	dma_resv_assert_held(dmabuf->resv);

	if (WARN(!pal || pal->size != dmabuf->size || pal->attr != req->attr,
		 "dma-buf %s: exporter gave a physical address list that is not this dma-buf's\n",
		 dmabuf->exp_name))
		return -EINVAL;
	refcount_inc(&pal->ref);
	req->pal = pal;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_pal_req_set, "DMA_BUF");

/*
 * The importer side: the core's conversions call it internally, and only the
 * dma-buf KUnit tests may import PAL themselves.
 */

/**
 * dma_buf_pal_import - an importer's PAL entry
 * @data: its match data
 *
 * Return: the entry, to put in the list passed to dma_buf_mapping_attach().
 */
struct dma_buf_mapping_match
dma_buf_pal_import(const struct dma_buf_pal_imp_data *data)
{
	return (struct dma_buf_mapping_match){
		.type = &dma_buf_mapping_pal,
		.data = data,
		.data_size = sizeof(*data),
	};
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_pal_import);

/**
 * dma_buf_attachment_is_pal - check whether an attachment negotiated PAL
 * @attach: the attachment
 *
 * Return: true if @attach maps through dma_buf_pal_map().
 */
bool dma_buf_attachment_is_pal(const struct dma_buf_attachment *attach)
{
	return dma_buf_attachment_is_type(attach, &dma_buf_mapping_pal);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_attachment_is_pal);

/*
 * Ask the exporter for its list; the caller owns the reference taken and
 * gives the list back with &dma_buf_pal_exp_ops.unmap_pal.
 */
struct dma_buf_pal *dma_buf_pal_get_list(struct dma_buf_attachment *attach,
					 const struct dma_buf_pal_exp_ops *ops,
					 enum dma_buf_pal_attr attr)
{
	struct dma_buf_pal_req req = {
		.key = &dma_buf_pal_key,
		.attach = attach,
		.attr = attr,
	};
	int ret;

	ret = ops->map_pal(attach, &req);
	if (ret) {
		dma_buf_pal_put(req.pal);
		return ERR_PTR(ret);
	}
	if (!req.pal) {
		WARN(1, "dma-buf %s: map_pal gave no list\n",
		     attach->dmabuf->exp_name);
		ops->unmap_pal(attach);
		return ERR_PTR(-EINVAL);
	}
	return req.pal;
}

/**
 * dma_buf_pal_map - get the physical address list of a PAL attachment
 * @attach: an attachment that negotiated the PAL type
 *
 * Asks the exporter for its list and returns it with a reference: the same
 * object for every map of every attachment of the dma-buf, never a copy.
 * Fails with the exporter's error, such as -ENODEV once the memory has been
 * revoked; an importer with &dma_buf_attach_ops.invalidate_mappings is told
 * through it when it must unmap.
 *
 * Context: reservation lock held.
 *
 * Return: the list, to be given back with dma_buf_pal_unmap(), or an error
 * pointer: -EINVAL if @attach is not a PAL attachment or the exporter's list
 * is bad, or the exporter's error.
 */
const struct dma_buf_pal *dma_buf_pal_map(struct dma_buf_attachment *attach)
{
	const struct dma_buf_pal_exp_ops *ops = attach->map.ops;
	struct dma_buf_pal *pal;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(!dma_buf_attachment_is_pal(attach)))
		return ERR_PTR(-EINVAL);
	pal = dma_buf_pal_get_list(attach, ops, (uintptr_t)attach->map.priv);
	if (IS_ERR(pal))
		return pal;
	if (dma_buf_mapping_hold(attach, pal)) {
		ops->unmap_pal(attach);
		dma_buf_pal_put(pal);
		return ERR_PTR(-EINVAL);
	}
	return pal;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_pal_map);

/**
 * dma_buf_pal_unmap - give back a list from dma_buf_pal_map()
 * @attach: the attachment it was mapped for
 * @pal: the list
 *
 * Context: reservation lock held.
 */
void dma_buf_pal_unmap(struct dma_buf_attachment *attach,
		       const struct dma_buf_pal *pal)
{
	const struct dma_buf_pal_exp_ops *ops = attach->map.ops;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(!dma_buf_attachment_is_pal(attach) || !pal))
		return;
	if (!dma_buf_mapping_unhold(attach, pal))
		return;
	ops->unmap_pal(attach);
	dma_buf_pal_put((struct dma_buf_pal *)pal);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_pal_unmap);

/*
 * PAL -> SGT: an importer that only takes sg_tables can use an exporter that
 * only gives physical address lists of MMIO, when P2P from the exporter's
 * provider to the importer's device is possible. The core maps the list with
 * dma_buf_phys_vec_to_sgt() at every map and frees it at unmap.
 */
struct dma_buf_pal_sgt {
	const struct dma_buf_pal_exp_ops *ops;
	struct p2pdma_provider *provider;
	enum dma_buf_pal_attr attr;
	struct list_head maps;
};

/* An sg_table the conversion made, until the importer gives it back. */
struct dma_buf_pal_sgt_map {
	struct list_head node;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static int dma_buf_pal_sgt_match(struct dma_buf_attachment *attach,
				 const struct dma_buf_mapping_match *exp,
				 const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_pal_exp_data *e = exp->data;

	if (e->attr != DMA_BUF_PAL_MMIO || !e->provider || !e->provider_pdev)
		return -EOPNOTSUPP;
	/*
	 * The result is an SGT attachment, which static importers may hold,
	 * but PAL's map does not pin: only an importer that gives the
	 * sg_table back when asked may have it.
	 */
	if (!dma_buf_attach_revocable(attach))
		return -EOPNOTSUPP;
	return dma_buf_sgt_p2p_cost(attach, e->provider_pdev, imp->data);
}

static struct sg_table *dma_buf_pal_sgt_map(struct dma_buf_attachment *attach,
					    enum dma_data_direction dir)
{
	struct dma_buf_pal_sgt *conv = attach->map.priv;
	struct dma_buf_pal_sgt_map *m;
	struct dma_buf_pal *pal;
	struct sg_table *sgt;

	m = kmalloc_obj(*m);
	if (!m)
		return ERR_PTR(-ENOMEM);
	pal = dma_buf_pal_get_list(attach, conv->ops, conv->attr);
	if (IS_ERR(pal)) {
		kfree(m);
		return ERR_CAST(pal);
	}
	sgt = dma_buf_phys_vec_to_sgt(attach, conv->provider, pal->vec, pal->nr,
				      attach->dmabuf->size, dir);
	dma_buf_pal_put(pal);
	if (IS_ERR(sgt)) {
		conv->ops->unmap_pal(attach);
		kfree(m);
		return sgt;
	}
	m->sgt = sgt;
	m->dir = dir;
	list_add(&m->node, &conv->maps);
	attach->map.nr_mapped++;
	return sgt;
}

/* Free the sg_table of @m and give the exporter its list back. */
static void dma_buf_pal_sgt_put_map(struct dma_buf_attachment *attach,
				    struct dma_buf_pal_sgt_map *m)
{
	struct dma_buf_pal_sgt *conv = attach->map.priv;

	list_del(&m->node);
	dma_buf_free_sgt(attach, m->sgt, m->dir);
	conv->ops->unmap_pal(attach);
	attach->map.nr_mapped--;
	kfree(m);
}

static void dma_buf_pal_sgt_unmap(struct dma_buf_attachment *attach,
				  struct sg_table *sgt,
				  enum dma_data_direction dir)
{
	struct dma_buf_pal_sgt *conv = attach->map.priv;
	struct dma_buf_pal_sgt_map *m;

	list_for_each_entry(m, &conv->maps, node) {
		if (m->sgt == sgt) {
			dma_buf_pal_sgt_put_map(attach, m);
			return;
		}
	}
	dev_warn_ratelimited(attach->dev,
			     "dma-buf %s: unmap of an sg_table this attachment does not hold: refused\n",
			     attach->dmabuf->exp_name);
}

/*
 * At detach, with sg_tables still out (an importer bug): free them and give
 * the exporter its lists back, so that a revocation does not wait for them.
 */
static void dma_buf_pal_sgt_reclaim(struct dma_buf_attachment *attach)
{
	struct dma_buf_pal_sgt *conv = attach->map.priv;
	struct dma_buf_pal_sgt_map *m, *tmp;

	list_for_each_entry_safe(m, tmp, &conv->maps, node)
		dma_buf_pal_sgt_put_map(attach, m);
}

static const struct dma_buf_sgt_exp_ops dma_buf_pal_sgt_ops = {
	.map_dma_buf = dma_buf_pal_sgt_map,
	.unmap_dma_buf = dma_buf_pal_sgt_unmap,
};

static int dma_buf_pal_sgt_finish(struct dma_buf_attachment *attach,
				  const struct dma_buf_mapping_match *exp,
				  const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_pal_exp_ops *ops = exp->ops;
	const struct dma_buf_pal_exp_data *e = exp->data;
	struct dma_buf_pal_sgt *conv;
	int ret;

	ret = dma_buf_pal_check_ops(attach, ops);
	if (ret)
		return ret;
	conv = kmalloc_obj(*conv);
	if (!conv)
		return -ENOMEM;
	conv->ops = ops;
	conv->provider = e->provider;
	conv->attr = e->attr;
	INIT_LIST_HEAD(&conv->maps);
	attach->map.priv = conv;
	attach->map.ops = &dma_buf_pal_sgt_ops;
	dma_buf_sgt_set_peer(attach, imp->data, true);
	return 0;
}

static void dma_buf_pal_sgt_release(struct dma_buf_attachment *attach)
{
	kfree(attach->map.priv);
}

const struct dma_buf_mapping_conv dma_buf_pal_to_sgt = {
	.from = &dma_buf_mapping_pal,
	.to = &dma_buf_mapping_sgt,
	.match = dma_buf_pal_sgt_match,
	.finish = dma_buf_pal_sgt_finish,
	.release = dma_buf_pal_sgt_release,
	.reclaim = dma_buf_pal_sgt_reclaim,
};
