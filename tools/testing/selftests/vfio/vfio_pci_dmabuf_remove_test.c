// SPDX-License-Identifier: GPL-2.0-only
/*
 * Remove a vfio-pci device whose dma-buf iommufd maps: unbind it from
 * vfio-pci, and, for a VF, disable SR-IOV on its PF. vfio-pci asks the
 * device's user to let go through the device request eventfd; this test
 * answers by closing the device, which revokes the dma-buf. The removal must
 * then finish within a bounded time, iommufd's mapping must be gone from the
 * page table, which outlives the device (debugfs shows iommufd's attachment
 * holding no list), the old mapping must still unmap and the buffer never
 * map again. The device is put back afterwards: bound to
 * vfio-pci again, the PF's VFs enabled again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_pci_dmabuf.h"

/* A removal that takes longer has hung: reported, not waited for. */
#define REMOVE_LIMIT_S 30

static const char *device_bdf;
static size_t page_size;

/* Write @val to @path; 0 or -errno. */
static int write_path(const char *path, const char *val)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? -errno : n == (ssize_t)strlen(val) ? 0 : -EIO;
	close(fd);
	return err;
}

/* Write @val to /sys/bus/pci/devices/@bdf/@file; 0 or -errno. */
static int sysfs_write(const char *bdf, const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf_assert(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf,
			file);
	return write_path(path, val);
}

static bool device_exists(const char *bdf)
{
	char path[PATH_MAX];

	snprintf_assert(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return access(path, F_OK) == 0;
}

/* Whether @bdf is bound to vfio-pci. */
static bool on_vfio_pci(const char *bdf)
{
	char *driver = sysfs_driver_get(bdf);
	bool ret = driver && !strcmp(driver, "vfio-pci");

	free(driver);
	return ret;
}

/*
 * Bind @bdf to vfio-pci, from whatever driver it has, and check that it is.
 * A write to drivers_probe succeeds even when no driver took the device, and
 * a VF that SR-IOV has just created once had no driver after it, once a step
 * failed with -ENOENT; so the steps (unbind from another driver,
 * driver_override, drivers_probe) are taken again, for up to 10 s, until the
 * device is on vfio-pci, and a step that fails is printed. 0, or the -errno
 * of the last try's failed step, named in *@step (-ETIMEDOUT, "probe", if
 * each step succeeded and the device is still not on vfio-pci).
 */
static int bind_vfio_pci(const char *bdf, const char **step)
{
	int ret = 0, i;

	for (i = 0; i < 100; i++) {
		char *driver = sysfs_driver_get(bdf);
		bool bound = driver && !strcmp(driver, "vfio-pci");

		ret = 0;
		if (driver && !bound) {
			*step = "driver/unbind";
			ret = sysfs_write(bdf, "driver/unbind", bdf);
		}
		free(driver);
		if (bound)
			return 0;
		if (!ret) {
			*step = "driver_override";
			ret = sysfs_write(bdf, "driver_override", "vfio-pci");
		}
		if (!ret) {
			*step = "drivers_probe";
			ret = write_path("/sys/bus/pci/drivers_probe", bdf);
		}
		if (!ret && on_vfio_pci(bdf))
			return 0;
		if (ret)
			ksft_print_msg("binding %s to vfio-pci, try %d: %s: %s\n",
				       bdf, i + 1, *step, strerror(-ret));
		usleep(100000);
	}
	if (!ret) {
		*step = "probe";
		ret = -ETIMEDOUT;
	}
	return ret;
}

/*
 * The device, opened through iommufd and attached to a page table of its
 * own, and its user: a thread that waits for vfio-pci's request to release
 * the device and answers it by closing the device.
 */
struct remove {
	int fd;
	int req_fd;
	atomic_bool asked;	/* the request came */
	atomic_bool closed;	/* the device is closed */
};

static void *answer_request(void *p)
{
	struct remove *rm = p;
	struct pollfd pfd = { .fd = rm->req_fd, .events = POLLIN };
	__u64 count;

	if (poll(&pfd, 1, REMOVE_LIMIT_S * 1000) != 1 ||
	    read(rm->req_fd, &count, sizeof(count)) != sizeof(count))
		return NULL;
	atomic_store(&rm->asked, true);
	close(rm->fd);
	atomic_store(&rm->closed, true);
	return NULL;
}

/* Route vfio-pci's device request to an eventfd of our own. */
static void request_eventfd(struct __test_metadata *_metadata,
			    struct remove *rm)
{
	struct {
		struct vfio_irq_set set;
		__s32 fd;
	} irq = {
		.set = {
			.argsz = sizeof(irq),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = VFIO_PCI_REQ_IRQ_INDEX,
			.start = 0,
			.count = 1,
		},
	};

	rm->req_fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, rm->req_fd);
	irq.fd = rm->req_fd;
	ASSERT_EQ(0, ioctl(rm->fd, VFIO_DEVICE_SET_IRQS, &irq));
}

