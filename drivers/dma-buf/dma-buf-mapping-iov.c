// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOV mapping type: ranges of an SR-IOV VF's BAR for its PF driver.
 */

#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-iov.h>
#include <linux/dma-resv.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "dma-buf-internal.h"

/**
 * DOC: IOV mapping type
 *
 * A dma-buf made of a BAR of an SR-IOV virtual function (a VF passed to a
 * guest with vfio-pci, for instance) can be imported by the driver of the
 * VF's own physical function. That driver does not need the BAR at all: the
 * VF BAR is a window onto memory the PF driver itself handed to the VF (the
 * VF's share of device memory), and the PF reaches that memory on its own
 * device, without a PCIe mapping. What it needs is where in the VF BAR the
 * buffer lies, so the IOV type hands over exactly that: the BAR number and
 * a list of &struct range of offsets into it, with their own typed map and
 * unmap functions (dma_buf_iov_map(), dma_buf_iov_unmap()).
 *
 * The exporter's entry names the VF and the BAR; the importer's names the PF
 * and the BAR whose layout it knows. They match only when the importer
 * attaches for the PF's own device, the exporter's device is a VF whose
 * pci_physfn() is that PF, and both name the same BAR. Anything else, a
 * device that is not a VF included, is skipped with a debug message that
 * names the rule, so the importer falls back to its next entry (SGT with
 * P2P, typically).
 *
 * The exporter makes its ranges once, with dma_buf_iov_create(), which
 * checks them: at least one range, every range non-empty with its start and
 * its end + 1 page aligned and its end inside the BAR. A list that breaks a
 * rule is an exporter bug: it is refused with -EINVAL and a warning naming
 * the caller. The same call builds the xarray the importer walks. At every
 * map the exporter hands that same object to the core with
 * dma_buf_iov_req_set(), which checks only that it is a list of the
 * dma-buf's size and BAR, and takes a reference for the importer;
 * dma_buf_iov_unmap() drops it. A map makes no copy and no allocation. The
 * exporter drops its own reference with dma_buf_iov_put() when the dma-buf
 * is released; the list is freed when the last reference goes.
 *
 * Whether a range may be used is
 * the PF driver's call: it knows which part of its memory belongs to the VF
 * and must refuse any range outside it.
 *
 * The VF returned by dma_buf_iov_vf() is the exporter's: it stays valid until
 * dma_buf_detach(). An importer that keeps it longer takes a reference.
 */

/* Only the core has this object, so only the core can make a request. */
static const char dma_buf_iov_key = 'I';

/**
 * struct dma_buf_iov_req - a request for the ranges of one map
 * @key: &dma_buf_iov_key for a request the core made.
 * @attach: the attachment being mapped.
 * @iov: the exporter's ranges, once dma_buf_iov_req_set() succeeded.
 */
struct dma_buf_iov_req {
	const char *key;
	struct dma_buf_attachment *attach;
	struct dma_buf_iov *iov;
};

/* What the attachment keeps of the winning pair. */
struct dma_buf_iov_attach {
	struct pci_dev *vf;
	unsigned int bar;
};

/*
 * Which rule of the DOC above keeps the exporter's entry @e and the
 * importer's entry @i from pairing for an attach made for @dev, or NULL
 * when they pair. Its own function so that the KUnit cases check which
 * rule refused each pair.
 */
VISIBLE_IF_KUNIT const char *
dma_buf_iov_mismatch(const struct device *dev,
		     const struct dma_buf_iov_exp_data *e,
		     const struct dma_buf_iov_imp_data *i)
{
	if (!IS_ENABLED(CONFIG_PCI_IOV) || !e->vf->is_virtfn)
		return "exporter's device is not a VF";
	if (!i->pf || pci_physfn(e->vf) != i->pf)
		return "VF of another PF";
	if (dev != &i->pf->dev)
		return "attach not for the PF's device";
	if (e->bar != i->bar)
		return "another BAR";
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_iov_mismatch);

