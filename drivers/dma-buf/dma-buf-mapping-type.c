// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA-buf mapping types: the core matcher.
 *
 * The importer and the exporter each give an ordered list of the mapping
 * types they support; this file picks the pair that the attachment will use.
 */

#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/export.h>
#include <linux/seq_file.h>

#include "dma-buf-internal.h"

/**
 * DOC: mapping types
 *
 * A mapping type is one way for an importer to address an exporter's memory:
 * an sg_table of DMA addresses for one device (the SGT type,
 * &dma_buf_mapping_sgt), a list of physical addresses, ranges on a private
 * link between two cooperating drivers, and so on. Each type is a
 * &struct dma_buf_mapping_type, a singleton identified by its address, with
 * its own match data and its own typed map and unmap functions: nothing is
 * passed through an untyped "map" call.
 *
 * At attach time the importer gives an ordered list of the types it accepts
 * (dma_buf_mapping_attach()) and the exporter an ordered list of the types it
 * offers (&dma_buf_ops.match_mapping calling dma_buf_mapping_match(), or the
 * single static &dma_buf_export_info.mapping). Both lists are arrays of
 * &struct dma_buf_mapping_match built with the type's helpers. The core
 * picks one pair:
 *
 * - the exporter's order decides between types;
 * - among compatible pairs of the winning type, the type's cost decides
 *   (for SGT, the PCIe P2P distance), so an exporter or an importer with
 *   several paths to the memory gets the shortest;
 * - equal costs go to the exporter's earlier entry, then the importer's.
 *
 * The core can also convert: an exporter entry of the PAL type, for MMIO
 * with a P2P provider, serves an SGT importer entry that accepts P2P and can
 * reach the provider; the core then builds the sg_table from the list at
 * map time and frees it at unmap. Such a pair counts as an SGT candidate at
 * the exporter entry's place, with the P2P distance as its cost. The reverse
 * (an sg_table handed out as physical addresses) is never made.
 *
 * The result is recorded in &dma_buf_attachment.map and never changes until
 * dma_buf_detach(); the importer checks it with dma_buf_attachment_is_type()
 * and maps only through that type's functions.
 *
 * Compatibility: an exporter that only sets &dma_buf_ops.map_dma_buf offers
 * an SGT entry that forwards to it, and dma_buf_attach() and
 * dma_buf_dynamic_attach() accept a single SGT entry, so every attachment has
 * a type and nothing changes for drivers that do not use mapping types.
 *
 * Errors: a malformed list (a NULL type, a type without a match function, an
 * entry whose data has another size than its type expects, a NULL or empty
 * list, more than %DMA_BUF_MAPPING_MAX_ENTRIES entries) fails with -EINVAL;
 * no compatible pair fails with -EOPNOTSUPP and a debug message naming both
 * lists; a match error other than -EOPNOTSUPP aborts with that error.
 */

/**
 * DOC: mapping type lock rules
 *
 * - dma_buf_mapping_attach(), dma_buf_attach(), dma_buf_dynamic_attach() and
 *   dma_buf_detach() are called without the reservation lock.
 * - &dma_buf_ops.match_mapping, dma_buf_mapping_match() and a type's
 *   &dma_buf_mapping_type.match, &dma_buf_mapping_type.finish and
 *   &dma_buf_mapping_type.release run with the reservation lock held; they
 *   may sleep but must not take that lock. The attachment they see is fully
 *   initialised but not yet on the buffer's list of attachments, and the
 *   exporter's &dma_buf_ops.attach has not run yet: an exporter reads the
 *   state it needs for matching under the reservation lock, so the match
 *   cannot race with its own revocation or teardown.
 * - &dma_buf_ops.attach and &dma_buf_ops.detach run without it, as before.
 * - Each type's map and unmap functions are called with the reservation lock
 *   held, like dma_buf_map_attachment(); the ``_unlocked`` variants take it.
 *
 * The core asserts these rules with lockdep, and the KUnit suite checks them.
 */

static const char *const dma_buf_mapping_side[] = { "importer", "exporter" };

static int dma_buf_mapping_check_list(struct dma_buf_attachment *attach,
				      const struct dma_buf_mapping_match *list,
				      size_t nr, bool exporter)
{
	const char *side = dma_buf_mapping_side[exporter];
	size_t i;

	if (!nr || nr > DMA_BUF_MAPPING_MAX_ENTRIES || !list) {
		dev_warn_ratelimited(attach->dev,
				     "dma-buf %s: %s gave %zu mapping types at %p\n",
				     attach->dmabuf->exp_name, side, nr, list);
		return -EINVAL;
	}

	for (i = 0; i < nr; i++) {
		const struct dma_buf_mapping_match *m = &list[i];
		const struct dma_buf_mapping_type *type = m->type;
		const char *why = NULL;

		if (!type || !type->match)
			why = "no type or no match op";
		else if (m->data_size != (exporter ? type->exp_data_size :
						     type->imp_data_size))
			why = "match data of the wrong size";
		else if (m->data_size && !m->data)
			why = "no match data";
		else if (exporter != !!m->ops)
			why = exporter ? "no exporter ops" :
					 "exporter ops in an importer entry";
		if (why) {
			dev_warn_ratelimited(attach->dev,
					     "dma-buf %s: %s entry %zu (%s): %s\n",
					     attach->dmabuf->exp_name, side, i,
					     type && type->name ? type->name : "?",
					     why);
			return -EINVAL;
		}
	}
	return 0;
}

