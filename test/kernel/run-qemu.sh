#!/bin/sh
# Asks a real Linux kernel with three NUMA nodes where pages land: builds
# test/kernel/placement.c statically, packs it with busybox and strace into an
# initramfs, boots a Debian kernel in QEMU (TCG) with the `machine qemu3` layout of
# test/fixtures/kernel/*.mplace, runs the program under strace, and cuts the
# program's output and the strace log out of the serial console:
#   node 0 cpu0: 256M, cpu 0   node 1 cpu1: 256M, cpu 1   node 2 mem2: 128M, no cpu
#   distances 0-1 21, 0-2 40, 1-2 30
# Writes test/fixtures/kernel/placement.out, placement.strace and versions.txt.
# Build outputs (kernel package, vmlinuz, initramfs, console log) stay in
# .vscode-test/kernel/, which git ignores. Nothing is downloaded but Debian packages.
# nokaslr keeps the kernel image (and the zero page) at the same place on every boot.
# Usage (as root): sh test/kernel/run-qemu.sh [situation]
#   With a situation name (see main() in placement.c) only that one runs, and the
#   output goes to .vscode-test/kernel/ instead of the fixtures.
#   KERNEL_PKG=linux-image-<version>-amd64-unsigned overrides the kernel package.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
work="$repo/.vscode-test/kernel"
out="$repo/test/fixtures/kernel"
[ -z "${1:-}" ] || out="$work"
kernel_pkg=${KERNEL_PKG:-linux-image-6.12.113+deb12-amd64-unsigned}
mkdir -p "$work" "$out"

need=""
for pair in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio strace:strace gcc:gcc; do
  command -v "${pair%%:*}" >/dev/null || need="$need ${pair#*:}"
done
if [ -n "$need" ]; then
  apt-get update -q && apt-get install -y -q $need
fi

# the kernel: a Debian package, downloaded once
if ! ls "$work"/"$kernel_pkg"_*.deb >/dev/null 2>&1; then
  (cd "$work" && apt-get download "$kernel_pkg")
fi
deb=$(ls "$work"/"$kernel_pkg"_*.deb | head -1)
rm -rf "$work/kernel" && dpkg -x "$deb" "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-*)

# the initramfs: busybox, the static program, strace with its shared libraries
root="$work/root"
rm -rf "$root" && mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
for tool in sh mount poweroff cat echo grep uname; do ln -s busybox "$root/bin/$tool"; done
gcc -static -O1 -Wall -pthread -o "$root/bin/placement" "$repo/test/kernel/placement.c"
cp "$(command -v strace)" "$root/bin/strace"
for lib in $(ldd "$(command -v strace)" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

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
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.cpio.gz"

timeout 900 qemu-system-x86_64 -accel tcg -cpu max -m 640M -smp 2 -nographic -no-reboot \
  -object memory-backend-ram,id=m0,size=256M -object memory-backend-ram,id=m1,size=256M \
  -object memory-backend-ram,id=m2,size=128M \
  -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 \
  -numa node,nodeid=2,memdev=m2 \
  -numa dist,src=0,dst=1,val=21 -numa dist,src=0,dst=2,val=40 -numa dist,src=1,dst=2,val=30 \
  -kernel "$vmlinuz" -initrd "$work/initrd.cpio.gz" -append "console=ttyS0 quiet panic=-1 nokaslr" \
  > "$work/console.txt"

# one section of the console between its markers (the console adds carriage returns,
# and terminal escapes before the first line)
section() {
  tr -d '\r' < "$work/console.txt" | sed -n "/--- memplace $1 ---\$/,/^--- memplace end ---\$/p" | sed '1d;$d'
}
section out > "$out/placement.out"
section strace > "$out/placement.strace"
{
  echo "kernel: $(section env | head -1) (Debian package $(basename "$deb")), QEMU TCG: $(qemu-system-x86_64 --version | head -1)"
  echo "strace: $(strace -V | head -1)"
  echo "compiler: $(gcc --version | head -1)"
  echo "free memory per node at boot:"
  section env | tail -n +2
} > "$out/versions.txt"
grep -q '^=== end$' "$out/placement.out" || { echo "the program did not finish: see $work/console.txt" >&2; exit 1; }
echo "wrote $out/placement.out, placement.strace, versions.txt"