static int dma_buf_iov_match(struct dma_buf_attachment *attach,
			     const struct dma_buf_mapping_match *exp,
			     const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_iov_exp_data *e = exp->data;
	const char *why;

	if (!e->vf || e->bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	why = dma_buf_iov_mismatch(attach->dev, e, imp->data);
	if (why) {
		dev_dbg(attach->dev, "dma-buf %s: IOV entry skipped: %s\n",
			attach->dmabuf->exp_name, why);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int dma_buf_iov_finish(struct dma_buf_attachment *attach,
			      const struct dma_buf_mapping_match *exp,
			      const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_iov_exp_ops *ops = exp->ops;
	const struct dma_buf_iov_exp_data *e = exp->data;
	struct dma_buf_iov_attach *st;

	if (!ops->map_iov || !ops->unmap_iov) {
		dev_warn_ratelimited(attach->dev,
				     "dma-buf %s: IOV exporter without map/unmap\n",
				     attach->dmabuf->exp_name);
		return -EINVAL;
	}
	st = kmalloc_obj(*st);
	if (!st)
		return -ENOMEM;
	st->vf = e->vf;
	st->bar = e->bar;
	attach->map.priv = st;
	return 0;
}

static void dma_buf_iov_release(struct dma_buf_attachment *attach)
{
	kfree(attach->map.priv);
}

/* At detach: give back the ranges the importer left mapped. */
static void dma_buf_iov_reclaim(struct dma_buf_attachment *attach)
{
	while (attach->map.nr_mapped)
		dma_buf_iov_unmap(attach, dma_buf_mapping_held(attach));
}

static void dma_buf_iov_describe(struct seq_file *s,
				 const struct dma_buf_attachment *attach)
{
	const struct dma_buf_iov_attach *st = attach->map.priv;

	seq_printf(s, "vf %s bar %u, %u mapped", pci_name(st->vf), st->bar,
		   attach->map.nr_mapped);
}

static const struct dma_buf_mapping_type dma_buf_mapping_iov = {
	.name = "iov",
	.exp_data_size = sizeof(struct dma_buf_iov_exp_data),
	.imp_data_size = sizeof(struct dma_buf_iov_imp_data),
	.match = dma_buf_iov_match,
	.finish = dma_buf_iov_finish,
	.release = dma_buf_iov_release,
	.reclaim = dma_buf_iov_reclaim,
	.describe = dma_buf_iov_describe,
};

/**
 * dma_buf_iov_export - an exporter's IOV entry
 * @ops: the exporter's IOV operations
 * @data: its match data
 *
 * Return: the entry, to put in the list passed to dma_buf_match_mapping().
 */
struct dma_buf_mapping_match
dma_buf_iov_export(const struct dma_buf_iov_exp_ops *ops,
		   const struct dma_buf_iov_exp_data *data)
{
	return (struct dma_buf_mapping_match){
		.type = &dma_buf_mapping_iov,
		.ops = ops,
		.data = data,
		.data_size = sizeof(*data),
	};
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_export, "DMA_BUF");

/*
 * Why ranges of BAR @bar of @vf break a rule of the DOC above, or NULL when
 * they are good; *@bad is the entry at fault. Its own function so that the
 * KUnit cases check which rule refused each bad list.
 */
VISIBLE_IF_KUNIT const char *
dma_buf_iov_list_fault(struct pci_dev *vf, unsigned int bar,
		       const struct range *r, unsigned int nr, u64 size,
		       unsigned int *bad)
{
	u64 bar_len, total = 0;
	unsigned int i;

	*bad = 0;
	if (!vf || bar >= PCI_STD_NUM_BARS)
		return "no VF or no such BAR";
	bar_len = pci_resource_len(vf, bar);
	if (!nr)
		return "empty list";
	if (!r)
		return "no list";
	for (i = 0; i < nr; i++) {
		*bad = i;
		if (r[i].end < r[i].start)
			return "empty range";
		if (!PAGE_ALIGNED(r[i].start) || !PAGE_ALIGNED(r[i].end + 1))
			return "unaligned range";
		if (r[i].end >= bar_len)
			return "range past the end of the BAR";
		if (check_add_overflow(total, range_len(&r[i]), &total))
			return "total length overflows";
	}
	if (total != size)
		return "total length is not the dma-buf size";
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_iov_list_fault);

/*
 * Point index i of @iov->ranges at @iov->storage[i], for every i, in one
 * pass under the xarray's lock, allocating nodes outside it as needed.
 */
static int dma_buf_iov_index(struct dma_buf_iov *iov)
{
	XA_STATE(xas, &iov->ranges, 0);

	do {
		xas_lock(&xas);
		while (xas.xa_index < iov->nr) {
			xas_store(&xas, &iov->storage[xas.xa_index]);
			if (xas_error(&xas))
				break;
			xas_next(&xas);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL_ACCOUNT));
	return xas_error(&xas);
}

static void dma_buf_iov_free(struct dma_buf_iov *iov)
{
	xa_destroy(&iov->ranges);
	kvfree(iov);
}

/**
 * dma_buf_iov_create - make the VF BAR ranges of a dma-buf
 * @vf: the virtual function whose BAR the dma-buf is made of
 * @bar: the BAR of @vf the ranges are in
 * @ranges: the ranges, offsets into the BAR, in buffer order; only read
 *	during this call
 * @nr: number of entries in @ranges
 * @size: the size of the dma-buf; the lengths must add up to it
 *
 * Checks the ranges (see "IOV mapping type"), copies them into one
 * reference-counted object allocated with kvmalloc() and indexes them in
 * its xarray; all of it is charged to the caller's memory cgroup. The
 * exporter hands the object to every map with dma_buf_iov_req_set() and
 * never changes it.
 *
 * Context: process context, may sleep.
 *
 * Return: the ranges, holding the exporter's reference, to be dropped with
 * dma_buf_iov_put(); or ERR_PTR(-EINVAL) for a bad list, VF or BAR (with a
 * warning naming the caller), or ERR_PTR(-ENOMEM).
 */
struct dma_buf_iov *dma_buf_iov_create(struct pci_dev *vf, unsigned int bar,
				       const struct range *ranges,
				       unsigned int nr, u64 size)
{
	struct dma_buf_iov *iov;
	unsigned int bad;
	const char *why;
	int ret;

	why = dma_buf_iov_list_fault(vf, bar, ranges, nr, size, &bad);
	if (why) {
		WARN(1, "dma-buf: %pS gave bad VF BAR ranges: %s (entry %u of %u)\n",
		     __builtin_return_address(0), why, bad, nr);
		return ERR_PTR(-EINVAL);
	}

	iov = kvmalloc(struct_size(iov, storage, nr), GFP_KERNEL_ACCOUNT);
	if (!iov)
		return ERR_PTR(-ENOMEM);
	iov->bar = bar;
	iov->nr = nr;
	iov->size = size;
	refcount_set(&iov->ref, 1);
	xa_init(&iov->ranges);
	memcpy(iov->storage, ranges, flex_array_size(iov, storage, nr));
	ret = dma_buf_iov_index(iov);
	if (ret) {
		dma_buf_iov_free(iov);
		return ERR_PTR(ret);
	}
	return iov;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_create, "DMA_BUF");

/**
 * dma_buf_iov_put - drop a reference to VF BAR ranges
 * @iov: the ranges, or NULL
 *
 * The exporter calls it once, for the reference dma_buf_iov_create() gave
 * it, typically when the dma-buf is released. The ranges are freed when the
 * last map of them has been given back too.
 *
 * Context: process context, may sleep.
 */
void dma_buf_iov_put(struct dma_buf_iov *iov)
{
	if (iov && refcount_dec_and_test(&iov->ref))
		dma_buf_iov_free(iov);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_put, "DMA_BUF");

/**
 * dma_buf_iov_req_set - give the core the VF BAR ranges of a map
 * @req: the request passed to &dma_buf_iov_exp_ops.map_iov
 * @iov: the exporter's ranges, from dma_buf_iov_create()
 *
 * Takes a reference to @iov for the importer; the ranges are not copied
 * and not checked again.
 *
 * Context: inside &dma_buf_iov_exp_ops.map_iov, reservation lock held.
 *
 * Return: 0, or -EINVAL for a request the core did not make, a second set,
 * or ranges whose size or BAR is not the dma-buf's (with a warning naming
 * the exporter).
 */
int dma_buf_iov_req_set(struct dma_buf_iov_req *req, struct dma_buf_iov *iov)
{
	const struct dma_buf_iov_attach *st;
	struct dma_buf *dmabuf;

	if (WARN(!req || req->key != &dma_buf_iov_key || req->iov,
		 "dma-buf: IOV ranges set outside a core request\n"))
		return -EINVAL;
	dmabuf = req->attach->dmabuf;
	dma_resv_assert_held(dmabuf->resv);
	st = req->attach->map.priv;

	if (WARN(!iov || iov->size != dmabuf->size || iov->bar != st->bar,
		 "dma-buf %s: exporter gave VF BAR ranges that are not this dma-buf's\n",
		 dmabuf->exp_name))
		return -EINVAL;
	refcount_inc(&iov->ref);
	req->iov = iov;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_req_set, "DMA_BUF");

/**
 * dma_buf_iov_import - an importer's IOV entry
 * @data: its match data
 *
 * Return: the entry, to put in the list passed to dma_buf_mapping_attach().
 */
struct dma_buf_mapping_match
dma_buf_iov_import(const struct dma_buf_iov_imp_data *data)
{
	return (struct dma_buf_mapping_match){
		.type = &dma_buf_mapping_iov,
		.data = data,
		.data_size = sizeof(*data),
	};
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_import, "DMA_BUF");

/**
 * dma_buf_attachment_is_iov - check whether an attachment negotiated IOV
 * @attach: the attachment
 *
 * Return: true if @attach maps through dma_buf_iov_map().
 */
bool dma_buf_attachment_is_iov(const struct dma_buf_attachment *attach)
{
	return dma_buf_attachment_is_type(attach, &dma_buf_mapping_iov);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_attachment_is_iov, "DMA_BUF");

/**
 * dma_buf_iov_vf - the exporting VF of an IOV attachment
 * @attach: an attachment that negotiated the IOV type
 *
 * Return: the VF whose BAR the dma-buf is made of, valid until
 * dma_buf_detach(), or NULL if @attach is not an IOV attachment.
 */
struct pci_dev *dma_buf_iov_vf(const struct dma_buf_attachment *attach)
{
	const struct dma_buf_iov_attach *st = attach->map.priv;

	if (WARN_ON(!dma_buf_attachment_is_iov(attach)))
		return NULL;
	return st->vf;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_vf, "DMA_BUF");

/**
 * dma_buf_iov_map - get the VF BAR ranges of an IOV attachment
 * @attach: an attachment that negotiated the IOV type
 *
 * Asks the exporter for its ranges and returns them with a reference: the
 * same object for every map of every attachment of the dma-buf, never a
 * copy; the importer only reads it.
 * Fails with the exporter's error, such as -ENODEV once the memory has been
 * revoked; an importer with &dma_buf_attach_ops.invalidate_mappings is told
 * through it when it must unmap.
 *
 * Context: reservation lock held.
 *
 * Return: the ranges, to be given back with dma_buf_iov_unmap(), or an error
 * pointer: -EINVAL if @attach is not an IOV attachment or the exporter's
 * list is not the dma-buf's, or the exporter's error.
 */
struct dma_buf_iov *dma_buf_iov_map(struct dma_buf_attachment *attach)
{
	const struct dma_buf_iov_exp_ops *ops = attach->map.ops;
	struct dma_buf_iov_req req = {
		.key = &dma_buf_iov_key,
		.attach = attach,
	};
	int ret;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(!dma_buf_attachment_is_iov(attach)))
		return ERR_PTR(-EINVAL);

	ret = ops->map_iov(attach, &req);
	if (ret) {
		dma_buf_iov_put(req.iov);
		return ERR_PTR(ret);
	}
	if (!req.iov) {
		WARN(1, "dma-buf %s: map_iov gave no ranges\n",
		     attach->dmabuf->exp_name);
		ops->unmap_iov(attach);
		return ERR_PTR(-EINVAL);
	}
	if (dma_buf_mapping_hold(attach, req.iov)) {
		ops->unmap_iov(attach);
		dma_buf_iov_put(req.iov);
		return ERR_PTR(-EINVAL);
	}
	return req.iov;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_map, "DMA_BUF");

/**
 * dma_buf_iov_unmap - give back ranges from dma_buf_iov_map()
 * @attach: the attachment they were mapped for
 * @iov: the ranges
 *
 * Context: reservation lock held.
 */
void dma_buf_iov_unmap(struct dma_buf_attachment *attach,
		       struct dma_buf_iov *iov)
{
	const struct dma_buf_iov_exp_ops *ops = attach->map.ops;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(!dma_buf_attachment_is_iov(attach) || !iov))
		return;
	if (!dma_buf_mapping_unhold(attach, iov))
		return;
	ops->unmap_iov(attach);
	dma_buf_iov_put(iov);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_iov_unmap, "DMA_BUF");
