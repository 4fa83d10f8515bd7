# SPDX-License-Identifier: GPL-2.0
# kunit.py's QEMU configuration for tooling/steps/kunit-x86 (--qemu_config):
# as kunit.py's own x86_64 one, but the kernel does not shut down after the
# suites (kunit_shutdown=none): it runs the /init of the initramfs the step
# passes (-initrd, tooling/config/kunit/kmemleak-init), which has kmemleak
# scan and powers off. panic=-1: a kernel that cannot run /init reboots,
# which ends QEMU (-no-reboot), instead of hanging until the timeout.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 kunit_shutdown=none panic=-1',
			   extra_qemu_params=['-bios', 'qboot.rom'])
