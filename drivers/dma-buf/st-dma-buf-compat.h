/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cases of the dma-buf-compat suite: what dma_buf_attach(),
 * dma_buf_dynamic_attach(), map, unmap and detach guarantee to exporters and
 * importers that only know the sg_table interface. They use nothing but
 * that interface, so that they build, unchanged, on a kernel without
 * mapping types: passing on both is what "no change of behaviour" means.
 * A cell reads what it expects of the exporter under test from struct
 * compat_ctx, which compat_ctx_init() fills for the exporters here.
 */
#ifndef __ST_DMA_BUF_COMPAT_H__
#define __ST_DMA_BUF_COMPAT_H__

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/build_bug.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

/* The kinds of exporter, as drivers wrote them before mapping types. */
enum compat_exporter {
	EXP_PLAIN,		/* map and unmap only */
	EXP_ATTACH,		/* with attach and detach */
	EXP_PIN,		/* with attach, detach, pin and unpin */
	EXP_NEEDS_P2P,		/* refuses importers that do not accept P2P */
	EXP_DROPS_P2P,		/* clears peer2peer: it cannot reach them */
};

/* The kinds of importer. */
enum compat_importer {
	IMP_STATIC,		/* dma_buf_attach() */
	IMP_DYNAMIC,		/* dma_buf_dynamic_attach(), no P2P */
	IMP_DYNAMIC_P2P,	/* dma_buf_dynamic_attach(), P2P accepted */
};

static const char *const compat_exp_names[] = {
	"plain", "attach", "pin", "needs-p2p", "drops-p2p",
};

static const char *const compat_imp_names[] = {
	"static", "dynamic", "dynamic-p2p",
};

struct compat_ctx {
	struct kunit *test;
	struct device *dev;
	struct dma_buf *dmabuf;
	enum compat_exporter kind;
	struct sg_table sgt;
	int map_err;
	int attach_calls;
	int detach_calls;
	int map_calls;
	int unmap_calls;
	int pin_calls;
	int unpin_calls;
	bool peer2peer_in_attach;
	bool pinned_in_map;
	struct dma_buf_attachment *mapped_attach;
	enum dma_data_direction mapped_dir;
	/*
	 * The exporter under test: how a case exports a buffer of one of the
	 * kinds above, the DMA address of the one entry of the sg_table an
	 * importer gets, how often the exporter's attach runs for an importer
	 * that is refused, and whether its map is told the direction.
	 */
	void (*export)(struct kunit *test, enum compat_exporter kind);
	dma_addr_t sgt_addr;
	int refused_attach_calls;
	bool map_sees_dir;
};

static struct compat_ctx *compat_ctx_of(struct dma_buf *dmabuf)
{
	return dmabuf->priv;
}

static int compat_attach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attach)
{
	struct compat_ctx *ctx = compat_ctx_of(dmabuf);

	ctx->attach_calls++;
	ctx->peer2peer_in_attach = attach->peer2peer;
	if (ctx->kind == EXP_NEEDS_P2P && !attach->peer2peer)
		return -EOPNOTSUPP;
	if (ctx->kind == EXP_DROPS_P2P)
		attach->peer2peer = false;
	return 0;
}

static void compat_detach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attach)
{
	compat_ctx_of(dmabuf)->detach_calls++;
}

static int compat_pin(struct dma_buf_attachment *attach)
{
	compat_ctx_of(attach->dmabuf)->pin_calls++;
	return 0;
}

static void compat_unpin(struct dma_buf_attachment *attach)
{
	compat_ctx_of(attach->dmabuf)->unpin_calls++;
}

static struct sg_table *compat_map(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	struct compat_ctx *ctx = compat_ctx_of(attach->dmabuf);

	ctx->map_calls++;
	ctx->mapped_attach = attach;
	ctx->mapped_dir = dir;
	ctx->pinned_in_map = ctx->pin_calls > ctx->unpin_calls;
	if (ctx->map_err)
		return ERR_PTR(ctx->map_err);
	return &ctx->sgt;
}

static void compat_unmap(struct dma_buf_attachment *attach,
			 struct sg_table *sgt, enum dma_data_direction dir)
{
	struct compat_ctx *ctx = compat_ctx_of(attach->dmabuf);

	KUNIT_EXPECT_PTR_EQ(ctx->test, sgt, &ctx->sgt);
	KUNIT_EXPECT_EQ(ctx->test, dir, ctx->mapped_dir);
	ctx->unmap_calls++;
}

static void compat_release(struct dma_buf *dmabuf)
{
}

static const struct dma_buf_ops compat_plain_ops = {
	.map_dma_buf = compat_map,
	.unmap_dma_buf = compat_unmap,
	.release = compat_release,
};

