/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the vfio dma-buf kselftests share: export a BAR of a vfio-pci device
 * as a dma-buf, map it into an iommufd IOAS and unmap it, and find a BAR to
 * export.
 */
#ifndef SELFTESTS_VFIO_PCI_DMABUF_H
#define SELFTESTS_VFIO_PCI_DMABUF_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <libvfio.h>

/* Returns the dma-buf fd, or -1 with errno set. */
static inline int dmabuf_export(int device_fd, __u32 region_index,
				const struct vfio_region_dma_range *ranges, __u32 nr)
{
	struct vfio_device_feature_dma_buf *get;
	struct vfio_device_feature *feature;
	size_t argsz;
	int ret, err;

	argsz = sizeof(*feature) + sizeof(*get) + nr * sizeof(*ranges);
	feature = calloc(1, argsz);
	if (!feature)
		return -1;
	feature->argsz = argsz;
	feature->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	get = (struct vfio_device_feature_dma_buf *)feature->data;
	get->region_index = region_index;
	get->open_flags = O_RDWR | O_CLOEXEC;
	get->nr_ranges = nr;
	if (nr)
		memcpy(get->dma_ranges, ranges, nr * sizeof(*ranges));

	ret = ioctl(device_fd, VFIO_DEVICE_FEATURE, feature);
	err = errno;
	free(feature);
	errno = err;
	return ret;
}

/* IOMMU_IOAS_MAP_FILE at an IOVA the kernel picks. */
static inline int dmabuf_map(struct iommu *iommu, int dmabuf_fd, __u64 start,
			     __u64 length, __u64 *iova)
{
	struct iommu_ioas_map_file map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = iommu->ioas_id,
		.fd = dmabuf_fd,
		.start = start,
		.length = length,
	};
	int ret;

	ret = ioctl(iommu->iommufd, IOMMU_IOAS_MAP_FILE, &map);
	if (!ret)
		*iova = map.iova;
	return ret;
}

/* IOMMU_IOAS_UNMAP of [@iova, @iova + @length). */
static inline int dmabuf_unmap(struct iommu *iommu, __u64 iova,
			       __u64 length)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = iommu->ioas_id,
		.iova = iova,
		.length = length,
	};

	return ioctl(iommu->iommufd, IOMMU_IOAS_UNMAP, &unmap);
}

/*
 * The first memory BAR of @device of at least two pages that can be
 * mmap()ed: its index into *@bar and its size into *@size. False if there
 * is none.
 */
static inline bool dmabuf_find_bar(struct vfio_pci_device *device,
				   size_t page_size, __u32 *bar, __u64 *size)
{
	__u32 i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct vfio_region_info *info = &device->bars[i].info;

		if (info->size >= 2 * page_size &&
		    (info->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			*bar = i;
			*size = info->size;
			return true;
		}
	}
	return false;
}

#endif /* SELFTESTS_VFIO_PCI_DMABUF_H */
