// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA-buf mapping types: the core matcher.
 *
 * The importer and the exporter each give an ordered list of the mapping
 * types they support; this file picks the pair that the attachment will use.
 */

#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/export.h>
#include <linux/module.h>
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
 * offers (&dma_buf_ops.match_mapping calling dma_buf_match_mapping(), or the
 * single static &dma_buf_export_info.mapping). Both lists are arrays of
 * &struct dma_buf_mapping_match built with the type's helpers. The core
 * picks one pair, and each side's order is that side's decision.
 *
 * A side may declare entries that follow each other as alternative paths to
 * the same memory (&dma_buf_mapping_match.alternative, for example one
 * buffer behind two PCIe P2P providers); such a run of alternatives is
 * taken as one step of its list, and an entry without alternatives is a run
 * of its own. The core walks the exporter's runs in order and, for each,
 * the importer's runs in order; the first pair of runs with a compatible
 * pair of entries wins. Within it, the lowest cost that the type's match
 * returns wins (for SGT, the P2P distance), and equal costs go to the
 * earlier exporter entry, then the earlier importer entry.
 *
 * The core never weighs entries that are not alternatives of each other:
 * an exporter that lists an SGT entry for P2P before one for host memory
 * gets P2P for every importer that accepts it and can reach the provider,
 * whatever the distance.
 *
 * The core can also convert: an exporter entry of the PAL type, for MMIO
 * with a P2P provider, serves an SGT importer entry that accepts P2P, can
 * reach the provider and has &dma_buf_attach_ops.invalidate_mappings; the
 * core then builds the sg_table from the list at map time and frees it at
 * unmap. A conversion is a last resort: the core only tries it when no pair
 * of the two lists matches natively, so an entry the exporter wrote itself,
 * of any type and wherever it stands, comes before it (a PAL entry listed
 * before an SGT entry for host memory gives an SGT importer host memory;
 * an exporter that wants P2P for SGT importers either offers PAL only,
 * with the provider, as vfio-pci does, or lists its own SGT entry with
 * the provider). Among conversion pairs the rules
 * above apply, with the P2P distance as cost. The same PAL entry also
 * serves an importer entry of the IOMMU domain type, which no exporter
 * offers: the core maps the list into the importer's domain itself (see
 * "IOMMU domain mapping type"). The reverse (an sg_table handed out as
 * physical addresses) is never made.
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
 * entry whose data has another size than its type expects, an alternative
 * that does not follow an entry of its type, a NULL or empty list, more than
 * %DMA_BUF_MAPPING_MAX_ENTRIES entries, a type without
 * &dma_buf_mapping_type.pin_on_map in the list of an importer without
 * &dma_buf_attach_ops.invalidate_mappings) fails with -EINVAL;
 * no compatible pair fails with -EOPNOTSUPP and a debug message naming both
 * lists; a match error other than -EOPNOTSUPP aborts with that error.
 */

/**
 * DOC: mapping type lock rules
 *
 * - dma_buf_mapping_attach(), dma_buf_attach(), dma_buf_dynamic_attach() and
 *   dma_buf_detach() are called without the reservation lock.
 * - &dma_buf_ops.match_mapping, dma_buf_match_mapping() and a type's
 *   &dma_buf_mapping_type.match, &dma_buf_mapping_type.finish and
 *   &dma_buf_mapping_type.release run with the reservation lock held; they
 *   may sleep but must not take that lock. The attachment they see is fully
 *   initialised but not yet on the buffer's list of attachments, and the
 *   exporter's &dma_buf_ops.attach has not run yet.
 * - Lock order: the reservation lock comes before every lock that an
 *   exporter takes in &dma_buf_ops.match_mapping. An exporter that holds a
 *   lock of its own while it takes the reservation lock (to revoke, for
 *   example) must not take that lock in &dma_buf_ops.match_mapping; it reads
 *   the state it matches on (a revoked flag) under the reservation lock
 *   instead.
 * - What the match saw may change before the attachment is used: for an
 *   exporter with &dma_buf_ops.attach, the reservation lock is dropped
 *   between the match and the attachment being put on the buffer's list, so
 *   a revocation in between does not reach it through
 *   &dma_buf_attach_ops.invalidate_mappings. Such an exporter checks its
 *   state again in its map functions, under the reservation lock, and
 *   refuses to map memory it revoked.
 * - &dma_buf_ops.attach and &dma_buf_ops.detach run without it, as before.
 * - Each type's map and unmap functions are called with the reservation lock
 *   held, like dma_buf_map_attachment(); the ``_unlocked`` variants take it.
 *
 * The core asserts these rules with lockdep, and the KUnit suite checks them.
 */

