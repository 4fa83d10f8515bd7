// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 Intel Corporation
 */

#include "xe_dma_buf_iov.h"

#include <kunit/static_stub.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-iov.h>
#include <linux/dma-resv.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "regs/xe_bars.h"
#include "xe_bo.h"
#include "xe_device.h"
#include "xe_gt_sriov_pf_config.h"
#include "xe_res_cursor.h"
#include "xe_sriov.h"
#include "xe_sriov_pf_helpers.h"
#include "xe_svm.h"

/**
 * DOC: Importing a VF's VRAM
 *
 * A dma-buf that vfio-pci exports from the LMEM BAR of one of our own VFs
 * (a guest's frame buffer, for instance) is, on the PF, a part of the VRAM
 * the PF provisioned for that VF. The PF imports it through the IOV mapping
 * type: it receives ranges of the VF BAR, and reaches the memory directly in
 * its own VRAM instead of through a PCIe mapping of the BAR.
 *
 When the PF provisions a VF's LMEM object, it also records where the
 * object lies in VRAM: xe_dma_buf_iov_lmem_table_create() walks it once
 * into a table of the pieces that are contiguous in VRAM, which lives as
 * long as the provisioning. On each map, the PF holds the VF's LMEM object
 * and that table with xe_gt_sriov_pf_config_hold_lmem(): a reference to
 * the object, and a count of imports that makes any change of the VF's
 * LMEM provisioning fail with -EBUSY until the map is undone, so that the
 * memory stays the VF's. Then it translates each range into device
 * physical addresses inside that object, with one binary search in the
 * table per range. A range must lie wholly inside the VF's LMEM, its last page
 * included: a VF must never reach another VF's memory, or anything else,
 * through a dma-buf, so any other range fails the map with -EPERM and is
 * logged once. The hold is dropped when the map is undone, at the next
 * move, on revocation or when the BO goes away.
 *
 * Lock order: the map runs under the dma-buf's reservation lock and takes
 * only the PF's lmem_import_lock, never the master lock, which provisioning
 * holds while it creates BOs and so takes reservation locks.
 *
 * IOV is offered only by a single-tile discrete PF, where the VF BAR maps
 * the VF's LMEM object from its start. Otherwise, or for a dma-buf of
 * another device, the import goes through the sg_table path as before.
 */

/*
 * Hold @vfid's LMEM object, and set *@table to its block table; a hook for
 * the KUnit tests.
 */
static struct xe_bo *
xe_dma_buf_iov_lmem_get(struct xe_device *xe, unsigned int vfid,
			const struct xe_dma_buf_iov_lmem_table **table)
{
	KUNIT_STATIC_STUB_REDIRECT(xe_dma_buf_iov_lmem_get, xe, vfid, table);

	/* Without SR-IOV there is no VF and no PF config to look it up in. */
	if (!IS_ENABLED(CONFIG_PCI_IOV))
		return NULL;
	return xe_gt_sriov_pf_config_hold_lmem(xe_device_get_root_tile(xe)->primary_gt,
					       vfid, table);
}

static void xe_dma_buf_iov_lmem_put(struct xe_device *xe, unsigned int vfid,
				    struct xe_bo *lmem)
{
	KUNIT_STATIC_STUB_REDIRECT(xe_dma_buf_iov_lmem_put, xe, vfid, lmem);

	if (IS_ENABLED(CONFIG_PCI_IOV))
		xe_gt_sriov_pf_config_unhold_lmem(xe_device_get_root_tile(xe)->primary_gt,
						  vfid, lmem);
}

/*
 * Start @cur at @offset of @lmem, for @size bytes, and set *@base to what
 * turns xe_res_dma() into a device physical address. Returns 0, or -EIO if
 * @lmem is not in VRAM.
 */
static int xe_dma_buf_iov_lmem_first(struct xe_bo *lmem, u64 offset, u64 size,
				     struct xe_res_cursor *cur, u64 *base)
{
	struct ttm_resource *res = lmem->ttm.resource;

