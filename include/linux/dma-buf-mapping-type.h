/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DMA-buf mapping types: how an importer receives an exporter's memory.
 *
 * See the "DMA-buf mapping types" section of
 * Documentation/driver-api/dma-buf.rst for the concepts and lock rules.
 */
#ifndef __DMA_BUF_MAPPING_TYPE_H__
#define __DMA_BUF_MAPPING_TYPE_H__

#include <linux/types.h>

struct completion;
struct dma_buf;
struct dma_buf_attachment;
struct seq_file;

/**
 * struct dma_buf_mapping_match - one candidate in a list of mapping types
 * @type: the mapping type; never NULL in a valid list.
 * @ops: for an exporter entry, the exporter's typed operations for @type
 *	(for example &struct dma_buf_sgt_exp_ops); must be NULL in an importer
 *	entry.
 * @data: the type's match data for this entry, or NULL when the type has
 *	none. Only read while the match runs: it may live on the caller's stack.
 * @data_size: sizeof(*@data); checked against the type so that an entry of
 *	the wrong shape is refused instead of misread.
 * @alternative: this entry is another path to the same memory as the entry
 *	before it, of the same type (for example the same BAR through a second
 *	PCIe P2P provider, or the importer's second device). The core chooses
 *	between the entries of such a run by cost; between entries that are
 *	not alternatives of each other, only the order of the list counts.
 *
 * Importers and exporters build these through the helpers that each mapping
 * type provides (dma_buf_sgt_import() and the like), never by hand, so that
 * @data and @ops have the type's own C types; @alternative is set on the
 * entry the helper returned.
 */
struct dma_buf_mapping_match {
	const struct dma_buf_mapping_type *type;
	const void *ops;
	const void *data;
	size_t data_size;
	bool alternative;
};

/**
 * struct dma_buf_mapping_type - a way for an importer to address a dma-buf
 * @name: short name, shown in debugfs and in messages.
 * @exp_data_size: size of the match data of an exporter entry (0: none).
 * @imp_data_size: size of the match data of an importer entry (0: none).
 * @match: required. Decide whether exporter entry @exp and importer entry
 *	@imp can be used together for @attach. Returns the cost of the pair
 *	(>= 0, lower is better), -EOPNOTSUPP to skip the pair, or another
 *	negative error code to abort the attach with that error. Must have no
 *	side effects: it may be called for pairs that do not win.
 * @finish: optional. Called once for the winning pair, before the
 *	exporter's &dma_buf_ops.attach, to record in @attach what the type
 *	needs later (only the data, not the entries, may be kept). A non-zero
 *	return aborts the attach. When NULL, only the type and the exporter's
 *	ops are recorded.
 * @release: optional. Undoes @finish; called when the attach fails after
 *	the match, and from dma_buf_detach(). When NULL, nothing is undone.
 * @reclaim: optional, for types whose maps hand out something the exporter
 *	waits for (&dma_buf_mapping_state.nr_mapped). Gives the exporter back
 *	everything @attach still holds, bringing @nr_mapped to 0; called by
 *	dma_buf_detach(), before the exporter's &dma_buf_ops.detach, for an
 *	importer that detaches without unmapping (a bug the core warns about).
 * @describe: optional. Prints one line of per-attachment detail for debugfs
 *	(no trailing newline). When NULL, debugfs prints the name only.
 * @pin_on_map: the type's map function pins the buffer and waits for its
 *	kernel fences for an importer without &dma_buf_attach_ops, as
 *	dma_buf_map_attachment() does. Only such types may be listed by an
 *	importer that cannot give its mappings back when asked (without
 *	&dma_buf_attach_ops.invalidate_mappings, see
 *	dma_buf_attach_revocable()); for the others such a list is refused.
 * @owner: the module whose code the ops are (THIS_MODULE), NULL for the
 *	types of the dma-buf core. From the match that picks the type until
 *	the attachment is released, the core holds a reference on it, so the
 *	module cannot be unloaded while an attachment of its type exists; a
 *	match that picks the type of a module being unloaded fails the attach
 *	with -ENODEV.
 *
 * A mapping type is a singleton identified by its address: two entries are of
 * the same type exactly when their @type pointers are equal. A type may be
 * private to two cooperating drivers; it then lives in their own files and
 * needs no change to dma-buf code or headers.
 *
 * @match, @finish, @release and @reclaim are called with the dma-buf's
 * reservation lock held and may sleep; they must not take that lock
 * themselves.
 */
struct dma_buf_mapping_type {
	const char *name;
	size_t exp_data_size;
	size_t imp_data_size;
	int (*match)(struct dma_buf_attachment *attach,
		     const struct dma_buf_mapping_match *exp,
		     const struct dma_buf_mapping_match *imp);
	int (*finish)(struct dma_buf_attachment *attach,
		      const struct dma_buf_mapping_match *exp,
		      const struct dma_buf_mapping_match *imp);
	void (*release)(struct dma_buf_attachment *attach);
	void (*reclaim)(struct dma_buf_attachment *attach);
	void (*describe)(struct seq_file *s,
			 const struct dma_buf_attachment *attach);
	bool pin_on_map;
	struct module *owner;
};

/**
 * struct dma_buf_mapping_state - the mapping type negotiated for an attachment
 * @type: the winning type; set for every attachment once attached.
 * @ops: the exporter's typed operations for @type.
 * @priv: private to @type, for what its &dma_buf_mapping_type.finish keeps.
 * @nr_mapped: for PAL and IOV, lists handed out by dma_buf_pal_map() or
 *	dma_buf_iov_map() and not given back yet; for the IOMMU domain type,
 *	ranges mapped by dma_buf_domain_map(); for an sg_table converted from
 *	PAL, sg_tables handed out. Shown in debugfs, so that a revocation is
 *	seen to take the importer's mappings down, and by
 *	dma_buf_report_held(). Lists and domain ranges still out at
 *	dma_buf_detach() are given back to the exporter by the core.
 *
 * Embedded in &struct dma_buf_attachment, so every attachment pays for it:
 * only what map and unmap need is here. What the core keeps of the
 * negotiation itself (the importer's list while it runs, a conversion, the
 * candidates tried and refused, for debugfs) is private to the core and not
 * part of the attachment. Written by the core during attach, read-only
 * afterwards, but for @nr_mapped, which changes under the reservation lock.
 */
struct dma_buf_mapping_state {
	const struct dma_buf_mapping_type *type;
	const void *ops;
	void *priv;
	unsigned int nr_mapped;
};

/* Longest list an importer or an exporter may give. */
#define DMA_BUF_MAPPING_MAX_ENTRIES 64

int dma_buf_match_mapping(struct dma_buf_attachment *attach,
			  const struct dma_buf_mapping_match *exp,
			  size_t nr_exp);
unsigned int dma_buf_report_held(struct dma_buf *dmabuf);
unsigned int dma_buf_revoke_wait(struct dma_buf *dmabuf,
				 struct completion *done, unsigned long report);

#endif /* __DMA_BUF_MAPPING_TYPE_H__ */
