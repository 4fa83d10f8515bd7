// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for DMA-buf mapping types: matching, compatibility, routing,
 * error paths, lock rules and the debugfs text.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/debug_locks.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-buf-mapping-pal.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/dma-resv.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "dma-buf-internal.h"

#include "st-dma-buf-fail-nth.h"
#include "st-dma-buf-p2p.h"

MODULE_IMPORT_NS("DMA_BUF");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/*
 * A private mapping type, defined here and nowhere else: the exporter entry
 * says what match returns, the importer entry carries an id.
 */
struct test_exp_data {
	int ret;
	int refuse_id;
};

struct test_imp_data {
	int id;
	int cost;
};

struct test_exp_ops {
	int (*map)(struct dma_buf_attachment *attach, int *out);
};

struct test_ctx {
	struct kunit *test;
	struct device *dev;
	struct dma_buf *dmabuf;
	/* what the exporter offers through match_mapping */
	const struct dma_buf_mapping_match *exp;
	size_t nr_exp;
	bool skip_match_call;
	bool match_twice;
	int match_twice_ret;
	/* what match_mapping returns after a successful match */
	int match_mapping_ret;
	int attach_ret;
	/* what was seen */
	int match_calls;
	int finish_calls;
	int release_calls;
	int live;
	int attach_calls;
	int detach_calls;
	int map_calls;
	int unmap_calls;
	int test_map_calls;
	int pin_calls;
	int unpin_calls;
	bool resv_held_in_match_mapping;
	bool resv_held_in_type_match;
	bool resv_held_in_attach;
	bool resv_held_in_map;
	bool peer2peer_in_attach;
	struct dma_buf_attachment *mapped_attach;
	enum dma_data_direction mapped_dir;
	struct sg_table sgt;
	struct dma_buf_pal *pal;
	int pal_maps;
	int pal_unmaps;
	/* the provider of test_own_sgt_ops, and whether the memory is gone */
	struct p2pdma_provider *provider;
	bool revoked;
};

static bool test_resv_held(struct dma_resv *resv)
{
#ifdef CONFIG_LOCKDEP
	return lockdep_is_held(&resv->lock.base);
#else
	return ww_mutex_is_locked(&resv->lock);
#endif
}

static struct test_ctx *ctx_of(struct dma_buf_attachment *attach)
{
	return attach->dmabuf->priv;
}

static int test_type_match(struct dma_buf_attachment *attach,
			   const struct dma_buf_mapping_match *exp,
			   const struct dma_buf_mapping_match *imp)
{
	const struct test_exp_data *e = exp->data;
	const struct test_imp_data *i = imp->data;
	struct test_ctx *ctx = ctx_of(attach);

	ctx->match_calls++;
	ctx->resv_held_in_type_match = test_resv_held(attach->dmabuf->resv);
	if (e->refuse_id && e->refuse_id == i->id)
		return -EOPNOTSUPP;
	return e->ret < 0 ? e->ret : e->ret + i->cost;
}

static int test_type_finish(struct dma_buf_attachment *attach,
			    const struct dma_buf_mapping_match *exp,
			    const struct dma_buf_mapping_match *imp)
{
	const struct test_imp_data *i = imp->data;
	struct test_ctx *ctx = ctx_of(attach);

	ctx->finish_calls++;
	ctx->live++;
	attach->map.priv = (void *)(uintptr_t)i->id;
	return 0;
}

static void test_type_release(struct dma_buf_attachment *attach)
{
	struct test_ctx *ctx = ctx_of(attach);

	ctx->release_calls++;
	ctx->live--;
}

static void test_type_describe(struct seq_file *s,
			       const struct dma_buf_attachment *attach)
{
	seq_printf(s, "id %lu", (unsigned long)(uintptr_t)attach->map.priv);
}

static const struct dma_buf_mapping_type test_type = {
	.name = "test",
	.exp_data_size = sizeof(struct test_exp_data),
	.imp_data_size = sizeof(struct test_imp_data),
	.match = test_type_match,
	.finish = test_type_finish,
	.release = test_type_release,
	.describe = test_type_describe,
};

/* A second private type with no optional ops at all. */
static const struct dma_buf_mapping_type test_bare_type = {
	.name = "bare",
	.exp_data_size = sizeof(struct test_exp_data),
	.imp_data_size = sizeof(struct test_imp_data),
	.match = test_type_match,
};

static int test_ops_map(struct dma_buf_attachment *attach, int *out)
{
	ctx_of(attach)->test_map_calls++;
	*out = 42;
	return 0;
}

static const struct test_exp_ops test_exp_ops = { .map = test_ops_map };

static struct dma_buf_mapping_match
test_exp(const struct dma_buf_mapping_type *type, const struct test_exp_data *d)
{
	return (struct dma_buf_mapping_match){
		.type = type, .ops = &test_exp_ops,
		.data = d, .data_size = sizeof(*d),
	};
}

static struct dma_buf_mapping_match
test_imp(const struct dma_buf_mapping_type *type, const struct test_imp_data *d)
{
	return (struct dma_buf_mapping_match){
		.type = type, .data = d, .data_size = sizeof(*d),
	};
}

/* The exporter: SGT ops that hand out one fixed sg_table. */
static struct sg_table *test_map_dma_buf(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct test_ctx *ctx = ctx_of(attach);

	ctx->map_calls++;
	ctx->mapped_attach = attach;
	ctx->mapped_dir = dir;
	ctx->resv_held_in_map = test_resv_held(attach->dmabuf->resv);
	return &ctx->sgt;
}

static void test_unmap_dma_buf(struct dma_buf_attachment *attach,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	struct test_ctx *ctx = ctx_of(attach);

	KUNIT_EXPECT_PTR_EQ(ctx->test, sgt, &ctx->sgt);
	KUNIT_EXPECT_EQ(ctx->test, dir, ctx->mapped_dir);
	ctx->unmap_calls++;
}

static const struct dma_buf_sgt_exp_ops test_sgt_ops = {
	.map_dma_buf = test_map_dma_buf,
	.unmap_dma_buf = test_unmap_dma_buf,
};

static int test_match_mapping(struct dma_buf_attachment *attach)
{
	struct test_ctx *ctx = ctx_of(attach);
	int ret;

	ctx->resv_held_in_match_mapping = test_resv_held(attach->dmabuf->resv);
	/* The attachment is complete before the exporter sees it. */
	KUNIT_EXPECT_PTR_EQ(ctx->test, attach->dev, ctx->dev);
	KUNIT_EXPECT_PTR_EQ(ctx->test, attach->dmabuf, ctx->dmabuf);
	if (ctx->skip_match_call)
		return 0;
	ret = dma_buf_match_mapping(attach, ctx->exp, ctx->nr_exp);
	if (ctx->match_twice)
		ctx->match_twice_ret = dma_buf_match_mapping(attach, ctx->exp,
							     ctx->nr_exp);
	return ret ?: ctx->match_mapping_ret;
}

static int test_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct test_ctx *ctx = dmabuf->priv;

	ctx->attach_calls++;
	ctx->resv_held_in_attach = test_resv_held(dmabuf->resv);
	ctx->peer2peer_in_attach = attach->peer2peer;
	return ctx->attach_ret;
}

static void test_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct test_ctx *ctx = dmabuf->priv;

	ctx->detach_calls++;
}

static void test_release(struct dma_buf *dmabuf)
{
}

static int test_pin(struct dma_buf_attachment *attach)
{
	ctx_of(attach)->pin_calls++;
	return 0;
}

static void test_unpin(struct dma_buf_attachment *attach)
{
	ctx_of(attach)->unpin_calls++;
}

/* A native exporter: its mapping types come from match_mapping. */
static const struct dma_buf_ops test_native_ops = {
	.match_mapping = test_match_mapping,
	.attach = test_attach,
	.detach = test_detach,
	.release = test_release,
};

/* The same, for an exporter that can pin its buffer. */
static const struct dma_buf_ops test_native_pin_ops = {
	.match_mapping = test_match_mapping,
	.attach = test_attach,
	.detach = test_detach,
	.pin = test_pin,
	.unpin = test_unpin,
	.release = test_release,
};

