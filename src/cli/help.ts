// The CLI's help texts: what a newcomer needs to run the first simulation.

export const HELP = `memplace: replay a program's memory behaviour on CPU and device memory
(NUMA nodes, device memory as a NUMA node, HMM device-private and device-coherent
memory) and see where every page lands, what it cost, and which calls wasted
device memory.

Usage:
  memplace simulate <file.mplace> [--json] [--machine <preset>] [--set <param>=<value>]...
  memplace check <file.mplace>... [--machine <preset>] [--set <param>=<value>]...
  memplace compare <file.mplace> --machine <a>,<b>,... [--set <param>=<v1>,<v2>]... [--json]
  memplace help <command>

Commands:
  simulate   run one scenario and print a report (--json: the machine-readable result)
  check      run scenarios and report every 'expect' that does not hold;
             exits 0 only when all hold and no file has an error
  compare    run one scenario on several machines or driver settings, side by side

Common options:
  --machine <preset>       override the file's machine: x86-pcie, power9-nvlink,
                           power9-hmm, gh200
  --set <param>=<value>    override a driver parameter (e.g. prefetch=off, driver=mirror)
  --max-bytes <n>          refuse inputs larger than this (default 256 MiB)
  --help, --version

Exit codes: 0 success, 1 failed expectations or error diagnostics, 2 usage errors.

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
`,
  compare: `memplace compare <file> --machine <a>,<b>,... [--set <param>=<v1>,<v2>]... [--json]

Runs one scenario once per machine and per setting value (every combination) and
prints one column per run, the metrics as rows, the best (lowest) value of each row
marked with '*'. Example:
  memplace compare examples/oversubscription.mplace --machine x86-pcie,power9-nvlink,power9-hmm,gh200
  memplace compare examples/pingpong.mplace --set driver=uvm,mirror,amdkfd
`,
};