static void dma_buf_mapping_names(char *buf, size_t len,
				  const struct dma_buf_mapping_match *list,
				  size_t nr)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < nr && n < len; i++)
		n += scnprintf(buf + n, len - n, "%s%s", i ? "," : "",
			       list[i].type->name);
}

static void dma_buf_mapping_no_match(struct dma_buf_attachment *attach,
				     const struct dma_buf_mapping_match *exp,
				     size_t nr_exp)
{
	struct dma_buf_mapping_state *st = &attach->map;
	char e[64], i[64];

	dma_buf_mapping_names(e, sizeof(e), exp, nr_exp);
	dma_buf_mapping_names(i, sizeof(i), st->imp, st->nr_imp);
	dev_dbg(attach->dev,
		"dma-buf %s: no common mapping type: exporter offers [%s], importer accepts [%s], %u pairs refused\n",
		attach->dmabuf->exp_name, e, i, st->nr_rejected);
}

/* The conversions the core makes: PAL to SGT only; never the reverse. */
static const struct dma_buf_mapping_conv *const dma_buf_mapping_convs[] = {
	&dma_buf_pal_to_sgt,
};

static const struct dma_buf_mapping_conv *
dma_buf_mapping_find_conv(const struct dma_buf_mapping_type *from,
			  const struct dma_buf_mapping_type *to)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dma_buf_mapping_convs); i++)
		if (dma_buf_mapping_convs[i]->from == from &&
		    dma_buf_mapping_convs[i]->to == to)
			return dma_buf_mapping_convs[i];
	return NULL;
}

static void dma_buf_mapping_reject(struct dma_buf_mapping_state *st,
				   const struct dma_buf_mapping_type *type,
				   size_t exp_idx, size_t imp_idx, int err)
{
	if (st->nr_rejected < DMA_BUF_MAPPING_REJECTS) {
		struct dma_buf_mapping_reject *r = &st->rejects[st->nr_rejected];

		r->type = type;
		r->exp_idx = exp_idx;
		r->imp_idx = imp_idx;
		r->err = err;
	}
	st->nr_rejected++;
}

/**
 * dma_buf_mapping_match - match an exporter's mapping types for an attachment
 * @attach: the attachment being created; fully initialised (dma-buf, device,
 *	importer ops and private data set)
 * @exp: the exporter's ordered list of mapping types
 * @nr_exp: the number of entries in @exp
 *
 * Called exactly once by an exporter's &dma_buf_ops.match_mapping (the core
 * calls it itself for exporters without that op). Chooses the mapping type of
 * @attach from @exp and the importer's list:
 *
 * - the exporter's order decides between types: the type of the first
 *   exporter entry that is compatible with any importer entry wins;
 * - among all compatible pairs of that type, the lowest cost returned by
 *   &dma_buf_mapping_type.match wins; ties go to the earlier exporter entry,
 *   then to the earlier importer entry.
 *
 * The winner's &dma_buf_mapping_type.finish then records what the type needs
 * in @attach. @exp is only read during this call and may live on the stack.
 *
 * Context: the dma-buf's reservation lock is held by the caller; may sleep.
 *
 * Return: 0 on success; -EINVAL for a malformed list or a call outside an
 * attach; -EOPNOTSUPP when no pair is compatible; any other error that a
 * type's match or finish returned.
 */
int dma_buf_mapping_match(struct dma_buf_attachment *attach,
			  const struct dma_buf_mapping_match *exp,
			  size_t nr_exp)
{
	struct dma_buf_mapping_state *st = &attach->map;
	const struct dma_buf_mapping_conv *conv, *best_conv = NULL;
	const struct dma_buf_mapping_type *type = NULL, *gives;
	size_t i, j, best_exp = 0, best_imp = 0;
	int best = INT_MAX;
	int ret;

	dma_resv_assert_held(attach->dmabuf->resv);

	/* Only the attach path sets @imp, and only one list is matched. */
	if (WARN_ON_ONCE(!st->imp || st->matched))
		return -EINVAL;
	st->matched = true;

	ret = dma_buf_mapping_check_list(attach, exp, nr_exp, true);
	if (ret)
		return ret;

	for (i = 0; i < nr_exp; i++) {
		for (j = 0; j < st->nr_imp; j++) {
			conv = NULL;
			gives = exp[i].type;
			if (st->imp[j].type != gives) {
				conv = dma_buf_mapping_find_conv(gives,
								 st->imp[j].type);
				if (!conv)
					continue;
				gives = conv->to;
			}
			/* Once a type has won, only its candidates compete. */
			if (type && gives != type)
				continue;
			st->nr_tried++;
			if (conv)
				ret = conv->match(attach, &exp[i], &st->imp[j]);
			else
				ret = gives->match(attach, &exp[i], &st->imp[j]);
			if (ret == -EOPNOTSUPP) {
				dma_buf_mapping_reject(st, exp[i].type, i, j, ret);
				continue;
			}
			if (ret < 0)
				return ret;
			if (ret < best) {
				type = gives;
				best_conv = conv;
				best = ret;
				best_exp = i;
				best_imp = j;
			}
		}
	}

	if (!type) {
		dma_buf_mapping_no_match(attach, exp, nr_exp);
		return -EOPNOTSUPP;
	}

	if (best_conv) {
		ret = best_conv->finish(attach, &exp[best_exp], &st->imp[best_imp]);
		if (ret)
			return ret;
		st->conv = best_conv;
	} else {
		if (type->finish) {
			ret = type->finish(attach, &exp[best_exp],
					   &st->imp[best_imp]);
			if (ret)
				return ret;
		}
		st->ops = exp[best_exp].ops;
	}
	st->type = type;
	st->cost = best;
	st->exp_idx = best_exp;
	st->imp_idx = best_imp;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_mapping_match, "DMA_BUF");

