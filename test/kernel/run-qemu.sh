#!/bin/sh
# Asks a real Linux kernel with three NUMA nodes where pages land: builds
# test/kernel/placement.c statically, packs it with busybox and strace into an
# initramfs, boots a Debian kernel in QEMU (TCG) with the `machine qemu3` layout of
# test/fixtures/kernel/*.mplace, runs the program under strace, and cuts the
# program's output and the strace log out of the serial console.
# Writes test/fixtures/kernel/placement.out, placement.strace and versions.txt.
# Build outputs (kernel package, vmlinuz, initramfs, console log) stay in
# .vscode-test/kernel/, which git ignores. The guest is test/kernel/qemu3.sh's.
# Usage (as root): sh test/kernel/run-qemu.sh [situation]
#   With a situation name (see main() in placement.c) only that one runs, and the
#   output goes to .vscode-test/kernel/ instead of the fixtures.
#   KERNEL_PKG=linux-image-<version>-amd64-unsigned overrides the kernel package;
#   OUT=<folder> writes the outputs there instead.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
work="$repo/.vscode-test/kernel"
out=${OUT:-"$repo/test/fixtures/kernel"}
[ -z "${1:-}" ] || out="$work"
mkdir -p "$work" "$out"

. "$repo/test/kernel/qemu3.sh"
qemu3_prepare
qemu3_root
gcc -static -O1 -Wall -pthread -o "$root/bin/placement" "$repo/test/kernel/placement.c"

calls=mmap,munmap,mprotect,mbind,set_mempolicy,get_mempolicy,move_pages,migrate_pages
cat > "$root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo '--- memplace env ---'
uname -r
grep -H MemFree /sys/devices/system/node/node*/meminfo
echo "transparent_hugepage: \$(cat /sys/kernel/mm/transparent_hugepage/enabled)"
echo '--- memplace end ---'
strace -f -ttt -T -e trace=$calls -o /tmp/strace.log /bin/placement ${1:-} > /tmp/out.txt 2>&1
echo '--- memplace out ---'
cat /tmp/out.txt
echo '--- memplace end ---'
echo '--- memplace strace ---'
cat /tmp/strace.log
echo '--- memplace end ---'
poweroff -f
EOF
qemu3_boot

qemu3_section out > "$out/placement.out"
qemu3_section strace > "$out/placement.strace"
{
  echo "kernel: $(qemu3_section env | head -1) (Debian package $(basename "$deb")), QEMU TCG: $(qemu-system-x86_64 --version | head -1)"
  echo "strace: $(strace -V | head -1)"
  echo "compiler: $(gcc --version | head -1)"
  echo "free memory per node at boot:"
  qemu3_section env | tail -n +2
} > "$out/versions.txt"
grep -q '^=== end$' "$out/placement.out" || { echo "the program did not finish: see $work/console.txt" >&2; exit 1; }
echo "wrote $out/placement.out, placement.strace, versions.txt"
