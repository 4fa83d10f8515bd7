// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * Copyright © 2026 Intel Corporation
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/debug_locks.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/pci-p2pdma.h>
#include <linux/sizes.h>

#include "../../../../dma-buf/st-dma-buf-fail-nth.h"
/* struct pci_sriov, the pretend PF's SR-IOV state (fake_vfs()). */
#include "../../../../pci/pci.h"
#include "xe_guc_ct.h"
#include "xe_kunit_helpers.h"
#include "xe_pci_test.h"

#define TEST_MAX_VFS		4
/* Each VF has 64 pages of LMEM; VF2's follows VF1's in VRAM. */
#define TEST_LMEM_PAGES		64
/* The device physical address of the fake device's VRAM. */
#define TEST_DPA_BASE		0x100000000ull
/* Each VF's LMEM is made of VRAM blocks of 16 pages. */
#define TEST_BLOCK_PAGES	16

#define TEST_PG(n)			((u64)(n) * PAGE_SIZE)

struct iov_bench;

struct iov_test {
	struct xe_device *xe;
	struct xe_bo lmem[TEST_MAX_VFS + 1];
	/* The fake device's VRAM, with a real buddy allocator. */
	struct xe_vram_region *vram;
	/* Each VF's block table, made once as provisioning makes it. */
	struct xe_dma_buf_iov_lmem_table *table[TEST_MAX_VFS + 1];
	/* The real PF config holds the LMEM objects (use_pf_config()). */
	struct xe_gt *gt;
	/* A pretend PF and its VFs, for dma-bufs of a real exporter. */
	struct pci_dev *pf, *vf[TEST_MAX_VFS + 1];
	int exp_maps, exp_unmaps;
	/* Requests sent to the (stubbed) GuC. */
	int guc_calls;
	int gets, puts, lookups;
	struct iov_bench *bench;
};

static struct iov_test *iov_test_of(struct kunit *test)
{
	return test->priv;
}

static struct xe_bo *
fake_lmem_get(struct xe_device *xe, unsigned int vfid,
	      const struct xe_dma_buf_iov_lmem_table **table)
{
	struct iov_test *t = iov_test_of(kunit_get_current_test());

	t->lookups++;
	/* VF3 is enabled but has no LMEM provisioned. */
	if (vfid == 3 || !xe_bo_size(&t->lmem[vfid]))
		return NULL;
	t->gets++;
	*table = t->table[vfid];
	return &t->lmem[vfid];
}

static void fake_lmem_put(struct xe_device *xe, unsigned int vfid,
			  struct xe_bo *lmem)
{
	iov_test_of(kunit_get_current_test())->puts++;
}

/*
 * VF n's LMEM is the n-th @lmem_size bytes of the fake device's VRAM, which
 * starts at TEST_DPA_BASE, in blocks of @block_size listed in reverse order.
 */
static void fake_vram(struct kunit *test, struct iov_test *t, u64 lmem_size,
		      u64 block_size)
{
	unsigned int vfid;

	t->vram = xe_kunit_helper_fake_vram(test, t->xe, TEST_DPA_BASE,
					    lmem_size * TEST_MAX_VFS);
	for (vfid = 1; vfid <= TEST_MAX_VFS; vfid++)
		xe_kunit_helper_fake_vram_bo(test, t->vram, &t->lmem[vfid],
					     lmem_size * (vfid - 1), lmem_size,
					     block_size);
}

/* What the test expects for @offset of VF @vfid. */
static u64 expected_dpa(unsigned int vfid, u64 offset)
{
	u64 block = offset / TEST_PG(TEST_BLOCK_PAGES);
	u64 nblocks = TEST_LMEM_PAGES / TEST_BLOCK_PAGES;

	return TEST_DPA_BASE + TEST_PG(TEST_LMEM_PAGES) * (vfid - 1) +
	       TEST_PG(TEST_BLOCK_PAGES) * (nblocks - 1 - block) +
	       offset % TEST_PG(TEST_BLOCK_PAGES);
}

KUNIT_DEFINE_ACTION_WRAPPER(iov_table_free, xe_dma_buf_iov_lmem_table_free,
			    struct xe_dma_buf_iov_lmem_table *);

/*
 * A fake PF whose VFs each have @lmem_size bytes of LMEM, with the block
 * table provisioning makes for each.
 */
static int iov_test_setup(struct kunit *test, u64 lmem_size, u64 block_size)
{
	struct xe_pci_fake_data fake = {
		.sriov_mode = XE_SRIOV_MODE_PF,
		.platform = XE_BATTLEMAGE, /* any DGFX platform with SR-IOV */
		.subplatform = XE_SUBPLATFORM_NONE,
		.graphics_verx100 = 2001,
	};
	struct iov_test *t;
	unsigned int vfid;

	test->priv = &fake;
	xe_kunit_helper_xe_device_test_init(test);

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->xe = test->priv;
	KUNIT_ASSERT_TRUE(test, IS_SRIOV_PF(t->xe));
	KUNIT_ASSERT_TRUE(test, xe_dma_buf_iov_supported(t->xe));
	t->xe->sriov.pf.device_total_vfs = TEST_MAX_VFS;
	t->xe->sriov.pf.driver_max_vfs = TEST_MAX_VFS;
	test->priv = t;
	fake_vram(test, t, lmem_size, block_size);

	kunit_activate_static_stub(test, xe_dma_buf_iov_lmem_get, fake_lmem_get);
	kunit_activate_static_stub(test, xe_dma_buf_iov_lmem_put, fake_lmem_put);
	for (vfid = 1; vfid <= TEST_MAX_VFS; vfid++) {
		t->table[vfid] = xe_dma_buf_iov_lmem_table_create(&t->lmem[vfid]);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->table[vfid]);
		KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iov_table_free,
								   t->table[vfid]));
	}
	return 0;
}

static int iov_test_init(struct kunit *test)
{
	return iov_test_setup(test, TEST_PG(TEST_LMEM_PAGES),
			      TEST_PG(TEST_BLOCK_PAGES));
}

static void iov_free(void *p)
{
	struct dma_buf_iov *iov = p;

	xa_destroy(&iov->ranges);
	kvfree(iov);
}

/* What the dma-buf core would hand over for these ranges of @bar. */
static struct dma_buf_iov *make_iov(struct kunit *test, unsigned int bar,
				    const struct range *r, unsigned int nr)
{
	struct dma_buf_iov *iov;
	unsigned int i;

	iov = kvzalloc(struct_size(iov, storage, nr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iov);
	iov->bar = bar;
	iov->nr = nr;
	xa_init(&iov->ranges);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iov_free, iov));
	for (i = 0; i < nr; i++) {
		iov->storage[i] = r[i];
		KUNIT_ASSERT_EQ(test, 0, xa_err(xa_store(&iov->ranges, i,
							 &iov->storage[i],
							 GFP_KERNEL)));
	}
	return iov;
}

static u64 map_bytes(const struct xe_dma_buf_iov_map *map)
{
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < map->nr; i++)
		total += PAGE_SIZE << map->addr[i].order;
	return total;
}

static void expect_entry(struct kunit *test, const struct xe_dma_buf_iov_map *map,
			 unsigned int i, u64 dpa, unsigned int order)
{
	KUNIT_ASSERT_LT(test, i, map->nr);
	KUNIT_EXPECT_EQ(test, map->addr[i].addr, dpa);
	KUNIT_EXPECT_EQ(test, (unsigned int)map->addr[i].order, order);
	KUNIT_EXPECT_EQ(test, (unsigned int)map->addr[i].proto,
			(unsigned int)XE_INTERCONNECT_VRAM);
}

static void translates_to_dpa(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	/* 3 pages: exactly 2 + 1, no rounding up to 4. */
	const struct range r[] = { { TEST_PG(8), TEST_PG(11) - 1 } };
	struct xe_dma_buf_iov_map *map;

	map = xe_dma_buf_iov_translate(t->xe, 2, make_iov(test, LMEM_BAR, r, 1));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map->nr, 2);
	expect_entry(test, map, 0, expected_dpa(2, TEST_PG(8)), 1);
	expect_entry(test, map, 1, expected_dpa(2, TEST_PG(10)), 0);
	KUNIT_EXPECT_EQ(test, map_bytes(map), TEST_PG(3));
	KUNIT_EXPECT_PTR_EQ(test, map->lmem, &t->lmem[2]);
	/* The VF's LMEM object stays referenced while the map exists. */
	KUNIT_EXPECT_EQ(test, t->gets, 1);
	KUNIT_EXPECT_EQ(test, t->puts, 0);
	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->puts, 1);
}

