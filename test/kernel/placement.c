// placement: asks a real multi-node kernel where pages land, situation by situation,
// and prints the answers as `.mplace` scenario text (the statement it mirrors, then
// `expect` lines carrying what the kernel answered). test/kernel/run-qemu.sh runs it
// under strace in a QEMU guest with three NUMA nodes, the `machine qemu3` block of
// test/fixtures/kernel/*.mplace:
//   node 0 cpu0 (256M, cpu 0), node 1 cpu1 (256M, cpu 1), node 2 mem2 (128M, no cpu).
// Raw syscalls (no libnuma) so the strace log shows exactly the arguments used.
// Regions are placed where the scenario language places them (0x7f0000000000, then
// the previous end rounded up to 2 MiB plus a 2 MiB gap) with MAP_FIXED_NOREPLACE, so
// interleave by virtual page number is comparable page by page.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum { MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE };
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_NUMA_BALANCING (1 << 13)
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_MF_STRICT 1
#define MPOL_MF_MOVE 2
#define MPOL_MF_MOVE_ALL 4
#define MPOL_MF_LAZY 8

#define PAGE 4096UL
#define BASE 0x7f0000000000UL
#define TWO_M (2UL << 20)
#define K(n) ((unsigned long)(n) << 10)
#define M(n) ((unsigned long)(n) << 20)
#define NODES(...) nodemask((int[]){__VA_ARGS__, -1})
#define NONE 0UL
// get_nodes() reads maxnode - 1 bits: 65 reads exactly one word
#define MAXNODE 65

static const char *node_name[] = {"cpu0", "cpu1", "mem2"};
static const char *mode_name[] = {"default", "preferred", "bind", "interleave", "local", "preferred-many", "weighted-interleave"};

struct region {
  const char *name;
  char *addr;
  unsigned long len;
};

static struct region regions[16];
static int nregions;
static unsigned long highest_end;

static unsigned long nodemask(const int *ids) {
  unsigned long m = 0;
  for (; *ids >= 0; ids++) m |= 1UL << *ids;
  return m;
}

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static const char *errno_name(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case ESRCH: return "ESRCH";
  case EIO: return "EIO";
  case ENOMEM: return "ENOMEM";
  case EACCES: return "EACCES";
  case EFAULT: return "EFAULT";
  case EBUSY: return "EBUSY";
  case ENODEV: return "ENODEV";
  case EINVAL: return "EINVAL";
  default: return "E?";
  }
}

/** A size as the scenario language writes it. */
static const char *size_text(unsigned long n) {
  static char bufs[8][32];
  static int next;
  char *b = bufs[next++ % 8];
  if (n && n % M(1) == 0) snprintf(b, 32, "%luM", n >> 20);
  else if (n && n % K(1) == 0) snprintf(b, 32, "%luK", n >> 10);
  else snprintf(b, 32, "%lu", n);
  return b;
}

static const char *range_text(const struct region *r, unsigned long off, unsigned long len) {
  static char bufs[8][64];
  static int next;
  char *b = bufs[next++ % 8];
  if (off == 0 && len == r->len) snprintf(b, 64, "%s", r->name);
  else snprintf(b, 64, "%s[%s:%s]", r->name, size_text(off), size_text(off + len));
  return b;
}

static void node_list_text(unsigned long mask, char *out, size_t n) {
  out[0] = 0;
  for (int id = 0; id < 64; id++) {
    if (!(mask & (1UL << id))) continue;
    size_t used = strlen(out);
    if (id < 3) snprintf(out + used, n - used, "%s%s", used ? "," : "", node_name[id]);
    else snprintf(out + used, n - used, "%s%d", used ? "," : "", id);
  }
}

/** Prints what the kernel answered to the call just made, as `expect` lines. */
static long answer(long ret) {
  if (ret < 0) say("expect error %s", errno_name(errno));
  else say("expect ok");
  return ret;
}

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set)) perror("sched_setaffinity");
}

static void situation(const char *name) {
  for (int i = 0; i < nregions; i++) munmap(regions[i].addr, regions[i].len);
  nregions = 0;
  highest_end = 0;
  syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
  pin(0);
  say("=== %s", name);
}

/** `<name> = mmap <len>` (private anonymous), or `... shared` (shared anonymous: shmem). */
static struct region *map_region(const char *name, unsigned long len, int shared) {
  unsigned long at = highest_end ? ((highest_end + TWO_M - 1) & ~(TWO_M - 1)) + TWO_M : BASE;
  int kind = shared ? MAP_SHARED : MAP_PRIVATE;
  void *p = mmap((void *)at, len, PROT_READ | PROT_WRITE, kind | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (void *)at) {
    printf("# mmap at 0x%lx failed: %s\n", at, strerror(errno));
    exit(1);
  }
  struct region *r = &regions[nregions++];
  *r = (struct region){name, p, len};
  highest_end = at + len;
  say("%s = mmap %s%s", name, size_text(len), shared ? " shared" : "");
  return r;
}