/* A legacy exporter: only the sg_table ops. */
static const struct dma_buf_ops test_legacy_ops = {
	.attach = test_attach,
	.detach = test_detach,
	.map_dma_buf = test_map_dma_buf,
	.unmap_dma_buf = test_unmap_dma_buf,
	.release = test_release,
};

/* A driver bug: an sg_table map without its unmap. */
static const struct dma_buf_ops test_map_only_ops = {
	.map_dma_buf = test_map_dma_buf,
	.release = test_release,
};

/* A static exporter: one entry given at export time. */
static const struct dma_buf_ops test_static_ops = {
	.attach = test_attach,
	.detach = test_detach,
	.release = test_release,
};

static void test_invalidate(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops test_importer_p2p = {
	.allow_peer2peer = true,
	.invalidate_mappings = test_invalidate,
};

static const struct dma_buf_attach_ops test_importer_nop2p = {
	.allow_peer2peer = false,
	.invalidate_mappings = test_invalidate,
};

/* Dynamic, but it cannot be asked to give its mappings back. */
static const struct dma_buf_attach_ops test_importer_unrevocable = {
	.allow_peer2peer = false,
};

static void test_put_dmabuf(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

static struct dma_buf *test_export(struct kunit *test,
				   const struct dma_buf_ops *ops,
				   const struct dma_buf_mapping_match *mapping)
{
	struct test_ctx *ctx = test->priv;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	exp_info.ops = ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = ctx;
	if (mapping)
		exp_info.mapping = *mapping;
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, test_put_dmabuf, dmabuf));
	ctx->dmabuf = dmabuf;
	return dmabuf;
}

static int test_init(struct kunit *test)
{
	struct test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	ctx->dev = kunit_device_register(test, "dma-buf-mapping-test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(&ctx->sgt, 1, GFP_KERNEL));
	test->priv = ctx;
	return 0;
}

static void test_exit(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;

	sg_free_table(&ctx->sgt);
}

/* Refused pair @n, in the log that exists where debugfs can show it. */
static void test_expect_reject(struct kunit *test,
			       const struct dma_buf_attachment *attach,
			       unsigned int n, unsigned int exp_idx, int err)
{
#ifdef CONFIG_DEBUG_FS
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->rejects[n].exp_idx, exp_idx);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->rejects[n].err, err);
#endif
}

/* Attach with the given importer list to a native exporter. */
static struct dma_buf_attachment *
test_attach_native(struct kunit *test, const struct dma_buf_mapping_match *exp,
		   size_t nr_exp, const struct dma_buf_mapping_match *imp,
		   size_t nr_imp)
{
	struct test_ctx *ctx = test->priv;

	if (!ctx->dmabuf)
		test_export(test, &test_native_ops, NULL);
	ctx->exp = exp;
	ctx->nr_exp = nr_exp;
	return dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, imp, nr_imp,
				      &test_importer_nop2p, NULL);
}

static void test_exporter_priority(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 }, id2 = { .id = 2 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		test_exp(&test_bare_type, &ok),
		test_exp(&test_type, &ok),
	};
	/* The importer prefers test_type, but the exporter's order decides. */
	struct dma_buf_mapping_match imp[] = {
		test_imp(&test_type, &id1),
		test_imp(&test_bare_type, &id2),
	};

	attach = test_attach_native(test, exp, 2, imp, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_type(attach, &test_bare_type));
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 0);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->imp_idx, 1);
	/* The bare type has no finish: nothing but the type and ops recorded. */
	KUNIT_EXPECT_EQ(test, ctx->finish_calls, 0);
	KUNIT_EXPECT_PTR_EQ(test, attach->map.ops, (const void *)&test_exp_ops);
	dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_EXPECT_EQ(test, ctx->release_calls, 0);
}

static void test_importer_order(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 3 };
	static const struct test_imp_data id1 = { .id = 1 }, id2 = { .id = 2 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &ok) };
	struct dma_buf_mapping_match imp[] = {
		test_imp(&test_type, &id2),
		test_imp(&test_type, &id1),
	};

	attach = test_attach_native(test, exp, 1, imp, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->imp_idx, 0);
	KUNIT_EXPECT_EQ(test, (uintptr_t)attach->map.priv, 2);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->cost, 3);
	/* The first importer entry matched: the second is not even tried. */
	KUNIT_EXPECT_EQ(test, ctx->match_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->finish_calls, 1);
	dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_EXPECT_EQ(test, ctx->release_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
}

/* Entries that are not alternatives of each other: the order decides. */
static void test_order_beats_cost(struct kunit *test)
{
	static const struct test_exp_data c5 = { .ret = 5 }, c0 = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		test_exp(&test_type, &c5),
		test_exp(&test_type, &c0),
	};
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id1) };

	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 0);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->cost, 5);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_tried, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/* Among the exporter's alternatives, the cheapest; ties to the first. */
static void test_cost_among_exporter_alternatives(struct kunit *test)
{
	static const struct test_exp_data c5 = { .ret = 5 }, c2 = { .ret = 2 },
					  c0 = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		test_exp(&test_type, &c5),
		test_exp(&test_type, &c2),
		test_exp(&test_type, &c2),
		test_exp(&test_type, &c0),
	};
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id1) };

	/* exp[0..2] are one run; the cheaper exp[3] is not part of it. */
	exp[1].alternative = true;
	exp[2].alternative = true;
	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 1);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->cost, 2);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_tried, 3);
	dma_buf_detach(ctx->dmabuf, attach);
}

/* The same for an importer that reaches the memory through two devices. */
static void test_cost_among_importer_alternatives(struct kunit *test)
{
	static const struct test_exp_data c1 = { .ret = 1 };
	static const struct test_imp_data far = { .id = 1, .cost = 4 },
					  near = { .id = 2, .cost = 1 },
					  nearer = { .id = 3, .cost = 0 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &c1) };
	struct dma_buf_mapping_match imp[] = {
		test_imp(&test_type, &far),
		test_imp(&test_type, &near),
		test_imp(&test_type, &nearer),
	};

	/* imp[0..1] are one run; the cheaper imp[2] is not part of it. */
	imp[1].alternative = true;
	attach = test_attach_native(test, exp, 1, imp, ARRAY_SIZE(imp));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->imp_idx, 1);
	KUNIT_EXPECT_EQ(test, (uintptr_t)attach->map.priv, 2);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->cost, 2);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_tried, 2);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * Runs of alternatives are steps of their lists: for the exporter's run
 * {E0, E1}, the importer's first entry is tried with both before its second
 * is tried at all. E0 only takes I1 and E1 only I0: E1/I0 wins.
 */
static void test_runs_walked_in_order(struct kunit *test)
{
	static const struct test_exp_data e0 = { .refuse_id = 1 },
					  e1 = { .refuse_id = 2 };
	static const struct test_imp_data i0 = { .id = 1 }, i1 = { .id = 2 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		test_exp(&test_type, &e0),
		test_exp(&test_type, &e1),
	};
	struct dma_buf_mapping_match imp[] = {
		test_imp(&test_type, &i0),
		test_imp(&test_type, &i1),
	};

	exp[1].alternative = true;
	attach = test_attach_native(test, exp, 2, imp, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 1);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->imp_idx, 0);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_tried, 2);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_rejected, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/* The exporter's order between types, whatever the costs. */
static void test_type_order_beats_cost(struct kunit *test)
{
	static const struct test_exp_data c5 = { .ret = 5 }, c0 = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		test_exp(&test_type, &c5),
		test_exp(&test_bare_type, &c0),
	};
	struct dma_buf_mapping_match imp[] = {
		test_imp(&test_bare_type, &id1),
		test_imp(&test_type, &id1),
	};

	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), imp, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_type(attach, &test_type));
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 0);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->imp_idx, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void test_skip_and_abort(struct kunit *test)
{
	static const struct test_exp_data skip = { .ret = -EOPNOTSUPP },
					  abort = { .ret = -EIO },
					  ok = { .ret = 1 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		test_exp(&test_type, &skip),
		test_exp(&test_type, &ok),
	};
	struct dma_buf_mapping_match exp_abort[] = {
		test_exp(&test_type, &abort),
		test_exp(&test_type, &ok),
	};
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id1) };

	attach = test_attach_native(test, exp, 2, imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 1);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_rejected, 1);
	test_expect_reject(test, attach, 0, 0, -EOPNOTSUPP);
	dma_buf_detach(ctx->dmabuf, attach);

	ctx->finish_calls = 0;
	attach = test_attach_native(test, exp_abort, 2, imp, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EIO);
	KUNIT_EXPECT_EQ(test, ctx->finish_calls, 0);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
}

