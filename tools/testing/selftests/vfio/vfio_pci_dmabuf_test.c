// SPDX-License-Identifier: GPL-2.0-only
/*
 * Export a BAR of a vfio-pci device as a dma-buf, map it into an iommufd IOAS
 * (iommufd imports it through the PAL mapping type), revoke it, check the
 * errno of every kind of bad input, and fail each allocation of an export
 * and map in turn.
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
 * The attachment iommufd made negotiated the PAL mapping type, at the place
 * vfio-pci's list gives it: print what debugfs says of every attachment and
 * look for it.
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
	/*
	 * vfio-pci's order: a VF's BAR ranges (IOV, for its PF's driver)
	 * first, then PAL; a PF's buffer has PAL only.
	 */
	ASSERT_NE(NULL, strstr(line, dmabuf_device_pf(device_bdf, NULL, 0) ?
			       " pal exp[1] imp[0] " : " pal exp[0] imp[0] "));

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

/*
 * A row of the README's bad-input table, as tooling/lib/bad-inputs reads it;
 * @errno_name is the errno's name ("EINVAL"), not its number.
 */
static void print_bad_input(const char *input, const char *errno_name,
			    const char *rule)
{
	ksft_print_msg("bad input: %s: -%s, %s\n", input, errno_name, rule);
}

/*
 * One bad input, as a pair: @good, a request that works, and @bad, the same
 * request with one field changed. EINVAL is the errno of several of
 * vfio-pci's rules, so only @good working shows that the rule named @rule,
 * the one the change breaks, is what refused @bad. Each pair is printed as
 * a row of the README's bad-input table.
 */
