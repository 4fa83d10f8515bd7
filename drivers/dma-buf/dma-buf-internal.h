/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the dma-buf core share and nobody else may call.
 */
#ifndef __DMA_BUF_INTERNAL_H__
#define __DMA_BUF_INTERNAL_H__

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
};

extern const struct dma_buf_mapping_conv dma_buf_pal_to_sgt;

int dma_buf_mapping_negotiate(struct dma_buf_attachment *attach,
			      const struct dma_buf_mapping_match *imp,
			      size_t nr_imp);
void dma_buf_mapping_release(struct dma_buf_attachment *attach);
void dma_buf_mapping_release_unlocked(struct dma_buf_attachment *attach);
int dma_buf_mapping_check_export(const struct dma_buf_export_info *exp_info);
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