static void test_no_match(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 0 }, skip = { .ret = -EOPNOTSUPP };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &ok) };
	struct dma_buf_mapping_match exp_skip[] = { test_exp(&test_type, &skip) };
	struct dma_buf_mapping_match imp[] = { test_imp(&test_bare_type, &id1) };
	struct dma_buf_mapping_match imp_same[] = { test_imp(&test_type, &id1) };

	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
	attach = test_attach_native(test, exp_skip, 1, imp_same, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, ctx->attach_calls, 0);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
}

/*
 * Malformed lists, on either side: each breaks one rule, which names itself
 * (@why, for entry @bad) in the core's warning.
 */
struct test_bad_list {
	const char *name;
	bool exporter;
	int shape;
	const char *why;
	size_t bad;
};

enum { BAD_NULL_TYPE, BAD_SIZE, BAD_NO_DATA, BAD_OPS, BAD_NO_OPS,
	BAD_NULL_LIST, BAD_EMPTY, BAD_TOO_LONG, BAD_NO_MATCH_OP, BAD_ALT_FIRST,
	BAD_ALT_OTHER_TYPE };

#define WHY_NO_TYPE	"no type or no match op"
#define WHY_SIZE	"match data of the wrong size"
#define WHY_NO_DATA	"no match data"
#define WHY_NO_LIST	"no list"
#define WHY_EMPTY	"no entries"
#define WHY_TOO_LONG	"more entries than DMA_BUF_MAPPING_MAX_ENTRIES"
#define WHY_ALT		"alternative that follows no entry of its type"

static const struct test_bad_list test_bad_lists[] = {
	{ "importer NULL type", false, BAD_NULL_TYPE, WHY_NO_TYPE },
	{ "importer wrong data size", false, BAD_SIZE, WHY_SIZE },
	{ "importer missing data", false, BAD_NO_DATA, WHY_NO_DATA },
	{ "importer entry with ops", false, BAD_OPS,
	  "exporter ops in an importer entry" },
	{ "importer NULL list", false, BAD_NULL_LIST, WHY_NO_LIST },
	{ "importer empty list", false, BAD_EMPTY, WHY_EMPTY },
	{ "importer too long", false, BAD_TOO_LONG, WHY_TOO_LONG },
	{ "importer type without match", false, BAD_NO_MATCH_OP, WHY_NO_TYPE },
	{ "importer alternative first", false, BAD_ALT_FIRST, WHY_ALT },
	{ "importer alternative of another type", false, BAD_ALT_OTHER_TYPE,
	  WHY_ALT, 1 },
	{ "exporter NULL type", true, BAD_NULL_TYPE, WHY_NO_TYPE },
	{ "exporter wrong data size", true, BAD_SIZE, WHY_SIZE },
	{ "exporter missing data", true, BAD_NO_DATA, WHY_NO_DATA },
	{ "exporter entry without ops", true, BAD_NO_OPS, "no exporter ops" },
	{ "exporter NULL list", true, BAD_NULL_LIST, WHY_NO_LIST },
	{ "exporter empty list", true, BAD_EMPTY, WHY_EMPTY },
	{ "exporter too long", true, BAD_TOO_LONG, WHY_TOO_LONG },
	{ "exporter alternative first", true, BAD_ALT_FIRST, WHY_ALT },
	{ "exporter alternative of another type", true, BAD_ALT_OTHER_TYPE,
	  WHY_ALT, 1 },
};

/* The case's name says what refuses it: tooling/bad-inputs prints them. */
static void test_bad_list_desc(const struct test_bad_list *t, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: -EINVAL, %s", t->name,
		 t->why);
}

KUNIT_ARRAY_PARAM(test_bad_list, test_bad_lists, test_bad_list_desc);

static const struct dma_buf_mapping_type test_no_match_op_type = {
	.name = "nomatch",
	.exp_data_size = sizeof(struct test_exp_data),
	.imp_data_size = sizeof(struct test_imp_data),
};

static void test_malformed_list(struct kunit *test)
{
	const struct test_bad_list *t = test->param_value;
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_mapping_match *good, *bad, *list;
	struct dma_buf_attachment *attach;
	size_t nr = 1, i, at;
	const char *why;

	bad = kunit_kcalloc(test, DMA_BUF_MAPPING_MAX_ENTRIES + 1, sizeof(*bad),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	good = kunit_kzalloc(test, sizeof(*good), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, good);

	*good = t->exporter ? test_imp(&test_type, &id1) : test_exp(&test_type, &ok);
	for (i = 0; i <= DMA_BUF_MAPPING_MAX_ENTRIES; i++)
		bad[i] = t->exporter ? test_exp(&test_type, &ok) :
				       test_imp(&test_type, &id1);
	list = bad;
	switch (t->shape) {
	case BAD_NULL_TYPE:
		bad[0].type = NULL;
		break;
	case BAD_SIZE:
		bad[0].data_size--;
		break;
	case BAD_NO_DATA:
		bad[0].data = NULL;
		break;
	case BAD_OPS:
		bad[0].ops = &test_exp_ops;
		break;
	case BAD_NO_OPS:
		bad[0].ops = NULL;
		break;
	case BAD_NULL_LIST:
		list = NULL;
		break;
	case BAD_EMPTY:
		nr = 0;
		break;
	case BAD_TOO_LONG:
		nr = DMA_BUF_MAPPING_MAX_ENTRIES + 1;
		break;
	case BAD_NO_MATCH_OP:
		bad[0].type = &test_no_match_op_type;
		break;
	case BAD_ALT_FIRST:
		bad[0].alternative = true;
		break;
	case BAD_ALT_OTHER_TYPE:
		/* Each entry is well formed: only the run is wrong. */
		bad[1].type = &test_bare_type;
		bad[1].alternative = true;
		nr = 2;
		break;
	}

	/* The rule the case is named for refuses it, at the entry it broke. */
	why = dma_buf_mapping_list_fault(list, nr, t->exporter, true, &at);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_STREQ(test, why, t->why);
	KUNIT_EXPECT_EQ(test, at, t->bad);

	if (t->exporter)
		attach = test_attach_native(test, list, nr, good, 1);
	else
		attach = test_attach_native(test, good, 1, list, nr);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->match_calls, 0);
	KUNIT_EXPECT_EQ(test, ctx->attach_calls, 0);
}

/*
 * DMA_BUF_MAPPING_MAX_ENTRIES entries is the longest list, on either side
 * (one more is refused: "too long" above), and its last entry counts: only
 * the last entries of the two lists make a pair here.
 */
static void test_longest_lists(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 0 }, skip = { .ret = -EOPNOTSUPP };
	static const struct test_imp_data id1 = { .id = 1 };
	const size_t last = DMA_BUF_MAPPING_MAX_ENTRIES - 1;
	struct test_ctx *ctx = test->priv;
	struct dma_buf_mapping_match *exp, *imp;
	struct dma_buf_attachment *attach;
	size_t i;

	exp = kunit_kcalloc(test, DMA_BUF_MAPPING_MAX_ENTRIES, sizeof(*exp),
			    GFP_KERNEL);
	imp = kunit_kcalloc(test, DMA_BUF_MAPPING_MAX_ENTRIES, sizeof(*imp),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, exp);
	KUNIT_ASSERT_NOT_NULL(test, imp);
	for (i = 0; i < last; i++) {
		exp[i] = test_exp(&test_type, &skip);
		imp[i] = test_imp(&test_bare_type, &id1);
	}
	exp[last] = test_exp(&test_type, &ok);
	imp[last] = test_imp(&test_type, &id1);

	attach = test_attach_native(test, exp, DMA_BUF_MAPPING_MAX_ENTRIES,
				    imp, DMA_BUF_MAPPING_MAX_ENTRIES);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, last);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->imp_idx, last);
	dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
}

