// The CLI's help texts: what a newcomer needs to run the first simulation.

export const HELP = `memplace: replay a program's memory behaviour on CPU and device memory
(NUMA nodes, device memory as a NUMA node, HMM device-private and device-coherent
memory) and see where every page lands, what it cost, and which calls wasted
device memory.

Usage:
  memplace simulate <file.mplace> [--json] [--machine <preset>] [--set <param>=<value>]...
  memplace check <file.mplace>... [--machine <preset>] [--set <param>=<value>]...
  memplace compare <file.mplace> --machine <a>,<b>,... [--set <param>=<v1>,<v2>]... [--json]
  memplace import <trace> [--machine <preset|file>] [--caps none|sys_nice] [-o <out.mplace>]
  memplace help <command>

Commands:
  simulate   run one scenario and print a report (--json: the machine-readable result)
  check      run scenarios and report every 'expect' that does not hold;
             exits 0 only when all hold and no file has an error
  compare    run one scenario on several machines or driver settings, side by side
  import     turn an strace log or a GPGPU-Sim UVMSmart log into a scenario

check, simulate and compare also take a trace in place of a scenario: it is
imported on the fly, and reported lines are the trace's lines.

Common options:
  --machine <preset>       override the file's machine: x86-pcie, power9-nvlink,
                           power9-hmm, gh200
  --set <param>=<value>    override a driver parameter (e.g. prefetch=off, driver=mirror)
  --max-bytes <n>          refuse inputs larger than this (default 256 MiB)
  --help, --version

Exit codes: 0 success, 1 failed expectations, error diagnostics, unreadable trace
lines or a file that is not a trace (import), 2 usage errors.

Start with an example:
  memplace simulate examples/wasted-mbind.mplace
`;

export const COMMAND_HELP: Record<string, string> = {
  simulate: `memplace simulate <file> [--json] [--machine <preset>] [--set <param>=<value>]...

Runs the scenario and prints, per region, its pages by node; per policy or driver
call, its result and why; the expectations; the metrics (faults, migrations, time,
wasted device memory); and the diagnostics. --json prints the result as one JSON
document (calls, regions, metrics, expects, diagnostics; lines and columns 1-based).
`,
  check: `memplace check <file>... [--machine <preset>] [--set <param>=<value>]...

Runs each scenario and prints one line per failed 'expect' (file:line: message) and
one per error diagnostic, then 'N passed, M failed'. Exit 0 only when nothing failed
and no file has an error diagnostic.
A trace (see 'memplace help import') is imported on the fly, with --machine and
--caps as for import: 'memplace check app.strace' reports, at the trace's lines,
where the simulator disagrees with what the kernel logged.
`,
  import: `memplace import <trace> [--machine <preset|file>] [--caps none|sys_nice] [-o <out.mplace>]

Converts a trace into a scenario, written to stdout or to -o. The kind of trace is
told from its content, whatever the file is called:
- an strace log (strace -f -ttt -T -k -e trace=<memory and policy calls>, see the
  import docs): every result the kernel logged becomes an 'expect', so
  'memplace check' on the scenario shows where the simulator disagrees with Linux;
- a GPGPU-Sim UVMSmart log.
--machine  the machine to replay on: a preset, or a file holding a machine block
           (node ids of the trace become its node names); default x86-pcie
--caps     sys_nice when the traced program ran as root or with CAP_SYS_NICE
For UVMSmart logs (see media/docs/uvmsmart.md):
--device-syncs migrate   replay the log's device_sync copies as 'migrate … to cpu'
--write-backs migrate    replay the log's evictions instead of memplace's own
--no-host-init           do not write the regions from the CPU before the log starts
The file is read as a stream, so logs of any size work. Prints a summary line
(calls converted, calls kept as comments by reason) and the lines that could not
be read, with their line numbers, to stderr. Exit 0, or 1 when the file is not a
trace or some of its lines could not be read.
Example:
  strace -f -ttt -T -o app.strace -e trace=mmap,munmap,madvise,mbind,set_mempolicy,get_mempolicy,move_pages,migrate_pages,sched_setaffinity ./app
  memplace import app.strace --caps sys_nice -o app.mplace && memplace check app.mplace
`,
  compare: `memplace compare <file> --machine <a>,<b>,... [--set <param>=<v1>,<v2>]... [--json]

Runs one scenario once per machine and per setting value (every combination) and
prints one column per run, the metrics as rows, the best (lowest) value of each row
marked with '*'. Example:
  memplace compare examples/oversubscription.mplace --machine x86-pcie,power9-nvlink,power9-hmm,gh200
  memplace compare examples/pingpong.mplace --set driver=uvm,mirror,amdkfd
`,
};
