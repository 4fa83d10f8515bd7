/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 Intel Corporation
 */

#ifndef _XE_DMA_BUF_IOV_H_
#define _XE_DMA_BUF_IOV_H_

#include <linux/types.h>

#include <drm/drm_pagemap.h>

struct dma_buf_attachment;
struct dma_buf_iov;
struct xe_bo;
struct xe_device;
struct xe_dma_buf_iov_lmem_table;

/**
 * struct xe_dma_buf_iov_map - an imported VF dma-buf as the PF's GPU sees it
 * @iov: the VF BAR ranges from the exporter, given back at unmap; NULL
 *	for a map made by xe_dma_buf_iov_translate() alone.
 * @xe: the PF.
 * @vfid: the VF, 1-based.
 * @lmem: the VF's LMEM object, held (xe_gt_sriov_pf_config_hold_lmem()) as
 *	long as the map, so that the memory cannot be handed to anybody else
 *	meanwhile.
 * @nr: number of entries in @addr.
 * @addr: the buffer's device physical addresses in buffer order, each entry
 *	%PAGE_SIZE << order bytes of VRAM; together exactly the dma-buf.
 */
struct xe_dma_buf_iov_map {
	struct dma_buf_iov *iov;
	struct xe_device *xe;
	unsigned int vfid;
	struct xe_bo *lmem;
	unsigned int nr;
	struct drm_pagemap_addr addr[] __counted_by(nr);
};

bool xe_dma_buf_iov_supported(struct xe_device *xe);
struct xe_dma_buf_iov_lmem_table *
xe_dma_buf_iov_lmem_table_create(struct xe_bo *lmem);
void xe_dma_buf_iov_lmem_table_free(struct xe_dma_buf_iov_lmem_table *table);
struct xe_dma_buf_iov_map *
xe_dma_buf_iov_translate(struct xe_device *xe, unsigned int vfid,
			 struct dma_buf_iov *iov);
void xe_dma_buf_iov_put(struct xe_dma_buf_iov_map *map);
struct xe_dma_buf_iov_map *
xe_dma_buf_iov_map_attachment(struct xe_device *xe,
			      struct dma_buf_attachment *attach);
void xe_dma_buf_iov_unmap_attachment(struct dma_buf_attachment *attach,
				     struct xe_dma_buf_iov_map *map);
void xe_dma_buf_iov_init_bo(struct xe_bo *bo);
int xe_dma_buf_iov_map_bo(struct xe_bo *bo);
void xe_dma_buf_iov_unmap_bo(struct xe_bo *bo);

#endif