static const char *const dma_buf_mapping_side[] = { "importer", "exporter" };

/*
 * What only the match of one attach needs: on the attach path's stack, and
 * reached through &dma_buf_mapping_state.neg while the match runs.
 */
struct dma_buf_mapping_negotiation {
	const struct dma_buf_mapping_match *imp;
	size_t nr_imp;
	bool matched;
};

/*
 * Why entry @i of @list is malformed, or NULL when it is fine. Shared by the
 * lists given at attach time and the static entry given at export time.
 */
static const char *
dma_buf_mapping_entry_fault(const struct dma_buf_mapping_match *list, size_t i,
			    bool exporter)
{
	const struct dma_buf_mapping_match *m = &list[i];
	const struct dma_buf_mapping_type *type = m->type;

	if (!type || !type->match)
		return "no type or no match op";
	if (m->data_size != (exporter ? type->exp_data_size : type->imp_data_size))
		return "match data of the wrong size";
	if (m->data_size && !m->data)
		return "no match data";
	if (exporter != !!m->ops)
		return exporter ? "no exporter ops" :
				  "exporter ops in an importer entry";
	if (m->alternative && (!i || list[i - 1].type != type))
		return "alternative that follows no entry of its type";
	return NULL;
}

/*
 * Why the list of one side of an attach is malformed, or NULL when it is
 * fine; *@bad is the entry at fault. @revocable: whether the importer
 * handles invalidate_mappings. Its own function so that the KUnit cases
 * check which rule refused each bad list.
 */
VISIBLE_IF_KUNIT const char *
dma_buf_mapping_list_fault(const struct dma_buf_mapping_match *list,
			   size_t nr, bool exporter, bool revocable,
			   size_t *bad)
{
	const char *why;
	size_t i;

	*bad = 0;
	if (!list)
		return "no list";
	if (!nr)
		return "no entries";
	if (nr > DMA_BUF_MAPPING_MAX_ENTRIES)
		return "more entries than DMA_BUF_MAPPING_MAX_ENTRIES";
	for (i = 0; i < nr; i++) {
		const struct dma_buf_mapping_type *type = list[i].type;

		*bad = i;
		why = dma_buf_mapping_entry_fault(list, i, exporter);
		if (!why && !exporter && !type->pin_on_map && !revocable)
			why = "a type that needs an importer with invalidate_mappings";
		if (why)
			return why;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_mapping_list_fault);

static int dma_buf_mapping_check_list(struct dma_buf_attachment *attach,
				      const struct dma_buf_mapping_match *list,
				      size_t nr, bool exporter)
{
	const char *why;
	size_t bad;

	why = dma_buf_mapping_list_fault(list, nr, exporter,
					 dma_buf_attach_revocable(attach),
					 &bad);
	if (!why)
		return 0;
	dev_warn_ratelimited(attach->dev,
			     "dma-buf %s: %s gave a bad list of %zu mapping types: %s (entry %zu)\n",
			     attach->dmabuf->exp_name,
			     dma_buf_mapping_side[exporter], nr, why, bad);
	return -EINVAL;
}

/*
 * The static entry of &dma_buf_export_info.mapping is checked when the buffer
 * is exported, so that a malformed one fails dma_buf_export() itself.
 */
int dma_buf_mapping_check_export(const struct dma_buf_export_info *exp_info)
{
	const struct dma_buf_mapping_match *m = &exp_info->mapping;
	const char *why;

	if (!m->type && !m->ops && !m->data && !m->data_size &&
	    !m->alternative)
		return 0;
	/* Only one offer counts: the others would silently never be used. */
	if (exp_info->ops->match_mapping)
		why = "given together with match_mapping";
	else if (exp_info->ops->map_dma_buf)
		why = "given together with map_dma_buf";
	else
		why = dma_buf_mapping_entry_fault(m, 0, true);
	if (!why)
		return 0;
	pr_warn_ratelimited("dma-buf %s: static mapping type (%s): %s\n",
			    exp_info->exp_name,
			    m->type && m->type->name ? m->type->name : "?", why);
	return -EINVAL;
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
	const struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);
	const struct dma_buf_mapping_negotiation *neg = info->neg;
	char e[64], i[64];

	dma_buf_mapping_names(e, sizeof(e), exp, nr_exp);
	dma_buf_mapping_names(i, sizeof(i), neg->imp, neg->nr_imp);
	dev_dbg(attach->dev,
		"dma-buf %s: no common mapping type: exporter offers [%s], importer accepts [%s], %u pairs refused\n",
		attach->dmabuf->exp_name, e, i, info->nr_rejected);
}