static void follows_vram_blocks(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	/* Two ranges out of order; the first crosses a VRAM block boundary. */
	const struct range r[] = {
		{ TEST_PG(14), TEST_PG(20) - 1 },
		{ TEST_PG(1), TEST_PG(2) - 1 },
	};
	struct xe_dma_buf_iov_map *map;

	map = xe_dma_buf_iov_translate(t->xe, 1, make_iov(test, LMEM_BAR, r, 2));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map->nr, 3);
	expect_entry(test, map, 0, expected_dpa(1, TEST_PG(14)), 1);
	expect_entry(test, map, 1, expected_dpa(1, TEST_PG(16)), 2);
	expect_entry(test, map, 2, expected_dpa(1, TEST_PG(1)), 0);
	/* The block boundary is a real discontinuity in VRAM. */
	KUNIT_EXPECT_NE(test, map->addr[0].addr + TEST_PG(2), map->addr[1].addr);
	KUNIT_EXPECT_EQ(test, map_bytes(map), TEST_PG(7));
	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

static void more_pieces_than_guessed(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	/*
	 * 15 pages in one block (8 + 4 + 2 + 1), then 3 (2 + 1): more pieces
	 * than ranges, counted before the map is allocated.
	 */
	const struct range r[] = {
		{ TEST_PG(16), TEST_PG(31) - 1 },
		{ TEST_PG(40), TEST_PG(43) - 1 },
	};
	struct xe_dma_buf_iov_map *map;

	map = xe_dma_buf_iov_translate(t->xe, 1, make_iov(test, LMEM_BAR, r, 2));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map->nr, 6);
	expect_entry(test, map, 0, expected_dpa(1, TEST_PG(16)), 3);
	expect_entry(test, map, 1, expected_dpa(1, TEST_PG(24)), 2);
	expect_entry(test, map, 2, expected_dpa(1, TEST_PG(28)), 1);
	expect_entry(test, map, 3, expected_dpa(1, TEST_PG(30)), 0);
	expect_entry(test, map, 4, expected_dpa(1, TEST_PG(40)), 1);
	expect_entry(test, map, 5, expected_dpa(1, TEST_PG(42)), 0);
	KUNIT_EXPECT_EQ(test, map_bytes(map), TEST_PG(18));
	xe_dma_buf_iov_put(map);

	/* The first range alone. */
	map = xe_dma_buf_iov_translate(t->xe, 1, make_iov(test, LMEM_BAR, r, 1));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map->nr, 4);
	expect_entry(test, map, 3, expected_dpa(1, TEST_PG(30)), 0);
	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

/*
 * 65536 overlapping one-page ranges in a scattered order, as vfio-pci
 * accepts them: the map looks the LMEM object up once and never walks it
 * (the block table made at provisioning serves every range), and each range
 * makes exactly its entry.
 */
static void many_overlapping_ranges(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const unsigned int nr = 65536;
	struct xe_dma_buf_iov_map *map;
	struct dma_buf_iov *iov;
	unsigned int i, wrong = 0;
	struct range *r;

	r = kvcalloc(nr, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < nr; i++)
		r[i] = (struct range){ TEST_PG((i * 7) % TEST_LMEM_PAGES),
				       TEST_PG((i * 7) % TEST_LMEM_PAGES + 1) - 1 };
	iov = make_iov(test, LMEM_BAR, r, nr);
	kvfree(r);

	/* A walk of the object would now fail: it is no longer in VRAM. */
	t->lmem[1].ttm.resource = NULL;
	map = xe_dma_buf_iov_translate(t->xe, 1, iov);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, t->lookups, 1);
	KUNIT_ASSERT_EQ(test, map->nr, nr);
	for (i = 0; i < nr; i++)
		if (map->addr[i].order ||
		    map->addr[i].addr !=
		    expected_dpa(1, TEST_PG((i * 7) % TEST_LMEM_PAGES)))
			wrong++;
	KUNIT_EXPECT_EQ(test, wrong, 0);
	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

static void last_page_is_inside(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const struct range r[] = {
		{ TEST_PG(TEST_LMEM_PAGES - 4), TEST_PG(TEST_LMEM_PAGES) - 1 },
	};
	struct xe_dma_buf_iov_map *map;

	map = xe_dma_buf_iov_translate(t->xe, 1, make_iov(test, LMEM_BAR, r, 1));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map->nr, 1);
	expect_entry(test, map, 0, expected_dpa(1, TEST_PG(TEST_LMEM_PAGES - 4)), 2);
	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

/*
 * Where VRAM is mapped in 64K pages, a range or a VM_BIND that is only 4K
 * aligned would reach a warning in the page-table code: the range is refused
 * before the LMEM lookup, and the BO is marked for VM_BIND's 64K check.
 */
static void needs_64k_pages(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const struct range r4k[] = { { TEST_PG(8), TEST_PG(11) - 1 } };
	const struct range r64k[] = { { SZ_64K, 3 * SZ_64K - 1 } };
	struct xe_dma_buf_iov_map *map;
	struct xe_bo *bo;

	bo = kunit_kzalloc(test, sizeof(*bo), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bo);
	bo->ttm.bdev = &t->xe->ttm;
	/* Without the flag, VM_BIND keeps its 4K rules for the BO ... */
	xe_dma_buf_iov_init_bo(bo);
	KUNIT_EXPECT_FALSE(test, bo->flags & XE_BO_FLAG_INTERNAL_64K);

	t->xe->info.vram_flags |= XE_VRAM_FLAGS_NEED64K;
	/* ... with it, VM_BIND refuses what is not 64K aligned for it. */
	xe_dma_buf_iov_init_bo(bo);
	KUNIT_EXPECT_TRUE(test, bo->flags & XE_BO_FLAG_INTERNAL_64K);

	map = xe_dma_buf_iov_translate(t->xe, 1,
				       make_iov(test, LMEM_BAR, r4k, 1));
	KUNIT_EXPECT_EQ(test, PTR_ERR(map), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->gets, 0);

	map = xe_dma_buf_iov_translate(t->xe, 1,
				       make_iov(test, LMEM_BAR, r64k, 1));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map_bytes(map), (u64)2 * SZ_64K);
	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

static void expect_no_table(struct kunit *test, struct xe_bo *lmem)
{
	struct xe_dma_buf_iov_lmem_table *table;

	table = xe_dma_buf_iov_lmem_table_create(lmem);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(table), -EIO);
	if (!IS_ERR(table))
		xe_dma_buf_iov_lmem_table_free(table);
}

/*
 * An LMEM object that is not in VRAM (in system memory, or nowhere) gets no
 * block table: provisioning fails with the table's error, so no import can
 * hold that object.
 */
static void lmem_not_in_vram(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);

	t->lmem[1].ttm.resource->mem_type = XE_PL_TT;
	expect_no_table(test, &t->lmem[1]);
	t->lmem[2].ttm.resource = NULL;
	expect_no_table(test, &t->lmem[2]);
}

/* The rules xe refuses a VF's ranges by, each with -EPERM. */
enum refusal_rule {
	NOT_A_VF,	/* checked first, nothing looked up */
	NOT_LMEM_BAR,	/* checked first, nothing looked up */
	NO_LMEM,	/* the VF's LMEM looked up, none to hold */
	OUTSIDE_LMEM,	/* the VF's LMEM held, then given back */
};

static const char * const refusal_rules[] = {
	[NOT_A_VF] = "not a VF of the PF",
	[NOT_LMEM_BAR] = "not the VF's LMEM BAR",
	[NO_LMEM] = "VF without LMEM to import",
	[OUTSIDE_LMEM] = "range outside the VF's LMEM",
};

/*
 * A refused request, and the rule that refuses it: the request that works
 * with its one field changed (VF1 for a VF that is none, the LMEM BAR for
 * another BAR, VF2 for a VF without LMEM, @good for ranges outside the
 * LMEM) must be accepted.
 */
struct refusal {
	const char *input;
	enum refusal_rule rule;
	unsigned int vfid;
	unsigned int bar;
	unsigned int nr;
	struct range r[2], good[2];
};

#define ONE_PAGE	{ { TEST_PG(0), TEST_PG(1) - 1 } }