	/*
	 * Read without @lmem's reservation lock: the PF created it pinned and
	 * calls this while it provisions it, so its resource does not change.
	 */
	if (!res || !mem_type_is_vram(res->mem_type))
		return -EIO;
	xe_res_first(res, offset, size, cur);
	*base = vram_region_gpu_offset(res);
	return 0;
}

/**
 * xe_dma_buf_iov_supported() - Whether the device imports VF dma-bufs as IOV
 * @xe: the &xe_device
 *
 * Return: true on a single-tile discrete PF.
 */
bool xe_dma_buf_iov_supported(struct xe_device *xe)
{
	return IS_SRIOV_PF(xe) && IS_DGFX(xe) && xe->info.tile_count == 1;
}

/* A piece of the VF's LMEM object that is contiguous in VRAM. */
struct xe_dma_buf_iov_block {
	u64 offset;	/* into the LMEM object */
	u64 dpa;	/* device physical address of that offset */
	u64 len;
};

/**
 * struct xe_dma_buf_iov_lmem_table - where a VF's LMEM object lies in VRAM
 * @size: the size of the LMEM object, in bytes.
 * @nr: the number of entries in @blocks, at least one.
 * @blocks: the pieces of the object that are contiguous in VRAM, in the
 *	object's order, covering it without gaps.
 */
struct xe_dma_buf_iov_lmem_table {
	u64 size;
	unsigned int nr;
	struct xe_dma_buf_iov_block blocks[] __counted_by(nr);
};

/*
 * Walk @lmem once, from its start, into @blocks (NULL to count them only),
 * merging pieces that are contiguous in VRAM. Returns the number of blocks,
 * or -EIO if @lmem is not in VRAM or a piece is not page aligned.
 */
static long xe_dma_buf_iov_lmem_blocks(struct xe_bo *lmem,
				       struct xe_dma_buf_iov_block *blocks)
{
	struct xe_dma_buf_iov_block b = { };
	u64 size = xe_bo_size(lmem), base;
	struct xe_res_cursor cur;
	long n = 0;
	int ret;

	ret = xe_dma_buf_iov_lmem_first(lmem, 0, size, &cur, &base);
	if (ret)
		return ret;
	while (cur.remaining) {
		u64 len = min(cur.size, cur.remaining);
		u64 dpa = xe_res_dma(&cur) + base;

		if (!len || !PAGE_ALIGNED(len) || !PAGE_ALIGNED(dpa))
			return -EIO;
		if (b.len && b.dpa + b.len == dpa) {
			b.len += len;
		} else {
			if (b.len && blocks)
				blocks[n - 1] = b;
			b = (struct xe_dma_buf_iov_block){
				.offset = size - cur.remaining, .dpa = dpa,
				.len = len,
			};
			n++;
		}
		xe_res_next(&cur, len);
	}
	if (b.len && blocks)
		blocks[n - 1] = b;
	return n;
}

/**
 * xe_dma_buf_iov_lmem_table_create() - Record where an LMEM object lies in VRAM
 * @lmem: a VF's LMEM object, pinned in VRAM
 *
 * Walks @lmem once into a table of its pieces that are contiguous in VRAM,
 * for xe_dma_buf_iov_translate(). The PF makes it when it provisions the
 * object and keeps it as long as the provisioning (see
 * xe_gt_sriov_pf_config_hold_lmem()), so that a map does not walk the
 * object again.
 *
 * Return: the table, to be freed with xe_dma_buf_iov_lmem_table_free(), or
 * an error pointer: -ENOMEM, or -EIO if @lmem is not in VRAM or a piece of
 * it is not page aligned.
 */
struct xe_dma_buf_iov_lmem_table *
xe_dma_buf_iov_lmem_table_create(struct xe_bo *lmem)
{
	struct xe_dma_buf_iov_lmem_table *table;
	long nr;

	nr = xe_dma_buf_iov_lmem_blocks(lmem, NULL);
	if (nr < 0)
		return ERR_PTR(nr);
	if (!nr || nr > UINT_MAX)
		return ERR_PTR(-EIO);
	table = kvmalloc(struct_size(table, blocks, nr), GFP_KERNEL);
	if (!table)
		return ERR_PTR(-ENOMEM);
	table->nr = nr;
	table->size = xe_bo_size(lmem);
	if (xe_dma_buf_iov_lmem_blocks(lmem, table->blocks) != nr) {
		kvfree(table);
		return ERR_PTR(-EIO);
	}
	return table;
}