/*
 * The conversions the core makes: PAL to SGT and PAL to an IOMMU domain;
 * never the reverse.
 */
static const struct dma_buf_mapping_conv *
dma_buf_mapping_find_conv(const struct dma_buf_mapping_type *from,
			  const struct dma_buf_mapping_type *to)
{
#ifdef CONFIG_DMABUF_MAPPING_PAL
	if (dma_buf_pal_to_sgt.from == from && dma_buf_pal_to_sgt.to == to)
		return &dma_buf_pal_to_sgt;
#endif
#ifdef CONFIG_DMABUF_MAPPING_DOMAIN
	if (dma_buf_pal_to_domain.from == from && dma_buf_pal_to_domain.to == to)
		return &dma_buf_pal_to_domain;
#endif
	return NULL;
}

static void dma_buf_mapping_reject(struct dma_buf_mapping_info *info,
				   size_t exp_idx, size_t imp_idx, int err)
{
#ifdef CONFIG_DEBUG_FS
	if (info->nr_rejected < DMA_BUF_MAPPING_REJECTS) {
		struct dma_buf_mapping_reject *r = &info->rejects[info->nr_rejected];

		r->exp_idx = exp_idx;
		r->imp_idx = imp_idx;
		r->err = err;
	}
#endif
	info->nr_rejected++;
}

/* The best pair found so far, and the conversion it needs, if any. */
struct dma_buf_mapping_pick {
	const struct dma_buf_mapping_conv *conv;
	size_t exp_idx;
	size_t imp_idx;
	int cost;
};

/* One past the last entry of the run of alternatives that starts at @i. */
static size_t dma_buf_mapping_run_end(const struct dma_buf_mapping_match *list,
				      size_t nr, size_t i)
{
	while (++i < nr && list[i].alternative)
		;
	return i;
}

/*
 * Try every pair of the exporter run [@e, @e_end) and the importer run
 * [@i, @i_end), through @conv when it is set, and keep the cheapest in @pick;
 * equal costs go to the earlier exporter entry, then the earlier importer
 * entry. Returns 0 when a pair matched, -EOPNOTSUPP when none did, or the
 * error that aborts the attach.
 */