static const struct dma_buf_ops compat_attach_ops = {
	.attach = compat_attach,
	.detach = compat_detach,
	.map_dma_buf = compat_map,
	.unmap_dma_buf = compat_unmap,
	.release = compat_release,
};

static const struct dma_buf_ops compat_pin_ops = {
	.attach = compat_attach,
	.detach = compat_detach,
	.pin = compat_pin,
	.unpin = compat_unpin,
	.map_dma_buf = compat_map,
	.unmap_dma_buf = compat_unmap,
	.release = compat_release,
};

static void compat_move_notify(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops compat_importer = {
	.allow_peer2peer = false,
	.invalidate_mappings = compat_move_notify,
};

static const struct dma_buf_attach_ops compat_importer_p2p = {
	.allow_peer2peer = true,
	.invalidate_mappings = compat_move_notify,
};

static void compat_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

/* Export a buffer of one page of @kind with @ops, put when the case ends. */
static void compat_export_ops(struct kunit *test, enum compat_exporter kind,
			      const struct dma_buf_ops *ops)
{
	struct compat_ctx *ctx = test->priv;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	ctx->kind = kind;
	exp_info.ops = ops;
	exp_info.size = PAGE_SIZE;
	exp_info.priv = ctx;
	ctx->dmabuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dmabuf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, compat_put, ctx->dmabuf));
}

static void compat_export(struct kunit *test, enum compat_exporter kind)
{
	static const struct dma_buf_ops *const ops[] = {
		[EXP_PLAIN] = &compat_plain_ops,
		[EXP_ATTACH] = &compat_attach_ops,
		[EXP_PIN] = &compat_pin_ops,
		[EXP_NEEDS_P2P] = &compat_attach_ops,
		[EXP_DROPS_P2P] = &compat_attach_ops,
	};

	compat_export_ops(test, kind, ops[kind]);
}

/* Set up @ctx for the exporters here, as the case's context. */
static void compat_ctx_init(struct kunit *test, struct compat_ctx *ctx)
{
	ctx->test = test;
	ctx->dev = kunit_device_register(test, "dma-buf-compat");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(&ctx->sgt, 1, GFP_KERNEL));
	sg_dma_address(ctx->sgt.sgl) = 0x12340000;
	sg_dma_len(ctx->sgt.sgl) = PAGE_SIZE;
	ctx->export = compat_export;
	ctx->sgt_addr = sg_dma_address(ctx->sgt.sgl);
	/* The kinds here refuse in their attach. */
	ctx->refused_attach_calls = 1;
	ctx->map_sees_dir = true;
	test->priv = ctx;
}

static void compat_exit(struct kunit *test)
{
	struct compat_ctx *ctx = test->priv;

	sg_free_table(&ctx->sgt);
}

static struct dma_buf_attachment *compat_attach_as(struct kunit *test,
						   enum compat_importer imp,
						   void *priv)
{
	struct compat_ctx *ctx = test->priv;

	switch (imp) {
	case IMP_STATIC:
		return dma_buf_attach(ctx->dmabuf, ctx->dev);
	case IMP_DYNAMIC:
		return dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					      &compat_importer, priv);
	default:
		return dma_buf_dynamic_attach(ctx->dmabuf, ctx->dev,
					      &compat_importer_p2p, priv);
	}
}

/*
 * A kernel fence on the buffer. For a static importer a worker signals it a
 * while after the map started, so that the map has to wait for it.
 */
struct compat_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's lock */
	struct delayed_work work;
};

static const char *compat_fence_name(struct dma_fence *f)
{
	return "dma-buf-compat";
}

static const struct dma_fence_ops compat_fence_ops = {
	.get_driver_name = compat_fence_name,
	.get_timeline_name = compat_fence_name,
};

static void compat_fence_work(struct work_struct *work)
{
	struct compat_fence *f = container_of(to_delayed_work(work),
					      struct compat_fence, work);

	dma_fence_signal(&f->base);
}

/* Signal now if the worker has not yet, and drop our reference. */
static void compat_fence_done(void *data)
{
	struct compat_fence *f = data;

	cancel_delayed_work_sync(&f->work);
	dma_fence_signal(&f->base);
	dma_fence_put(&f->base);
}

/*
 * Add a kernel fence to the buffer, which a worker signals @ms milliseconds
 * later. Whatever happens to the case, compat_fence_done() runs before it
 * ends.
 */
