/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Races of the dma-buf KUnit suites: two threads hammer one dma-buf of a
 * suite's exporter, one revoking or mapping while the other maps, attaches
 * or detaches, and the shared lists must all come back.
 */
#ifndef __ST_DMA_BUF_RACE_H__
#define __ST_DMA_BUF_RACE_H__

#include <linux/types.h>

struct dma_buf;
struct dma_buf_attach_ops;
struct dma_buf_attachment;
struct kunit;

/**
 * struct dmabuf_race - what a suite gives the race engine
 * @dmabuf: the suite's dma-buf; its exporter refuses maps while @revoked.
 * @revoked: the exporter's revoked flag, read by its map op under the
 *	reservation lock; the engine sets it under that lock.
 * @held: the exporter's count of maps it handed out and did not get back
 *	(incremented by its map op, decremented by its unmap op).
 * @attach: attach an importer of the suite's type with @ops and @priv.
 * @map: map @attach for importer @id (0 or 1: two importers at a time, so
 *	that each can have its own place in an IOMMU domain), reservation
 *	lock held; returns what @unmap takes, or an error pointer (-ENODEV
 *	while revoked).
 * @unmap: give back @mapped, what @map returned (reservation lock held);
 *	@invalidated when called from the importer's invalidate_mappings.
 * @check: optional; after the races, checks what only the suite can see
 *	(an IOMMU domain that maps nothing, for instance).
 */
struct dmabuf_race {
	struct dma_buf *dmabuf;
	bool *revoked;
	int *held;
	struct dma_buf_attachment *(*attach)(struct dmabuf_race *race,
					     const struct dma_buf_attach_ops *ops,
					     void *priv);
	void *(*map)(struct dma_buf_attachment *attach, unsigned int id);
	void (*unmap)(struct dma_buf_attachment *attach, unsigned int id,
		      void *mapped, bool invalidated);
	void (*check)(struct kunit *test, struct dmabuf_race *race);
};

void dmabuf_race_run(struct kunit *test, struct dmabuf_race *race);

#endif /* __ST_DMA_BUF_RACE_H__ */
