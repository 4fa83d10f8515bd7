/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the dma-buf core share and nobody else may call.
 */
#ifndef __DMA_BUF_INTERNAL_H__
#define __DMA_BUF_INTERNAL_H__

#include <linux/container_of.h>
#include <linux/dma-buf.h>
#include <linux/types.h>

struct dma_buf;
struct dma_buf_attachment;
struct dma_buf_export_info;
struct dma_buf_mapping_match;
struct dma_buf_sgt_exp_ops;
struct dma_buf_sgt_imp_data;
struct pci_dev;
struct seq_file;

/**
 * struct dma_buf_mapping_conv - a conversion the core can make
 * @from: the exporter's type.
 * @to: the type the importer receives.
 * @match: like &dma_buf_mapping_type.match, for an exporter entry of @from
 *	and an importer entry of @to.
 * @finish: required; records in the attachment what the conversion needs,
 *	including &dma_buf_mapping_state.ops, the ops of @to it implements.
 * @release: required; undoes @finish.
 * @invalidate: optional; called by dma_buf_invalidate_mappings() for each
 *	attachment that uses the conversion, before the importer's
 *	&dma_buf_attach_ops.invalidate_mappings, with the reservation lock held.
 * @reclaim: optional; called by dma_buf_detach() when the importer still
 *	holds mappings (an importer bug), before the exporter's
 *	&dma_buf_ops.detach, with the reservation lock held: undoes every
 *	mapping still out and gives the exporter back what they hold.
 */
struct dma_buf_mapping_conv {
	const struct dma_buf_mapping_type *from;
	const struct dma_buf_mapping_type *to;
	int (*match)(struct dma_buf_attachment *attach,
		     const struct dma_buf_mapping_match *exp,
		     const struct dma_buf_mapping_match *imp);
	int (*finish)(struct dma_buf_attachment *attach,
		      const struct dma_buf_mapping_match *exp,
		      const struct dma_buf_mapping_match *imp);
	void (*release)(struct dma_buf_attachment *attach);
	void (*invalidate)(struct dma_buf_attachment *attach);
	void (*reclaim)(struct dma_buf_attachment *attach);
};

struct dma_buf_pal;
struct dma_buf_pal_exp_ops;
enum dma_buf_pal_attr;

extern const struct dma_buf_mapping_type dma_buf_mapping_pal;
extern const struct dma_buf_mapping_conv dma_buf_pal_to_sgt;
extern const struct dma_buf_mapping_conv dma_buf_pal_to_domain;

int dma_buf_pal_check_ops(const struct dma_buf_attachment *attach,
			  const struct dma_buf_pal_exp_ops *ops);
struct dma_buf_pal *dma_buf_pal_get_list(struct dma_buf_attachment *attach,
					 const struct dma_buf_pal_exp_ops *ops,
					 enum dma_buf_pal_attr attr);

/* How many rejected candidates an attachment remembers for debugfs. */
#define DMA_BUF_MAPPING_REJECTS 4

/**
 * struct dma_buf_mapping_reject - a candidate pair that a type refused
 * @exp_idx: index of the exporter entry.
 * @imp_idx: index of the importer entry.
 * @err: what &dma_buf_mapping_type.match returned (-EOPNOTSUPP).
 */
struct dma_buf_mapping_reject {
	u8 exp_idx;
	u8 imp_idx;
	s16 err;
};

struct dma_buf_mapping_negotiation;

/**
 * struct dma_buf_mapping_info - what the core keeps of a negotiation
 * @conv: when the core converts the exporter's type into the importer's,
 *	the conversion it uses; NULL otherwise.
 * @neg: the importer's list, set only while the match of the attach runs.
 * @cost: the cost &dma_buf_mapping_type.match gave the winning pair.
 * @exp_idx: index of the winning exporter entry.
 * @imp_idx: index of the winning importer entry.
 * @nr_tried: how many pairs were tried (conversions by the core included).
 * @nr_rejected: how many of them were refused.
 * @held: for PAL and IOV, the list that the maps still out handed to the
 *	importer (every map of an attachment hands out the same one), so
 *	that the core can give it back for an importer that detaches
 *	without doing so; NULL when no map is out.
 * @rejects: with CONFIG_DEBUG_FS, the first %DMA_BUF_MAPPING_REJECTS refused
 *	pairs, for debugfs.
 *
 * Written during the attach, under the reservation lock; read-only after,
 * but for @held, which changes with &dma_buf_mapping_state.nr_mapped under
 * the reservation lock.
 */
struct dma_buf_mapping_info {
	const struct dma_buf_mapping_conv *conv;
	struct dma_buf_mapping_negotiation *neg;
	int cost;
	u8 exp_idx;
	u8 imp_idx;
	u16 nr_tried;
	u16 nr_rejected;
	void *held;
#ifdef CONFIG_DEBUG_FS
	struct dma_buf_mapping_reject rejects[DMA_BUF_MAPPING_REJECTS];
#endif
};

/**
 * struct dma_buf_attachment_core - an attachment as the core allocates it
 * @attach: what exporters and importers see.
 * @info: the core's own record of the negotiation of @attach.
 */
struct dma_buf_attachment_core {
	struct dma_buf_attachment attach;
	struct dma_buf_mapping_info info;
};

/* The core's record of an attachment that dma_buf_mapping_attach() made. */
#define dma_buf_mapping_info_of(a) \
	(&container_of_const(a, struct dma_buf_attachment_core, attach)->info)

int dma_buf_mapping_negotiate(struct dma_buf_attachment *attach,
			      const struct dma_buf_mapping_match *imp,
			      size_t nr_imp);
void dma_buf_mapping_release(struct dma_buf_attachment *attach);
void dma_buf_mapping_release_unlocked(struct dma_buf_attachment *attach);
void dma_buf_mapping_invalidate(struct dma_buf_attachment *attach);
int dma_buf_mapping_hold(struct dma_buf_attachment *attach, void *list);
bool dma_buf_mapping_unhold(struct dma_buf_attachment *attach,
			    const void *list);
void *dma_buf_mapping_held(const struct dma_buf_attachment *attach);
void dma_buf_mapping_reclaim(struct dma_buf_attachment *attach);
int dma_buf_mapping_check_export(const struct dma_buf_export_info *exp_info);

/* Why a list is refused: for the KUnit cases of the bad lists only. */
#if IS_ENABLED(CONFIG_KUNIT)
const char *
dma_buf_mapping_list_fault(const struct dma_buf_mapping_match *list,
			   size_t nr, bool exporter, bool revocable,
			   size_t *bad);
#endif
void dma_buf_mapping_describe(struct seq_file *s,
			      const struct dma_buf_attachment *attach);

bool dma_buf_sgt_compat_match(struct dma_buf *dmabuf,
			      struct dma_buf_mapping_match *entry);
const struct dma_buf_sgt_exp_ops *
dma_buf_sgt_ops(const struct dma_buf_attachment *attach);
int dma_buf_sgt_p2p_cost(const struct dma_buf_attachment *attach,
			 struct pci_dev *provider,
			 const struct dma_buf_sgt_imp_data *imp);
void dma_buf_sgt_set_peer(struct dma_buf_attachment *attach,
			  const struct dma_buf_sgt_imp_data *imp, bool p2p);

#endif /* __DMA_BUF_INTERNAL_H__ */
