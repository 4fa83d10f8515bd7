/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IOV mapping type: ranges of an SR-IOV VF's BAR, for the driver of its
 * physical function, which reaches the VF's memory on its own device.
 */
#ifndef __DMA_BUF_MAPPING_IOV_H__
#define __DMA_BUF_MAPPING_IOV_H__

#include <linux/dma-buf-mapping-type.h>
#include <linux/range.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct dma_buf_iov_req;
struct pci_dev;

/**
 * struct dma_buf_iov - the ranges of a VF BAR, as the PF driver receives them
 * @bar: the VF BAR the ranges are in (a standard BAR number, 0 to 5).
 * @nr: number of ranges, at least one.
 * @size: the sum of the lengths of the ranges: the size of the dma-buf.
 * @ranges: index i (0 to @nr - 1, in buffer order) holds a pointer to the
 *	i-th &struct range. A range holds byte offsets into the VF BAR, both
 *	inclusive: @start is page aligned, @end + 1 is page aligned, @end is
 *	inside the BAR. Together the ranges cover the whole dma-buf.
 * @storage: where the entries of @ranges point; use @ranges.
 *
 * Made once by dma_buf_iov_create(), which checks all of the above and
 * builds @ranges, and never changed after that: every map of every
 * attachment of the dma-buf receives the same object, which the importer
 * only reads, and it stays valid until the matching dma_buf_iov_unmap(),
 * whatever the exporter does meanwhile. Walk it with xa_for_each().
 */
struct dma_buf_iov {
	unsigned int bar;
	unsigned int nr;
	u64 size;
	/* private: one for the exporter, one for each map handed out */
	refcount_t ref;
	/* public: */
	struct xarray ranges;
	struct range storage[] __counted_by(nr);
};

/**
 * struct dma_buf_iov_exp_ops - an exporter's operations for the IOV type
 * @map_iov: hand the ranges to the core with dma_buf_iov_req_set() and
 *	return 0, or return an error (-ENODEV once the memory is revoked).
 * @unmap_iov: the importer is done with the ranges of a successful @map_iov.
 *
 * Both are required and are called with the reservation lock held.
 */
struct dma_buf_iov_exp_ops {
	int (*map_iov)(struct dma_buf_attachment *attach,
		       struct dma_buf_iov_req *req);
	void (*unmap_iov)(struct dma_buf_attachment *attach);
};

/**
 * struct dma_buf_iov_exp_data - match data of an exporter's IOV entry
 * @vf: the virtual function whose BAR the dma-buf is made of. The exporter
 *	holds a reference to it for as long as the dma-buf exists.
 * @bar: the BAR of @vf the ranges are in.
 */
struct dma_buf_iov_exp_data {
	struct pci_dev *vf;
	unsigned int bar;
};

/**
 * struct dma_buf_iov_imp_data - match data of an importer's IOV entry
 * @pf: the physical function the importer drives; the entry matches only
 *	exporters of one of its own VFs, and only when the attach call is made
 *	for @pf's device.
 * @bar: the VF BAR whose layout the importer understands.
 */
struct dma_buf_iov_imp_data {
	struct pci_dev *pf;
	unsigned int bar;
};

/* For exporters. */
struct dma_buf_mapping_match
dma_buf_iov_export(const struct dma_buf_iov_exp_ops *ops,
		   const struct dma_buf_iov_exp_data *data);
struct dma_buf_iov *dma_buf_iov_create(struct pci_dev *vf, unsigned int bar,
				       const struct range *ranges,
				       unsigned int nr, u64 size);
void dma_buf_iov_put(struct dma_buf_iov *iov);
int dma_buf_iov_req_set(struct dma_buf_iov_req *req, struct dma_buf_iov *iov);

/* For importers. */
struct dma_buf_mapping_match
dma_buf_iov_import(const struct dma_buf_iov_imp_data *data);
bool dma_buf_attachment_is_iov(const struct dma_buf_attachment *attach);
struct pci_dev *dma_buf_iov_vf(const struct dma_buf_attachment *attach);
struct dma_buf_iov *dma_buf_iov_map(struct dma_buf_attachment *attach);
void dma_buf_iov_unmap(struct dma_buf_attachment *attach,
		       struct dma_buf_iov *iov);

/* Why a list or a pair is refused: for the dma-buf KUnit tests only. */
#if IS_ENABLED(CONFIG_KUNIT)
const char *
dma_buf_iov_list_fault(struct pci_dev *vf, unsigned int bar,
		       const struct range *r, unsigned int nr, u64 size,
		       unsigned int *bad);
const char *
dma_buf_iov_mismatch(const struct device *dev,
		     const struct dma_buf_iov_exp_data *e,
		     const struct dma_buf_iov_imp_data *i);
#endif

#endif /* __DMA_BUF_MAPPING_IOV_H__ */