static const struct refusal refusals[] = {
	{ "a range of the next VF's LMEM", OUTSIDE_LMEM, 1, LMEM_BAR, 1,
	  { { TEST_PG(TEST_LMEM_PAGES), TEST_PG(TEST_LMEM_PAGES + 1) - 1 } },
	  { { TEST_PG(TEST_LMEM_PAGES - 1), TEST_PG(TEST_LMEM_PAGES) - 1 } } },
	{ "a range crossing the end of LMEM", OUTSIDE_LMEM, 1, LMEM_BAR, 1,
	  { { TEST_PG(TEST_LMEM_PAGES - 2), TEST_PG(TEST_LMEM_PAGES + 2) - 1 } },
	  { { TEST_PG(TEST_LMEM_PAGES - 2), TEST_PG(TEST_LMEM_PAGES) - 1 } } },
	{ "a good range then a bad one", OUTSIDE_LMEM, 2, LMEM_BAR, 2,
	  { { TEST_PG(0), TEST_PG(1) - 1 }, { TEST_PG(1000), TEST_PG(1001) - 1 } },
	  { { TEST_PG(0), TEST_PG(1) - 1 }, { TEST_PG(10), TEST_PG(11) - 1 } } },
	{ "VF3, which has no LMEM", NO_LMEM, 3, LMEM_BAR, 1, ONE_PAGE },
	{ "VF0, the PF itself", NOT_A_VF, 0, LMEM_BAR, 1, ONE_PAGE },
	{ "VF5, beyond the last", NOT_A_VF, TEST_MAX_VFS + 1, LMEM_BAR, 1,
	  ONE_PAGE },
	{ "BAR 0", NOT_LMEM_BAR, 1, 0, 1, ONE_PAGE },
};

static void refusal_desc(const struct refusal *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: -EPERM, %s", p->input,
		 refusal_rules[p->rule]);
}

KUNIT_ARRAY_PARAM(refusal, refusals, refusal_desc);

/*
 * Each bad request is refused with -EPERM by its rule: what it looked up and
 * held says which stage refused it, and the request with the one field
 * changed that the rule is about is accepted.
 */
static void refuses_with_eperm(struct kunit *test)
{
	const struct refusal *p = test->param_value;
	struct iov_test *t = iov_test_of(test);
	unsigned int vfid = p->vfid, bar = p->bar;
	const struct range *r = p->r;
	struct xe_dma_buf_iov_map *map;

	map = xe_dma_buf_iov_translate(t->xe, p->vfid,
				       make_iov(test, p->bar, p->r, p->nr));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), -EPERM);
	if (!IS_ERR(map))
		xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->lookups, p->rule >= NO_LMEM ? 1 : 0);
	KUNIT_EXPECT_EQ(test, t->gets, p->rule == OUTSIDE_LMEM ? 1 : 0);
	/* Every reference taken on the way was dropped. */
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);

	switch (p->rule) {
	case NOT_A_VF:
		vfid = 1;
		break;
	case NOT_LMEM_BAR:
		bar = LMEM_BAR;
		break;
	case NO_LMEM:
		vfid = 2;
		break;
	case OUTSIDE_LMEM:
		r = p->good;
		break;
	}
	map = xe_dma_buf_iov_translate(t->xe, vfid, make_iov(test, bar, r, p->nr));
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, map);
	if (!IS_ERR(map))
		xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

static struct xe_gt_sriov_config *vf_config(struct iov_test *t,
					    unsigned int vfid)
{
	return &t->gt->sriov.pf.vfs[vfid].config;
}

/* The GuC accepts every request; the test counts them. */
static int fake_guc_send_recv(struct xe_guc_ct *ct, const u32 *action, u32 len,
			      u32 *response_buffer)
{
	iov_test_of(kunit_get_current_test())->guc_calls++;
	return 0;
}

/* The PF config is built with CONFIG_PCI_IOV only; the compiler sees this. */
#define skip_without_pf_config(test)					\
	do {								\
		if (!IS_ENABLED(CONFIG_PCI_IOV))			\
			kunit_skip(test, "needs CONFIG_PCI_IOV");	\
	} while (0)

/*
 * Let the PF config itself hold the fake LMEM objects, through
 * xe_gt_sriov_pf_config_hold_lmem() instead of the test's stub: each VF but
 * VF3 is provisioned with its object.
 */
static void use_pf_config(struct kunit *test, struct iov_test *t)
{
	unsigned int vfid;

	KUNIT_ASSERT_EQ(test, 0, xe_sriov_init(t->xe));
	t->gt = xe_device_get_root_tile(t->xe)->primary_gt;
	/* Provisioning asks the LMTT for its page size. */
	KUNIT_ASSERT_TRUE(test, xe_device_has_lmtt(t->xe));
	xe_device_get_root_tile(t->xe)->sriov.pf.lmtt.ops = &lmtt_ml_ops;
	t->gt->sriov.pf.vfs = kunit_kcalloc(test, TEST_MAX_VFS + 1,
					    sizeof(*t->gt->sriov.pf.vfs),
					    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->gt->sriov.pf.vfs);
	for (vfid = 1; vfid <= TEST_MAX_VFS; vfid++) {
		struct xe_bo *lmem = &t->lmem[vfid];

		kref_init(&lmem->ttm.base.refcount);
		if (vfid == 3)
			continue;
		vf_config(t, vfid)->lmem_obj = lmem;
		vf_config(t, vfid)->lmem_table = t->table[vfid];
		vf_config(t, vfid)->lmem_importable = true;
	}
	kunit_deactivate_static_stub(test, xe_dma_buf_iov_lmem_get);
	kunit_deactivate_static_stub(test, xe_dma_buf_iov_lmem_put);
	kunit_activate_static_stub(test, xe_guc_ct_send_recv, fake_guc_send_recv);
}

static unsigned int lmem_refs(struct iov_test *t, unsigned int vfid)
{
	return kref_read(&t->lmem[vfid].ttm.base.refcount);
}

/* Hold the first page of VF @vfid's LMEM, as an import of it does. */
static struct xe_dma_buf_iov_map *hold_first_page(struct kunit *test,
						  struct iov_test *t,
						  unsigned int vfid)
{
	const struct range r[] = { { TEST_PG(0), TEST_PG(1) - 1 } };

	return xe_dma_buf_iov_translate(t->xe, vfid,
					make_iov(test, LMEM_BAR, r, 1));
}

/* An imported LMEM stays the VF's: its provisioning cannot change. */
static void provisioning_refused_while_imported(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	struct xe_dma_buf_iov_map *map;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	map = hold_first_page(test, t, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_EXPECT_EQ(test, vf_config(t, 2)->lmem_imports, 1);
	KUNIT_EXPECT_EQ(test, lmem_refs(t, 2), 2);

	/* Unprovisioning and reprovisioning are refused and change nothing. */
	KUNIT_EXPECT_EQ(test, xe_gt_sriov_pf_config_set_lmem(t->gt, 2, 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, xe_gt_sriov_pf_config_set_lmem(t->gt, 2, SZ_1G),
			-EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, vf_config(t, 2)->lmem_obj, &t->lmem[2]);
	KUNIT_EXPECT_EQ(test, xe_gt_sriov_pf_config_get_lmem(t->gt, 2),
			(u64)TEST_PG(TEST_LMEM_PAGES));
	/* Only that VF is held. */
	KUNIT_EXPECT_EQ(test, vf_config(t, 1)->lmem_imports, 0);

	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, vf_config(t, 2)->lmem_imports, 0);
	KUNIT_EXPECT_EQ(test, lmem_refs(t, 2), 1);
}

/*
 * Releasing or restoring the VF's whole configuration is refused too, before
 * the GuC is told anything; a forced release (VFs disabled) keeps the LMEM.
 */
static void release_refused_while_imported(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const u32 blob[2] = { };
	struct xe_dma_buf_iov_map *map, *again;
	int ret;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	map = hold_first_page(test, t, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);

	KUNIT_EXPECT_EQ(test, xe_gt_sriov_pf_config_release(t->gt, 2, false),
			-EBUSY);
	ret = xe_gt_sriov_pf_config_restore(t->gt, 2, blob, sizeof(blob));
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_EQ(test, t->guc_calls, 0);
	KUNIT_EXPECT_PTR_EQ(test, vf_config(t, 2)->lmem_obj, &t->lmem[2]);
	KUNIT_EXPECT_TRUE(test, vf_config(t, 2)->lmem_importable);

	KUNIT_EXPECT_EQ(test, xe_gt_sriov_pf_config_release(t->gt, 2, true), 0);
	KUNIT_EXPECT_EQ(test, t->guc_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, vf_config(t, 2)->lmem_obj, &t->lmem[2]);
	KUNIT_EXPECT_EQ(test, lmem_refs(t, 2), 2);
	/* Kept for the import, but the GuC forgot it: no new import. */
	KUNIT_EXPECT_FALSE(test, vf_config(t, 2)->lmem_importable);
	again = hold_first_page(test, t, 2);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(again), -EPERM);
	if (!IS_ERR(again))
		xe_dma_buf_iov_put(again);

	xe_dma_buf_iov_put(map);
	KUNIT_EXPECT_EQ(test, vf_config(t, 2)->lmem_imports, 0);
	KUNIT_EXPECT_EQ(test, lmem_refs(t, 2), 1);
}