/* A sysfs write that removes the device, made from a thread of its own. */
struct removal {
	const char *bdf, *file, *val;
	int ret;
	atomic_bool done;
};

static void *remove_write(void *p)
{
	struct removal *w = p;

	w->ret = sysfs_write(w->bdf, w->file, w->val);
	atomic_store(&w->done, true);
	return NULL;
}

/*
 * Write @val to @bdf's @file beside the device's user and return how long it
 * took. A write that has not finished after REMOVE_LIMIT_S has hung: the
 * tasks still blocked go to the console and the test fails at once, without
 * joining the threads stuck in the kernel.
 */
static __u64 remove_bounded(struct __test_metadata *_metadata,
			    struct remove *rm, const char *bdf,
			    const char *file, const char *val)
{
	struct removal w = { .bdf = bdf, .file = file, .val = val };
	pthread_t user, writer;
	__u64 start, took;
	char msg[256];

	start = dmabuf_now_ns();
	ASSERT_EQ(0, pthread_create(&user, NULL, answer_request, rm));
	ASSERT_EQ(0, pthread_create(&writer, NULL, remove_write, &w));
	while (!atomic_load(&w.done)) {
		usleep(10000);
		if (dmabuf_now_ns() - start < REMOVE_LIMIT_S * 1000000000ULL)
			continue;
		dmabuf_dump_threads();
		snprintf(msg, sizeof(msg),
			 "writing %s to %s's %s has not finished after %d s (request %s, device %s)\n",
			 val, bdf, file, REMOVE_LIMIT_S,
			 atomic_load(&rm->asked) ? "answered" : "not seen",
			 atomic_load(&rm->closed) ? "closed" : "open");
		dmabuf_log_fail("vfio_pci_dmabuf_remove_test", msg);
		ksft_print_msg("%s", msg);
		dmabuf_print_kernel_warnings();
		fflush(stdout);
		_exit(KSFT_FAIL);
	}
	took = dmabuf_now_ns() - start;
	pthread_join(writer, NULL);
	pthread_join(user, NULL);
	ASSERT_EQ(0, w.ret) {
		TH_LOG("writing %s to %s's %s: %s", val, bdf, file,
		       strerror(-w.ret));
	}
	ASSERT_TRUE(atomic_load(&rm->asked)) {
		TH_LOG("%s went without asking its user to release it", bdf);
	}
	ASSERT_TRUE(atomic_load(&rm->closed));
	return took;
}

FIXTURE(vfio_pci_dmabuf_remove_test) {
	struct iommu *iommu;
	struct remove rm;
	__u32 hwpt_id;
	__u32 bar;
	__u64 bar_size;
	int dfd;
	__u64 iova;
	unsigned long taint;
	/* a VF's PF and its number of VFs */
	char pf[32];
	int numvfs;
};

/*
 * The device is attached to a page table allocated for it rather than to
 * the IOAS: the page table outlives the device's close, so the mapping in it
 * goes only if the dma-buf's revocation takes it out.
 */