static void test_match_mapping_contract(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &ok) };
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id1) };

	/* Returning 0 without matching is an exporter bug. */
	ctx->skip_match_call = true;
	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);

	/* Only one list per attach is matched: a second call is a bug. */
	ctx->skip_match_call = false;
	ctx->match_twice = true;
	kunit_warning_suppress(test) {
		attach = test_attach_native(test, exp, 1, imp, 1);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, ctx->match_twice_ret, -EINVAL);

	/* Outside an attach there is nothing to match: a bug too. */
	dma_resv_lock(ctx->dmabuf->resv, NULL);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, dma_buf_match_mapping(attach, exp, 1),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	dma_resv_unlock(ctx->dmabuf->resv);
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_type(attach, &test_type));
	dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
}

static void test_private_type_routing(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id7 = { .id = 7 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &ok) };
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id7) };
	const struct test_exp_ops *ops;
	struct sg_table *sgt;
	int out = 0;

	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_type(attach, &test_type));
	/* The exporter's typed ops are reached through the attachment. */
	ops = attach->map.ops;
	KUNIT_EXPECT_EQ(test, ops->map(attach, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 42);
	KUNIT_EXPECT_EQ(test, ctx->test_map_calls, 1);
	/*
	 * An sg_table map of a non-SGT attachment is refused, loudly, and so
	 * is an sg_table unmap: the exporter's sg_table ops are not called.
	 */
	kunit_warning_suppress(test) {
		sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
		dma_buf_unmap_attachment_unlocked(attach, &ctx->sgt,
						  DMA_TO_DEVICE);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->map_calls, 0);
	KUNIT_EXPECT_EQ(test, ctx->unmap_calls, 0);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void test_map_unmap(struct kunit *test, struct dma_buf_attachment *attach)
{
	struct test_ctx *ctx = test->priv;
	struct sg_table *sgt;

	KUNIT_ASSERT_TRUE(test, dma_buf_attachment_is_type(attach,
							   &dma_buf_mapping_sgt));
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, ctx->map_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, ctx->mapped_attach, attach);
	KUNIT_EXPECT_EQ(test, ctx->mapped_dir, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, ctx->resv_held_in_map);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, ctx->unmap_calls, 1);
}

static void test_legacy_exporter_dynamic(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	int prio = 0x5a;

	test_export(test, &test_legacy_ops, NULL);
	attach = dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					&test_importer_p2p, &prio);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	/* As before: peer2peer from the importer, seen by the exporter. */
	KUNIT_EXPECT_TRUE(test, attach->peer2peer);
	KUNIT_EXPECT_TRUE(test, ctx->peer2peer_in_attach);
	KUNIT_EXPECT_PTR_EQ(test, attach->importer_priv, (void *)&prio);
	KUNIT_EXPECT_PTR_EQ(test, attach->importer_ops, &test_importer_p2p);
	KUNIT_EXPECT_PTR_EQ(test, attach->dev, ctx->dev);
	test_map_unmap(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_EXPECT_EQ(test, ctx->detach_calls, 1);
}

static void test_legacy_exporter_static(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	test_export(test, &test_legacy_ops, NULL);
	attach = dma_buf_attach(ctx->dmabuf, ctx->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_FALSE(test, attach->peer2peer);
	KUNIT_EXPECT_NULL(test, attach->importer_ops);
	test_map_unmap(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);

	/* A dynamic importer that refuses P2P keeps peer2peer off. */
	ctx->map_calls = 0;
	ctx->unmap_calls = 0;
	attach = dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					&test_importer_nop2p, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_FALSE(test, attach->peer2peer);
	test_map_unmap(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void test_legacy_importer_native_exporter(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data plain = { };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		dma_buf_sgt_export(&test_sgt_ops, &plain),
	};

	test_export(test, &test_native_ops, NULL);
	ctx->exp = exp;
	ctx->nr_exp = 1;
	attach = dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					&test_importer_p2p, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	/* A plain SGT entry maps host memory: no P2P. */
	KUNIT_EXPECT_FALSE(test, attach->peer2peer);
	KUNIT_EXPECT_PTR_EQ(test, attach->map.ops, (const void *)&test_sgt_ops);
	test_map_unmap(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * An SGT exporter entry gives both sg_table ops: without either, the
 * attach fails, where the same entry with both attaches.
 */
static void test_sgt_entry_without_ops(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data plain = { };
	static const struct dma_buf_sgt_exp_ops map_only = {
		.map_dma_buf = test_map_dma_buf,
	};
	static const struct dma_buf_sgt_exp_ops unmap_only = {
		.unmap_dma_buf = test_unmap_dma_buf,
	};
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		dma_buf_sgt_export(&map_only, &plain),
	};

	test_export(test, &test_native_ops, NULL);
	ctx->exp = exp;
	ctx->nr_exp = 1;
	attach = dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					&test_importer_p2p, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	exp[0] = dma_buf_sgt_export(&unmap_only, &plain);
	attach = dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					&test_importer_p2p, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->attach_calls, 0);

	exp[0] = dma_buf_sgt_export(&test_sgt_ops, &plain);
	attach = dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					&test_importer_p2p, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void test_static_exporter(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data plain = { };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_mapping_match entry = dma_buf_sgt_export(&test_sgt_ops,
								 &plain);
	struct dma_buf_sgt_imp_data sgt = { .dev = ctx->dev };
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&sgt);
	struct dma_buf_attachment *attach;

	test_export(test, &test_static_ops, &entry);
	/* A pinning importer through the new call. */
	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1, NULL,
					NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	test_map_unmap(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void test_export_needs_a_type(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct test_ctx *ctx = test->priv;

	/* No sg_table ops, no match_mapping, no static entry: a driver bug. */
	exp_info.ops = &test_static_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = ctx;
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_export(&exp_info)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}

	/* map_dma_buf without unmap_dma_buf: refused by the pair check. */
	exp_info.ops = &test_map_only_ops;
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_export(&exp_info)), -EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
}

/* A static importer of SGT: dma_buf_map_attachment() pins, as on v7.3.4. */
static void test_static_importer_of_sgt_pins(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data plain = { };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_mapping_match exp[] = {
		dma_buf_sgt_export(&test_sgt_ops, &plain),
	};
	struct dma_buf_attachment *attach;

	test_export(test, &test_native_pin_ops, NULL);
	ctx->exp = exp;
	ctx->nr_exp = 1;
	attach = dma_buf_attach(ctx->dmabuf, ctx->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	test_map_unmap(test, attach);
	KUNIT_EXPECT_EQ(test, ctx->pin_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->unpin_calls, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

static const struct dma_buf_ops *const test_pin_kinds[] = {
	&test_native_ops, &test_native_pin_ops,
};

static void test_pin_kind_desc(const struct dma_buf_ops *const *ops, char *desc)
{
	strscpy(desc, (*ops)->pin ? "exporter with pin" : "exporter without pin",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(test_pin_kind, test_pin_kinds, test_pin_kind_desc);

/*
 * A type whose map does not pin (test_type, PAL, IOV) cannot serve an
 * importer without invalidate_mappings (static or not), whether or not the
 * exporter could pin.
 */
static void test_static_importer_refused(struct kunit *test)
{
	const struct dma_buf_ops *const *ops = test->param_value;
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &ok) };
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id1) };
	struct dma_buf_attachment *attach;

	test_export(test, *ops, NULL);
	ctx->exp = exp;
	ctx->nr_exp = 1;
	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, imp, 1, NULL,
					NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, imp, 1,
					&test_importer_unrevocable, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->match_calls, 0);
	KUNIT_EXPECT_EQ(test, ctx->attach_calls, 0);

	/* The same list from an importer that can be revoked is fine. */
	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);
}

/* A malformed static entry fails the export, not a later attach. */
static void test_export_bad_static_entry(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data plain = { };
	struct dma_buf_mapping_match entry = dma_buf_sgt_export(&test_sgt_ops,
								 &plain);
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	exp_info.ops = &test_static_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = test->priv;
	exp_info.mapping = entry;
	exp_info.mapping.data_size--;
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_export(&exp_info)), -EINVAL);
	exp_info.mapping = entry;
	exp_info.mapping.ops = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_export(&exp_info)), -EINVAL);
	exp_info.mapping = entry;
	exp_info.mapping.alternative = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_export(&exp_info)), -EINVAL);
}

