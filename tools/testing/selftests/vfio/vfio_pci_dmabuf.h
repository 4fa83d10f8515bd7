/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the vfio dma-buf kselftests share: export a BAR of a vfio-pci device
 * as a dma-buf, map it into an iommufd IOAS and unmap it, and find a BAR to
 * export; and what they report: the lists importers hold, the kernel's
 * taint and warnings, and the tasks a hung operation left blocked.
 */
#ifndef SELFTESTS_VFIO_PCI_DMABUF_H
#define SELFTESTS_VFIO_PCI_DMABUF_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <libvfio.h>

#include "kselftest.h"

#define DMABUF_BUFINFO "/sys/kernel/debug/dma_buf/bufinfo"

/*
 * VFIO_DEVICE_FEATURE_DMA_BUF of @nr @ranges of region @region_index, with
 * @feature_flags in the dma-buf feature's flags (0 is the only valid value)
 * and the argsz the ioctl is told @argsz_short bytes short of the real size.
 * Returns the dma-buf fd, or -1 with errno set.
 */
static inline int dmabuf_export_raw(int device_fd, __u32 region_index,
				    const struct vfio_region_dma_range *ranges,
				    __u32 nr, __u32 feature_flags,
				    size_t argsz_short)
{
	struct vfio_device_feature_dma_buf *get;
	struct vfio_device_feature *feature;
	size_t argsz;
	int ret, err;

	argsz = sizeof(*feature) + sizeof(*get) + nr * sizeof(*ranges);
	feature = calloc(1, argsz);
	if (!feature)
		return -1;
	feature->argsz = argsz - argsz_short;
	feature->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	get = (struct vfio_device_feature_dma_buf *)feature->data;
	get->region_index = region_index;
	get->open_flags = O_RDWR | O_CLOEXEC;
	get->flags = feature_flags;
	get->nr_ranges = nr;
	if (nr)
		memcpy(get->dma_ranges, ranges, nr * sizeof(*ranges));

	ret = ioctl(device_fd, VFIO_DEVICE_FEATURE, feature);
	err = errno;
	free(feature);
	errno = err;
	return ret;
}

/* Returns the dma-buf fd, or -1 with errno set. */
static inline int dmabuf_export(int device_fd, __u32 region_index,
				const struct vfio_region_dma_range *ranges, __u32 nr)
{
	return dmabuf_export_raw(device_fd, region_index, ranges, nr, 0, 0);
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
 * The first memory BAR of the vfio device @device_fd of at least two pages
 * that can be mmap()ed: its index into *@bar and its size into *@size.
 * False if there is none.
 */
static inline bool dmabuf_find_bar(int device_fd, size_t page_size,
				   __u32 *bar, __u64 *size)
{
	struct vfio_region_info info = { .argsz = sizeof(info) };

	for (info.index = VFIO_PCI_BAR0_REGION_INDEX;
	     info.index <= VFIO_PCI_BAR5_REGION_INDEX; info.index++) {
		if (ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &info))
			continue;
		if (info.size >= 2 * page_size &&
		    (info.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			*bar = info.index;
			*size = info.size;
			return true;
		}
	}
	return false;
}

/*
 * Whether the PCI device @bdf is an SR-IOV VF; if so, and @pf is not NULL,
 * its PF's address into @pf (@size bytes).
 */
static inline bool dmabuf_device_pf(const char *bdf, char *pf, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/physfn", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	if (pf)
		snprintf(pf, size, "%s",
			 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	return true;
}

/* CLOCK_MONOTONIC in nanoseconds. */
static inline __u64 dmabuf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Copy debugfs' line for the first attachment that negotiated the IOMMU
 * domain type, without its leading tabs, into @out; false if there is none
 * or no debugfs.
 */
static inline bool dmabuf_bufinfo_domain_line(char *out, size_t size)
{
	bool found = false;
	char line[256];
	FILE *f;

	f = fopen(DMABUF_BUFINFO, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strstr(line, "mapping: domain ")) {
			snprintf(out, size, "%s", line + strspn(line, "\t"));
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* The lists iommufd's attachments hold, from debugfs; -1 without it. */
static inline long dmabuf_bufinfo_held(void)
{
	char line[256], *m;
	long held = 0;
	FILE *f;

	f = fopen(DMABUF_BUFINFO, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		m = strstr(line, "mapping: domain (");
		if (m)
			held += strtol(m + strlen("mapping: domain ("), NULL, 10);
	}
	fclose(f);
	return held;
}

/*
 * "@test: FAIL: @msg" in the kernel log, at KERN_ERR (so on the console
 * too), or on the console without /dev/kmsg: a hung test's output pipe
 * never closes, and what a runner buffers of it may never show.
 */
static inline void dmabuf_log_fail(const char *test, const char *msg)
{
	FILE *f = fopen("/dev/kmsg", "w");

	if (f) {
		fprintf(f, "<3>%s: FAIL: %s", test, msg);
		if (!fclose(f))
			return;
	}
	f = fopen("/dev/console", "w");
	if (f) {
		fprintf(f, "%s: FAIL: %s", test, msg);
		fclose(f);
	}
}

/* The start of the file at @path into @buf, a string ("" if unreadable). */
static inline void dmabuf_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Every task that is running or blocked, and every thread of this process
 * whatever its state, with its kernel stack, to the console.
 */
static inline void dmabuf_dump_threads(void)
{
	char path[600], buf[4096], *st;
	struct dirent *p, *t;
	DIR *procs, *tasks;
	bool self;
	FILE *con;

	con = fopen("/dev/console", "w");
	procs = opendir("/proc");
	if (!con || !procs) {
		if (con)
			fclose(con);
		if (procs)
			closedir(procs);
		return;
	}
	while ((p = readdir(procs))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		self = atoi(p->d_name) == getpid();
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((t = readdir(tasks))) {
			if (t->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat",
				 p->d_name, t->d_name);
			dmabuf_read_file(path, buf, sizeof(buf));
			st = strrchr(buf, ')');
			if (!st || (!self && st[2] != 'D' && st[2] != 'R'))
				continue;
			fprintf(con, "TASK %s", buf);
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stack",
				 p->d_name, t->d_name);
			dmabuf_read_file(path, buf, sizeof(buf));
			fprintf(con, "%s\n", buf);
			fflush(con);
		}
		closedir(tasks);
	}
	closedir(procs);
	fclose(con);
}

/* Print the kernel's warnings and errors so far (level 4 and up). */
static inline void dmabuf_print_kernel_warnings(void)
{
	char rec[1024];
	ssize_t n;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		if (atoi(rec) % 8 <= 4)
			ksft_print_msg("kernel: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
	}
	close(fd);
}

/* /proc/sys/kernel/tainted; 0 if it cannot be read. */
static inline unsigned long dmabuf_kernel_taint(void)
{
	unsigned long t = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%lu", &t) != 1)
			t = 0;
		fclose(f);
	}
	return t;
}

#endif /* SELFTESTS_VFIO_PCI_DMABUF_H */