FIXTURE_SETUP(vfio_pci_dmabuf_remove_test)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	struct vfio_region_dma_range range;
	const char *cdev;

	self->dfd = -1;
	self->rm.fd = -1;
	self->rm.req_fd = -1;
	self->taint = dmabuf_kernel_taint();
	if (dmabuf_device_pf(device_bdf, self->pf, sizeof(self->pf)))
		self->numvfs = sysfs_sriov_numvfs_get(self->pf);

	self->iommu = iommu_init("iommufd");
	cdev = vfio_pci_get_cdev_path(device_bdf);
	self->rm.fd = open(cdev, O_RDWR);
	free((void *)cdev);
	ASSERT_LE(0, self->rm.fd);
	bind.iommufd = self->iommu->iommufd;
	ASSERT_EQ(0, ioctl(self->rm.fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	alloc.dev_id = bind.out_devid;
	alloc.pt_id = self->iommu->ioas_id;
	ASSERT_EQ(0, ioctl(self->iommu->iommufd, IOMMU_HWPT_ALLOC, &alloc));
	self->hwpt_id = alloc.out_hwpt_id;
	attach.pt_id = self->hwpt_id;
	ASSERT_EQ(0, ioctl(self->rm.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	if (!dmabuf_find_bar(self->rm.fd, page_size, &self->bar, &self->bar_size))
		SKIP(return, "%s has no memory BAR of two pages or more",
		     device_bdf);
	request_eventfd(_metadata, &self->rm);

	range = (struct vfio_region_dma_range){ 0, self->bar_size };
	self->dfd = dmabuf_export(self->rm.fd, self->bar, &range, 1);
	ASSERT_LE(0, self->dfd);
	ASSERT_EQ(0, dmabuf_map(self->iommu, self->dfd, 0, self->bar_size,
				&self->iova));
	if (dmabuf_bufinfo_held() >= 0)
		ASSERT_EQ(1, dmabuf_bufinfo_held());
}

FIXTURE_TEARDOWN(vfio_pci_dmabuf_remove_test)
{
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	const char *step;
	char numvfs[16];

	if (!atomic_load(&self->rm.closed) && self->rm.fd >= 0)
		close(self->rm.fd);
	if (self->rm.req_fd >= 0)
		close(self->rm.req_fd);
	if (self->dfd >= 0)
		close(self->dfd);
	if (self->hwpt_id) {
		destroy.id = self->hwpt_id;
		ioctl(self->iommu->iommufd, IOMMU_DESTROY, &destroy);
	}
	iommu_cleanup(self->iommu);

	/* Put back what a test that failed half-way left removed. */
	if (self->pf[0] && !device_exists(device_bdf)) {
		snprintf_assert(numvfs, sizeof(numvfs), "%d", self->numvfs);
		sysfs_write(self->pf, "sriov_numvfs", numvfs);
	}
	if (device_exists(device_bdf))
		bind_vfio_pci(device_bdf, &step);
}

/*
 * After the removal: iommufd's mapping is gone, the old mapping at @iova
 * still unmaps, the buffer never maps again, and nothing warned since
 * @taint was read.
 */
static void check_after(struct __test_metadata *_metadata,
			struct iommu *iommu, int *dfd, __u64 iova,
			__u64 size, unsigned long taint, const char *what,
			__u64 took)
{
	long held = dmabuf_bufinfo_held();
	__u64 iova2;

	ksft_print_msg("%s took %llu ms, lists held after %ld\n", what,
		       (unsigned long long)(took / 1000000), held);
	if (held >= 0)
		ASSERT_EQ(0, held);
	ASSERT_EQ(0, dmabuf_unmap(iommu, iova, size));
	ASSERT_EQ(-1, dmabuf_map(iommu, *dfd, 0, size, &iova2));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(0, close(*dfd));
	*dfd = -1;
	ASSERT_EQ(0, dmabuf_kernel_taint() & (1UL << 9) & ~taint);
}

/* Unbinding the device from vfio-pci revokes its mapped dma-buf. */
TEST_F_TIMEOUT(vfio_pci_dmabuf_remove_test, unbind, 4 * REMOVE_LIMIT_S)
{
	const char *step;
	__u64 took;
	int ret;

	took = remove_bounded(_metadata, &self->rm, device_bdf,
			      "driver/unbind", device_bdf);
	ASSERT_EQ(NULL, sysfs_driver_get(device_bdf));
	check_after(_metadata, self->iommu, &self->dfd, self->iova,
		    self->bar_size, self->taint, "unbind", took);

	ret = bind_vfio_pci(device_bdf, &step);
	ASSERT_EQ(0, ret) {
		TH_LOG("binding %s to vfio-pci again: %s: %s", device_bdf,
		       step, strerror(-ret));
	}
}

/*
 * Disabling SR-IOV on the PF removes the VF, which revokes the VF's mapped
 * dma-buf.
 */
TEST_F_TIMEOUT(vfio_pci_dmabuf_remove_test, sriov_disable, 4 * REMOVE_LIMIT_S)
{
	char numvfs[16];
	const char *step;
	__u64 took;
	int ret;

	if (!self->pf[0])
		SKIP(return, "%s is not a VF", device_bdf);
	ASSERT_LT(0, self->numvfs);

	took = remove_bounded(_metadata, &self->rm, self->pf, "sriov_numvfs",
			      "0");
	ASSERT_FALSE(device_exists(device_bdf));
	check_after(_metadata, self->iommu, &self->dfd, self->iova,
		    self->bar_size, self->taint, "SR-IOV disable", took);

	/* The VFs back, and this one on vfio-pci. */
	snprintf_assert(numvfs, sizeof(numvfs), "%d", self->numvfs);
	ASSERT_EQ(0, sysfs_write(self->pf, "sriov_numvfs", numvfs));
	ASSERT_TRUE(device_exists(device_bdf));
	ret = bind_vfio_pci(device_bdf, &step);
	ASSERT_EQ(0, ret) {
		TH_LOG("binding %s to vfio-pci again: %s: %s", device_bdf,
		       step, strerror(-ret));
	}
}

int main(int argc, char *argv[])
{
	/* Line by line, so that a hung run still shows what it printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	page_size = getpagesize();
	return test_harness_run(argc, argv);
}