#define EXPECT_REFUSED(_input, _errno, _rule, _good, _bad)                    \
	do {                                                                  \
		const char *_in = (_input);                                   \
		int _fd = (_good);                                            \
		ASSERT_LE(0, _fd)                                             \
			TH_LOG("%s: the request without the change fails: %s", \
			       _in, strerror(errno));                         \
		close(_fd);                                                   \
		ASSERT_EQ(-1, (_bad))                                         \
			TH_LOG("%s: accepted", _in);                          \
		ASSERT_EQ(_errno, errno)                                      \
			TH_LOG("%s: %s, not " #_errno, _in,                   \
			       strerror(errno));                              \
		print_bad_input(_in, #_errno, _rule);                         \
	} while (0)

#define EXPORT(_bar, _ranges, _nr) \
	dmabuf_export_raw(self->device->fd, _bar, _ranges, _nr, 0, 0)
#define EXPORT_RANGE(_bar, _offset, _length)                                 \
	dmabuf_export_raw(self->device->fd, _bar,                             \
			  &(struct vfio_region_dma_range){ .offset = _offset,  \
							   .length = _length }, \
			  1, 0, 0)

TEST_F(vfio_pci_dmabuf_test, bad_input)
{
	const __u64 p = page_size, size = self->bar_size;
	const struct vfio_region_dma_range one = { 0, p };
	struct vfio_region_dma_range *many;
	struct vfio_region_info info;
	__u32 i, none = 0;
	const char *io_bdf;

	/* The region index: past the BARs, and a BAR without memory. */
	EXPECT_REFUSED("the ROM region", ENODEV, "a region that is not a BAR",
		       EXPORT(self->bar, &one, 1),
		       EXPORT(VFIO_PCI_ROM_REGION_INDEX, &one, 1));
	EXPECT_REFUSED("region index 1000", ENODEV, "a region that is not a BAR",
		       EXPORT(self->bar, &one, 1), EXPORT(1000, &one, 1));
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX &&
	     !none; i++) {
		info = (struct vfio_region_info){ .argsz = sizeof(info), .index = i };
		if (!ioctl(self->device->fd, VFIO_DEVICE_GET_REGION_INFO, &info) &&
		    !info.size)
			none = i;
	}
	if (none)
		EXPECT_REFUSED("a BAR the device does not implement", ENODEV,
			       "a BAR vfio-pci has not mapped",
			       EXPORT(self->bar, &one, 1),
			       EXPORT(none, &one, 1));
	else
		ksft_print_msg("bad input: no unimplemented BAR on %s to try\n",
			       device_bdf);

	/*
	 * An I/O BAR, on the device VFIO_DMABUF_IO_BDF names (bound to
	 * vfio-pci, with a memory BAR and an I/O BAR), against a page of its
	 * memory BAR. No page-sized range fits an I/O BAR (256 bytes at
	 * most), so the range rule would refuse it too: vfio-pci's first
	 * check, that the BAR has a P2P provider, is the one that does.
	 */
	io_bdf = getenv("VFIO_DMABUF_IO_BDF");
	if (io_bdf) {
		struct vfio_pci_device *io = vfio_pci_device_init(io_bdf,
								  self->iommu);
		int mem = -1, port = -1;

		for (i = 0; i < PCI_STD_NUM_BARS; i++) {
			__u32 reg = vfio_pci_config_readl(io, PCI_BASE_ADDRESS_0 +
							  4 * i);

			if (!io->bars[i].info.size)
				continue;
			if (reg & PCI_BASE_ADDRESS_SPACE_IO)
				port = port < 0 ? i : port;
			else
				mem = mem < 0 ? i : mem;
		}
		ASSERT_LE(0, mem) TH_LOG("%s has no memory BAR", io_bdf);
		ASSERT_LE(0, port) TH_LOG("%s has no I/O BAR", io_bdf);
		EXPECT_REFUSED("an I/O BAR", EINVAL,
			       "a BAR with a P2P provider (memory)",
			       dmabuf_export_raw(io->fd, mem, &one, 1, 0, 0),
			       dmabuf_export_raw(io->fd, port, &one, 1, 0, 0));
		vfio_pci_device_cleanup(io);
	} else {
		ksft_print_msg("bad input: no I/O BAR to try (no VFIO_DMABUF_IO_BDF)\n");
	}

	/* The ioctl's own fields. */
	EXPECT_REFUSED("dma-buf flags not 0", EINVAL, "flags must be 0",
		       EXPORT(self->bar, &one, 1),
		       dmabuf_export_raw(self->device->fd, self->bar, &one, 1,
					 1, 0));
	EXPECT_REFUSED("argsz short of the dma-buf feature", EINVAL,
		       "argsz covers struct vfio_device_feature_dma_buf",
		       EXPORT(self->bar, &one, 1),
		       dmabuf_export_raw(self->device->fd, self->bar, &one, 1,
					 0, sizeof(one) + 1));

	/* The ranges: each against the same range that fits. */
	EXPECT_REFUSED("no range", EINVAL, "at least one range",
		       EXPORT(self->bar, &one, 1), EXPORT(self->bar, NULL, 0));
	EXPECT_REFUSED("zero length", EINVAL, "a range is not empty",
		       EXPORT(self->bar, &one, 1),
		       EXPORT_RANGE(self->bar, 0, 0));
	EXPECT_REFUSED("unaligned offset", EINVAL, "offsets are page-aligned",
		       EXPORT_RANGE(self->bar, p, p),
		       EXPORT_RANGE(self->bar, p / 2, p));
	EXPECT_REFUSED("unaligned length", EINVAL, "lengths are page-aligned",
		       EXPORT(self->bar, &one, 1),
		       EXPORT_RANGE(self->bar, 0, p / 2));
	EXPECT_REFUSED("range past the end of the BAR", EINVAL,
		       "a range ends inside the BAR",
		       EXPORT_RANGE(self->bar, size - p, p),
		       EXPORT_RANGE(self->bar, size - p, 2 * p));
	EXPECT_REFUSED("range wraps around", EOVERFLOW,
		       "BAR address plus offset plus length does not wrap",
		       EXPORT_RANGE(self->bar, size - p, p),
		       EXPORT_RANGE(self->bar, -p, p));

	/* The number of ranges, on both sides of the bound. */
	many = calloc(DMABUF_MAX_RANGES + 1, sizeof(*many));
	ASSERT_NE(NULL, many);
	for (i = 0; i <= DMABUF_MAX_RANGES; i++)
		many[i] = one;
	EXPECT_REFUSED("65537 ranges", E2BIG, "at most 65536 ranges",
		       EXPORT(self->bar, many, DMABUF_MAX_RANGES),
		       EXPORT(self->bar, many, DMABUF_MAX_RANGES + 1));
	free(many);
}

/*
 * A dma-buf whose exporter has no physical address list for iommufd,
 * against the same map of a page of the BAR, which works: a row of the
 * bad-input table.
 */
TEST_F(vfio_pci_dmabuf_test, wrong_kind_of_dmabuf)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC };
	const struct vfio_region_dma_range one = { 0, page_size };
	int memfd, udev, dfd, good;
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

	good = EXPORT(self->bar, &one, 1);
	ASSERT_LE(0, good);
	ASSERT_EQ(0, dmabuf_map(self->iommu, good, 0, page_size, &iova));
	ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, page_size));
	close(good);

	ASSERT_EQ(-1, dmabuf_map(self->iommu, dfd, 0, page_size, &iova));
	ASSERT_EQ(EOPNOTSUPP, errno);
	print_bad_input("a udmabuf mapped through iommufd", "EOPNOTSUPP",
			"an exporter with a PAL entry");

	close(dfd);
	close(memfd);
	close(udev);
}

/*
 * The fail-nth file of this single-threaded process' task (see
 * Documentation/fault-injection/fault-injection.rst).
 */
static int open_fail_nth(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", getpid());
	return open(path, O_RDWR);
}