/* Provisioning many VFs changes none if one of them is imported. */
static void bulk_provisioning_refused_while_one_imported(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	struct xe_dma_buf_iov_map *map;
	unsigned int vfid;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	map = hold_first_page(test, t, 4);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);

	KUNIT_EXPECT_EQ(test, xe_gt_sriov_pf_config_bulk_set_lmem(t->gt, 1,
								  TEST_MAX_VFS,
								  SZ_1G),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, t->guc_calls, 0);
	for (vfid = 1; vfid <= TEST_MAX_VFS; vfid++) {
		KUNIT_EXPECT_PTR_EQ(test, vf_config(t, vfid)->lmem_obj,
				    vfid == 3 ? NULL : &t->lmem[vfid]);
		/* The VFs checked before VF4 may be imported again. */
		KUNIT_EXPECT_EQ(test, vf_config(t, vfid)->lmem_importable,
				vfid != 3);
	}
	xe_dma_buf_iov_put(map);
}

/*
 * An LMEM object without a block table (provisioned where the PF does not
 * import VF dma-bufs) cannot be held: the map would have nothing to
 * translate through.
 */
static void import_refused_without_table(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	struct xe_dma_buf_iov_map *map;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	vf_config(t, 1)->lmem_table = NULL;
	map = hold_first_page(test, t, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), -EPERM);
	KUNIT_EXPECT_EQ(test, vf_config(t, 1)->lmem_imports, 0);
	KUNIT_EXPECT_EQ(test, lmem_refs(t, 1), 1);
}

/*
 * The import holds a dma-buf reservation lock and then the PF's LMEM hold;
 * provisioning holds the master lock and creates BOs, whose reservation
 * locks it takes. Run both with lockdep: no lock order may be inverted.
 */
static void lock_order_against_provisioning(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	struct xe_dma_buf_iov_map *map;
	struct dma_resv imported, created;

	if (!IS_ENABLED(CONFIG_PROVE_LOCKING))
		kunit_skip(test, "needs CONFIG_PROVE_LOCKING");
	/* Not a skip: with lockdep off, no order is checked, and that fails. */
	KUNIT_ASSERT_TRUE_MSG(test, debug_locks,
			      "lockdep was turned off by an earlier report");
	skip_without_pf_config(test);
	use_pf_config(test, t);
	dma_resv_init(&imported);
	dma_resv_init(&created);

	/* The import, as xe_dma_buf_iov_map_bo() runs it. */
	dma_resv_lock(&imported, NULL);
	map = hold_first_page(test, t, 1);
	dma_resv_unlock(&imported);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);

	/* Provisioning: a new LMEM BO is created under the master lock ... */
	mutex_lock(xe_sriov_pf_master_mutex(t->xe));
	dma_resv_lock(&created, NULL);
	dma_resv_unlock(&created);
	mutex_unlock(xe_sriov_pf_master_mutex(t->xe));
	/* ... and the real call, refused while the import holds the LMEM. */
	KUNIT_EXPECT_EQ(test, xe_gt_sriov_pf_config_set_lmem(t->gt, 1, 0), -EBUSY);

	dma_resv_lock(&imported, NULL);
	xe_dma_buf_iov_put(map);
	dma_resv_unlock(&imported);
	dma_resv_fini(&created);
	dma_resv_fini(&imported);
	KUNIT_EXPECT_TRUE_MSG(test, debug_locks,
			      "lockdep reported a lock order problem (see the log)");
}

struct vf_buf {
	struct iov_test *t;
	struct dma_buf_iov_exp_data data;
	/* The ranges every map hands out, from dma_buf_iov_create(). */
	struct dma_buf_iov *iov;
	/* Revoked: maps fail, as vfio-pci's do after a revocation. */
	bool revoked;
};

static int vf_map_iov(struct dma_buf_attachment *attach,
		      struct dma_buf_iov_req *req)
{
	struct vf_buf *buf = attach->dmabuf->priv;

	buf->t->exp_maps++;
	if (buf->revoked)
		return -ENODEV;
	return dma_buf_iov_req_set(req, buf->iov);
}

static void vf_unmap_iov(struct dma_buf_attachment *attach)
{
	struct vf_buf *buf = attach->dmabuf->priv;

	buf->t->exp_unmaps++;
}

static const struct dma_buf_iov_exp_ops vf_iov_ops = {
	.map_iov = vf_map_iov,
	.unmap_iov = vf_unmap_iov,
};

/* What vfio-pci exports for a VF BAR, without the PAL and SGT entries. */
static int vf_match_mapping(struct dma_buf_attachment *attach)
{
	struct vf_buf *buf = attach->dmabuf->priv;
	const struct dma_buf_mapping_match exp[] = {
		dma_buf_iov_export(&vf_iov_ops, &buf->data),
	};

	return dma_buf_match_mapping(attach, exp, ARRAY_SIZE(exp));
}

static void vf_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_ops vf_dmabuf_ops = {
	.match_mapping = vf_match_mapping,
	.release = vf_release,
};

/*
 * A stand-in for xe's own invalidate, xe_dma_buf_move_notify(), which evicts
 * the BO with xe_bo_evict(): ttm_bo_validate() into system memory, whose
 * xe_bo_move() calls xe_bo_move_dmabuf_iov(), which waits for the BO's
 * fences and gives the ranges back with xe_dma_buf_iov_unmap_bo(). The fake
 * device has no TTM device (no ttm_device_init(), no resource managers), so
 * ttm_bo_validate() cannot run on it: the stand-in makes the last call only.
 */
static void vf_invalidate(struct dma_buf_attachment *attach)
{
	xe_dma_buf_iov_unmap_bo(attach->importer_priv);
}

static const struct dma_buf_attach_ops pf_importer = {
	.invalidate_mappings = vf_invalidate,
};

static void vf_put_device(void *dev)
{
	put_device(dev);
}

static void vf_fake_release(struct device *dev)
{
	kfree(to_pci_dev(dev));
}

static struct pci_dev *fake_pdev(struct kunit *test, const char *name,
				 unsigned int n)
{
	struct pci_dev *pdev;
	struct resource *res;

	/* Freed by its release(), when the last reference goes. */
	pdev = kzalloc_obj(*pdev);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	device_initialize(&pdev->dev);
	pdev->dev.release = vf_fake_release;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vf_put_device,
							   &pdev->dev));
	KUNIT_ASSERT_EQ(test, 0, dev_set_name(&pdev->dev, "%s%u", name, n));
	/* A BAR twice the LMEM, so that ranges can lie past the LMEM. */
	res = &pdev->resource[LMEM_BAR];
	res->start = 0x80000000ull * (n + 1);
	res->end = res->start + 2 * TEST_PG(TEST_LMEM_PAGES) - 1;
	res->flags = IORESOURCE_MEM;
	return pdev;
}

static struct pci_bus *fake_bus(struct kunit *test, unsigned char number)
{
	struct pci_bus *bus = kunit_kzalloc(test, sizeof(*bus), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bus);
	bus->number = number;
	return bus;
}

/*
 * The pretend PF is 05:1f.0; its SR-IOV state says First VF Offset 4 and
 * VF Stride 2, so its VFs have the routing IDs below, VF3 and VF4 on the
 * next bus. xe_dma_buf_iov_vfid() numbers them with the PCI core's
 * pci_iov_vf_id() from these alone.
 */
#define TEST_PF_BUS		5
#define TEST_PF_DEVFN		PCI_DEVFN(0x1f, 0)
#define TEST_VF_OFFSET		4
#define TEST_VF_STRIDE		2

static const struct {
	unsigned char bus, devfn;
} test_vf_rid[TEST_MAX_VFS + 1] = {
	[1] = { TEST_PF_BUS, PCI_DEVFN(0x1f, 4) },
	[2] = { TEST_PF_BUS, PCI_DEVFN(0x1f, 6) },
	[3] = { TEST_PF_BUS + 1, PCI_DEVFN(0, 0) },
	[4] = { TEST_PF_BUS + 1, PCI_DEVFN(0, 2) },
};