static int dma_buf_mapping_try_runs(struct dma_buf_attachment *attach,
				    const struct dma_buf_mapping_match *exp,
				    size_t e, size_t e_end,
				    size_t i, size_t i_end,
				    const struct dma_buf_mapping_conv *conv,
				    struct dma_buf_mapping_pick *pick)
{
	struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);
	const struct dma_buf_mapping_match *imp = info->neg->imp;
	int ret, found = -EOPNOTSUPP;
	size_t j;

	for (; e < e_end; e++) {
		for (j = i; j < i_end; j++) {
			info->nr_tried++;
			if (conv)
				ret = conv->match(attach, &exp[e], &imp[j]);
			else
				ret = exp[e].type->match(attach, &exp[e], &imp[j]);
			if (ret == -EOPNOTSUPP) {
				dma_buf_mapping_reject(info, e, j, ret);
				continue;
			}
			if (ret < 0)
				return ret;
			if (found == -EOPNOTSUPP || ret < pick->cost) {
				pick->conv = conv;
				pick->exp_idx = e;
				pick->imp_idx = j;
				pick->cost = ret;
				found = 0;
			}
		}
	}
	return found;
}

/*
 * Walk the runs of alternatives of both lists, the exporter's outside, and
 * stop at the first pair of runs that has a compatible pair: runs of one type
 * or, with @convert, runs that a conversion of the core links.
 */
static int dma_buf_mapping_search(struct dma_buf_attachment *attach,
				  const struct dma_buf_mapping_match *exp,
				  size_t nr_exp, bool convert,
				  struct dma_buf_mapping_pick *pick)
{
	const struct dma_buf_mapping_negotiation *neg =
		dma_buf_mapping_info_of(attach)->neg;
	const struct dma_buf_mapping_conv *conv = NULL;
	size_t e, e_end, i, i_end;
	int ret;

	for (e = 0; e < nr_exp; e = e_end) {
		e_end = dma_buf_mapping_run_end(exp, nr_exp, e);
		for (i = 0; i < neg->nr_imp; i = i_end) {
			i_end = dma_buf_mapping_run_end(neg->imp, neg->nr_imp, i);
			if (convert) {
				conv = dma_buf_mapping_find_conv(exp[e].type,
								 neg->imp[i].type);
				if (!conv)
					continue;
			} else if (exp[e].type != neg->imp[i].type) {
				continue;
			}
			ret = dma_buf_mapping_try_runs(attach, exp, e, e_end,
						       i, i_end, conv, pick);
			if (ret != -EOPNOTSUPP)
				return ret;
		}
	}
	return -EOPNOTSUPP;
}

/**
 * dma_buf_match_mapping - match an exporter's mapping types for an attachment
 * @attach: the attachment being created; fully initialised (dma-buf, device,
 *	importer ops and private data set)
 * @exp: the exporter's ordered list of mapping types
 * @nr_exp: the number of entries in @exp
 *
 * Called exactly once by an exporter's &dma_buf_ops.match_mapping (the core
 * calls it itself for exporters without that op). Chooses the mapping type of
 * @attach from @exp and the importer's list by the rules of the "mapping
 * types" section: the order of each list decides, and cost only between
 * entries marked as &dma_buf_mapping_match.alternative of each other.
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
int dma_buf_match_mapping(struct dma_buf_attachment *attach,
			  const struct dma_buf_mapping_match *exp,
			  size_t nr_exp)
{
	struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);
	struct dma_buf_mapping_state *st = &attach->map;
	const struct dma_buf_mapping_match *e, *i;
	const struct dma_buf_mapping_type *type;
	struct dma_buf_mapping_pick pick = { };
	int ret;

	dma_resv_assert_held(attach->dmabuf->resv);

	/* Only the attach path sets @neg, and only one list is matched. */
	if (WARN_ON(!info->neg || info->neg->matched))
		return -EINVAL;
	info->neg->matched = true;

	ret = dma_buf_mapping_check_list(attach, exp, nr_exp, true);
	if (ret)
		return ret;

	ret = dma_buf_mapping_search(attach, exp, nr_exp, false, &pick);
	/* A conversion only serves when no pair matches natively. */
	if (ret == -EOPNOTSUPP)
		ret = dma_buf_mapping_search(attach, exp, nr_exp, true, &pick);
	if (ret == -EOPNOTSUPP)
		dma_buf_mapping_no_match(attach, exp, nr_exp);
	if (ret)
		return ret;

	e = &exp[pick.exp_idx];
	i = &info->neg->imp[pick.imp_idx];
	type = pick.conv ? pick.conv->to : e->type;
	/* Its code must stay while the attachment can call it. */
	if (!try_module_get(type->owner)) {
		dev_warn_ratelimited(attach->dev,
				     "dma-buf %s: mapping type %s is being unloaded\n",
				     attach->dmabuf->exp_name, type->name);
		return -ENODEV;
	}
	if (pick.conv)
		ret = pick.conv->finish(attach, e, i);
	else if (type->finish)
		ret = type->finish(attach, e, i);
	if (ret) {
		module_put(type->owner);
		return ret;
	}
	if (pick.conv)
		info->conv = pick.conv;
	else
		st->ops = e->ops;
	st->type = type;
	info->cost = pick.cost;
	info->exp_idx = pick.exp_idx;
	info->imp_idx = pick.imp_idx;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_match_mapping, "DMA_BUF");

