// SPDX-License-Identifier: GPL-2.0-only
/*
 * Export a BAR of a vfio-pci device as a dma-buf, map it into an iommufd IOAS
 * (iommufd imports it through the PAL mapping type), revoke it, and check the
 * errno of every kind of bad input.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/udmabuf.h>
#include <linux/vfio.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_pci_dmabuf.h"

/* The most ranges VFIO_DEVICE_FEATURE_DMA_BUF takes, see linux/vfio.h. */
#define DMABUF_MAX_RANGES 65536

static const char *device_bdf;
static size_t page_size;

FIXTURE(vfio_pci_dmabuf_test) {
	struct iommu *iommu;
	struct vfio_pci_device *device;
	__u32 bar;
	__u64 bar_size;
};

FIXTURE_SETUP(vfio_pci_dmabuf_test)
{
	self->iommu = iommu_init("iommufd");
	self->device = vfio_pci_device_init(device_bdf, self->iommu);

	if (!dmabuf_find_bar(self->device->fd, page_size, &self->bar,
			     &self->bar_size))
		SKIP(return, "%s has no memory BAR of two pages or more",
		     device_bdf);
}

FIXTURE_TEARDOWN(vfio_pci_dmabuf_test)
{
	vfio_pci_device_cleanup(self->device);
	iommu_cleanup(self->iommu);
}

TEST_F(vfio_pci_dmabuf_test, whole_bar)
{
	struct vfio_region_dma_range range = { 0, self->bar_size };
	__u64 iova;
	int dfd;

	dfd = dmabuf_export(self->device->fd, self->bar, &range, 1);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));
	ASSERT_EQ(0, close(dfd));
}

/*
 * The attachment iommufd made negotiated the PAL mapping type: print what
 * debugfs says of every attachment and look for it.
 */
TEST_F(vfio_pci_dmabuf_test, negotiated_type)
{
	struct vfio_region_dma_range range = { 0, self->bar_size };
	char line[256];
	__u64 iova;
	FILE *f;
	int dfd;

	if (access(DMABUF_BUFINFO, R_OK))
		SKIP(return, "no dma_buf/bufinfo in debugfs (not mounted?)");

	dfd = dmabuf_export(self->device->fd, self->bar, &range, 1);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));

	f = fopen(DMABUF_BUFINFO, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "mapping:") || strstr(line, "candidates:"))
			ksft_print_msg("bufinfo: %s", line + strspn(line, "\t"));
	}
	fclose(f);
	/* The core mapped the buffer into iommufd's one domain, from PAL. */
	ASSERT_TRUE(dmabuf_bufinfo_domain_line(line, sizeof(line)));
	ASSERT_NE(NULL, strstr(line, "(1 mapped, 0 invalidated) converted from pal"));

	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));
	ASSERT_EQ(0, close(dfd));
}

/* Several ranges of one BAR, out of order: iommufd maps all of them. */
TEST_F(vfio_pci_dmabuf_test, two_ranges)
{
	struct vfio_region_dma_range ranges[] = {
		{ page_size, self->bar_size - page_size },
		{ 0, page_size },
	};
	__u64 iova, iova2;
	int dfd;

	dfd = dmabuf_export(self->device->fd, self->bar, ranges, 2);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));
	/* A slice that starts in the second range. */
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, self->bar_size - page_size,
				page_size, &iova2));
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova2, page_size));
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));
	ASSERT_EQ(0, close(dfd));
}

/* Check debugfs' line of the buffer's attachment for @what, when it exists. */
static void expect_bufinfo(struct __test_metadata *_metadata, const char *when,
			   const char *what)
{
	char line[256];

	if (access(DMABUF_BUFINFO, R_OK))
		return;
	ASSERT_TRUE(dmabuf_bufinfo_domain_line(line, sizeof(line)));
	ksft_print_msg("bufinfo %s: %s", when, line);
	ASSERT_NE(NULL, strstr(line, what));
}

/*
 * Disabling memory decoding revokes the dma-buf. vfio-pci waits until every
 * importer gave its mapping back, so the config write returning at all means
 * iommufd tore its mapping down (debugfs shows its attachment holding none).
 * On a PF nothing can map the buffer until memory decoding is back. A VF's
 * memory enable is the PF's: vfio-pci gives the buffer back before the
 * write returns, so the old mapping stays torn down and a new one maps.
 */
TEST_F(vfio_pci_dmabuf_test, revoke_memory_disable)
{
	struct vfio_region_dma_range range = { 0, self->bar_size };
	__u64 iova, iova2;
	int dfd;

	dfd = dmabuf_export(self->device->fd, self->bar, &range, 1);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));
	expect_bufinfo(_metadata, "before memory disable", "(1 mapped, ");

	vfio_pci_cmd_clear(self->device, PCI_COMMAND_MEMORY);
	expect_bufinfo(_metadata, "after memory disable", "(0 mapped, ");
	if (!dmabuf_device_pf(device_bdf, NULL, 0)) {
		ASSERT_EQ(-1, dmabuf_map(self->iommu, dfd, 0, self->bar_size,
					 &iova2));
		ASSERT_EQ(ENODEV, errno);
		vfio_pci_cmd_set(self->device, PCI_COMMAND_MEMORY);
	}
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova2));
	if (dmabuf_device_pf(device_bdf, NULL, 0))
		vfio_pci_cmd_set(self->device, PCI_COMMAND_MEMORY);

	/* The revoked mapping can still be unmapped. */
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova2, self->bar_size));
	ASSERT_EQ(0, close(dfd));
}

