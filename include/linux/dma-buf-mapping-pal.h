/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PAL mapping type: the exporter's memory as a list of CPU physical
 * address ranges, which the dma-buf core converts for importers (into an
 * sg_table, or into an importer's IOMMU domain).
 */
#ifndef __DMA_BUF_MAPPING_PAL_H__
#define __DMA_BUF_MAPPING_PAL_H__

#include <linux/dma-buf-mapping-type.h>
#include <linux/refcount.h>
#include <linux/types.h>

struct dma_buf_pal_req;
struct p2pdma_provider;
struct pci_dev;

/**
 * enum dma_buf_pal_attr - what the memory behind a physical address list is
 * @DMA_BUF_PAL_MMIO: device memory such as a PCI BAR: no struct page, to be
 *	mapped uncached, as MMIO.
 */
enum dma_buf_pal_attr {
	DMA_BUF_PAL_MMIO = 1,
};

/**
 * struct dma_buf_pal - a physical address list, as an importer receives it
 * @attr: what the memory is.
 * @nr: number of entries in @vec, at least one.
 * @size: the sum of the lengths of @vec: the size of the dma-buf.
 * @vec: the ranges in buffer order. Every range is page aligned, none is
 *	empty, none wraps, and together they cover the whole dma-buf.
 *
 * Made once by dma_buf_pal_create(), which checks all of the above, and
 * never changed after that: every map of every attachment of the dma-buf
 * receives the same object, read-only, and it stays valid until the
 * matching dma_buf_pal_unmap(), whatever the exporter does meanwhile.
 */
struct dma_buf_pal {
	enum dma_buf_pal_attr attr;
	unsigned int nr;
	u64 size;
	/* private: one for the exporter, one for each map handed out */
	refcount_t ref;
	/* public: */
	struct phys_vec vec[] __counted_by(nr);
};

/**
 * struct dma_buf_pal_exp_ops - an exporter's operations for the PAL type
 * @map_pal: hand the list to the core with dma_buf_pal_req_set() and
 *	return 0, or return an error (-ENODEV once the memory is revoked).
 *	@req is made by the core and cannot be made by anyone else: the
 *	operation cannot be used to bypass the core's checks or the
 *	restriction on who may import PAL.
 * @unmap_pal: the importer is done with the list of a successful @map_pal.
 *
 * Both are required and are called with the reservation lock held.
 */
struct dma_buf_pal_exp_ops {
	int (*map_pal)(struct dma_buf_attachment *attach,
		       struct dma_buf_pal_req *req);
	void (*unmap_pal)(struct dma_buf_attachment *attach);
};

/**
 * struct dma_buf_pal_exp_data - match data of an exporter's PAL entry
 * @attr: what the memory is; every list the exporter gives must say the same.
 * @provider: for %DMA_BUF_PAL_MMIO, the P2P provider of the memory, if the
 *	core may convert the list into an sg_table for SGT-only importers.
 * @provider_pdev: the PCI device of @provider, to measure the P2P distance.
 */
struct dma_buf_pal_exp_data {
	enum dma_buf_pal_attr attr;
	struct p2pdma_provider *provider;
	struct pci_dev *provider_pdev;
};

/**
 * struct dma_buf_pal_imp_data - match data of an importer's PAL entry
 * @attrs: the memory kinds the importer handles, a mask of
 *	BIT(enum dma_buf_pal_attr).
 */
struct dma_buf_pal_imp_data {
	u32 attrs;
};

/* For exporters. */
struct dma_buf_mapping_match
dma_buf_pal_export(const struct dma_buf_pal_exp_ops *ops,
		   const struct dma_buf_pal_exp_data *data);
struct dma_buf_pal *dma_buf_pal_create(enum dma_buf_pal_attr attr,
				       const struct phys_vec *vec,
				       unsigned int nr, u64 size);
void dma_buf_pal_put(struct dma_buf_pal *pal);
int dma_buf_pal_req_set(struct dma_buf_pal_req *req, struct dma_buf_pal *pal);

/* The importer side: for the dma-buf KUnit tests only. */
struct dma_buf_mapping_match
dma_buf_pal_import(const struct dma_buf_pal_imp_data *data);
bool dma_buf_attachment_is_pal(const struct dma_buf_attachment *attach);
const struct dma_buf_pal *dma_buf_pal_map(struct dma_buf_attachment *attach);
void dma_buf_pal_unmap(struct dma_buf_attachment *attach,
		       const struct dma_buf_pal *pal);

/* Why a list is refused: for the dma-buf KUnit tests only. */
#if IS_ENABLED(CONFIG_KUNIT)
const char *
dma_buf_pal_list_fault(enum dma_buf_pal_attr attr, const struct phys_vec *vec,
		       unsigned int nr, u64 size, unsigned int *bad);
#endif

#endif /* __DMA_BUF_MAPPING_PAL_H__ */