static void fake_vfs(struct kunit *test, struct iov_test *t)
{
	struct pci_bus *bus[2] = {
		fake_bus(test, TEST_PF_BUS), fake_bus(test, TEST_PF_BUS + 1),
	};
	unsigned int vfid;

	t->pf = fake_pdev(test, "xe-iov-test-pf", 0);
	t->pf->bus = bus[0];
	t->pf->devfn = TEST_PF_DEVFN;
#ifdef CONFIG_PCI_IOV
	{
		/* The PCI core's private SR-IOV state (drivers/pci/pci.h). */
		struct pci_sriov *sriov = kunit_kzalloc(test, sizeof(*sriov),
							GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, sriov);
		sriov->offset = TEST_VF_OFFSET;
		sriov->stride = TEST_VF_STRIDE;
		sriov->dev = t->pf;
		sriov->self = t->pf;
		t->pf->is_physfn = 1;
		t->pf->sriov = sriov;
	}
#endif
	for (vfid = 1; vfid <= TEST_MAX_VFS; vfid++) {
		struct pci_dev *vf = fake_pdev(test, "xe-iov-test-vf", vfid);

		vf->bus = bus[test_vf_rid[vfid].bus - TEST_PF_BUS];
		vf->devfn = test_vf_rid[vfid].devfn;
#ifdef CONFIG_PCI_IOV
		/* Where the PCI core puts VF @vfid when it enables SR-IOV. */
		KUNIT_ASSERT_EQ(test, pci_iov_virtfn_devfn(t->pf, vfid - 1),
				vf->devfn);
		vf->is_virtfn = 1;
		vf->physfn = t->pf;
#endif
		t->vf[vfid] = vf;
	}
}

static void vf_buf_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

KUNIT_DEFINE_ACTION_WRAPPER(iov_put_action, dma_buf_iov_put,
			    struct dma_buf_iov *);

/*
 * A dma-buf of VF @vfid's BAR with @nr of @r, attached by the PF with xe's
 * IOV importer entry, for an imported BO (attach->importer_priv) with what
 * xe_dma_buf_iov_map_bo() uses of one.
 */
static struct dma_buf_attachment *vf_attach(struct kunit *test,
					    struct iov_test *t,
					    unsigned int vfid,
					    const struct range *r,
					    unsigned int nr)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf_iov_imp_data imp_data = { .pf = t->pf, .bar = LMEM_BAR };
	struct dma_buf_mapping_match imp = dma_buf_iov_import(&imp_data);
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct vf_buf *buf;
	struct xe_bo *bo;
	unsigned int i;
	u64 size = 0;

	bo = kunit_kzalloc(test, sizeof(*bo), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bo);
	buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	buf->t = t;
	buf->data.vf = t->vf[vfid];
	buf->data.bar = LMEM_BAR;
	for (i = 0; i < nr; i++)
		size += range_len(&r[i]);
	buf->iov = dma_buf_iov_create(t->vf[vfid], LMEM_BAR, r, nr, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf->iov);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iov_put_action,
							   buf->iov));
	exp_info.size = size;
	exp_info.ops = &vf_dmabuf_ops;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vf_buf_put,
							   dmabuf));
	attach = dma_buf_mapping_attach(dmabuf, &t->pf->dev, &imp, 1,
					&pf_importer, bo);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_iov(attach));
	bo->ttm.base.import_attach = attach;
	bo->ttm.base.resv = dmabuf->resv;
	bo->ttm.bdev = &t->xe->ttm;
	return attach;
}

/*
 * Through the map path of xe_dma_buf_iov_map_bo(), for each VF of a PF with
 * several provisioned: the VF comes from the attachment, and the buffer
 * lands in that VF's LMEM and nowhere else.
 */
static void each_vf_lands_in_its_own_lmem(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const struct range r[] = {
		{ TEST_PG(14), TEST_PG(20) - 1 },
		{ TEST_PG(1), TEST_PG(2) - 1 },
	};
	unsigned int vfid, i;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	fake_vfs(test, t);
	for (vfid = 1; vfid <= TEST_MAX_VFS; vfid++) {
		struct dma_buf_attachment *attach;
		struct xe_dma_buf_iov_map *map;
		u64 lo = expected_dpa(vfid, 0) -
			 TEST_PG(TEST_LMEM_PAGES - TEST_BLOCK_PAGES);
		u64 hi = lo + TEST_PG(TEST_LMEM_PAGES);

		attach = vf_attach(test, t, vfid, r, 2);
		dma_resv_lock(attach->dmabuf->resv, NULL);
		map = xe_dma_buf_iov_map_attachment(t->xe, attach);
		if (vfid == 3) {
			/* VF3 has no LMEM. */
			KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), -EPERM);
		} else {
			KUNIT_EXPECT_NOT_ERR_OR_NULL(test, map);
			if (IS_ERR_OR_NULL(map))
				goto unlock;
			KUNIT_EXPECT_EQ(test, map->vfid, vfid);
			KUNIT_EXPECT_EQ(test, vf_config(t, vfid)->lmem_imports, 1);
			KUNIT_EXPECT_EQ(test, map_bytes(map), TEST_PG(7));
			KUNIT_EXPECT_EQ(test, map->nr, 3);
			if (map->nr == 3) {
				expect_entry(test, map, 0, expected_dpa(vfid, TEST_PG(14)), 1);
				expect_entry(test, map, 1, expected_dpa(vfid, TEST_PG(16)), 2);
				expect_entry(test, map, 2, expected_dpa(vfid, TEST_PG(1)), 0);
			}
			for (i = 0; i < map->nr; i++) {
				KUNIT_EXPECT_GE(test, map->addr[i].addr, lo);
				KUNIT_EXPECT_LE(test, map->addr[i].addr +
						(PAGE_SIZE << map->addr[i].order), hi);
			}
			xe_dma_buf_iov_unmap_attachment(attach, map);
		}
unlock:
		dma_resv_unlock(attach->dmabuf->resv);
		KUNIT_EXPECT_EQ(test, vf_config(t, vfid)->lmem_imports, 0);
		KUNIT_EXPECT_EQ(test, lmem_refs(t, vfid), 1);
		dma_buf_detach(attach->dmabuf, attach);
	}
	/* The ranges were given back for every map, refused ones included. */
	KUNIT_EXPECT_EQ(test, t->exp_maps, TEST_MAX_VFS);
	KUNIT_EXPECT_EQ(test, t->exp_unmaps, t->exp_maps);
}

/* A VF's buffer that names the next VF's LMEM is refused, nothing held. */
static void vf_buffer_past_its_lmem_refused(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const struct range r[] = {
		{ TEST_PG(0), TEST_PG(1) - 1 },
		{ TEST_PG(TEST_LMEM_PAGES), TEST_PG(TEST_LMEM_PAGES + 1) - 1 },
	};
	struct dma_buf_attachment *attach;
	struct xe_dma_buf_iov_map *map;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	fake_vfs(test, t);
	attach = vf_attach(test, t, 1, r, 2);
	dma_resv_lock(attach->dmabuf->resv, NULL);
	map = xe_dma_buf_iov_map_attachment(t->xe, attach);
	dma_resv_unlock(attach->dmabuf->resv);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), -EPERM);
	KUNIT_EXPECT_EQ(test, t->exp_maps, 1);
	KUNIT_EXPECT_EQ(test, t->exp_unmaps, 1);
	KUNIT_EXPECT_EQ(test, vf_config(t, 1)->lmem_imports, 0);
	KUNIT_EXPECT_EQ(test, vf_config(t, 2)->lmem_imports, 0);
	KUNIT_EXPECT_EQ(test, lmem_refs(t, 1), 1);
	dma_buf_detach(attach->dmabuf, attach);
}

/*
 * xe_dma_buf_iov_map_bo() records the map in the BO, for each VF with LMEM,
 * and xe_dma_buf_iov_unmap_bo() gives the ranges and the LMEM hold back
 * exactly once: a second unmap (the BO destroyed after it was evicted) does
 * nothing.
 */