/*
 * A reset revokes the dma-buf while it runs: iommufd's mapping is torn down
 * for good (the reset returning means it gave the list back, and debugfs
 * shows its attachment holding none), and the buffer maps again once the
 * device is back.
 */
TEST_F(vfio_pci_dmabuf_test, revoke_reset)
{
	struct vfio_region_dma_range range = { 0, self->bar_size };
	__u64 iova, iova2;
	int dfd;

	if (!(self->device->info.flags & VFIO_DEVICE_FLAGS_RESET))
		SKIP(return, "%s cannot be reset", device_bdf);

	dfd = dmabuf_export(self->device->fd, self->bar, &range, 1);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));
	expect_bufinfo(_metadata, "before the reset", "(1 mapped, ");

	ASSERT_EQ(0, __vfio_pci_device_reset(self->device));
	expect_bufinfo(_metadata, "after the reset", "(0 mapped, ");
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova2));

	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova2, self->bar_size));
	ASSERT_EQ(0, close(dfd));
}

/*
 * Closing the device revokes the dma-buf for good: a mapping made before is
 * torn down, and nothing maps the buffer again.
 */
TEST_F(vfio_pci_dmabuf_test, revoke_close)
{
	struct vfio_region_dma_range range = { 0, self->bar_size };
	__u64 iova;
	int dfd;

	dfd = dmabuf_export(self->device->fd, self->bar, &range, 1);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));
	expect_bufinfo(_metadata, "before the close", "(1 mapped, ");
	vfio_pci_device_cleanup(self->device);
	expect_bufinfo(_metadata, "after the close", "(0 mapped, ");
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));
	self->device = vfio_pci_device_init(device_bdf, self->iommu);

	ASSERT_EQ(-1, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(0, close(dfd));
}

#define EXPECT_EXPORT_ERRNO(_errno, _bar, _ranges, _nr)                       \
	do {                                                                  \
		ASSERT_EQ(-1, dmabuf_export(self->device->fd, _bar, _ranges,  \
					    _nr));                            \
		ASSERT_EQ(_errno, errno);                                     \
	} while (0)

TEST_F(vfio_pci_dmabuf_test, bad_input)
{
	struct vfio_region_dma_range range;
	struct vfio_region_dma_range *many;
	__u32 i;

	/* Region index out of range: the ROM, then no region at all. */
	range = (struct vfio_region_dma_range){ 0, page_size };
	EXPECT_EXPORT_ERRNO(ENODEV, VFIO_PCI_ROM_REGION_INDEX, &range, 1);
	EXPECT_EXPORT_ERRNO(ENODEV, 1000, &range, 1);

	/* A range past the end of the BAR, and one wrapping around. */
	range = (struct vfio_region_dma_range){ self->bar_size - page_size,
						 2 * page_size };
	EXPECT_EXPORT_ERRNO(EINVAL, self->bar, &range, 1);
	range = (struct vfio_region_dma_range){ -page_size, 2 * page_size };
	EXPECT_EXPORT_ERRNO(EOVERFLOW, self->bar, &range, 1);

	/* Unaligned offset, unaligned length, zero length. */
	range = (struct vfio_region_dma_range){ page_size / 2, page_size };
	EXPECT_EXPORT_ERRNO(EINVAL, self->bar, &range, 1);
	range = (struct vfio_region_dma_range){ 0, page_size / 2 };
	EXPECT_EXPORT_ERRNO(EINVAL, self->bar, &range, 1);
	range = (struct vfio_region_dma_range){ 0, 0 };
	EXPECT_EXPORT_ERRNO(EINVAL, self->bar, &range, 1);

	/* No range, and more ranges than allowed. */
	EXPECT_EXPORT_ERRNO(EINVAL, self->bar, NULL, 0);
	many = calloc(DMABUF_MAX_RANGES + 1, sizeof(*many));
	ASSERT_NE(NULL, many);
	for (i = 0; i <= DMABUF_MAX_RANGES; i++)
		many[i] = (struct vfio_region_dma_range){ 0, page_size };
	EXPECT_EXPORT_ERRNO(E2BIG, self->bar, many, DMABUF_MAX_RANGES + 1);
	free(many);
}

/* A dma-buf whose exporter has no physical address list for iommufd. */
TEST_F(vfio_pci_dmabuf_test, wrong_kind_of_dmabuf)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC };
	int memfd, udev, dfd;
	__u64 iova;

	udev = open("/dev/udmabuf", O_RDWR);
	if (udev < 0)
		SKIP(return, "no /dev/udmabuf (CONFIG_UDMABUF)");
	memfd = memfd_create("vfio_pci_dmabuf_test", MFD_ALLOW_SEALING);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, page_size));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	create.memfd = memfd;
	create.size = page_size;
	dfd = ioctl(udev, UDMABUF_CREATE, &create);
	ASSERT_LE(0, dfd);

	ASSERT_EQ(-1, dmabuf_map(self->iommu, dfd, 0, page_size, &iova));
	ASSERT_EQ(EOPNOTSUPP, errno);

	close(dfd);
	close(memfd);
	close(udev);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	page_size = getpagesize();
	return test_harness_run(argc, argv);
}