/**
 * xe_dma_buf_iov_lmem_table_free() - Free a table of xe_dma_buf_iov_lmem_table_create()
 * @table: the table, or NULL
 */
void xe_dma_buf_iov_lmem_table_free(struct xe_dma_buf_iov_lmem_table *table)
{
	kvfree(table);
}

/* The block of @table holding @offset, which is inside the object. */
static unsigned int
xe_dma_buf_iov_find_block(const struct xe_dma_buf_iov_lmem_table *table,
			  u64 offset)
{
	unsigned int lo = 0, hi = table->nr;

	/* The last block whose offset is at most @offset. */
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (table->blocks[mid].offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Translate @iov through @table: count the entries of the map into *@count,
 * and with @map, write them too, each range in power-of-two pieces. One
 * binary search per range, then block by block. Returns 0, -EIO if the
 * blocks end before a range does, or -EPERM with the offending range in
 * *@bad.
 */
static int xe_dma_buf_iov_walk(const struct xe_dma_buf_iov_lmem_table *table,
			       struct dma_buf_iov *iov,
			       struct xe_dma_buf_iov_map *map,
			       unsigned long *count, const struct range **bad)
{
	const struct range *r;
	unsigned long i;

	*count = 0;
	xa_for_each(&iov->ranges, i, r) {
		u64 offset = r->start, left = range_len(r);
		unsigned int b;

		/* Exact bounds: the start and the last byte, no rounding. */
		if (r->start >= table->size || r->end >= table->size) {
			*bad = r;
			return -EPERM;
		}
		b = xe_dma_buf_iov_find_block(table, offset);
		for (; left && b < table->nr; b++) {
			const struct xe_dma_buf_iov_block *blk = &table->blocks[b];
			u64 in = offset - blk->offset;
			u64 len = min(blk->len - in, left);
			u64 dpa = blk->dpa + in;

			offset += len;
			left -= len;
			while (len) {
				unsigned int order = ilog2(len >> PAGE_SHIFT);

				if (map)
					map->addr[*count] =
						drm_pagemap_addr_encode(dpa, XE_INTERCONNECT_VRAM,
									order, DMA_BIDIRECTIONAL);
				(*count)++;
				dpa += PAGE_SIZE << order;
				len -= PAGE_SIZE << order;
			}
		}
		/* The blocks cover the object: only a bad walk ends here. */
		if (left)
			return -EIO;
	}
	return 0;
}

/*
 * Where VRAM is mapped in 64K pages (XE_VRAM_FLAGS_NEED64K), a range that
 * starts or ends inside a 64K page could not be bound: refuse it.
 */
static bool xe_dma_buf_iov_fits_vram_pages(struct xe_device *xe,
					   struct dma_buf_iov *iov)
{
	const struct range *r;
	unsigned long i;

	if (!(xe->info.vram_flags & XE_VRAM_FLAGS_NEED64K))
		return true;
	xa_for_each(&iov->ranges, i, r)
		if (!IS_ALIGNED(r->start, SZ_64K) ||
		    !IS_ALIGNED(r->end + 1, SZ_64K))
			return false;
	return true;
}

/**
 * xe_dma_buf_iov_translate() - Translate a VF's BAR ranges into its VRAM
 * @xe: the PF &xe_device
 * @vfid: the VF identifier (1-based)
 * @iov: the ranges of the VF's LMEM BAR
 *
 * Holds the VF's LMEM object (see xe_gt_sriov_pf_config_hold_lmem()) and
 * translates every range into device physical addresses inside it, refusing
 * any range that is not wholly inside it. The object's block table was made
 * when the VF's LMEM was provisioned (xe_dma_buf_iov_lmem_table_create());
 * each range costs one binary search in it plus the map entries it makes,
 * whatever the order or overlap of the ranges. The map is the only
 * allocation, made once, at its exact size.
 *
 * Return: the map, to be released with xe_dma_buf_iov_put(), or an error
 * pointer: -EPERM for an unknown VF, another BAR, or a range outside the
 * VF's LMEM (logged once), -EINVAL for a range that is not aligned to the
 * platform's VRAM page size (64K where needed; logged once), -E2BIG for
 * ranges that would need a map of more than INT_MAX bytes, -ENOMEM, or -EIO
 * if the block table does not cover a range (not expected).
 */
struct xe_dma_buf_iov_map *
xe_dma_buf_iov_translate(struct xe_device *xe, unsigned int vfid,
			 struct dma_buf_iov *iov)
{
	const struct xe_dma_buf_iov_lmem_table *table = NULL;
	const struct range *bad = NULL;
	struct xe_dma_buf_iov_map *map;
	unsigned long count;
	struct xe_bo *lmem;
	int ret;

	if (!vfid || vfid > xe_sriov_pf_get_totalvfs(xe) || iov->bar != LMEM_BAR)
		return ERR_PTR(-EPERM);
	if (!xe_dma_buf_iov_fits_vram_pages(xe, iov)) {
		drm_notice_once(&xe->drm,
				"VF%u: dma-buf range not aligned to 64K VRAM pages: refused\n",
				vfid);
		return ERR_PTR(-EINVAL);
	}

	lmem = xe_dma_buf_iov_lmem_get(xe, vfid, &table);
	if (!lmem) {
		drm_notice_once(&xe->drm, "VF%u has no LMEM: dma-buf import refused\n",
				vfid);
		return ERR_PTR(-EPERM);
	}

	/*
	 * The ranges twice: to count the map's entries, and to write them
	 * into a map of exactly that size.
	 */
	ret = xe_dma_buf_iov_walk(table, iov, NULL, &count, &bad);
	if (ret)
		goto err_put;
	/* Userspace chooses the ranges: refuse what kvmalloc() would warn about. */
	if (count > (INT_MAX - sizeof(*map)) / sizeof(map->addr[0])) {
		ret = -E2BIG;
		goto err_put;
	}
	map = kvmalloc(struct_size(map, addr, count), GFP_KERNEL | __GFP_NOWARN);
	if (!map) {
		ret = -ENOMEM;
		goto err_put;
	}
	map->iov = NULL;
	map->xe = xe;
	map->vfid = vfid;
	map->nr = count;
	xe_dma_buf_iov_walk(table, iov, map, &count, &bad);
	map->lmem = lmem;
	return map;

err_put:
	if (ret == -EPERM)
		drm_notice_once(&xe->drm,
				"VF%u: dma-buf range %#llx-%#llx is outside its LMEM (%#zx bytes): refused\n",
				vfid, bad->start, bad->end, xe_bo_size(lmem));
	xe_dma_buf_iov_lmem_put(xe, vfid, lmem);
	return ERR_PTR(ret);
}

/**
 * xe_dma_buf_iov_put() - Release a map from xe_dma_buf_iov_translate()
 * @map: the map
 *
 * Drops the hold on the VF's LMEM object and frees @map.
 */
void xe_dma_buf_iov_put(struct xe_dma_buf_iov_map *map)
{
	xe_dma_buf_iov_lmem_put(map->xe, map->vfid, map->lmem);
	kvfree(map);
}

/* The VF number (1-based) of the attachment's VF. */
static int xe_dma_buf_iov_vfid(struct dma_buf_attachment *attach)
{
	int id;

	id = pci_iov_vf_id(dma_buf_iov_vf(attach));
	return id < 0 ? id : id + 1;
}

/**
 * xe_dma_buf_iov_map_attachment() - Map an IOV attachment into VRAM
 * @xe: the PF &xe_device
 * @attach: an attachment of @xe that negotiated IOV
 *
 * Asks the exporter for the ranges and translates them with
 * xe_dma_buf_iov_translate() for the VF the attachment names.
 *
 * Context: the dma-buf's reservation lock held.
 *
 * Return: the map, to be released with xe_dma_buf_iov_unmap_attachment(),
 * or an error pointer: the error of dma_buf_iov_map() or
 * xe_dma_buf_iov_translate().
 */
struct xe_dma_buf_iov_map *
xe_dma_buf_iov_map_attachment(struct xe_device *xe,
			      struct dma_buf_attachment *attach)
{
	struct xe_dma_buf_iov_map *map;
	struct dma_buf_iov *iov;
	int vfid;

	dma_resv_assert_held(attach->dmabuf->resv);

	vfid = xe_dma_buf_iov_vfid(attach);
	if (vfid < 0)
		return ERR_PTR(vfid);

	iov = dma_buf_iov_map(attach);
	if (IS_ERR(iov))
		return ERR_CAST(iov);

	map = xe_dma_buf_iov_translate(xe, vfid, iov);
	if (IS_ERR(map)) {
		dma_buf_iov_unmap(attach, iov);
		return map;
	}
	map->iov = iov;
	return map;
}

/**
 * xe_dma_buf_iov_unmap_attachment() - Undo xe_dma_buf_iov_map_attachment()
 * @attach: the attachment
 * @map: the map
 *
 * Gives the ranges back to the exporter and drops the hold on the VF's LMEM
 * object.
 *
 * Context: the dma-buf's reservation lock held.
 */
void xe_dma_buf_iov_unmap_attachment(struct dma_buf_attachment *attach,
				     struct xe_dma_buf_iov_map *map)
{
	dma_resv_assert_held(attach->dmabuf->resv);

	dma_buf_iov_unmap(attach, map->iov);
	xe_dma_buf_iov_put(map);
}

/**
 * xe_dma_buf_iov_init_bo() - Prepare a BO whose attachment negotiated IOV
 * @bo: the imported BO, not yet visible to userspace
 *
 * The BO will be bound as VRAM. Where VRAM is mapped in 64K pages
 * (XE_VRAM_FLAGS_NEED64K), VM_BIND must then keep the 64K alignment it
 * checks for xe's own VRAM BOs, or the bind would reach the page-table
 * code's warning for misaligned VRAM: mark the BO as such.
 */
void xe_dma_buf_iov_init_bo(struct xe_bo *bo)
{
	if (xe_bo_device(bo)->info.vram_flags & XE_VRAM_FLAGS_NEED64K)
		bo->flags |= XE_BO_FLAG_INTERNAL_64K;
}

/**
 * xe_dma_buf_iov_map_bo() - Map an imported BO of the IOV mapping type
 * @bo: the BO of a dma-buf attachment that negotiated IOV
 *
 * Maps the BO's attachment with xe_dma_buf_iov_map_attachment() and records
 * the result in @bo, where the page-table code finds it. @bo->dma_buf_iov is
 * only set on success.
 *
 * Context: the BO's reservation lock (the dma-buf's) held.
 *
 * Return: 0, or the error of xe_dma_buf_iov_map_attachment().
 */
int xe_dma_buf_iov_map_bo(struct xe_bo *bo)
{
	struct xe_device *xe = xe_bo_device(bo);
	struct xe_dma_buf_iov_map *map;

	/* The driver calls it from xe_bo_move_dmabuf_iov() alone, after an unmap. */
	xe_assert(xe, !bo->dma_buf_iov);

	map = xe_dma_buf_iov_map_attachment(xe, bo->ttm.base.import_attach);
	if (IS_ERR(map))
		return PTR_ERR(map);
	bo->dma_buf_iov = map;
	return 0;
}

/**
 * xe_dma_buf_iov_unmap_bo() - Undo xe_dma_buf_iov_map_bo()
 * @bo: the BO; nothing happens if it holds no IOV map
 *
 * Gives the ranges back to the exporter and drops the hold on the VF's LMEM
 * object.
 *
 * Context: the BO's reservation lock held.
 */
void xe_dma_buf_iov_unmap_bo(struct xe_bo *bo)
{
	struct xe_dma_buf_iov_map *map = bo->dma_buf_iov;

	if (!map)
		return;
	bo->dma_buf_iov = NULL;
	xe_dma_buf_iov_unmap_attachment(bo->ttm.base.import_attach, map);
}

#if IS_ENABLED(CONFIG_DRM_XE_KUNIT_TEST)
#include "tests/xe_dma_buf_iov_kunit.c"
#endif