static void map_bo_gives_back_once(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const struct range r[] = { { TEST_PG(4), TEST_PG(6) - 1 } };
	static const unsigned int vfids[] = { 1, 2, 4 };
	unsigned int i;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	fake_vfs(test, t);
	for (i = 0; i < ARRAY_SIZE(vfids); i++) {
		unsigned int vfid = vfids[i];
		struct dma_buf_attachment *attach;
		struct xe_bo *bo;

		attach = vf_attach(test, t, vfid, r, 1);
		bo = attach->importer_priv;
		dma_resv_lock(attach->dmabuf->resv, NULL);
		/* No assertion while the reservation lock is held. */
		KUNIT_EXPECT_EQ(test, 0, xe_dma_buf_iov_map_bo(bo));
		if (!bo->dma_buf_iov) {
			dma_resv_unlock(attach->dmabuf->resv);
			KUNIT_FAIL_AND_ABORT(test, "VF%u: no map", vfid);
		}
		KUNIT_EXPECT_EQ(test, bo->dma_buf_iov->vfid, vfid);
		KUNIT_EXPECT_EQ(test, bo->dma_buf_iov->nr, 1);
		if (bo->dma_buf_iov->nr == 1)
			expect_entry(test, bo->dma_buf_iov, 0,
				     expected_dpa(vfid, TEST_PG(4)), 1);
		KUNIT_EXPECT_EQ(test, vf_config(t, vfid)->lmem_imports, 1);
		KUNIT_EXPECT_EQ(test, lmem_refs(t, vfid), 2);

		xe_dma_buf_iov_unmap_bo(bo);
		KUNIT_EXPECT_NULL(test, bo->dma_buf_iov);
		KUNIT_EXPECT_EQ(test, vf_config(t, vfid)->lmem_imports, 0);
		KUNIT_EXPECT_EQ(test, lmem_refs(t, vfid), 1);
		KUNIT_EXPECT_EQ(test, t->exp_unmaps, t->exp_maps);

		xe_dma_buf_iov_unmap_bo(bo);
		KUNIT_EXPECT_EQ(test, lmem_refs(t, vfid), 1);
		KUNIT_EXPECT_EQ(test, t->exp_unmaps, t->exp_maps);
		dma_resv_unlock(attach->dmabuf->resv);
		dma_buf_detach(attach->dmabuf, attach);
	}
	KUNIT_EXPECT_EQ(test, t->exp_maps, (int)ARRAY_SIZE(vfids));
}

/*
 * A revocation by the exporter, while xe holds the ranges: the importer's
 * invalidate gives them back before dma_buf_invalidate_mappings() returns,
 * with the LMEM hold; the next map fails and holds nothing.
 */
static void revoke_gives_ranges_back(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const struct range r[] = { { TEST_PG(4), TEST_PG(6) - 1 } };
	struct dma_buf_attachment *attach;
	struct vf_buf *buf;
	struct xe_bo *bo;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	fake_vfs(test, t);
	attach = vf_attach(test, t, 2, r, 1);
	bo = attach->importer_priv;
	buf = attach->dmabuf->priv;
	dma_resv_lock(attach->dmabuf->resv, NULL);
	if (xe_dma_buf_iov_map_bo(bo)) {
		dma_resv_unlock(attach->dmabuf->resv);
		KUNIT_FAIL_AND_ABORT(test, "no map");
	}

	buf->revoked = true;
	dma_buf_invalidate_mappings(attach->dmabuf);
	KUNIT_EXPECT_NULL(test, bo->dma_buf_iov);
	KUNIT_EXPECT_EQ(test, t->exp_unmaps, 1);
	KUNIT_EXPECT_EQ(test, vf_config(t, 2)->lmem_imports, 0);
	KUNIT_EXPECT_EQ(test, lmem_refs(t, 2), 1);

	KUNIT_EXPECT_EQ(test, xe_dma_buf_iov_map_bo(bo), -ENODEV);
	KUNIT_EXPECT_NULL(test, bo->dma_buf_iov);
	KUNIT_EXPECT_EQ(test, t->exp_unmaps, 1);
	KUNIT_EXPECT_EQ(test, vf_config(t, 2)->lmem_imports, 0);
	dma_resv_unlock(attach->dmabuf->resv);
	dma_buf_detach(attach->dmabuf, attach);
}

/*
 * Every allocation of xe's import of a VF's ranges (xe_dma_buf_iov_map_bo()
 * and xe_dma_buf_iov_unmap_bo(), through the core's IOV map) failed once,
 * one per round: the map returns -ENOMEM and holds nothing (no map, no
 * LMEM import, the exporter's ranges given back), and the next round maps.
 */
static void map_bo_fails_each_allocation(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	const struct range r[] = {
		{ TEST_PG(4), TEST_PG(6) - 1 }, { TEST_PG(20), TEST_PG(21) - 1 },
	};
	struct dma_buf_attachment *attach;
	struct dmabuf_fail_nth *f;
	bool hit, done;
	struct xe_bo *bo;
	int ret;

	skip_without_pf_config(test);
	use_pf_config(test, t);
	fake_vfs(test, t);
	attach = vf_attach(test, t, 1, r, ARRAY_SIZE(r));
	bo = attach->importer_priv;
	f = dmabuf_fail_nth_start(test);
	for (;;) {
		dma_resv_lock(attach->dmabuf->resv, NULL);
		dmabuf_fail_nth_arm(f);
		ret = xe_dma_buf_iov_map_bo(bo);
		/* No assertion while the reservation lock is held. */
		if (ret) {
			hit = dmabuf_fail_nth_disarm(f, ret);
			KUNIT_EXPECT_TRUE(test, hit);
			KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
			KUNIT_EXPECT_NULL(test, bo->dma_buf_iov);
			KUNIT_EXPECT_EQ(test, vf_config(t, 1)->lmem_imports, 0);
			KUNIT_EXPECT_EQ(test, lmem_refs(t, 1), 1);
			KUNIT_EXPECT_EQ(test, t->exp_unmaps, t->exp_maps);
			dma_resv_unlock(attach->dmabuf->resv);
			if (!hit)
				break;
			dmabuf_fail_nth_next(f);
			continue;
		}
		KUNIT_EXPECT_NOT_NULL(test, bo->dma_buf_iov);
		KUNIT_EXPECT_EQ(test, vf_config(t, 1)->lmem_imports, 1);
		xe_dma_buf_iov_unmap_bo(bo);
		done = f->armed && !dmabuf_fail_nth_disarm(f, 0) &&
		       dmabuf_fail_nth_done(f);
		KUNIT_EXPECT_NULL(test, bo->dma_buf_iov);
		KUNIT_EXPECT_EQ(test, vf_config(t, 1)->lmem_imports, 0);
		KUNIT_EXPECT_EQ(test, lmem_refs(t, 1), 1);
		KUNIT_EXPECT_EQ(test, t->exp_unmaps, t->exp_maps);
		dma_resv_unlock(attach->dmabuf->resv);
		if (done)
			break;
		dmabuf_fail_nth_next(f);
	}
	dma_buf_detach(attach->dmabuf, attach);
	KUNIT_EXPECT_GT(test, f->refused, 0);
	dmabuf_fail_nth_report(f, "xe IOV import: map, unmap");
}

static struct kunit_case xe_dma_buf_iov_tests[] = {
	KUNIT_CASE(translates_to_dpa),
	KUNIT_CASE(follows_vram_blocks),
	KUNIT_CASE(more_pieces_than_guessed),
	KUNIT_CASE(many_overlapping_ranges),
	KUNIT_CASE(last_page_is_inside),
	KUNIT_CASE(needs_64k_pages),
	KUNIT_CASE(lmem_not_in_vram),
	KUNIT_CASE_PARAM(refuses_with_eperm, refusal_gen_params),
	KUNIT_CASE(provisioning_refused_while_imported),
	KUNIT_CASE(release_refused_while_imported),
	KUNIT_CASE(bulk_provisioning_refused_while_one_imported),
	KUNIT_CASE(import_refused_without_table),
	KUNIT_CASE(lock_order_against_provisioning),
	KUNIT_CASE(each_vf_lands_in_its_own_lmem),
	KUNIT_CASE(vf_buffer_past_its_lmem_refused),
	KUNIT_CASE(map_bo_gives_back_once),
	KUNIT_CASE(revoke_gives_ranges_back),
	KUNIT_CASE(map_bo_fails_each_allocation),
	{}
};

static struct kunit_suite xe_dma_buf_iov_suite = {
	.name = "xe_dma_buf_iov",
	.test_cases = xe_dma_buf_iov_tests,
	.init = iov_test_init,
};