/*
 * A static entry next to match_mapping or map_dma_buf: which offer counts?
 * Neither: refused.
 */
static void test_export_static_entry_and_match_mapping(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data plain = { };
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	exp_info.ops = &test_native_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = test->priv;
	exp_info.mapping = dma_buf_sgt_export(&test_sgt_ops, &plain);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_export(&exp_info)), -EINVAL);
	exp_info.ops = &test_legacy_ops;
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_export(&exp_info)), -EINVAL);

	/* The same entry without match_mapping exports. */
	exp_info.ops = &test_static_ops;
	dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	dma_buf_put(dmabuf);
}

static void test_p2p(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data plain = { };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_sgt_exp_data p2p = {
		/* Never dereferenced: the importer refuses P2P first. */
		.p2p_provider = (struct pci_dev *)ctx,
	};
	struct dma_buf_sgt_imp_data nop2p = { .allow_p2p = false };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_sgt_export(&test_sgt_ops, &p2p),
		dma_buf_sgt_export(&test_sgt_ops, &plain),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&nop2p);
	struct dma_buf_attachment *attach;

	/* P2P refused by the importer: the exporter's plain entry wins. */
	attach = test_attach_native(test, exp, 2, &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 1);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_rejected, 1);
	KUNIT_EXPECT_FALSE(test, attach->peer2peer);
	dma_buf_detach(ctx->dmabuf, attach);

	/* With only the P2P entry, nothing is left. */
	attach = test_attach_native(test, exp, 1, &imp, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
}

static void test_p2p_distance(struct kunit *test)
{
	struct dma_buf_sgt_exp_data e_root = { }, e_far = { }, e_near = { };
	struct dma_buf_sgt_imp_data i_p2p = { .allow_p2p = true };
	struct dma_buf_sgt_imp_data i_nop2p = { .allow_p2p = false };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_sgt_export(&test_sgt_ops, &e_root),
		dma_buf_sgt_export(&test_sgt_ops, &e_far),
		dma_buf_sgt_export(&test_sgt_ops, &e_near),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_p2p);
	struct dma_buf_mapping_match imp_no = dma_buf_sgt_import(&i_nop2p);
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dmabuf_p2p_devs d;
	int near, far;

	dmabuf_get_p2p_devs(test, &d);

	near = pci_p2pdma_distance(d.near, &d.client->dev, false);
	far = pci_p2pdma_distance(d.far, &d.client->dev, false);
	KUNIT_ASSERT_GE(test, near, 0);
	KUNIT_ASSERT_GT(test, far, near);
	KUNIT_ASSERT_LT(test, pci_p2pdma_distance(d.root, &d.client->dev, false), 0);
	e_root.p2p_provider = d.root;
	e_far.p2p_provider = d.far;
	e_near.p2p_provider = d.near;
	i_p2p.dev = &d.client->dev;
	i_nop2p.dev = &d.client->dev;
	/* One buffer behind three providers: alternatives of each other. */
	exp[1].alternative = true;
	exp[2].alternative = true;

	/* P2P accepted: the closer of the two reachable providers wins. */
	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 2);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->cost, near);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_tried, 3);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_rejected, 1);
	test_expect_reject(test, attach, 0, 0, -EOPNOTSUPP);
	KUNIT_EXPECT_TRUE(test, attach->peer2peer);
	KUNIT_EXPECT_PTR_EQ(test, attach->dev, &d.client->dev);
	test_map_unmap(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);

	/* P2P refused by the importer: no entry is left. */
	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), &imp_no, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
}

/* Two providers that are not alternatives: the exporter's order decides. */
static void test_p2p_exporter_order(struct kunit *test)
{
	struct dma_buf_sgt_exp_data e_far = { }, e_near = { };
	struct dma_buf_sgt_imp_data i_p2p = { .allow_p2p = true };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_sgt_export(&test_sgt_ops, &e_far),
		dma_buf_sgt_export(&test_sgt_ops, &e_near),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_p2p);
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dmabuf_p2p_devs d;

	dmabuf_get_p2p_devs(test, &d);

	e_far.p2p_provider = d.far;
	e_near.p2p_provider = d.near;
	i_p2p.dev = &d.client->dev;
	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 0);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->cost,
			pci_p2pdma_distance(d.far, &d.client->dev, false));
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->nr_tried, 1);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * What xe's exporter offers: P2P from its device, then host memory. As on
 * v7.3.4, an importer on another PCI function that accepts P2P and can reach
 * the device gets P2P, whatever the distance; one that refuses P2P or cannot
 * reach the device gets host memory.
 */
static void test_p2p_before_host_memory(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data host = { };
	struct dma_buf_sgt_exp_data p2p = { };
	struct dma_buf_sgt_imp_data i_p2p = { .allow_p2p = true };
	struct dma_buf_sgt_imp_data i_nop2p = { .allow_p2p = false };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_sgt_export(&test_sgt_ops, &p2p),
		dma_buf_sgt_export(&test_sgt_ops, &host),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_p2p);
	struct dma_buf_mapping_match imp_no = dma_buf_sgt_import(&i_nop2p);
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dmabuf_p2p_devs d;

	dmabuf_get_p2p_devs(test, &d);

	/* Distinct functions: the distance is more than 0. */
	KUNIT_ASSERT_GT(test, pci_p2pdma_distance(d.far, &d.client->dev, false), 0);
	p2p.p2p_provider = d.far;
	i_p2p.dev = &d.client->dev;
	i_nop2p.dev = &d.client->dev;

	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 0);
	KUNIT_EXPECT_TRUE(test, attach->peer2peer);
	KUNIT_EXPECT_PTR_EQ(test, attach->dev, &d.client->dev);
	test_map_unmap(test, attach);
	dma_buf_detach(ctx->dmabuf, attach);

	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), &imp_no, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 1);
	KUNIT_EXPECT_FALSE(test, attach->peer2peer);
	dma_buf_detach(ctx->dmabuf, attach);

	/* The host bridge does not allow P2P to the device on the root bus. */
	p2p.p2p_provider = d.root;
	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 1);
	KUNIT_EXPECT_FALSE(test, attach->peer2peer);
	dma_buf_detach(ctx->dmabuf, attach);
}

static int test_pal_map(struct dma_buf_attachment *attach,
			struct dma_buf_pal_req *req)
{
	struct test_ctx *ctx = ctx_of(attach);

	ctx->pal_maps++;
	if (ctx->revoked)
		return -ENODEV;
	return dma_buf_pal_req_set(req, ctx->pal);
}

static void test_pal_unmap(struct dma_buf_attachment *attach)
{
	ctx_of(attach)->pal_unmaps++;
}

KUNIT_DEFINE_ACTION_WRAPPER(test_pal_put, dma_buf_pal_put,
			    struct dma_buf_pal *);

static const struct dma_buf_pal_exp_ops test_pal_ops = {
	.map_pal = test_pal_map,
	.unmap_pal = test_pal_unmap,
};

/*
 * The exporter's list: BAR 0 of the near device of @d, one page, with its
 * provider in @pal.
 */
static void test_pal_of_near_bar(struct kunit *test, struct dmabuf_p2p_devs *d,
				 struct dma_buf_pal_exp_data *pal)
{
	struct test_ctx *ctx = test->priv;
	struct phys_vec vec;

	dmabuf_get_p2p_devs(test, d);
	KUNIT_ASSERT_EQ(test, pcim_p2pdma_init(d->near), 0);
	pal->provider = pcim_p2pdma_provider(d->near, 0);
	pal->provider_pdev = d->near;
	KUNIT_ASSERT_NOT_NULL(test, pal->provider);
	vec.paddr = pci_resource_start(d->near, 0);
	vec.len = pci_resource_len(d->near, 0);
	KUNIT_ASSERT_EQ(test, vec.len, PAGE_SIZE);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(vec.paddr));
	/* test_export() makes dma-bufs of one page. */
	ctx->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, &vec, 1, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pal);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, test_pal_put,
							   ctx->pal));
}

/* A revocable SGT importer that allows P2P gets no conversion of @exp. */
static void test_pal_to_sgt_refused(struct kunit *test,
				    const struct dma_buf_mapping_match *exp,
				    const struct dma_buf_mapping_match *imp)
{
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(attach), -EOPNOTSUPP);
	if (!IS_ERR(attach))
		dma_buf_detach(ctx->dmabuf, attach);
}