static struct region *region(const char *name, unsigned long len) { return map_region(name, len, 0); }

static void unmap(struct region *r, unsigned long off, unsigned long len) {
  say("munmap %s", range_text(r, off, len));
  munmap(r->addr + off, len);
}

/** `cpu <thread> read|write <range>`: one access per page from the thread's cpu. */
static void touch(int thread, struct region *r, unsigned long off, unsigned long len, int write) {
  say("cpu t%d %s %s", thread, write ? "write" : "read", range_text(r, off, len));
  pin(thread);
  for (unsigned long a = off; a < off + len; a += PAGE) {
    if (write) r->addr[a] = 1;
    else (void)*(volatile char *)(r->addr + a);
  }
  pin(0);
}

static long sys_mbind(void *addr, unsigned long len, int mode, unsigned long mask, unsigned flags) {
  return syscall(SYS_mbind, addr, len, mode, mask ? &mask : NULL, mask ? MAXNODE : 0, flags);
}

/** mbind over a region part; `text` is the scenario statement it mirrors. */
static long mbind_(const char *text, struct region *r, unsigned long off, unsigned long len, int mode, unsigned long mask, unsigned flags) {
  say("%s", text);
  return answer(sys_mbind(r->addr + off, len, mode, mask, flags));
}

static long set_mempolicy_(const char *text, int mode, unsigned long mask) {
  say("%s", text);
  return answer(syscall(SYS_set_mempolicy, mode, mask ? &mask : NULL, mask ? MAXNODE : 0));
}

/** get_mempolicy; on success also prints the mode and nodes it wrote back. */
static void get_mempolicy_(const char *text, void *addr, unsigned long flags) {
  int mode = -1;
  unsigned long mask = 0;
  say("%s", text);
  if (answer(syscall(SYS_get_mempolicy, &mode, &mask, MAXNODE, addr, flags)) < 0) return;
  char nodes[64];
  node_list_text(mask, nodes, sizeof nodes);
  if (flags & MPOL_F_NODE) {
    // the mode argument carries a node id
    say("# kernel: mode=%s nodes=%s", mode >= 0 && mode < 3 ? node_name[mode] : "?", mode >= 0 && mode < 3 ? node_name[mode] : "");
    return;
  }
  int base = mode & ~(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING);
  say("# kernel: mode=%s%s%s%s nodes=%s", base >= 0 && base < 7 ? mode_name[base] : "?", mode & MPOL_F_STATIC_NODES ? "|static" : "",
      mode & MPOL_F_RELATIVE_NODES ? "|relative" : "", mode & MPOL_F_NUMA_BALANCING ? "|balancing" : "", nodes);
}

/** Statuses of a region part as `expect` lines; a status list only when short. */
static void print_statuses(int n, const int *status) {
  if (n <= 32) {
    char line[1024] = "expect status ";
    for (int i = 0; i < n; i++) {
      size_t used = strlen(line);
      if (status[i] >= 0 && status[i] < 3) snprintf(line + used, sizeof line - used, "%s%s", i ? "," : "", node_name[status[i]]);
      else snprintf(line + used, sizeof line - used, "%s-%s", i ? "," : "", errno_name(-status[i]));
    }
    say("%s", line);
  }
}

/** Where each page of the part is, as `expect <range> on|unpopulated` lines, one per run. */
static void print_placement(struct region *r, unsigned long off, int n, const int *status) {
  for (int i = 0; i < n;) {
    int j = i;
    while (j < n && status[j] == status[i]) j++;
    const char *range = range_text(r, off + i * PAGE, (j - i) * PAGE);
    if (status[i] >= 0 && status[i] < 3) say("expect %s on %s", range, node_name[status[i]]);
    else if (status[i] == -ENOENT || status[i] == -EFAULT) say("expect %s unpopulated", range);
    else say("# kernel: %s status %d", range, status[i]);
    i = j;
  }
}