/*
 * Run the match of a new attachment against the exporter's offer: its
 * &dma_buf_ops.match_mapping, else the single entry it gave at export time,
 * else the SGT entry made for exporters that only have the sg_table ops.
 */
int dma_buf_mapping_negotiate(struct dma_buf_attachment *attach,
			      const struct dma_buf_mapping_match *imp,
			      size_t nr_imp)
{
	struct dma_buf_mapping_negotiation neg = { .imp = imp, .nr_imp = nr_imp };
	struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);
	struct dma_buf_mapping_state *st = &attach->map;
	struct dma_buf *dmabuf = attach->dmabuf;
	struct dma_buf_mapping_match compat;
	int ret;

	dma_resv_assert_held(dmabuf->resv);

	ret = dma_buf_mapping_check_list(attach, imp, nr_imp, false);
	if (ret)
		return ret;

	info->neg = &neg;
	if (dmabuf->ops->match_mapping) {
		ret = dmabuf->ops->match_mapping(attach);
		if (!ret && !st->type) {
			dev_warn_ratelimited(attach->dev,
					     "dma-buf %s: match_mapping did not match\n",
					     dmabuf->exp_name);
			ret = -EINVAL;
		}
	} else if (dmabuf->exp_mapping) {
		ret = dma_buf_match_mapping(attach, dmabuf->exp_mapping, 1);
	} else if (dma_buf_sgt_compat_match(dmabuf, &compat)) {
		ret = dma_buf_match_mapping(attach, &compat, 1);
	} else {
		ret = -EOPNOTSUPP;
	}
	info->neg = NULL;

	/* An exporter that fails after a successful match must not leak it. */
	if (ret && st->type)
		dma_buf_mapping_release(attach);
	return ret;
}

/*
 * Undo what the winning type's finish recorded in @attach, then drop the
 * reference on the type's module: its release op is the last of its code
 * the attachment runs.
 */
void dma_buf_mapping_release(struct dma_buf_attachment *attach)
{
	struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);
	struct dma_buf_mapping_state *st = &attach->map;
	const struct dma_buf_mapping_type *type = st->type;

	if (info->conv)
		info->conv->release(attach);
	else if (type && type->release)
		type->release(attach);
	info->conv = NULL;
	st->type = NULL;
	st->ops = NULL;
	st->priv = NULL;
	if (type)
		module_put(type->owner);
}

/*
 * The same, for callers without the reservation lock (after the exporter's
 * attach failed, at detach, when no other task can reach @attach); takes it
 * only if there is something to undo.
 */