/*
 * Set the fault-injection attribute debugfs @dir/@name; its old value into
 * @old. Opened twice: some of those files cannot seek.
 */
static bool set_fault_attr(const char *dir, const char *name, const char *val,
			   char *old, size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, old, size - 1);
	old[n > 0 ? n : 0] = '\0';
	close(fd);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val);
}

/*
 * Every slab allocation of an export, its map into the IOAS, the unmap and
 * the close fails once, one per round: the task's fail-nth, with failslab
 * set to fail sleeping allocations too, as iommufd_fail_nth does. The ioctl
 * that made it fails with ENOMEM, or succeeds where the kernel absorbs the
 * failure; after each round no attachment holds a list, and the device
 * exports and maps again. The rounds end when one fails nothing. With
 * CONFIG_IOMMUFD_TEST, iommufd's object lookup is a fault point of its own
 * (fail_iommufd), which the same counter reaches: an iommufd ioctl that
 * it fails returns ENOENT.
 */
TEST_F(vfio_pci_dmabuf_test, fail_nth)
{
	struct vfio_region_dma_range range = { 0, self->bar_size };
	unsigned int n, failed = 0, refused = 0, lookups = 0;
	char wait[8], verbose[8], iommufd_verbose[8], buf[16];
	bool iommufd_fault;
	bool done = false;
	__u64 iova;
	int nth;

	if (access(DMABUF_BUFINFO, R_OK))
		SKIP(return, "no dma_buf/bufinfo in debugfs (not mounted?)");
	if (!set_fault_attr("failslab", "ignore-gfp-wait", "N", wait, sizeof(wait)))
		SKIP(return, "no failslab in debugfs (CONFIG_FAILSLAB)");
	/* No stack dump for each failure. */
	ASSERT_TRUE(set_fault_attr("failslab", "verbose", "0", verbose,
				   sizeof(verbose)));
	iommufd_fault = set_fault_attr("fail_iommufd", "verbose", "0",
				       iommufd_verbose, sizeof(iommufd_verbose));
	nth = open_fail_nth();
	ASSERT_LE(0, nth);

	for (n = 1; !done && n < 10000; n++) {
		bool unmap_failed = false;
		const char *op = NULL;
		int dfd, err = 0;
		ssize_t len;

		len = snprintf(buf, sizeof(buf), "%u", n);
		ASSERT_EQ(len, pwrite(nth, buf, len, 0));
		dfd = dmabuf_export(self->device->fd, self->bar, &range, 1);
		if (dfd < 0) {
			err = errno;
			op = "export";
		} else {
			if (dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova)) {
				err = errno;
				op = "map";
			} else if (dmabuf_unmap(self->iommu, iova, self->bar_size)) {
				err = errno;
				op = "unmap";
				unmap_failed = true;
			}
			close(dfd);
		}
		/* What is left of the count: not 0 if there was no n-th. */
		len = pread(nth, buf, sizeof(buf) - 1, 0);
		ASSERT_LT(0, len);
		buf[len] = '\0';
		ASSERT_EQ(1, pwrite(nth, "0", 1, 0));
		if (unmap_failed)
			ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));

		if (atoi(buf)) {
			ASSERT_EQ(0, err);
			done = true;
			continue;
		}
		failed++;
		if (iommufd_fault && err == ENOENT && strcmp(op, "export")) {
			lookups++;
		} else if (err) {
			refused++;
			ASSERT_EQ(ENOMEM, err) TH_LOG("allocation %u failed: %s", n, op);
		}
		ASSERT_EQ(0, dmabuf_bufinfo_held());
		/* Nothing of the failure stays in the way. */
		dfd = dmabuf_export(self->device->fd, self->bar, &range, 1);
		ASSERT_LE(0, dfd);
		ASSERT_EQ(0, dmabuf_map(self->iommu, dfd, 0, self->bar_size, &iova));
		ASSERT_EQ(0, dmabuf_unmap(self->iommu, iova, self->bar_size));
		ASSERT_EQ(0, close(dfd));
	}
	close(nth);
	set_fault_attr("failslab", "ignore-gfp-wait", wait, buf, sizeof(buf));
	set_fault_attr("failslab", "verbose", verbose, buf, sizeof(buf));
	if (iommufd_fault)
		set_fault_attr("fail_iommufd", "verbose", iommufd_verbose, buf,
			       sizeof(buf));
	/* Failures, and what each did: export, map, unmap and close. */
	ksft_print_msg("fault injection: %u failed, %u ENOMEM, %u ENOENT of iommufd, %u absorbed\n",
		       failed, refused, lookups, failed - refused - lookups);
	ASSERT_TRUE(done);
	ASSERT_LT(0, refused);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	page_size = getpagesize();
	return test_harness_run(argc, argv);
}
