# Shared by the scripts that ask a real kernel: the Debian kernel, an initramfs with
# busybox and strace, and a QEMU (TCG) guest with three NUMA nodes — the `machine qemu3`
# layout of test/fixtures/kernel/*.mplace (/work/shared/recipes/real-kernel.md):
#   node 0: 256M, cpu 0   node 1: 256M, cpu 1   node 2: 128M, no cpu
#   distances 0-1 21, 0-2 40, 1-2 30
# Source it (`. test/kernel/qemu3.sh`) with $work set to a build folder.
# Nothing is downloaded but Debian packages.

qemu3_kernel_pkg=${KERNEL_PKG:-linux-image-6.12.113+deb12-amd64-unsigned}

# Installs the tools, downloads the kernel package once; sets $deb and $vmlinuz.
qemu3_prepare() {
  need=""
  for pair in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio strace:strace gcc:gcc; do
    command -v "${pair%%:*}" >/dev/null || need="$need ${pair#*:}"
  done
  if [ -n "$need" ]; then
    apt-get update -q && apt-get install -y -q $need
  fi
  if ! ls "$work"/"$qemu3_kernel_pkg"_*.deb >/dev/null 2>&1; then
    (cd "$work" && apt-get download "$qemu3_kernel_pkg")
  fi
  deb=$(ls "$work"/"$qemu3_kernel_pkg"_*.deb | head -1)
  rm -rf "$work/kernel" && dpkg -x "$deb" "$work/kernel"
  vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-*)
}

# A fresh initramfs tree in $work/root with busybox and strace (with its libraries);
# the caller adds its program and an init script, then calls qemu3_boot.
qemu3_root() {
  root="$work/root"
  rm -rf "$root" && mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for tool in sh mount poweroff cat echo grep uname; do ln -s busybox "$root/bin/$tool"; done
  cp "$(command -v strace)" "$root/bin/strace"
  for lib in $(ldd "$(command -v strace)" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# Packs $work/root and boots it; the serial console goes to $work/console.txt.
# nokaslr keeps the kernel image (and the zero page) at the same place on every boot.
qemu3_boot() {
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
}

# One section of the console between `--- memplace <name> ---` and `--- memplace end ---`
# (the console adds carriage returns, and terminal escapes before the first line).
qemu3_section() {
  tr -d '\r' < "$work/console.txt" | sed -n "/--- memplace $1 ---\$/,/^--- memplace end ---\$/p" | sed '1d;$d'
}