/* An SGT importer of a PAL-only exporter: the core builds the sg_table. */
static void test_pal_to_sgt(struct kunit *test)
{
	struct dma_buf_pal_exp_data pal = { .attr = DMA_BUF_PAL_MMIO };
	struct dma_buf_sgt_imp_data i_p2p = { .allow_p2p = true };
	struct dma_buf_sgt_imp_data i_nop2p = { };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_pal_export(&test_pal_ops, &pal),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_p2p);
	struct dma_buf_mapping_match imp_no = dma_buf_sgt_import(&i_nop2p);
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dmabuf_p2p_devs d;
	struct sg_table *sgt;

	test_pal_of_near_bar(test, &d, &pal);
	i_p2p.dev = &d.client->dev;
	i_nop2p.dev = &d.client->dev;

	attach = test_attach_native(test, exp, 1, &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_type(attach,
							   &dma_buf_mapping_sgt));
	KUNIT_EXPECT_NOT_NULL(test, dma_buf_mapping_info_of(attach)->conv);
	KUNIT_EXPECT_TRUE(test, attach->peer2peer);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->cost,
			pci_p2pdma_distance(d.near, &d.client->dev, false));

	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, ctx->pal_maps, 1);
	KUNIT_EXPECT_EQ(test, sgt->nents, 1);
	/* Behind one bridge, P2P uses the BAR's bus address. */
	KUNIT_EXPECT_EQ(test, sg_dma_address(sgt->sgl),
			(dma_addr_t)pci_bus_address(d.near, 0));
	KUNIT_EXPECT_EQ(test, sg_dma_len(sgt->sgl), PAGE_SIZE);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, ctx->pal_unmaps, 1);
	dma_buf_detach(ctx->dmabuf, attach);

	/* No conversion for an importer that refuses P2P. */
	attach = test_attach_native(test, exp, 1, &imp_no, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);

	/*
	 * Nor for one that accepts P2P but cannot give the sg_table back:
	 * PAL's map does not pin.
	 */
	attach = dma_buf_mapping_attach(ctx->dmabuf, ctx->dev, &imp, 1, NULL,
					NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);

	/*
	 * Nor for an exporter that names no P2P provider, or not its device:
	 * there is no P2P route to map the list for.
	 */
	pal.provider = NULL;
	test_pal_to_sgt_refused(test, exp, &imp);
	pal.provider = pcim_p2pdma_provider(d.near, 0);
	pal.provider_pdev = NULL;
	test_pal_to_sgt_refused(test, exp, &imp);
	KUNIT_EXPECT_EQ(test, ctx->pal_maps, 1);
}

/*
 * An SGT importer that detaches with sg_tables of the conversion still
 * mapped (an importer bug, warned about): the core frees them and gives the
 * exporter its lists back before the exporter's detach, so that a
 * revocation does not wait for them forever. An unmap of an sg_table the
 * attachment does not hold is refused.
 */
static void test_pal_to_sgt_detach_with_sgt_out(struct kunit *test)
{
	struct dma_buf_pal_exp_data pal = { .attr = DMA_BUF_PAL_MMIO };
	struct dma_buf_sgt_imp_data i_p2p = { .allow_p2p = true };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_pal_export(&test_pal_ops, &pal),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_p2p);
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt[2], bogus = { };
	struct dmabuf_p2p_devs d;

	test_pal_of_near_bar(test, &d, &pal);
	i_p2p.dev = &d.client->dev;
	attach = test_attach_native(test, exp, 1, &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_ASSERT_NOT_NULL(test, dma_buf_mapping_info_of(attach)->conv);

	sgt[0] = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt[0]);
	sgt[1] = dma_buf_map_attachment_unlocked(attach, DMA_FROM_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt[1]);
	KUNIT_EXPECT_EQ(test, ctx->pal_maps, 2);

	/*
	 * With CONFIG_DMABUF_DEBUG the core unwraps the importer's sg_table
	 * before the conversion sees it, which only a mapped one survives.
	 */
	if (!IS_ENABLED(CONFIG_DMABUF_DEBUG)) {
		dma_buf_unmap_attachment_unlocked(attach, &bogus, DMA_TO_DEVICE);
		KUNIT_EXPECT_EQ(test, ctx->pal_unmaps, 0);
		KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 2);
	}

	kunit_warning_suppress(test) {
		dma_buf_detach(ctx->dmabuf, attach);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, ctx->pal_unmaps, 2);
}

/*
 * What vfio-pci's own SGT entry did before vfio-pci offered PAL only: an
 * sg_table of its list for P2P from its BAR's provider, built by
 * dma_buf_phys_vec_to_sgt(), and -ENODEV once the memory is revoked.
 */
static struct sg_table *test_own_sgt_map(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct test_ctx *ctx = ctx_of(attach);

	if (ctx->revoked)
		return ERR_PTR(-ENODEV);
	return dma_buf_phys_vec_to_sgt(attach, ctx->provider, ctx->pal->vec,
				       ctx->pal->nr, attach->dmabuf->size, dir);
}

static void test_own_sgt_unmap(struct dma_buf_attachment *attach,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	dma_buf_free_sgt(attach, sgt, dir);
}

static const struct dma_buf_sgt_exp_ops test_own_sgt_ops = {
	.map_dma_buf = test_own_sgt_map,
	.unmap_dma_buf = test_own_sgt_unmap,
};

/* What an SGT importer got from an exporter entry, from attach to map. */
struct test_sgt_outcome {
	int attach_err;
	bool p2p;
	int cost;
	int map_err;
	unsigned int nents;
	dma_addr_t addr;
	unsigned int len;
};

static void test_sgt_outcome(struct kunit *test,
			     const struct dma_buf_mapping_match *exp,
			     const struct dma_buf_mapping_match *imp,
			     struct test_sgt_outcome *o)
{
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;

	memset(o, 0, sizeof(*o));
	attach = test_attach_native(test, exp, 1, imp, 1);
	if (IS_ERR(attach)) {
		o->attach_err = PTR_ERR(attach);
		return;
	}
	o->p2p = attach->peer2peer;
	o->cost = dma_buf_mapping_info_of(attach)->cost;
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		o->map_err = PTR_ERR(sgt);
	} else {
		o->nents = sgt->nents;
		o->addr = sg_dma_address(sgt->sgl);
		o->len = sg_dma_len(sgt->sgl);
		dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	}
	dma_buf_detach(ctx->dmabuf, attach);
}

static void test_expect_same_outcome(struct kunit *test,
				     const struct test_sgt_outcome *own,
				     const struct test_sgt_outcome *pal,
				     const char *what)
{
	KUNIT_EXPECT_EQ_MSG(test, pal->attach_err, own->attach_err, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, pal->p2p, own->p2p, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, pal->cost, own->cost, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, pal->map_err, own->map_err, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, pal->nents, own->nents, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, pal->addr, own->addr, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, pal->len, own->len, "%s", what);
}

/*
 * vfio-pci offers PAL only, with its BAR's provider, and SGT importers get
 * the core's conversion instead of vfio-pci's own SGT entry. Side by side,
 * for the memory of a device near the importer, of one behind another
 * switch and of one on the root bus (no P2P through the host bridge), for
 * an importer that accepts P2P and one that does not, with the memory
 * there and revoked before the map: the attach, its P2P flag and cost,
 * the map's error and the sg_table are the same both ways.
 */