void dma_buf_mapping_release_unlocked(struct dma_buf_attachment *attach)
{
	struct dma_resv *resv = attach->dmabuf->resv;

	if (!attach->map.type->release && !dma_buf_mapping_info_of(attach)->conv) {
		dma_buf_mapping_release(attach);
		return;
	}
	dma_resv_lock(resv, NULL);
	dma_buf_mapping_release(attach);
	dma_resv_unlock(resv);
}

/*
 * A map of PAL or IOV hands a list out: count it and remember it, so that
 * dma_buf_mapping_reclaim() can give it back. Every map of an attachment
 * hands out the same list (the exporter makes it once): another one while
 * the first is out is an exporter bug, refused with -EINVAL.
 */
int dma_buf_mapping_hold(struct dma_buf_attachment *attach, void *list)
{
	struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN(attach->map.nr_mapped && info->held != list,
		 "dma-buf %s: exporter gave another %s list while one is mapped\n",
		 attach->dmabuf->exp_name, attach->map.type->name))
		return -EINVAL;
	info->held = list;
	attach->map.nr_mapped++;
	return 0;
}

/*
 * An unmap gives one back. Returns false, with a warning, for a list that
 * no map of @attach handed out (or more unmaps than maps).
 */
bool dma_buf_mapping_unhold(struct dma_buf_attachment *attach,
			    const void *list)
{
	struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);

	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN(!attach->map.nr_mapped || info->held != list,
		 "dma-buf %s: %s unmap of a list that no map of %s handed out\n",
		 attach->dmabuf->exp_name, attach->map.type->name,
		 dev_name(attach->dev)))
		return false;
	if (!--attach->map.nr_mapped)
		info->held = NULL;
	return true;
}

/* The list the maps of @attach still out handed out, or NULL. */
void *dma_buf_mapping_held(const struct dma_buf_attachment *attach)
{
	return dma_buf_mapping_info_of(attach)->held;
}

/*
 * At detach, before the exporter's &dma_buf_ops.detach: an importer that
 * still holds lists or domain ranges is buggy, and an exporter that waits
 * for them to come back (a revocation) would wait forever. Name the
 * importer, and give the exporter everything back.
 */
void dma_buf_mapping_reclaim(struct dma_buf_attachment *attach)
{
	const struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);
	struct dma_buf_mapping_state *st = &attach->map;
	unsigned int nr = st->nr_mapped;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!nr)
		return;
	if (info->conv && info->conv->reclaim)
		info->conv->reclaim(attach);
	else if (!info->conv && st->type->reclaim)
		st->type->reclaim(attach);
	WARN(1, "dma-buf %s: %s %s detached with %u %s mappings still held; %s\n",
	     attach->dmabuf->exp_name, dev_driver_string(attach->dev),
	     dev_name(attach->dev), nr, st->type->name,
	     st->nr_mapped ? "the exporter may wait for them forever" :
			     "the core gave them back to the exporter");
}

/**
 * dma_buf_report_held - name the importers that still hold mappings
 * @dmabuf: the dma-buf
 *
 * For an exporter that invalidated its mappings and has waited long for
 * them to come back: prints an error line for each attachment that still
 * holds lists, sg_tables converted from them, or IOMMU domain ranges
 * (&dma_buf_mapping_state.nr_mapped), naming the importer's driver and
 * device. An sg_table that an exporter of its own hands out is not counted.
 *
 * Context: process context; takes the reservation lock.
 *
 * Return: the number of attachments named.
 */
unsigned int dma_buf_report_held(struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *attach;
	unsigned int n = 0;

	dma_resv_lock(dmabuf->resv, NULL);
	list_for_each_entry(attach, &dmabuf->attachments, node) {
		if (!attach->map.nr_mapped)
			continue;
		pr_err("dma-buf %s: %s %s still holds %u %s mappings\n",
		       dmabuf->exp_name, dev_driver_string(attach->dev),
		       dev_name(attach->dev), attach->map.nr_mapped,
		       attach->map.type->name);
		n++;
	}
	dma_resv_unlock(dmabuf->resv);
	return n;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_report_held, "DMA_BUF");