/*
 * Run the match of a new attachment against the exporter's offer: its
 * &dma_buf_ops.match_mapping, else the single entry it gave at export time,
 * else the SGT entry made for exporters that only have the sg_table ops.
 */
int dma_buf_mapping_negotiate(struct dma_buf_attachment *attach,
			      const struct dma_buf_mapping_match *imp,
			      size_t nr_imp)
{
	struct dma_buf_mapping_state *st = &attach->map;
	struct dma_buf *dmabuf = attach->dmabuf;
	struct dma_buf_mapping_match compat;
	int ret;

	dma_resv_assert_held(dmabuf->resv);

	ret = dma_buf_mapping_check_list(attach, imp, nr_imp, false);
	if (ret)
		return ret;

	st->imp = imp;
	st->nr_imp = nr_imp;
	if (dmabuf->ops->match_mapping) {
		ret = dmabuf->ops->match_mapping(attach);
		if (!ret && !st->type) {
			dev_warn_ratelimited(attach->dev,
					     "dma-buf %s: match_mapping did not match\n",
					     dmabuf->exp_name);
			ret = -EINVAL;
		}
	} else if (dmabuf->exp_mapping.type) {
		ret = dma_buf_mapping_match(attach, &dmabuf->exp_mapping, 1);
	} else if (dma_buf_sgt_compat_match(dmabuf, &compat)) {
		ret = dma_buf_mapping_match(attach, &compat, 1);
	} else {
		ret = -EOPNOTSUPP;
	}
	st->imp = NULL;
	st->nr_imp = 0;

	/* An exporter that fails after a successful match must not leak it. */
	if (ret && st->type)
		dma_buf_mapping_release(attach);
	return ret;
}

/* Undo what the winning type's finish recorded in @attach. */
void dma_buf_mapping_release(struct dma_buf_attachment *attach)
{
	struct dma_buf_mapping_state *st = &attach->map;

	if (st->conv)
		st->conv->release(attach);
	else if (st->type && st->type->release)
		st->type->release(attach);
	st->conv = NULL;
	st->type = NULL;
	st->ops = NULL;
	st->priv = NULL;
}

/*
 * The same, for callers without the reservation lock (after the exporter's
 * attach failed, at detach); takes it only if there is something to undo.
 */
void dma_buf_mapping_release_unlocked(struct dma_buf_attachment *attach)
{
	struct dma_resv *resv = attach->dmabuf->resv;

	if (!attach->map.type->release && !attach->map.conv)
		return;
	dma_resv_lock(resv, NULL);
	dma_buf_mapping_release(attach);
	dma_resv_unlock(resv);
}

/* One line per attachment for the bufinfo file in debugfs. */
void dma_buf_mapping_describe(struct seq_file *s,
			      const struct dma_buf_attachment *attach)
{
	const struct dma_buf_mapping_state *st = &attach->map;
	u16 i;

	seq_printf(s, "\t\tmapping: %s", st->type ? st->type->name : "none");
	if (st->type && st->type->describe) {
		seq_puts(s, " (");
		st->type->describe(s, attach);
		seq_putc(s, ')');
	}
	if (st->conv)
		seq_printf(s, " converted from %s", st->conv->from->name);
	seq_printf(s, " exp[%u] imp[%u] cost %d, %s importer %s\n",
		   st->exp_idx, st->imp_idx, st->cost,
		   attach->importer_ops ? "dynamic" : "static",
		   dev_driver_string(attach->dev));
	seq_printf(s, "\t\tcandidates: %u tried, %u rejected", st->nr_tried,
		   st->nr_rejected);
	for (i = 0; i < min_t(u16, st->nr_rejected, DMA_BUF_MAPPING_REJECTS); i++)
		seq_printf(s, "%s %s exp[%u]/imp[%u] %pe", i ? "," : ":",
			   st->rejects[i].type->name, st->rejects[i].exp_idx,
			   st->rejects[i].imp_idx,
			   ERR_PTR(st->rejects[i].err));
	seq_putc(s, '\n');
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_mapping_describe);
