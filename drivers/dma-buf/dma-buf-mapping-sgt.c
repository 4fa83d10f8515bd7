// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SGT mapping type: sg_tables of dma_addr_t, PCIe P2P included.
 *
 * dma_buf_map_attachment() and dma_buf_unmap_attachment() are this type's
 * map and unmap; they reach the exporter through the ops recorded here.
 */

#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping-sgt.h>
#include <linux/export.h>
#include <linux/pci-p2pdma.h>
#include <linux/seq_file.h>
#include <linux/string_choices.h>

#include "dma-buf-internal.h"

static struct device *dma_buf_sgt_dev(const struct dma_buf_attachment *attach,
				      const struct dma_buf_sgt_imp_data *imp)
{
	return imp->dev ?: attach->dev;
}

/*
 * The cost of mapping memory of @provider for the importer entry @imp by
 * PCIe P2P: the distance, or -EOPNOTSUPP if the importer refuses P2P or
 * cannot reach the provider. Also used by the PAL -> SGT conversion.
 */
int dma_buf_sgt_p2p_cost(const struct dma_buf_attachment *attach,
			 struct pci_dev *provider,
			 const struct dma_buf_sgt_imp_data *imp)
{
	int distance;

	if (!imp->allow_p2p)
		return -EOPNOTSUPP;
	distance = pci_p2pdma_distance(provider, dma_buf_sgt_dev(attach, imp),
				       false);
	return distance < 0 ? -EOPNOTSUPP : distance;
}

/* Record the importer's device of the winning entry and whether it is P2P. */
void dma_buf_sgt_set_peer(struct dma_buf_attachment *attach,
			  const struct dma_buf_sgt_imp_data *imp, bool p2p)
{
	attach->dev = dma_buf_sgt_dev(attach, imp);
	attach->peer2peer = p2p;
}

static int dma_buf_sgt_match(struct dma_buf_attachment *attach,
			     const struct dma_buf_mapping_match *exp,
			     const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_sgt_exp_data *e = exp->data;

	if (!e->p2p_provider)
		return 0;
	return dma_buf_sgt_p2p_cost(attach, e->p2p_provider, imp->data);
}

static int dma_buf_sgt_finish(struct dma_buf_attachment *attach,
			      const struct dma_buf_mapping_match *exp,
			      const struct dma_buf_mapping_match *imp)
{
	const struct dma_buf_sgt_exp_data *e = exp->data;
	const struct dma_buf_sgt_imp_data *i = imp->data;
	const struct dma_buf_sgt_exp_ops *ops = exp->ops;

	if (!ops->map_dma_buf || !ops->unmap_dma_buf) {
		dev_warn_ratelimited(attach->dev,
				     "dma-buf %s: SGT exporter without map/unmap\n",
				     attach->dmabuf->exp_name);
		return -EINVAL;
	}
	dma_buf_sgt_set_peer(attach, i,
			     e->p2p_provider || (e->legacy_p2p && i->allow_p2p));
	return 0;
}

static void dma_buf_sgt_describe(struct seq_file *s,
				 const struct dma_buf_attachment *attach)
{
	seq_printf(s, "dev %s, peer2peer %s", dev_name(attach->dev),
		   str_yes_no(attach->peer2peer));
}

/**
 * DOC: SGT mapping type
 *
 * dma_buf_mapping_sgt is the SGT mapping type. Exporters offer it with
 * dma_buf_sgt_export() and &struct dma_buf_sgt_exp_ops, importers accept it
 * with dma_buf_sgt_import() and map with dma_buf_map_attachment(). Every
 * exporter that still sets &dma_buf_ops.map_dma_buf offers it implicitly, and
 * dma_buf_attach() and dma_buf_dynamic_attach() accept only it. With a
 * &dma_buf_sgt_exp_data.p2p_provider, the importer must accept P2P and the
 * PCIe distance between the provider and the importer's device is the cost,
 * which chooses between entries marked as alternatives of each other. Its
 * map, dma_buf_map_attachment(), pins the buffer for static importers, so
 * they may list it.
 */
const struct dma_buf_mapping_type dma_buf_mapping_sgt = {
	.name = "sgt",
	.exp_data_size = sizeof(struct dma_buf_sgt_exp_data),
	.imp_data_size = sizeof(struct dma_buf_sgt_imp_data),
	.match = dma_buf_sgt_match,
	.finish = dma_buf_sgt_finish,
	.describe = dma_buf_sgt_describe,
	.pin_on_map = true,
};
EXPORT_SYMBOL_NS_GPL(dma_buf_mapping_sgt, "DMA_BUF");

static struct sg_table *
dma_buf_sgt_compat_map(struct dma_buf_attachment *attach,
		       enum dma_data_direction dir)
{
	return attach->dmabuf->ops->map_dma_buf(attach, dir);
}

static void dma_buf_sgt_compat_unmap(struct dma_buf_attachment *attach,
				     struct sg_table *sgt,
				     enum dma_data_direction dir)
{
	attach->dmabuf->ops->unmap_dma_buf(attach, sgt, dir);
}

static const struct dma_buf_sgt_exp_ops dma_buf_sgt_compat_ops = {
	.map_dma_buf = dma_buf_sgt_compat_map,
	.unmap_dma_buf = dma_buf_sgt_compat_unmap,
};

static const struct dma_buf_sgt_exp_data dma_buf_sgt_compat_data = {
	.legacy_p2p = true,
};

/*
 * The SGT entry of an exporter that only has &dma_buf_ops.map_dma_buf: it
 * forwards to those ops and leaves the P2P decision where it was.
 */
bool dma_buf_sgt_compat_match(struct dma_buf *dmabuf,
			      struct dma_buf_mapping_match *entry)
{
	if (!dmabuf->ops->map_dma_buf)
		return false;
	*entry = dma_buf_sgt_export(&dma_buf_sgt_compat_ops,
				    &dma_buf_sgt_compat_data);
	return true;
}

/* The exporter's SGT ops of @attach, or NULL if it negotiated another type. */
const struct dma_buf_sgt_exp_ops *
dma_buf_sgt_ops(const struct dma_buf_attachment *attach)
{
	if (attach->map.type != &dma_buf_mapping_sgt)
		return NULL;
	return attach->map.ops;
}
