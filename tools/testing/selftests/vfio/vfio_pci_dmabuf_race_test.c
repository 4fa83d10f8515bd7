// SPDX-License-Identifier: GPL-2.0-only
/*
 * Revoke a vfio-pci device's dma-bufs while other threads map them into an
 * iommufd IOAS and unmap them, and export and close others: memory disable
 * (the device's COMMAND register, through vfio) and resets revoke, and
 * every revocation must finish, the buffers must map again afterwards, and
 * no importer may be left holding a list. The number of revocations comes
 * from VFIO_DMABUF_RACE_REVOCATIONS (1000 by default).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_pci_dmabuf.h"

/* Ranges of the many-range buffer: one page each, over and over the BAR. */
#define RACE_RANGES 64
/* Every how many revocations one is a reset (a reset takes 100 ms and more). */
#define RACE_RESET_EVERY 50
/* An operation that takes longer has hung: reported, not waited for. */
#define RACE_REVOKE_LIMIT_S 30

static const char *device_bdf;
static size_t page_size;

struct race {
	struct vfio_pci_device *device;
	struct iommu *iommu;
	__u32 bar;
	__u64 bar_size;
	/* the buffers the mapper maps: one range, and RACE_RANGES ranges */
	int dfd[2];
	__u64 size[2];
	unsigned long revocations;
	atomic_ulong done_revocations;
	atomic_bool stop;
	/* start of each thread's operation in progress (0: none), ns */
	atomic_ullong op_start[3];
	__u64 longest_ns;
	atomic_ulong maps, refused, exports;
	/* the first unexpected error of a thread, as a message */
	char error[160];
	pthread_mutex_t lock;
};

static void race_error(struct race *r, const char *what, int err)
{
	pthread_mutex_lock(&r->lock);
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s: %s", what,
			 strerror(err));
	pthread_mutex_unlock(&r->lock);
	atomic_store(&r->stop, true);
}

static int export(struct race *r, unsigned int nr, __u64 *size)
{
	struct vfio_region_dma_range ranges[RACE_RANGES];
	unsigned int i, pages = r->bar_size / page_size;

	for (i = 0; i < nr; i++) {
		ranges[i].offset = (__u64)(i % pages) * page_size;
		ranges[i].length = page_size;
	}
	if (nr == 1)
		ranges[0].length = r->bar_size;
	*size = nr == 1 ? r->bar_size : (__u64)nr * page_size;
	return dmabuf_export(r->device->fd, r->bar, ranges, nr);
}

/* Map the whole buffer and unmap it; a refusal while revoked is counted. */
static int map_unmap(struct race *r, int dfd, __u64 size)
{
	__u64 iova;

	if (dmabuf_map(r->iommu, dfd, 0, size, &iova)) {
		if (errno != ENODEV)
			return -errno;
		atomic_fetch_add(&r->refused, 1);
		return 0;
	}
	atomic_fetch_add(&r->maps, 1);
	if (dmabuf_unmap(r->iommu, iova, size))
		return -errno;
	return 0;
}

static void *mapper(void *p)
{
	struct race *r = p;
	unsigned long i;
	int ret;

	for (i = 0; !atomic_load(&r->stop); i++) {
		atomic_store(&r->op_start[1], dmabuf_now_ns());
		ret = map_unmap(r, r->dfd[i & 1], r->size[i & 1]);
		atomic_store(&r->op_start[1], 0);
		if (ret) {
			race_error(r, "IOMMU_IOAS_MAP_FILE/UNMAP", -ret);
			break;
		}
	}
	return NULL;
}

/* Export a buffer, map it once, close it: attach and detach under fire. */
static void *exporter(void *p)
{
	struct race *r = p;
	unsigned long i;
	__u64 size;
	int dfd, ret;

	for (i = 0; !atomic_load(&r->stop); i++) {
		atomic_store(&r->op_start[2], dmabuf_now_ns());
		dfd = export(r, i & 1 ? RACE_RANGES : 1, &size);
		if (dfd < 0) {
			race_error(r, "export", errno);
			break;
		}
		atomic_fetch_add(&r->exports, 1);
		ret = map_unmap(r, dfd, size);
		close(dfd);
		atomic_store(&r->op_start[2], 0);
		if (ret) {
			race_error(r, "map of a new buffer", -ret);
			break;
		}
	}
	return NULL;
}

static void *revoker(void *p)
{
	struct race *r = p;
	unsigned long i;
	__u64 t, ns;
	int ret;

	for (i = 0; i < r->revocations && !atomic_load(&r->stop); i++) {
		t = dmabuf_now_ns();
		atomic_store(&r->op_start[0], t);
		if (i % RACE_RESET_EVERY == RACE_RESET_EVERY - 1) {
			ret = __vfio_pci_device_reset(r->device);
			if (ret == -EAGAIN)
				ret = 0;
		} else {
			vfio_pci_cmd_clear(r->device, PCI_COMMAND_MEMORY);
			vfio_pci_cmd_set(r->device, PCI_COMMAND_MEMORY);
			ret = 0;
		}
		ns = dmabuf_now_ns() - t;
		atomic_store(&r->op_start[0], 0);
		atomic_store(&r->done_revocations, i + 1);
		if (ns > r->longest_ns)
			r->longest_ns = ns;
		if (ret) {
			race_error(r, "VFIO_DEVICE_RESET", -ret);
			break;
		}
	}
	r->revocations = i;
	atomic_store(&r->stop, true);
	return NULL;
}

