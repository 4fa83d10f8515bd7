// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * Copyright © 2026 Intel Corporation
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/test-bug.h>

#include "xe_kunit_helpers.h"
#include "xe_pci_test.h"

#define TEST_MAX_VFS		4
/* Each VF has 64 pages of LMEM; VF2's follows VF1's in VRAM. */
#define TEST_LMEM_PAGES		64
#define TEST_DPA_BASE		0x100000000ull
/* The fake VRAM manager hands out blocks of 16 pages, in this order. */
#define TEST_BLOCK_PAGES	16

#define TEST_PG(n)			((u64)(n) * PAGE_SIZE)

struct iov_test {
	struct xe_device *xe;
	struct xe_bo lmem[TEST_MAX_VFS + 1];
	int gets, puts, lookups;
};

static struct iov_test *iov_test_of(struct kunit *test)
{
	return test->priv;
}

static struct xe_bo *fake_lmem_get(struct xe_device *xe, unsigned int vfid)
{
	struct iov_test *t = iov_test_of(kunit_get_current_test());

	t->lookups++;
	/* VF3 is enabled but has no LMEM provisioned. */
	if (vfid == 3 || !xe_bo_size(&t->lmem[vfid]))
		return NULL;
	t->gets++;
	return &t->lmem[vfid];
}

static void fake_lmem_put(struct xe_bo *lmem)
{
	iov_test_of(kunit_get_current_test())->puts++;
}

/*
 * VF n's LMEM is the n-th 64 pages of VRAM, but its 16-page blocks are
 * stored in reverse order, so that a range crossing a block boundary is
 * not contiguous in VRAM.
 */
static u64 fake_lmem_dpa(struct xe_bo *lmem, u64 offset, u64 *dpa)
{
	struct iov_test *t = iov_test_of(kunit_get_current_test());
	unsigned int vfid = lmem - t->lmem;
	u64 block = offset / TEST_PG(TEST_BLOCK_PAGES);
	u64 nblocks = TEST_LMEM_PAGES / TEST_BLOCK_PAGES;
	u64 in_block = offset % TEST_PG(TEST_BLOCK_PAGES);

	*dpa = TEST_DPA_BASE + TEST_PG(TEST_LMEM_PAGES) * (vfid - 1) +
	       TEST_PG(TEST_BLOCK_PAGES) * (nblocks - 1 - block) + in_block;
	return TEST_PG(TEST_BLOCK_PAGES) - in_block;
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

static int iov_test_init(struct kunit *test)
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
	for (vfid = 1; vfid <= TEST_MAX_VFS; vfid++)
		t->lmem[vfid].ttm.base.size = TEST_PG(TEST_LMEM_PAGES);
	test->priv = t;

	kunit_activate_static_stub(test, xe_dma_buf_iov_lmem_get, fake_lmem_get);
	kunit_activate_static_stub(test, xe_dma_buf_iov_lmem_put, fake_lmem_put);
	kunit_activate_static_stub(test, xe_dma_buf_iov_lmem_dpa, fake_lmem_dpa);
	return 0;
}

static void iov_free(void *p)
{
	struct dma_buf_iov *iov = p;

	xa_destroy(&iov->ranges);
	kfree(iov);
}

/* What the dma-buf core would hand over for these ranges of @bar. */
static struct dma_buf_iov *make_iov(struct kunit *test, unsigned int bar,
				    const struct range *r, unsigned int nr)
{
	struct dma_buf_iov *iov;
	unsigned int i;

	iov = kzalloc(struct_size(iov, storage, nr), GFP_KERNEL);
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

struct refusal {
	const char *name;
	unsigned int vfid;
	unsigned int bar;
	struct range r[2];
	unsigned int nr;
	bool looked_up;
};

static const struct refusal refusals[] = {
	{ "range of the next VF's LMEM", 1, LMEM_BAR,
	  { { TEST_PG(TEST_LMEM_PAGES), TEST_PG(TEST_LMEM_PAGES + 1) - 1 } }, 1, true },
	{ "range crossing the end of LMEM", 1, LMEM_BAR,
	  { { TEST_PG(TEST_LMEM_PAGES - 2), TEST_PG(TEST_LMEM_PAGES + 2) - 1 } }, 1, true },
	{ "good range then a bad one", 2, LMEM_BAR,
	  { { TEST_PG(0), TEST_PG(1) - 1 }, { TEST_PG(1000), TEST_PG(1001) - 1 } }, 2, true },
	{ "VF without LMEM", 3, LMEM_BAR, { { TEST_PG(0), TEST_PG(1) - 1 } }, 1, true },
	{ "the PF itself", 0, LMEM_BAR, { { TEST_PG(0), TEST_PG(1) - 1 } }, 1, false },
	{ "VF beyond the last", TEST_MAX_VFS + 1, LMEM_BAR,
	  { { TEST_PG(0), TEST_PG(1) - 1 } }, 1, false },
	{ "another BAR", 1, 0, { { TEST_PG(0), TEST_PG(1) - 1 } }, 1, false },
};

static void refusal_desc(const struct refusal *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refusal, refusals, refusal_desc);

static void refuses_with_eperm(struct kunit *test)
{
	const struct refusal *p = test->param_value;
	struct iov_test *t = iov_test_of(test);
	struct xe_dma_buf_iov_map *map;

	map = xe_dma_buf_iov_translate(t->xe, p->vfid,
				       make_iov(test, p->bar, p->r, p->nr));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(map), -EPERM);
	KUNIT_EXPECT_EQ(test, t->lookups, p->looked_up ? 1 : 0);
	/* Every reference taken on the way was dropped. */
	KUNIT_EXPECT_EQ(test, t->gets, t->puts);
}

static struct kunit_case xe_dma_buf_iov_tests[] = {
	KUNIT_CASE(translates_to_dpa),
	KUNIT_CASE(follows_vram_blocks),
	KUNIT_CASE(last_page_is_inside),
	KUNIT_CASE_PARAM(refuses_with_eperm, refusal_gen_params),
	{}
};

static struct kunit_suite xe_dma_buf_iov_suite = {
	.name = "xe_dma_buf_iov",
	.test_cases = xe_dma_buf_iov_tests,
	.init = iov_test_init,
};

kunit_test_suite(xe_dma_buf_iov_suite);