/* The longest wait between two reports of dma_buf_revoke_wait(). */
#define DMA_BUF_REVOKE_REPORT_MAX	(600 * HZ)

/**
 * dma_buf_revoke_wait - wait for the importers to give revoked memory back
 * @dmabuf: the dma-buf whose mappings the exporter invalidated
 * @done: what the exporter completes when the last mapping is given back
 * @report: how long to wait, in jiffies, before the first report
 *
 * An exporter that revokes its memory must not let it go (reset it, give
 * it to another user) while an importer can still reach it; an importer
 * that does not give its mappings back then blocks the exporter. Rather
 * than block silently, this waits for @done and, each time the wait
 * exceeds @report, prints how long it has waited and names the importers
 * that still hold mappings (dma_buf_report_held()), then goes on waiting,
 * twice as long each time, up to 10 minutes between two reports. It never
 * gives up: the memory stays revoked, and unreachable through new maps,
 * until the importers give it back.
 *
 * Context: process context, may sleep; must not hold the reservation lock.
 *
 * Return: the number of reports made (0 when @done came within @report).
 */
unsigned int dma_buf_revoke_wait(struct dma_buf *dmabuf,
				 struct completion *done, unsigned long report)
{
	unsigned long waited = 0;
	unsigned int reports = 0;

	report = max(report, 1UL);
	while (!wait_for_completion_timeout(done, report)) {
		waited += report;
		pr_err("dma-buf %s: revocation waiting for %u ms for its mappings to come back\n",
		       dmabuf->exp_name, jiffies_to_msecs(waited));
		dma_buf_report_held(dmabuf);
		reports++;
		report = min(2 * report, (unsigned long)DMA_BUF_REVOKE_REPORT_MAX);
	}
	return reports;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_revoke_wait, "DMA_BUF");

/*
 * The exporter invalidates its mappings: a conversion that mapped the memory
 * on the importer's behalf takes it down first.
 */
void dma_buf_mapping_invalidate(struct dma_buf_attachment *attach)
{
	const struct dma_buf_mapping_conv *conv = dma_buf_mapping_info_of(attach)->conv;

	if (conv && conv->invalidate)
		conv->invalidate(attach);
}

/* One line per attachment for the bufinfo file in debugfs. */
void dma_buf_mapping_describe(struct seq_file *s,
			      const struct dma_buf_attachment *attach)
{
	const struct dma_buf_mapping_info *info = dma_buf_mapping_info_of(attach);
	const struct dma_buf_mapping_state *st = &attach->map;
	u16 __maybe_unused i;

	seq_printf(s, "\t\tmapping: %s", st->type ? st->type->name : "none");
	if (st->type && st->type->describe) {
		seq_puts(s, " (");
		st->type->describe(s, attach);
		seq_putc(s, ')');
	}
	if (info->conv)
		seq_printf(s, " converted from %s", info->conv->from->name);
	seq_printf(s, " exp[%u] imp[%u] cost %d, %s importer %s\n",
		   info->exp_idx, info->imp_idx, info->cost,
		   attach->importer_ops ? "dynamic" : "static",
		   dev_driver_string(attach->dev));
	seq_printf(s, "\t\tcandidates: %u tried, %u rejected", info->nr_tried,
		   info->nr_rejected);
#ifdef CONFIG_DEBUG_FS
	for (i = 0; i < min_t(u16, info->nr_rejected, DMA_BUF_MAPPING_REJECTS); i++)
		seq_printf(s, "%s exp[%u]/imp[%u] %pe", i ? "," : ":",
			   info->rejects[i].exp_idx, info->rejects[i].imp_idx,
			   ERR_PTR(info->rejects[i].err));
#endif
	seq_putc(s, '\n');
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_mapping_describe);
