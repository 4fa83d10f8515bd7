/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IOMMU domain mapping type: the core maps a dma-buf's memory into an
 * importer's iommu_domain; the importer never sees a physical address.
 */
#ifndef __DMA_BUF_MAPPING_DOMAIN_H__
#define __DMA_BUF_MAPPING_DOMAIN_H__

#include <linux/dma-buf-mapping-type.h>
#include <linux/types.h>

struct dma_buf_attachment;
struct iommu_domain;

/* Built with CONFIG_DMABUF_MAPPING_DOMAIN, which its importers select. */
struct dma_buf_mapping_match dma_buf_domain_import(void);
bool dma_buf_attachment_is_domain(const struct dma_buf_attachment *attach);
int dma_buf_domain_probe(struct dma_buf_attachment *attach);
int dma_buf_domain_map(struct dma_buf_attachment *attach,
		       struct iommu_domain *domain, unsigned long iova,
		       u64 offset, u64 length, int prot);
int dma_buf_domain_unmap(struct dma_buf_attachment *attach,
			 struct iommu_domain *domain, unsigned long iova,
			 u64 length);

#endif /* __DMA_BUF_MAPPING_DOMAIN_H__ */