/** move_pages(nodes == NULL) over a part: the ground truth in the strace log. */
static void query(struct region *r, unsigned long off, unsigned long len, int with_statement) {
  int n = len / PAGE;
  void **pages = calloc(n, sizeof *pages);
  int *status = calloc(n, sizeof *status);
  for (int i = 0; i < n; i++) pages[i] = r->addr + off + i * PAGE;
  long ret = syscall(SYS_move_pages, 0, n, pages, NULL, status, 0);
  if (ret < 0) printf("# query failed: %s\n", strerror(errno));
  else {
    if (with_statement && n <= 32) {
      say("move_pages %s query", range_text(r, off, len));
      say("expect ok");
      print_statuses(n, status);
    }
    print_placement(r, off, n, status);
  }
  free(pages);
  free(status);
}

static void where(struct region *r) { query(r, 0, r->len, 0); }

/** `move_pages <range> to <node> [move_all]`. */
static void move_pages_(struct region *r, unsigned long off, unsigned long len, int node, const char *node_text, int flags) {
  int n = len / PAGE;
  void **pages = calloc(n, sizeof *pages);
  int *nodes = calloc(n, sizeof *nodes);
  int *status = calloc(n, sizeof *status);
  for (int i = 0; i < n; i++) pages[i] = r->addr + off + i * PAGE, nodes[i] = node, status[i] = 12345;
  say("move_pages %s to %s%s", range_text(r, off, len), node_text, flags & MPOL_MF_MOVE_ALL ? " move_all" : "");
  long ret = answer(syscall(SYS_move_pages, 0, n, pages, nodes, status, flags));
  if (ret >= 0) {
    say("# kernel: ret=%ld", ret);
    print_statuses(n, status);
  }
  free(pages);
  free(nodes);
  free(status);
}

static long migrate_pages_(const char *text, unsigned long from, unsigned long to) {
  say("%s", text);
  long ret = answer(syscall(SYS_migrate_pages, 0, MAXNODE, &from, &to));
  if (ret >= 0) say("# kernel: ret=%ld", ret);
  return ret;
}

static void first_touch(void) {
  situation("first-touch");
  struct region *a = region("A", K(64)), *b = region("B", K(64)), *c = region("C", K(64));
  touch(0, a, 0, a->len, 1);
  touch(1, b, 0, b->len, 1);
  touch(0, c, 0, c->len, 0);
  where(a);
  where(b);
  query(c, 0, K(16), 1);
  touch(1, c, 0, K(32), 1);
  touch(0, c, 0, c->len, 1);
  where(c);
}