static void test_pal_sgt_as_own_sgt(struct kunit *test)
{
	struct dma_buf_pal_exp_data pal = { .attr = DMA_BUF_PAL_MMIO };
	struct dma_buf_sgt_exp_data own = { };
	struct dma_buf_sgt_imp_data i_data[] = {
		{ .allow_p2p = true }, { .allow_p2p = false },
	};
	struct dma_buf_mapping_match e_own = dma_buf_sgt_export(&test_own_sgt_ops, &own);
	struct dma_buf_mapping_match e_pal = dma_buf_pal_export(&test_pal_ops, &pal);
	struct test_ctx *ctx = test->priv;
	struct test_sgt_outcome o_own, o_pal;
	struct dmabuf_p2p_devs d;
	char what[48];
	struct pci_dev *mem[3];
	unsigned int m, i, revoked, mapped = 0;

	dmabuf_get_p2p_devs(test, &d);
	mem[0] = d.near;
	mem[1] = d.far;
	mem[2] = d.root;
	for (i = 0; i < ARRAY_SIZE(i_data); i++)
		i_data[i].dev = &d.client->dev;

	for (m = 0; m < ARRAY_SIZE(mem); m++) {
		struct phys_vec vec = {
			.paddr = pci_resource_start(mem[m], 0),
			.len = pci_resource_len(mem[m], 0),
		};

		KUNIT_ASSERT_EQ(test, pcim_p2pdma_init(mem[m]), 0);
		ctx->provider = pcim_p2pdma_provider(mem[m], 0);
		KUNIT_ASSERT_NOT_NULL(test, ctx->provider);
		pal.provider = ctx->provider;
		pal.provider_pdev = mem[m];
		own.p2p_provider = mem[m];
		/* test_export() makes dma-bufs of one page. */
		KUNIT_ASSERT_EQ(test, vec.len, PAGE_SIZE);
		ctx->pal = dma_buf_pal_create(DMA_BUF_PAL_MMIO, &vec, 1, PAGE_SIZE);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pal);
		KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, test_pal_put,
								   ctx->pal));

		for (i = 0; i < ARRAY_SIZE(i_data); i++) {
			struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_data[i]);

			for (revoked = 0; revoked < 2; revoked++) {
				ctx->revoked = revoked;
				test_sgt_outcome(test, &e_own, &imp, &o_own);
				test_sgt_outcome(test, &e_pal, &imp, &o_pal);
				snprintf(what, sizeof(what),
					 "memory %u importer %u revoked %u",
					 m, i, revoked);
				test_expect_same_outcome(test, &o_own, &o_pal, what);
				if (!o_own.attach_err && !o_own.map_err)
					mapped++;
			}
		}
		ctx->revoked = false;
	}
	/* Not the same because both failed: P2P to the near and far devices. */
	KUNIT_EXPECT_EQ(test, mapped, 2);
	/*
	 * The conversion asked for the list at each of those maps and at the
	 * two made after the revocation, and gave back the two it got.
	 */
	KUNIT_EXPECT_EQ(test, ctx->pal_maps, 4);
	KUNIT_EXPECT_EQ(test, ctx->pal_unmaps, 2);
}

/*
 * The exporter's own SGT entry, later in its list than a PAL entry that the
 * core could convert for the same provider, is the one used: a conversion
 * only serves when no native pair matches.
 */
static void test_native_beats_conversion(struct kunit *test)
{
	struct dma_buf_pal_exp_data pal = { .attr = DMA_BUF_PAL_MMIO };
	struct dma_buf_sgt_exp_data sgt = { };
	struct dma_buf_sgt_imp_data i_p2p = { .allow_p2p = true };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_pal_export(&test_pal_ops, &pal),
		dma_buf_sgt_export(&test_sgt_ops, &sgt),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_p2p);
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dmabuf_p2p_devs d;

	dmabuf_get_p2p_devs(test, &d);

	KUNIT_ASSERT_EQ(test, pcim_p2pdma_init(d.near), 0);
	pal.provider = pcim_p2pdma_provider(d.near, 0);
	pal.provider_pdev = d.near;
	KUNIT_ASSERT_NOT_NULL(test, pal.provider);
	sgt.p2p_provider = d.near;
	i_p2p.dev = &d.client->dev;

	attach = test_attach_native(test, exp, ARRAY_SIZE(exp), &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_NULL(test, dma_buf_mapping_info_of(attach)->conv);
	KUNIT_EXPECT_EQ(test, dma_buf_mapping_info_of(attach)->exp_idx, 1);
	KUNIT_EXPECT_PTR_EQ(test, attach->map.ops, (const void *)&test_sgt_ops);
	test_map_unmap(test, attach);
	KUNIT_EXPECT_EQ(test, ctx->pal_maps, 0);
	dma_buf_detach(ctx->dmabuf, attach);

	/* Without the exporter's SGT entry, the conversion serves. */
	attach = test_attach_native(test, exp, 1, &imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_NOT_NULL(test, dma_buf_mapping_info_of(attach)->conv);
	dma_buf_detach(ctx->dmabuf, attach);
}

static void test_failure_after_match(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &ok) };
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id1) };

	ctx->attach_ret = -ENOSPC;
	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -ENOSPC);
	KUNIT_EXPECT_EQ(test, ctx->finish_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->release_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
	KUNIT_EXPECT_EQ(test, ctx->detach_calls, 0);

	/* The exporter's match_mapping fails after its match succeeded. */
	ctx->attach_ret = 0;
	ctx->match_mapping_ret = -EBUSY;
	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EBUSY);
	KUNIT_EXPECT_EQ(test, ctx->finish_calls, 2);
	KUNIT_EXPECT_EQ(test, ctx->release_calls, 2);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
	KUNIT_EXPECT_EQ(test, ctx->attach_calls, 1);
}

#ifdef CONFIG_MODULE_UNLOAD
/*
 * A type defined by a module: a struct module stands for it (the suite is
 * built in), live and with the count the module loader gives a loaded
 * module (MODULE_REF_BASE, 1). Unloading refuses a module whose count is
 * above that.
 */
static struct module test_type_module = { .name = "dmabuf_test_type" };

static const struct dma_buf_mapping_type test_module_type = {
	.name = "module",
	.exp_data_size = sizeof(struct test_exp_data),
	.imp_data_size = sizeof(struct test_imp_data),
	.match = test_type_match,
	.finish = test_type_finish,
	.release = test_type_release,
	.owner = &test_type_module,
};
#endif

/* The core holds the module of a type from the match to the release. */
static void test_type_module_held(struct kunit *test)
{
#ifdef CONFIG_MODULE_UNLOAD
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *a, *b;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_module_type, &ok) };
	struct dma_buf_mapping_match imp[] = { test_imp(&test_module_type, &id1) };

	test_type_module.state = MODULE_STATE_LIVE;
	atomic_set(&test_type_module.refcnt, 1);

	a = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_EXPECT_EQ(test, module_refcount(&test_type_module), 1);
	b = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_EQ(test, module_refcount(&test_type_module), 2);

	/* An attach that fails after the match gives its reference back. */
	ctx->attach_ret = -ENOSPC;
	KUNIT_EXPECT_EQ(test, PTR_ERR(test_attach_native(test, exp, 1, imp, 1)),
			-ENOSPC);
	ctx->attach_ret = 0;
	KUNIT_EXPECT_EQ(test, module_refcount(&test_type_module), 2);

	dma_buf_detach(ctx->dmabuf, a);
	KUNIT_EXPECT_EQ(test, module_refcount(&test_type_module), 1);
	dma_buf_detach(ctx->dmabuf, b);
	KUNIT_EXPECT_EQ(test, module_refcount(&test_type_module), 0);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);

	/* A module on its way out is not picked up again. */
	test_type_module.state = MODULE_STATE_GOING;
	KUNIT_EXPECT_EQ(test, PTR_ERR(test_attach_native(test, exp, 1, imp, 1)),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, module_refcount(&test_type_module), 0);
	KUNIT_EXPECT_EQ(test, ctx->finish_calls, 3);
	KUNIT_EXPECT_EQ(test, ctx->live, 0);
#else
	kunit_skip(test, "no CONFIG_MODULE_UNLOAD: modules are never unloaded");
#endif
}

static void test_lock_rules(struct kunit *test)
{
	static const struct test_exp_data ok = { .ret = 0 };
	static const struct test_imp_data id1 = { .id = 1 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = { test_exp(&test_type, &ok) };
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id1) };

	attach = test_attach_native(test, exp, 1, imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, ctx->resv_held_in_match_mapping);
	KUNIT_EXPECT_TRUE(test, ctx->resv_held_in_type_match);
	KUNIT_EXPECT_FALSE(test, ctx->resv_held_in_attach);
	dma_buf_detach(ctx->dmabuf, attach);
	/* lockdep saw nothing wrong in any test so far. */
	if (IS_ENABLED(CONFIG_PROVE_LOCKING))
		KUNIT_EXPECT_TRUE(test, debug_locks);
}

