/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SGT mapping type: the exporter's memory as an sg_table of dma_addr_t
 * for one device, PCIe peer-to-peer included.
 */
#ifndef __DMA_BUF_MAPPING_SGT_H__
#define __DMA_BUF_MAPPING_SGT_H__

#include <linux/dma-buf-mapping-type.h>
#include <linux/dma-direction.h>

struct device;
struct pci_dev;
struct sg_table;

/**
 * struct dma_buf_sgt_exp_ops - an exporter's operations for the SGT type
 * @map_dma_buf: map the buffer for &dma_buf_attachment.dev; same contract as
 *	&dma_buf_ops.map_dma_buf.
 * @unmap_dma_buf: undo @map_dma_buf; same contract as
 *	&dma_buf_ops.unmap_dma_buf.
 *
 * Only the core calls these, from dma_buf_map_attachment() and
 * dma_buf_unmap_attachment(). Both are required.
 */
struct dma_buf_sgt_exp_ops {
	struct sg_table *(*map_dma_buf)(struct dma_buf_attachment *attach,
					enum dma_data_direction dir);
	void (*unmap_dma_buf)(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir);
};

/**
 * struct dma_buf_sgt_exp_data - match data of an exporter's SGT entry
 * @p2p_provider: when set, this entry maps the buffer through PCIe
 *	peer-to-peer from this device. It then matches only importers that
 *	accept P2P and that pci_p2pdma_distance() can reach; that distance is
 *	the entry's cost, so of two providers the closer one wins.
 * @legacy_p2p: the exporter decides about P2P itself, in its
 *	&dma_buf_ops.attach, from &dma_buf_attachment.peer2peer, which is then
 *	set from the importer's wish as before mapping types existed. Set for
 *	exporters that only have &dma_buf_ops.map_dma_buf.
 *
 * Without either, the entry maps host memory (or does its own thing) and
 * &dma_buf_attachment.peer2peer is false.
 */
struct dma_buf_sgt_exp_data {
	struct pci_dev *p2p_provider;
	bool legacy_p2p;
};

/**
 * struct dma_buf_sgt_imp_data - match data of an importer's SGT entry
 * @dev: the device the sg_table is mapped for; NULL means the device given
 *	to the attach call. An importer that can reach the buffer through
 *	several devices (multipath) gives one entry per device and the core
 *	picks the closest; &dma_buf_attachment.dev is then that device.
 * @allow_p2p: the importer handles peer memory without struct pages.
 */
struct dma_buf_sgt_imp_data {
	struct device *dev;
	bool allow_p2p;
};

extern const struct dma_buf_mapping_type dma_buf_mapping_sgt;

/**
 * dma_buf_sgt_export - an exporter's SGT entry
 * @ops: the exporter's SGT operations
 * @data: its match data
 *
 * Return: the entry, to put in the list passed to dma_buf_match_mapping().
 */
static inline struct dma_buf_mapping_match
dma_buf_sgt_export(const struct dma_buf_sgt_exp_ops *ops,
		   const struct dma_buf_sgt_exp_data *data)
{
	return (struct dma_buf_mapping_match){
		.type = &dma_buf_mapping_sgt,
		.ops = ops,
		.data = data,
		.data_size = sizeof(*data),
	};
}

/**
 * dma_buf_sgt_import - an importer's SGT entry
 * @data: its match data
 *
 * Return: the entry, to put in the list passed to dma_buf_mapping_attach().
 */
static inline struct dma_buf_mapping_match
dma_buf_sgt_import(const struct dma_buf_sgt_imp_data *data)
{
	return (struct dma_buf_mapping_match){
		.type = &dma_buf_mapping_sgt,
		.data = data,
		.data_size = sizeof(*data),
	};
}

#endif /* __DMA_BUF_MAPPING_SGT_H__ */