/*
 * Benchmark: the PF imports the same VF ranges through IOV and through an
 * sg_table of PCIe P2P bus addresses, the way it would otherwise receive them
 * from vfio-pci, and, when a pci-testdev on the root bus sits behind an
 * IOMMU, through an sg_table mapped through that IOMMU. It prints its
 * figures and asserts no timing.
 *
 * P2P needs real PCI functions: two pci-testdev behind one bridge stand for
 * the PF, which attaches, and for the provider of the bus addresses. The VF
 * is a pretend pci_dev of that PF with a 1 GiB LMEM BAR; no address of it is
 * ever accessed. Run it with
 *   ./tools/testing/kunit/kunit.py run --arch=x86_64 \
 *	--kunitconfig=drivers/gpu/drm/xe --kconfig_add CONFIG_PCI_P2PDMA=y \
 *	--kconfig_add CONFIG_ZONE_DEVICE=y --kconfig_add CONFIG_MEMORY_HOTPLUG=y \
 *	--kconfig_add CONFIG_MEMORY_HOTREMOVE=y \
 *	--kconfig_add CONFIG_TRANSPARENT_HUGEPAGE=y \
 *	--qemu_args='-device pci-bridge,id=b0,chassis_nr=1
 *	-device pci-testdev,bus=b0,addr=1 -device pci-testdev,bus=b0,addr=2' \
 *	--raw_output=kunit 'xe_dma_buf_iov_bench'
 */
#define BENCH_SIZE		SZ_1G
#define BENCH_BLOCK		SZ_16M
#define BENCH_RANGES		64
#define BENCH_ROUNDS		5
#define BENCH_LOOPS		200

struct iov_bench {
	struct pci_dev *pf, *provider;
	struct pci_dev *vf;
	struct p2pdma_provider *p2p;
	struct dma_buf_iov_exp_data iov_data;
	struct dma_buf_sgt_exp_data sgt_data;
	struct range r[BENCH_RANGES];
	struct dma_buf_iov *iov;
	struct phys_vec phys[BENCH_RANGES];
	struct dma_buf *dmabuf;
	int maps, unmaps;
};

static struct iov_bench *bench_of(struct dma_buf_attachment *attach)
{
	return attach->dmabuf->priv;
}

static int bench_map_iov(struct dma_buf_attachment *attach,
			 struct dma_buf_iov_req *req)
{
	struct iov_bench *b = bench_of(attach);

	b->maps++;
	return dma_buf_iov_req_set(req, b->iov);
}

static void bench_unmap_iov(struct dma_buf_attachment *attach)
{
	bench_of(attach)->unmaps++;
}

static const struct dma_buf_iov_exp_ops bench_iov_ops = {
	.map_iov = bench_map_iov,
	.unmap_iov = bench_unmap_iov,
};

/* What vfio-pci's SGT entry does with the same ranges. */
static struct sg_table *bench_map_sgt(struct dma_buf_attachment *attach,
				      enum dma_data_direction dir)
{
	struct iov_bench *b = bench_of(attach);
	struct sg_table *sgt;

	sgt = dma_buf_phys_vec_to_sgt(attach, b->p2p, b->phys, BENCH_RANGES,
				      BENCH_SIZE, dir);
	if (!IS_ERR(sgt))
		b->maps++;
	return sgt;
}

static void bench_unmap_sgt(struct dma_buf_attachment *attach,
			    struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_buf_free_sgt(attach, sgt, dir);
	bench_of(attach)->unmaps++;
}

static const struct dma_buf_sgt_exp_ops bench_sgt_ops = {
	.map_dma_buf = bench_map_sgt,
	.unmap_dma_buf = bench_unmap_sgt,
};

/* vfio-pci's order for a VF, without PAL, which the PF does not import. */
static int bench_match_mapping(struct dma_buf_attachment *attach)
{
	struct iov_bench *b = bench_of(attach);
	const struct dma_buf_mapping_match exp[] = {
		dma_buf_iov_export(&bench_iov_ops, &b->iov_data),
		dma_buf_sgt_export(&bench_sgt_ops, &b->sgt_data),
	};

	return dma_buf_match_mapping(attach, exp, ARRAY_SIZE(exp));
}

static void bench_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_ops bench_dmabuf_ops = {
	.match_mapping = bench_match_mapping,
	.release = bench_release,
};

static void bench_invalidate(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops bench_importer = {
	.invalidate_mappings = bench_invalidate,
};

static void bench_put_pci_dev(void *pdev)
{
	pci_dev_put(pdev);
}

static void bench_put_dmabuf(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

/* Two pci-testdev functions on one bus below a bridge, with references. */
static bool bench_find_pair(struct kunit *test, struct iov_bench *b)
{
	struct pci_dev *pf = NULL, *other;

	while ((pf = pci_get_device(PCI_VENDOR_ID_REDHAT, 0x0005, pf))) {
		if (pci_is_root_bus(pf->bus))
			continue;
		other = NULL;
		while ((other = pci_get_device(PCI_VENDOR_ID_REDHAT, 0x0005,
					       other))) {
			if (other == pf || other->bus != pf->bus)
				continue;
			b->pf = pf;
			b->provider = other;
			return !kunit_add_action_or_reset(test, bench_put_pci_dev,
							  pf) &&
			       !kunit_add_action_or_reset(test, bench_put_pci_dev,
							  other);
		}
	}
	return false;
}

static int iov_bench_init(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct resource *res;
	struct iov_test *t;
	struct iov_bench *b;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA) || !IS_ENABLED(CONFIG_PCI_IOV))
		kunit_skip(test, "needs CONFIG_PCI_P2PDMA and CONFIG_PCI_IOV");
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	if (!bench_find_pair(test, b))
		kunit_skip(test, "needs two pci-testdev behind one bridge (x86_64 run)");
	KUNIT_ASSERT_EQ(test, 0, pcim_p2pdma_init(b->provider));
	b->p2p = pcim_p2pdma_provider(b->provider, 0);
	KUNIT_ASSERT_NOT_NULL(test, b->p2p);

	KUNIT_ASSERT_EQ(test, 0, iov_test_setup(test, BENCH_SIZE, BENCH_BLOCK));
	t = iov_test_of(test);
	t->bench = b;

	/*
	 * The IOV import is the pretend PF's, of its VF1, whose BAR is made
	 * the provider's so that the SGT export has real P2P addresses.
	 */
	fake_vfs(test, t);
	b->vf = t->vf[1];
	res = &b->vf->resource[LMEM_BAR];
	res->start = pci_resource_start(b->provider, 0);
	res->end = res->start + BENCH_SIZE - 1;
	b->iov_data.vf = b->vf;
	b->iov_data.bar = LMEM_BAR;
	b->sgt_data.p2p_provider = b->provider;

	/* The whole LMEM in 16 MiB ranges, in a shuffled order. */
	for (i = 0; i < BENCH_RANGES; i++) {
		u64 offset = (u64)((i * 37) % BENCH_RANGES) * (BENCH_SIZE / BENCH_RANGES);

		b->r[i].start = offset;
		b->r[i].end = offset + BENCH_SIZE / BENCH_RANGES - 1;
		b->phys[i].paddr = res->start + offset;
		b->phys[i].len = BENCH_SIZE / BENCH_RANGES;
	}
	b->iov = dma_buf_iov_create(b->vf, LMEM_BAR, b->r, BENCH_RANGES,
				    BENCH_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b->iov);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, iov_put_action,
							   b->iov));

	exp_info.ops = &bench_dmabuf_ops;
	exp_info.size = BENCH_SIZE;
	exp_info.priv = b;
	b->dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b->dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bench_put_dmabuf,
							   b->dmabuf));
	return 0;
}

/* Walk the addresses as the PPGTT bind does; returns the bytes walked. */
static u64 bench_walk(struct xe_res_cursor *cur, unsigned int *segments)
{
	u64 bytes = 0;

	*segments = 0;
	while (cur->remaining) {
		u64 len = min(cur->size, cur->remaining);

		bytes += len;
		(*segments)++;
		xe_res_next(cur, len);
	}
	return bytes;
}

/*
 * One import through IOV: what xe_dma_buf_iov_map_bo() and unmap do. With
 * @ranges_only, only the core's part: the exporter's ranges, checked and
 * indexed, and given back.
 */