FIXTURE(vfio_pci_dmabuf_race_test) {
	struct race r;
};

FIXTURE_SETUP(vfio_pci_dmabuf_race_test)
{
	struct race *r = &self->r;
	const char *env = getenv("VFIO_DMABUF_RACE_REVOCATIONS");

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->revocations = env ? strtoul(env, NULL, 10) : 1000;
	r->iommu = iommu_init("iommufd");
	r->device = vfio_pci_device_init(device_bdf, r->iommu);
	if (!dmabuf_find_bar(r->device->fd, page_size, &r->bar, &r->bar_size))
		SKIP(return, "%s has no memory BAR of two pages or more",
		     device_bdf);
	r->dfd[0] = export(r, 1, &r->size[0]);
	ASSERT_LE(0, r->dfd[0]);
	r->dfd[1] = export(r, RACE_RANGES, &r->size[1]);
	ASSERT_LE(0, r->dfd[1]);
}

FIXTURE_TEARDOWN(vfio_pci_dmabuf_race_test)
{
	vfio_pci_device_cleanup(self->r.device);
	iommu_cleanup(self->r.iommu);
}

/*
 * The revocations race maps and unmaps of two buffers (one range, and 64)
 * and exports, maps and closes of new ones. A revocation that does not
 * finish within RACE_REVOKE_LIMIT_S fails the test at once, with the
 * counts so far, instead of hanging the run.
 */
TEST_F_TIMEOUT(vfio_pci_dmabuf_race_test, revoke_under_fire, 3600)
{
	struct race *r = &self->r;
	unsigned long taint = dmabuf_kernel_taint();
	pthread_t th[3];
	char msg[256];
	__u64 start, t;
	unsigned int i;
	long held;

	ASSERT_EQ(0, pthread_create(&th[0], NULL, revoker, r));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, mapper, r));
	ASSERT_EQ(0, pthread_create(&th[2], NULL, exporter, r));
	static const char * const what[] = {
		"a revocation", "a map or unmap", "an export, map or close",
	};

	for (;;) {
		bool busy = false;

		usleep(100000);
		t = dmabuf_now_ns();
		for (i = 0; i < 3; i++) {
			start = atomic_load(&r->op_start[i]);
			busy |= start;
			if (!start || t < start ||
			    t - start < RACE_REVOKE_LIMIT_S * 1000000000ULL)
				continue;
			dmabuf_dump_threads();
			snprintf(msg, sizeof(msg),
				 "%s has not finished after %d s: revocations so far %lu, maps %lu, refused %lu, exports %lu\n",
				 what[i], RACE_REVOKE_LIMIT_S,
				 atomic_load(&r->done_revocations),
				 atomic_load(&r->maps), atomic_load(&r->refused),
				 atomic_load(&r->exports));
			/*
			 * The kernel log too: the stuck threads keep this
			 * process, and so its output pipe, from ever closing.
			 */
			dmabuf_log_fail("vfio_pci_dmabuf_race_test", msg);
			ksft_print_msg("%s", msg);
			dmabuf_print_kernel_warnings();
			/* The threads are stuck in the kernel: do not join. */
			fflush(stdout);
			_exit(KSFT_FAIL);
		}
		if (atomic_load(&r->stop) && !busy)
			break;
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);

	held = dmabuf_bufinfo_held();
	/* One line, for the test summary to pick up. */
	ksft_print_msg("revocations %lu (a reset every %d), maps %lu, ",
		       r->revocations, RACE_RESET_EVERY, atomic_load(&r->maps));
	printf("refused while revoked %lu, exports %lu, longest revoke %llu us, ",
	       atomic_load(&r->refused), atomic_load(&r->exports),
	       (unsigned long long)(r->longest_ns / 1000));
	printf("lists held after %ld, splats %s\n", held,
	       dmabuf_kernel_taint() & (1UL << 9) & ~taint ? "yes (taint W)" : "0");
	ASSERT_EQ('\0', r->error[0]) {
		TH_LOG("%s", r->error);
	}
	ASSERT_EQ(0, dmabuf_kernel_taint() & (1UL << 9) & ~taint);
	ASSERT_LT(0, r->revocations);
	ASSERT_LT(0, atomic_load(&r->maps));
	if (held >= 0)
		ASSERT_EQ(0, held);
	/* Both buffers map again. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, map_unmap(r, r->dfd[i], r->size[i]));
	ASSERT_EQ(0, close(r->dfd[0]));
	ASSERT_EQ(0, close(r->dfd[1]));
}

int main(int argc, char *argv[])
{
	/* Line by line, so that a hung run still shows what it printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	page_size = getpagesize();
	return test_harness_run(argc, argv);
}
