/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCI devices of the dma-buf KUnit cases that need PCIe P2P.
 */
#ifndef __ST_DMA_BUF_P2P_H__
#define __ST_DMA_BUF_P2P_H__

#include <kunit/test.h>
#include <linux/pci.h>

/*
 * PCI devices for the P2P cases: QEMU pci-testdev functions (1b36:0005), a
 * client (slot 2) and a provider (slot 3) behind one bridge, a second
 * provider (slot 4) one bridge up, and a third on the root bus (slot 0x11),
 * which the emulated host bridge does not allow P2P through. On x86_64:
 *
 *   ./tools/testing/kunit/kunit.py run --arch=x86_64 \
 *	--kunitconfig=drivers/dma-buf --kconfig_add CONFIG_PCI_P2PDMA=y \
 *	--kconfig_add CONFIG_ZONE_DEVICE=y \
 *	--kconfig_add CONFIG_MEMORY_HOTPLUG=y \
 *	--kconfig_add CONFIG_MEMORY_HOTREMOVE=y \
 *	--qemu_args "-device pci-bridge,id=b0,chassis_nr=1,addr=0x10 \
 *	-device pci-bridge,id=b1,chassis_nr=2,bus=b0,addr=1 \
 *	-device pci-testdev,bus=b1,addr=2 -device pci-testdev,bus=b1,addr=3 \
 *	-device pci-testdev,bus=b0,addr=4 -device pci-testdev,addr=0x11"
 *
 * Without them, the cases that need them are skipped
 * (dmabuf_get_p2p_devs()).
 */
#define DMABUF_TEST_PCI_VENDOR 0x1b36
#define DMABUF_TEST_PCI_DEVICE 0x0005

struct dmabuf_p2p_devs {
	struct pci_dev *client, *near, *far, *root;
};

static void dmabuf_put_pci_dev(void *pdev)
{
	pci_dev_put(pdev);
}

static struct pci_dev *dmabuf_find_pci(struct kunit *test, unsigned int slot,
				       bool on_root_bus)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(DMABUF_TEST_PCI_VENDOR,
				      DMABUF_TEST_PCI_DEVICE, pdev))) {
		if (PCI_SLOT(pdev->devfn) == slot &&
		    pci_is_root_bus(pdev->bus) == on_root_bus) {
			if (kunit_add_action_or_reset(test, dmabuf_put_pci_dev,
						      pdev))
				return NULL;
			return pdev;
		}
	}
	return NULL;
}

/*
 * The P2P devices, each held until the case ends; the case is skipped where
 * they or PCI_P2PDMA are missing.
 */
static void dmabuf_get_p2p_devs(struct kunit *test, struct dmabuf_p2p_devs *d)
{
	if (!IS_ENABLED(CONFIG_PCI_P2PDMA))
		kunit_skip(test, "needs CONFIG_PCI_P2PDMA (x86_64)");
	d->client = dmabuf_find_pci(test, 2, false);
	d->near = dmabuf_find_pci(test, 3, false);
	d->far = dmabuf_find_pci(test, 4, false);
	d->root = dmabuf_find_pci(test, 0x11, true);
	if (!d->client || !d->near || !d->far || !d->root)
		kunit_skip(test, "needs the pci-testdev topology of the x86_64 run");
}

#endif