static struct compat_fence *compat_add_fence(struct kunit *test,
					     unsigned int ms)
{
	struct compat_ctx *ctx = test->priv;
	struct compat_fence *f;
	int ret;

	/* Freed by the fence's last put (dma_fence_free()), not by KUnit. */
	BUILD_BUG_ON(offsetof(struct compat_fence, base) != 0);
	f = kzalloc_obj(*f);
	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &compat_fence_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);
	INIT_DELAYED_WORK(&f->work, compat_fence_work);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, compat_fence_done, f));

	dma_resv_lock(ctx->dmabuf->resv, NULL);
	ret = dma_resv_reserve_fences(ctx->dmabuf->resv, 1);
	if (!ret)
		dma_resv_add_fence(ctx->dmabuf->resv, &f->base,
				   DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(ctx->dmabuf->resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	schedule_delayed_work(&f->work, msecs_to_jiffies(ms));
	return f;
}

struct compat_cell {
	enum compat_exporter exp;
	enum compat_importer imp;
};

static void compat_cell_desc(const struct compat_cell *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "exporter %s, importer %s",
		 compat_exp_names[c->exp], compat_imp_names[c->imp]);
}

/*
 * One cell of exporter kind x importer kind: what the attachment looks
 * like, what the exporter saw, and what map, unmap and detach do.
 */
static void compat_test_cell(struct kunit *test)
{
	const struct compat_cell *c = test->param_value;
	struct compat_ctx *ctx = test->priv;
	bool has_attach = c->exp != EXP_PLAIN;
	bool dynamic = c->imp != IMP_STATIC;
	bool want_p2p = c->imp == IMP_DYNAMIC_P2P;
	bool pins = c->exp == EXP_PIN && !dynamic;
	struct dma_buf_attachment *attach;
	struct compat_fence *fence;
	struct sg_table *sgt;
	int priv = 0x5a;

	ctx->export(test, c->exp);
	attach = compat_attach_as(test, c->imp, &priv);
	if (c->exp == EXP_NEEDS_P2P && !want_p2p) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, ctx->attach_calls,
				ctx->refused_attach_calls);
		KUNIT_EXPECT_EQ(test, ctx->detach_calls, 0);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, ctx->attach_calls, has_attach ? 1 : 0);

	/* The attachment, as the importer and the exporter see it. */
	KUNIT_EXPECT_PTR_EQ(test, attach->dev, ctx->dev);
	KUNIT_EXPECT_PTR_EQ(test, attach->dmabuf, ctx->dmabuf);
	KUNIT_EXPECT_EQ(test, !!attach->importer_ops, dynamic);
	KUNIT_EXPECT_PTR_EQ(test, attach->importer_priv,
			    dynamic ? (void *)&priv : NULL);
	if (has_attach)
		KUNIT_EXPECT_EQ(test, ctx->peer2peer_in_attach, want_p2p);
	KUNIT_EXPECT_EQ(test, attach->peer2peer,
			want_p2p && c->exp != EXP_DROPS_P2P);

	/*
	 * Map: pinned for a static importer of a pinning exporter. Only a
	 * static importer's map waits for the kernel fence, which a worker
	 * signals soon; a dynamic importer's fence is signalled much later,
	 * so that a map that waited anyway fails the case without hanging it.
	 */
	fence = compat_add_fence(test, dynamic ? 5000 : 100);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, ctx->map_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, ctx->mapped_attach, attach);
	if (ctx->map_sees_dir)
		KUNIT_EXPECT_EQ(test, ctx->mapped_dir, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, sgt->nents, 1);
	KUNIT_EXPECT_EQ(test, sg_dma_address(sgt->sgl), ctx->sgt_addr);
	KUNIT_EXPECT_EQ(test, sg_dma_len(sgt->sgl), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ctx->pin_calls, pins ? 1 : 0);
	KUNIT_EXPECT_EQ(test, ctx->pinned_in_map, pins);
	KUNIT_EXPECT_EQ(test, dma_fence_is_signaled(&fence->base), !dynamic);
	dma_fence_signal(&fence->base);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, ctx->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->unpin_calls, pins ? 1 : 0);

	dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_EXPECT_EQ(test, ctx->detach_calls, has_attach ? 1 : 0);
}

/* A refused attach leaves nothing behind. */
static void compat_test_attach_error(struct kunit *test)
{
	struct compat_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;

	ctx->export(test, EXP_NEEDS_P2P);
	attach = compat_attach_as(test, IMP_DYNAMIC, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
	/* The buffer has no attachment left: a P2P importer attaches. */
	attach = compat_attach_as(test, IMP_DYNAMIC_P2P, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&ctx->dmabuf->attachments));
	dma_buf_detach(ctx->dmabuf, attach);
	KUNIT_EXPECT_TRUE(test, list_empty(&ctx->dmabuf->attachments));
	/* Printed for the record: what every attachment and buffer cost. */
	kunit_info(test, "sizeof(struct dma_buf_attachment) = %zu\n",
		   sizeof(struct dma_buf_attachment));
	kunit_info(test, "sizeof(struct dma_buf) = %zu\n",
		   sizeof(struct dma_buf));
}

#endif