static int bench_import_iov(struct kunit *test, struct dma_buf_attachment *attach,
			    struct xe_dma_buf_iov_map **kept, bool ranges_only)
{
	struct iov_test *t = iov_test_of(test);
	struct xe_dma_buf_iov_map *map;
	struct xe_res_cursor cur;
	struct dma_buf_iov *iov;
	unsigned int segments;
	int ret = 0;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	if (ranges_only) {
		iov = dma_buf_iov_map(attach);
		if (IS_ERR(iov))
			ret = PTR_ERR(iov);
		else
			dma_buf_iov_unmap(attach, iov);
		goto out;
	}
	/* The production path: the VF number comes from the attachment. */
	map = xe_dma_buf_iov_map_attachment(t->xe, attach);
	if (IS_ERR(map)) {
		ret = PTR_ERR(map);
		goto out;
	}
	xe_res_first_dma(map->addr, 0, BENCH_SIZE, &cur);
	if (bench_walk(&cur, &segments) != BENCH_SIZE)
		ret = -EIO;
	if (kept && !ret) {
		/* Only the translation is kept: the ranges go back now. */
		dma_buf_iov_unmap(attach, map->iov);
		map->iov = NULL;
		*kept = map;
	} else {
		xe_dma_buf_iov_unmap_attachment(attach, map);
	}
out:
	dma_resv_unlock(attach->dmabuf->resv);
	return ret;
}

/* One import through SGT: the map xe_bo_move_dmabuf() makes, then a walk. */
static int bench_import_sgt(struct dma_buf_attachment *attach,
			    unsigned int *segments)
{
	struct xe_res_cursor cur;
	struct sg_table *sgt;
	unsigned int n;
	int ret = 0;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
	} else {
		xe_res_first_sg(sgt, 0, BENCH_SIZE, &cur);
		if (bench_walk(&cur, &n) != BENCH_SIZE)
			ret = -EIO;
		if (segments)
			*segments = n;
		dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL);
	}
	dma_resv_unlock(attach->dmabuf->resv);
	return ret;
}

enum bench_kind {
	BENCH_IOV,
	BENCH_IOV_RANGES,
	BENCH_SGT,
};

/* Best of BENCH_ROUNDS rounds of BENCH_LOOPS imports, in ns per import. */
static u64 bench_time(struct kunit *test, struct dma_buf_attachment *attach,
		      enum bench_kind kind)
{
	u64 best = U64_MAX;
	int r, i;

	for (r = 0; r < BENCH_ROUNDS; r++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < BENCH_LOOPS; i++)
			KUNIT_ASSERT_EQ(test, 0, kind == BENCH_SGT ?
					bench_import_sgt(attach, NULL) :
					bench_import_iov(test, attach, NULL,
							 kind == BENCH_IOV_RANGES));
		best = min(best, div_u64(ktime_get_ns() - t0, BENCH_LOOPS));
		cond_resched();
	}
	return best;
}

/*
 * The SGT import of a PF on the root bus, behind the IOMMU: the exporter's
 * sg_table is then mapped through the IOMMU, as v7.3.4's vfio-pci maps it
 * for an importer that reaches the BAR through the host bridge. Not
 * measured, and said so, without such a device.
 */
static void bench_sgt_iommu(struct kunit *test, struct iov_bench *b)
{
	struct dma_buf_sgt_imp_data i_sgt = { .allow_p2p = true };
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_sgt);
	struct dma_buf_attachment *a = ERR_PTR(-ENODEV);
	struct pci_dev *far = NULL;
	struct iommu_domain *domain;
	u64 mask = 0, coherent = 0;
	int ret;

	while ((far = pci_get_device(PCI_VENDOR_ID_REDHAT, 0x0005, far)))
		if (pci_is_root_bus(far->bus))
			break;
	domain = far ? iommu_get_domain_for_dev(&far->dev) : NULL;
	/*
	 * A 64-bit DMA mask, as a PF has (pci-testdev has no driver to set
	 * one), for the duration of the benchmark.
	 */
	if (domain && (domain->type & __IOMMU_DOMAIN_DMA_API)) {
		mask = dma_get_mask(&far->dev);
		coherent = far->dev.coherent_dma_mask;
		if (!dma_set_mask_and_coherent(&far->dev, DMA_BIT_MASK(64)))
			a = dma_buf_mapping_attach(b->dmabuf, &far->dev, &imp,
						   1, &bench_importer, NULL);
	}
	ret = PTR_ERR_OR_ZERO(a);
	if (!ret)
		ret = bench_import_sgt(a, NULL);
	if (!ret)
		kunit_info(test, "bench: xe-sgt-iommu-%d-1g: %llu ns\n",
			   BENCH_RANGES, bench_time(test, a, BENCH_SGT));
	else
		kunit_info(test, "SGT through the IOMMU not measured: no pci-testdev on the root bus behind an IOMMU, or refused (%d)\n",
			   ret);
	if (!IS_ERR(a))
		dma_buf_detach(b->dmabuf, a);
	if (mask) {
		dma_set_mask(&far->dev, mask);
		dma_set_coherent_mask(&far->dev, coherent);
	}
	pci_dev_put(far);
}

static void bench_iov_vs_sgt_p2p(struct kunit *test)
{
	struct iov_test *t = iov_test_of(test);
	struct iov_bench *b = t->bench;
	struct dma_buf_iov_imp_data i_iov = { .pf = t->pf, .bar = LMEM_BAR };
	struct dma_buf_sgt_imp_data i_sgt = { .allow_p2p = true };
	struct dma_buf_attachment *a_iov, *a_sgt;
	struct dma_buf_mapping_match imp[2];
	struct xe_dma_buf_iov_map *map = NULL;
	unsigned int i, segments;
	u64 t_iov, t_ranges, t_sgt;

	/* xe's importer list: IOV, then SGT with P2P. */
	imp[0] = dma_buf_iov_import(&i_iov);
	imp[1] = dma_buf_sgt_import(&i_sgt);
	a_iov = dma_buf_mapping_attach(b->dmabuf, &t->pf->dev, imp, 2,
				       &bench_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a_iov);
	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_iov(a_iov));
	/* What the PF gets when IOV cannot be used. */
	a_sgt = dma_buf_mapping_attach(b->dmabuf, &b->pf->dev, imp + 1, 1,
				       &bench_importer, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a_sgt);
	KUNIT_ASSERT_FALSE(test, dma_buf_attachment_is_iov(a_sgt));

	/* Both describe the whole buffer; IOV lands in the VF's own VRAM. */
	KUNIT_ASSERT_EQ(test, 0, bench_import_iov(test, a_iov, &map, false));
	KUNIT_ASSERT_EQ(test, map->nr, BENCH_RANGES);
	for (i = 0; i < BENCH_RANGES; i++) {
		u64 block = div64_u64(b->r[i].start, BENCH_BLOCK);

		KUNIT_EXPECT_EQ(test, map->addr[i].addr,
				TEST_DPA_BASE + (BENCH_SIZE / BENCH_BLOCK - 1 - block) *
				BENCH_BLOCK);
		KUNIT_EXPECT_EQ(test, PAGE_SIZE << map->addr[i].order,
				(unsigned long)BENCH_BLOCK);
	}
	xe_dma_buf_iov_put(map);
	KUNIT_ASSERT_EQ(test, 0, bench_import_sgt(a_sgt, &segments));
	KUNIT_EXPECT_EQ(test, segments, BENCH_RANGES);

	bench_time(test, a_iov, BENCH_IOV);
	t_iov = bench_time(test, a_iov, BENCH_IOV);
	t_ranges = bench_time(test, a_iov, BENCH_IOV_RANGES);
	t_sgt = bench_time(test, a_sgt, BENCH_SGT);
	kunit_info(test, "bench: xe-iov-%d-1g: %llu ns\n", BENCH_RANGES, t_iov);
	kunit_info(test, "bench: xe-iov-ranges-%d-1g: %llu ns\n", BENCH_RANGES,
		   t_ranges);
	kunit_info(test, "bench: xe-sgt-p2p-%d-1g: %llu ns\n", BENCH_RANGES,
		   t_sgt);
	bench_sgt_iommu(test, b);

	dma_buf_detach(b->dmabuf, a_sgt);
	dma_buf_detach(b->dmabuf, a_iov);
	/* Every map was given back and every LMEM reference dropped. */
	KUNIT_EXPECT_EQ(test, b->maps, b->unmaps);
	KUNIT_EXPECT_GT(test, t->gets, 0);
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

static struct kunit_case xe_dma_buf_iov_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_iov_vs_sgt_p2p),
	{}
};

static struct kunit_suite xe_dma_buf_iov_bench_suite = {
	.name = "xe_dma_buf_iov_bench",
	.test_cases = xe_dma_buf_iov_bench_cases,
	.init = iov_bench_init,
};

kunit_test_suites(&xe_dma_buf_iov_suite, &xe_dma_buf_iov_bench_suite);