static void test_debugfs_text(struct kunit *test)
{
	static const struct test_exp_data skip = { .ret = -EOPNOTSUPP },
					  ok = { .ret = 4 };
	static const struct test_imp_data id9 = { .id = 9 };
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping_match exp[] = {
		test_exp(&test_type, &skip),
		test_exp(&test_type, &ok),
	};
	struct dma_buf_mapping_match imp[] = { test_imp(&test_type, &id9) };
	struct seq_file s = { };
	char *buf, want[192];

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "the refused pairs are kept with CONFIG_DEBUG_FS");
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s.buf = buf;
	s.size = PAGE_SIZE;

	attach = test_attach_native(test, exp, 2, imp, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_buf_mapping_describe(&s, attach);
	kunit_info(test, "bufinfo text of the attachment:\n%s", buf);
	/*
	 * %pe prints the error's name with CONFIG_SYMBOLIC_ERRNAME
	 * (-EOPNOTSUPP) and its number without (-95).
	 */
	snprintf(want, sizeof(want),
		 "\t\tmapping: test (id 9) exp[1] imp[0] cost 4, dynamic importer dma-buf-mapping-test\n"
		 "\t\tcandidates: 2 tried, 1 rejected: exp[0]/imp[0] %pe\n",
		 ERR_PTR(-EOPNOTSUPP));
	KUNIT_EXPECT_STREQ(test, buf, want);
	dma_buf_detach(ctx->dmabuf, attach);
}

/*
 * Every allocation of an SGT importer's attach, map, unmap and detach of a
 * PAL-only exporter's memory (the core's conversion) failed once, one per
 * round: the attach or map that made it returns -ENOMEM and leaves the
 * state as it was (no attachment, no list out, nothing mapped); after a
 * failed map the same attachment maps; the last round fails nothing.
 */
static void test_fail_nth_pal_to_sgt(struct kunit *test)
{
	struct dma_buf_pal_exp_data pal = { .attr = DMA_BUF_PAL_MMIO };
	struct dma_buf_sgt_imp_data i_p2p = { .allow_p2p = true };
	struct dma_buf_mapping_match exp[] = {
		dma_buf_pal_export(&test_pal_ops, &pal),
	};
	struct dma_buf_mapping_match imp = dma_buf_sgt_import(&i_p2p);
	struct test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	struct dmabuf_fail_nth *f;
	struct dmabuf_p2p_devs d;
	struct sg_table *sgt;

	f = dmabuf_fail_nth_start(test);
	test_pal_of_near_bar(test, &d, &pal);
	i_p2p.dev = &d.client->dev;
	test_export(test, &test_native_ops, NULL);
	for (;;) {
		dmabuf_fail_nth_arm(f);
		attach = test_attach_native(test, exp, 1, &imp, 1);
		if (IS_ERR(attach)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(attach)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -ENOMEM);
			KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
			KUNIT_EXPECT_EQ(test, ctx->pal_maps, ctx->pal_unmaps);
			dmabuf_fail_nth_next(f);
			continue;
		}
		sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt)) {
			KUNIT_ASSERT_TRUE(test, dmabuf_fail_nth_disarm(f, PTR_ERR(sgt)));
			KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -ENOMEM);
			KUNIT_EXPECT_EQ(test, attach->map.nr_mapped, 0);
			KUNIT_EXPECT_EQ(test, ctx->pal_maps, ctx->pal_unmaps);
			KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
			sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
		}
		dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
		dma_buf_detach(ctx->dmabuf, attach);
		if (f->armed && !dmabuf_fail_nth_disarm(f, 0) &&
		    dmabuf_fail_nth_done(f))
			break;
		KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
		KUNIT_EXPECT_EQ(test, ctx->pal_maps, ctx->pal_unmaps);
		KUNIT_EXPECT_EQ(test, refcount_read(&ctx->pal->ref), 1);
		dmabuf_fail_nth_next(f);
	}
	KUNIT_EXPECT_EQ(test, ctx->pal_maps, ctx->pal_unmaps);
	KUNIT_EXPECT_GT(test, f->refused, 0);
	dmabuf_fail_nth_report(f, "PAL to SGT attach, map, unmap, detach");
}

/*
 * Every allocation of an export that declares its mapping type in
 * exp_info (the core keeps a copy) failed once: dma_buf_export() returns
 * -ENOMEM or, where an allocation has a fallback, a dma-buf; the last round
 * fails nothing.
 */
static void test_fail_nth_export(struct kunit *test)
{
	static const struct dma_buf_sgt_exp_data host = { };
	const struct dma_buf_mapping_match m = dma_buf_sgt_export(&test_sgt_ops, &host);
	struct test_ctx *ctx = test->priv;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dmabuf_fail_nth *f;
	struct dma_buf *dmabuf;
	bool hit;

	exp_info.ops = &test_static_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = ctx;
	exp_info.mapping = m;
	f = dmabuf_fail_nth_start(test);
	for (;;) {
		dmabuf_fail_nth_arm(f);
		dmabuf = dma_buf_export(&exp_info);
		hit = dmabuf_fail_nth_disarm(f, PTR_ERR_OR_ZERO(dmabuf));
		if (IS_ERR(dmabuf)) {
			KUNIT_ASSERT_TRUE(test, hit);
			KUNIT_EXPECT_EQ(test, PTR_ERR(dmabuf), -ENOMEM);
		} else {
			dma_buf_put(dmabuf);
		}
		if (!hit && dmabuf_fail_nth_done(f))
			break;
		dmabuf_fail_nth_next(f);
	}
	KUNIT_EXPECT_GT(test, f->refused, 0);
	dmabuf_fail_nth_report(f, "export with a mapping entry");
}

static struct kunit_case dma_buf_mapping_cases[] = {
	KUNIT_CASE(test_exporter_priority),
	KUNIT_CASE(test_importer_order),
	KUNIT_CASE(test_order_beats_cost),
	KUNIT_CASE(test_cost_among_exporter_alternatives),
	KUNIT_CASE(test_cost_among_importer_alternatives),
	KUNIT_CASE(test_type_order_beats_cost),
	KUNIT_CASE(test_runs_walked_in_order),
	KUNIT_CASE(test_skip_and_abort),
	KUNIT_CASE(test_no_match),
	KUNIT_CASE_PARAM(test_malformed_list, test_bad_list_gen_params),
	KUNIT_CASE(test_longest_lists),
	KUNIT_CASE(test_match_mapping_contract),
	KUNIT_CASE(test_private_type_routing),
	KUNIT_CASE(test_legacy_exporter_dynamic),
	KUNIT_CASE(test_legacy_exporter_static),
	KUNIT_CASE(test_legacy_importer_native_exporter),
	KUNIT_CASE(test_sgt_entry_without_ops),
	KUNIT_CASE(test_static_exporter),
	KUNIT_CASE(test_static_importer_of_sgt_pins),
	KUNIT_CASE_PARAM(test_static_importer_refused, test_pin_kind_gen_params),
	KUNIT_CASE(test_export_needs_a_type),
	KUNIT_CASE(test_export_bad_static_entry),
	KUNIT_CASE(test_export_static_entry_and_match_mapping),
	KUNIT_CASE(test_p2p),
	KUNIT_CASE(test_p2p_distance),
	KUNIT_CASE(test_p2p_exporter_order),
	KUNIT_CASE(test_p2p_before_host_memory),
	KUNIT_CASE(test_pal_to_sgt),
	KUNIT_CASE(test_pal_to_sgt_detach_with_sgt_out),
	KUNIT_CASE(test_pal_sgt_as_own_sgt),
	KUNIT_CASE(test_native_beats_conversion),
	KUNIT_CASE(test_failure_after_match),
	KUNIT_CASE(test_type_module_held),
	KUNIT_CASE(test_debugfs_text),
	KUNIT_CASE(test_lock_rules),
	KUNIT_CASE(test_fail_nth_pal_to_sgt),
	KUNIT_CASE(test_fail_nth_export),
	{}
};

static struct kunit_suite dma_buf_mapping_suite = {
	.name = "dma-buf-mapping-type",
	.init = test_init,
	.exit = test_exit,
	.test_cases = dma_buf_mapping_cases,
};

kunit_test_suite(dma_buf_mapping_suite);