static void mbind01(void) {
  situation("mbind01");
  struct region *a = region("A", M(4)), *b = region("B", M(4)), *c = region("C", M(4));
  struct region *d = region("D", M(4)), *e = region("E", M(4)), *f = region("F", M(4));
  mbind_("mbind A default", a, 0, a->len, MPOL_DEFAULT, NONE, 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  mbind_("mbind B bind cpu1", b, 0, b->len, MPOL_BIND, NODES(1), 0);
  get_mempolicy_("get_mempolicy addr=B flags=addr", b->addr, MPOL_F_ADDR);
  mbind_("mbind C interleave mem2", c, 0, c->len, MPOL_INTERLEAVE, NODES(2), 0);
  get_mempolicy_("get_mempolicy addr=C flags=addr", c->addr, MPOL_F_ADDR);
  mbind_("mbind D preferred", d, 0, d->len, MPOL_PREFERRED, NONE, 0);
  get_mempolicy_("get_mempolicy addr=D flags=addr", d->addr, MPOL_F_ADDR);
  mbind_("mbind E preferred mem2", e, 0, e->len, MPOL_PREFERRED, NODES(2), 0);
  get_mempolicy_("get_mempolicy addr=E flags=addr", e->addr, MPOL_F_ADDR);
  mbind_("mbind F local", f, 0, f->len, MPOL_LOCAL, NONE, 0);
  get_mempolicy_("get_mempolicy addr=F flags=addr", f->addr, MPOL_F_ADDR);
  struct region *all[] = {a, b, c, d, e, f};
  for (int i = 0; i < 6; i++) touch(1, all[i], 0, all[i]->len, 1);
  for (int i = 0; i < 6; i++) where(all[i]);
  // the error rows
  mbind_("mbind A default cpu1", a, 0, a->len, MPOL_DEFAULT, NODES(1), 0);
  mbind_("mbind A bind", a, 0, a->len, MPOL_BIND, NONE, 0);
  mbind_("mbind A interleave", a, 0, a->len, MPOL_INTERLEAVE, NONE, 0);
  mbind_("mbind A local cpu0", a, 0, a->len, MPOL_LOCAL, NODES(0), 0);
  mbind_("mbind A 7 cpu0", a, 0, a->len, 7, NODES(0), 0);
  mbind_("mbind A default flags=8", a, 0, a->len, MPOL_DEFAULT, NONE, MPOL_MF_LAZY);
  mbind_("mbind A bind 3", a, 0, a->len, MPOL_BIND, NODES(3), 0);
  // nodes without memory are dropped from the mask (mpol_set_nodemask): only cpu1 is left
  mbind_("mbind A bind cpu1,3", a, 0, a->len, MPOL_BIND, NODES(1, 3), 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  mbind_("mbind A bind cpu0 static relative", a, 0, a->len, MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, NODES(0), 0);
  mbind_("mbind A interleave cpu0 balancing", a, 0, a->len, MPOL_INTERLEAVE | MPOL_F_NUMA_BALANCING, NODES(0), 0);
  mbind_("mbind A bind cpu0 balancing", a, 0, a->len, MPOL_BIND | MPOL_F_NUMA_BALANCING, NODES(0), 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  mbind_("mbind A preferred mem2 static", a, 0, a->len, MPOL_PREFERRED | MPOL_F_STATIC_NODES, NODES(2), 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
}

static void mbind02(void) {
  situation("mbind02-strict");
  struct region *a = region("A", K(64));
  touch(0, a, 0, K(4), 1);
  where(a);
  mbind_("mbind A bind cpu1 flags=strict", a, 0, a->len, MPOL_BIND, NODES(1), MPOL_MF_STRICT);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  touch(0, a, K(4), K(4), 1);
  mbind_("mbind A preferred cpu1 flags=strict", a, 0, a->len, MPOL_PREFERRED, NODES(1), MPOL_MF_STRICT);
  mbind_("mbind A interleave cpu1,mem2 flags=strict", a, 0, a->len, MPOL_INTERLEAVE, NODES(1, 2), MPOL_MF_STRICT);
  mbind_("mbind A bind cpu0,mem2 flags=strict", a, 0, a->len, MPOL_BIND, NODES(0, 2), MPOL_MF_STRICT);
  mbind_("mbind A bind cpu1", a, 0, a->len, MPOL_BIND, NODES(1), 0);
  touch(0, a, K(8), K(4), 1);
  where(a);
}

static void mbind03(void) {
  situation("mbind03-move");
  struct region *a = region("A", K(4)), *b = region("B", K(4)), *c = region("C", K(4));
  struct region *d = region("D", K(16)), *e = region("E", K(32)), *f = region("F", K(32));
  struct region *all[] = {a, b, c, d, e, f};
  for (int i = 0; i < 6; i++) touch(0, all[i], 0, all[i]->len, 1);
  mbind_("mbind A preferred cpu1 flags=move", a, 0, a->len, MPOL_PREFERRED, NODES(1), MPOL_MF_MOVE);
  mbind_("mbind B bind mem2 flags=move", b, 0, b->len, MPOL_BIND, NODES(2), MPOL_MF_MOVE);
  mbind_("mbind C interleave cpu1 flags=move_all", c, 0, c->len, MPOL_INTERLEAVE, NODES(1), MPOL_MF_MOVE_ALL);
  // a part of a region: the VMA is split, only that part moves
  mbind_("mbind D[4K:12K] bind cpu1 flags=move,strict", d, K(4), K(8), MPOL_BIND, NODES(1), MPOL_MF_MOVE | MPOL_MF_STRICT);
  // interleave with MOVE: pages go where fresh faults would go (do_mbind's ilx base)
  mbind_("mbind E interleave cpu1,mem2 flags=move", e, 0, e->len, MPOL_INTERLEAVE, NODES(1, 2), MPOL_MF_MOVE);
  mbind_("mbind F interleave 0-2 flags=move", f, 0, f->len, MPOL_INTERLEAVE, NODES(0, 1, 2), MPOL_MF_MOVE);
  for (int i = 0; i < 6; i++) query(all[i], 0, all[i]->len, 1);
  // default with MOVE: every page is misplaced under an empty mask; where do they go?
  mbind_("mbind B default flags=move", b, 0, b->len, MPOL_DEFAULT, NONE, MPOL_MF_MOVE);
  where(b);
  mbind_("mbind A local flags=move", a, 0, a->len, MPOL_LOCAL, NONE, MPOL_MF_MOVE);
  where(a);
}

static void set_mempolicy02(void) {
  situation("set-mempolicy02");
  set_mempolicy_("set_mempolicy interleave 0-2", MPOL_INTERLEAVE, NODES(0, 1, 2));
  get_mempolicy_("get_mempolicy", NULL, 0);
  struct region *a = region("A", K(24));
  touch(0, a, 0, a->len, 1);
  query(a, 0, a->len, 1);
  set_mempolicy_("set_mempolicy interleave cpu0,cpu1", MPOL_INTERLEAVE, NODES(0, 1));
  struct region *b = region("B", K(64));
  touch(0, b, 0, b->len, 1);
  query(b, 0, b->len, 1);
  // fault order does not matter: the second half first, from the other cpu
  set_mempolicy_("set_mempolicy interleave cpu1,mem2", MPOL_INTERLEAVE, NODES(1, 2));
  struct region *c = region("C", K(32));
  touch(0, c, K(16), K(16), 1);
  touch(0, c, 0, K(16), 1);
  query(c, 0, c->len, 1);
  set_mempolicy_("set_mempolicy default", MPOL_DEFAULT, NONE);
  // a VMA policy over the same nodes gives the same pages
  struct region *d = region("D", K(24));
  mbind_("mbind D interleave 0-2", d, 0, d->len, MPOL_INTERLEAVE, NODES(0, 1, 2), 0);
  touch(1, d, 0, d->len, 1);
  query(d, 0, d->len, 1);
}

static void weighted(void) {
  situation("weighted-interleave");
  struct region *a = region("A", K(24));
  mbind_("mbind A weighted-interleave 0-2", a, 0, a->len, MPOL_WEIGHTED_INTERLEAVE, NODES(0, 1, 2), 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  touch(0, a, 0, a->len, 1);
  query(a, 0, a->len, 1);
  set_mempolicy_("set_mempolicy weighted-interleave cpu1,mem2", MPOL_WEIGHTED_INTERLEAVE, NODES(1, 2));
  get_mempolicy_("get_mempolicy flags=node", NULL, MPOL_F_NODE);
  struct region *b = region("B", K(16));
  touch(0, b, 0, b->len, 1);
  query(b, 0, b->len, 1);
}

static void move_pages04(void) {
  situation("move-pages04");
  struct region *a = region("A", K(16));
  touch(0, a, 0, K(4), 1);
  touch(0, a, K(8), K(4), 0);
  unmap(a, K(12), K(4));
  move_pages_(a, 0, K(16), 1, "cpu1", MPOL_MF_MOVE);
  query(a, 0, K(12), 1);
  move_pages_(a, 0, K(4), 1, "cpu1", MPOL_MF_MOVE);
  move_pages_(a, 0, K(4), 2, "mem2", MPOL_MF_MOVE_ALL);
  query(a, 0, K(4), 1);
  move_pages_(a, 0, K(4), 3, "3", MPOL_MF_MOVE);
  move_pages_(a, 0, K(4), 9, "9", MPOL_MF_MOVE);
  struct region *b = region("B", K(32));
  touch(1, b, 0, b->len, 1);
  move_pages_(b, K(8), K(16), 0, "cpu0", MPOL_MF_MOVE);
  query(b, 0, b->len, 1);
}

static void migrate(void) {
  situation("migrate-pages");
  struct region *a = region("A", K(64)), *b = region("B", K(64)), *c = region("C", K(64));
  touch(0, a, 0, a->len, 1);
  touch(1, b, 0, b->len, 1);
  mbind_("mbind C bind mem2", c, 0, c->len, MPOL_BIND, NODES(2), 0);
  touch(0, c, 0, c->len, 1);
  where(a), where(b), where(c);
  migrate_pages_("migrate_pages cpu0 to cpu1", NODES(0), NODES(1));
  where(a), where(b), where(c);
  migrate_pages_("migrate_pages cpu1 to cpu0", NODES(1), NODES(0));
  where(a), where(b), where(c);
  // masks are sets: "0,1 to 1,0" is old {0,1}, new {0,1}, and node_remap maps each node to itself
  migrate_pages_("migrate_pages 0,1 to 1,0", NODES(0, 1), NODES(0, 1));
  where(a), where(b), where(c);
  // C is bound to mem2, migrate_pages moves it anyway
  migrate_pages_("migrate_pages mem2 to cpu0", NODES(2), NODES(0));
  where(a), where(b), where(c);
  migrate_pages_("migrate_pages 0,1 to mem2", NODES(0, 1), NODES(2));
  where(a), where(b), where(c);
  migrate_pages_("migrate_pages cpu0 to 7", NODES(0), NODES(7));
}

static void preferred_many(void) {
  situation("preferred-many");
  struct region *a = region("A", K(32)), *b = region("B", K(32)), *c = region("C", K(32));
  mbind_("mbind A preferred-many cpu1,mem2", a, 0, a->len, MPOL_PREFERRED_MANY, NODES(1, 2), 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  touch(0, a, 0, K(16), 1);
  touch(1, a, K(16), K(16), 1);
  where(a);
  mbind_("mbind B preferred-many cpu0,mem2", b, 0, b->len, MPOL_PREFERRED_MANY, NODES(0, 2), 0);
  touch(1, b, 0, b->len, 1);
  where(b);
  set_mempolicy_("set_mempolicy preferred-many mem2", MPOL_PREFERRED_MANY, NODES(2));
  touch(0, c, 0, c->len, 1);
  where(c);
  set_mempolicy_("set_mempolicy preferred-many", MPOL_PREFERRED_MANY, NONE);
  set_mempolicy_("set_mempolicy preferred-many cpu0 balancing", MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING, NODES(0));
}

static void get_mempolicy_rules(void) {
  situation("get-mempolicy");
  struct region *a = region("A", K(16));
  get_mempolicy_("get_mempolicy", NULL, 0);
  get_mempolicy_("get_mempolicy flags=mems_allowed", NULL, MPOL_F_MEMS_ALLOWED);
  get_mempolicy_("get_mempolicy flags=mems_allowed,node", NULL, MPOL_F_MEMS_ALLOWED | MPOL_F_NODE);
  get_mempolicy_("get_mempolicy flags=mems_allowed,addr", a->addr, MPOL_F_MEMS_ALLOWED | MPOL_F_ADDR);
  get_mempolicy_("get_mempolicy addr=A", a->addr, 0);
  get_mempolicy_("get_mempolicy flags=node", NULL, MPOL_F_NODE);
  get_mempolicy_("get_mempolicy flags=8", NULL, 8);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  touch(1, a, 0, K(4), 1);
  get_mempolicy_("get_mempolicy addr=A[0:4K] flags=addr,node", a->addr, MPOL_F_ADDR | MPOL_F_NODE);
  // an untouched page: the lookup's GUP read maps the zero page
  get_mempolicy_("get_mempolicy addr=A[4K:8K] flags=addr,node", a->addr + K(4), MPOL_F_ADDR | MPOL_F_NODE);
  query(a, 0, a->len, 1);
  set_mempolicy_("set_mempolicy bind mem2", MPOL_BIND, NODES(2));
  get_mempolicy_("get_mempolicy", NULL, 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  set_mempolicy_("set_mempolicy preferred cpu1,mem2", MPOL_PREFERRED, NODES(1, 2));
  get_mempolicy_("get_mempolicy", NULL, 0);
  set_mempolicy_("set_mempolicy preferred", MPOL_PREFERRED, NONE);
  get_mempolicy_("get_mempolicy", NULL, 0);
  set_mempolicy_("set_mempolicy interleave cpu1,mem2 relative", MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, NODES(1, 2));
  get_mempolicy_("get_mempolicy", NULL, 0);
  set_mempolicy_("set_mempolicy interleave cpu0,mem2", MPOL_INTERLEAVE, NODES(0, 2));
  get_mempolicy_("get_mempolicy flags=node", NULL, MPOL_F_NODE);
  touch(0, a, K(8), K(4), 1);
  get_mempolicy_("get_mempolicy flags=node", NULL, MPOL_F_NODE);
  unmap(a, K(12), K(4));
  get_mempolicy_("get_mempolicy addr=A[12K:16K] flags=addr", a->addr + K(12), MPOL_F_ADDR);
  // a page the process cannot read: lookup_node's get_user_pages fails, move_pages still sees it
  say("mprotect A[0:4K] none");
  mprotect(a->addr, K(4), PROT_NONE);
  get_mempolicy_("get_mempolicy addr=A[0:4K] flags=addr,node", a->addr, MPOL_F_ADDR | MPOL_F_NODE);
  query(a, 0, K(4), 1);
  move_pages_(a, 0, K(4), 2, "mem2", MPOL_MF_MOVE);
}

static void mbind_ranges(void) {
  situation("mbind-ranges");
  struct region *a = region("A", K(64));
  say("mbind 0x7f0000000800+4K bind cpu0");
  answer(sys_mbind((void *)(BASE + 0x800), K(4), MPOL_BIND, NODES(0), 0));
  say("mbind 0x7f0000000000+0 bind");
  answer(sys_mbind((void *)BASE, 0, MPOL_BIND, NONE, 0));
  say("mbind 0x7f0000000000+100 bind cpu1");
  answer(sys_mbind((void *)BASE, 100, MPOL_BIND, NODES(1), 0));
  touch(0, a, 0, K(8), 1);
  where(a);
  unmap(a, K(16), K(16));
  say("mbind 0x7f0000000000+64K bind cpu1");
  answer(sys_mbind((void *)BASE, K(64), MPOL_BIND, NODES(1), 0));
  say("mbind 0x7f0000000000+64K default");
  answer(sys_mbind((void *)BASE, K(64), MPOL_DEFAULT, NONE, 0));
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  say("mbind 0x7f0000010000+16M preferred cpu1");
  answer(sys_mbind((void *)(BASE + K(64)), M(16), MPOL_PREFERRED, NODES(1), 0));
  mbind_("mbind A[32K:64K] bind cpu1 flags=move_all", a, K(32), K(32), MPOL_BIND, NODES(1), MPOL_MF_MOVE_ALL);
  mbind_("mbind A[32K:64K] bind mem2 flags=16", a, K(32), K(32), MPOL_BIND, NODES(2), 16);
  touch(0, a, K(32), K(32), 1);
  where(a);
}

/** Fills mem2 through a preferred policy, then asks where each mode goes when it is full. */
static void fallback(void) {
  situation("fallback");
  struct region *a = region("A", M(160));
  mbind_("mbind A preferred mem2", a, 0, a->len, MPOL_PREFERRED, NODES(2), 0);
  touch(0, a, 0, a->len, 1);
  where(a);
  // moves to mem2 now: it is below its watermark, so allocations there fail
  move_pages_(a, M(128), M(32), 2, "mem2", MPOL_MF_MOVE);
  migrate_pages_("migrate_pages cpu1 to mem2", NODES(1), NODES(2));
  mbind_("mbind A[128M:160M] bind mem2 flags=move", a, M(128), M(32), MPOL_BIND, NODES(2), MPOL_MF_MOVE);
  mbind_("mbind A[128M:160M] bind mem2 flags=move,strict", a, M(128), M(32), MPOL_BIND, NODES(2), MPOL_MF_MOVE | MPOL_MF_STRICT);
  where(a);
  struct region *b = region("B", K(64)), *c = region("C", K(64)), *d = region("D", K(64));
  mbind_("mbind B preferred-many mem2", b, 0, b->len, MPOL_PREFERRED_MANY, NODES(2), 0);
  touch(0, b, 0, b->len, 1);
  where(b);
  mbind_("mbind C interleave cpu0,mem2", c, 0, c->len, MPOL_INTERLEAVE, NODES(0, 2), 0);
  touch(1, c, 0, c->len, 1);
  where(c);
  mbind_("mbind D preferred mem2", d, 0, d->len, MPOL_PREFERRED, NODES(2), 0);
  touch(1, d, 0, d->len, 1);
  where(d);
}

/** bind to a full node: the process is OOM-killed (a child, so the run goes on). */
static void bind_full(void) {
  situation("bind-full");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    struct region *a = region("A", M(160));
    mbind_("mbind A bind mem2", a, 0, a->len, MPOL_BIND, NODES(2), 0);
    touch(0, a, 0, a->len, 1);
    say("# kernel: the process survived");
    where(a);
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  if (WIFSIGNALED(st)) say("# kernel: killed by signal %d", WTERMSIG(st));
  else say("# kernel: exited with %d", WEXITSTATUS(st));
}

/** Interleave over a region that transparent huge pages can back: the interleave index
 *  of a huge page is its offset in 2 MiB units (get_vma_policy: ilx >> order). */
static void thp_interleave(void) {
  situation("thp-interleave");
  struct region *a = region("A", M(4)), *b = region("B", M(4));
  mbind_("mbind A interleave cpu0,cpu1", a, 0, a->len, MPOL_INTERLEAVE, NODES(0, 1), 0);
  touch(0, a, 0, a->len, 1);
  where(a);
  // and without: MADV_NOHUGEPAGE (not in the scenario language) gives 4K interleave
  say("# madvise(B, MADV_NOHUGEPAGE) here");
  madvise(b->addr, b->len, MADV_NOHUGEPAGE);
  mbind_("mbind B interleave cpu0,cpu1", b, 0, b->len, MPOL_INTERLEAVE, NODES(0, 1), 0);
  touch(0, b, 0, b->len, 1);
  query(b, 0, K(16), 1);
}

/** Shared anonymous memory (shmem): one policy per object, pages by offset in it. */
static void shared_anon(void) {
  situation("shared-anon");
  struct region *s = map_region("S", K(32), 1);
  mbind_("mbind S interleave cpu1,mem2", s, 0, s->len, MPOL_INTERLEAVE, NODES(1, 2), 0);
  touch(0, s, 0, s->len, 1);
  query(s, 0, s->len, 1);
  // mapped by this process only: MOVE moves it (no other process maps it)
  move_pages_(s, 0, K(8), 0, "cpu0", MPOL_MF_MOVE);
  struct region *t = map_region("T", K(16), 1);
  touch(1, t, 0, t->len, 1);
  query(t, 0, t->len, 1);
  mbind_("mbind T bind mem2 flags=move", t, 0, t->len, MPOL_BIND, NODES(2), MPOL_MF_MOVE);
  query(t, 0, t->len, 1);
  migrate_pages_("migrate_pages mem2 to cpu0", NODES(2), NODES(0));
  query(s, 0, s->len, 1);
  query(t, 0, t->len, 1);
}

/** MPOL_F_RELATIVE_NODES folds the mask onto the allowed nodes; MPOL_F_STATIC_NODES
 *  intersects it; get_mempolicy returns the mask as the caller gave it. */
static void mode_flags(void) {
  situation("mode-flags");
  struct region *a = region("A", K(16)), *b = region("B", K(16)), *c = region("C", K(16));
  mbind_("mbind A bind 3 relative", a, 0, a->len, MPOL_BIND | MPOL_F_RELATIVE_NODES, NODES(3), 0);
  get_mempolicy_("get_mempolicy addr=A flags=addr", a->addr, MPOL_F_ADDR);
  touch(1, a, 0, a->len, 1);
  where(a);
  mbind_("mbind B interleave 4,5 relative", b, 0, b->len, MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, NODES(4, 5), 0);
  get_mempolicy_("get_mempolicy addr=B flags=addr", b->addr, MPOL_F_ADDR);
  touch(0, b, 0, b->len, 1);
  query(b, 0, b->len, 1);
  mbind_("mbind C bind 3 static", c, 0, c->len, MPOL_BIND | MPOL_F_STATIC_NODES, NODES(3), 0);
  mbind_("mbind C bind mem2,3 static", c, 0, c->len, MPOL_BIND | MPOL_F_STATIC_NODES, NODES(2, 3), 0);
  get_mempolicy_("get_mempolicy addr=C flags=addr", c->addr, MPOL_F_ADDR);
  touch(0, c, 0, c->len, 1);
  where(c);
  // a task policy with a flag: get_mempolicy without an address reports it
  set_mempolicy_("set_mempolicy preferred 4 relative", MPOL_PREFERRED | MPOL_F_RELATIVE_NODES, NODES(4));
  get_mempolicy_("get_mempolicy", NULL, 0);
  set_mempolicy_("set_mempolicy preferred relative", MPOL_PREFERRED | MPOL_F_RELATIVE_NODES, NONE);
}

struct thread_step {
  struct region *a;
};

static void *t1_body(void *arg) {
  struct thread_step *st = arg;
  pin(1);
  set_mempolicy_("set_mempolicy t1 bind mem2", MPOL_BIND, NODES(2));
  get_mempolicy_("get_mempolicy t1", NULL, 0);
  say("cpu t1 write %s", range_text(st->a, 0, K(16)));
  for (unsigned long o = 0; o < K(16); o += PAGE) st->a->addr[o] = 1;
  return NULL;
}

/** A task policy belongs to the thread that set it (a real second thread on cpu 1). */
static void thread_policy(void) {
  situation("thread-policy");
  struct region *a = region("A", K(32));
  struct thread_step st = {a};
  pthread_t t;
  pthread_create(&t, NULL, t1_body, &st);
  pthread_join(t, NULL);
  get_mempolicy_("get_mempolicy t0", NULL, 0);
  say("cpu t0 write %s", range_text(a, K(16), K(16)));
  for (unsigned long o = K(16); o < K(32); o += PAGE) a->addr[o] = 1;
  query(a, 0, a->len, 1);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  // one situation by name, or all of them
  const char *only = argc > 1 ? argv[1] : NULL;
  struct {
    const char *name;
    void (*run)(void);
  } all[] = {
      {"first-touch", first_touch},     {"mbind01", mbind01},       {"mbind02-strict", mbind02},
      {"mbind03-move", mbind03},        {"set-mempolicy02", set_mempolicy02}, {"weighted-interleave", weighted},
      {"move-pages04", move_pages04},   {"migrate-pages", migrate}, {"preferred-many", preferred_many},
      {"get-mempolicy", get_mempolicy_rules}, {"mbind-ranges", mbind_ranges}, {"fallback", fallback},
      {"thp-interleave", thp_interleave}, {"shared-anon", shared_anon}, {"thread-policy", thread_policy},
      {"mode-flags", mode_flags},
      {"bind-full", bind_full},
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (!only || !strcmp(only, all[i].name)) all[i].run();
  say("=== end");
  return 0;
}
