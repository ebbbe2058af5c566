// Command-line arguments: positional files, `--flag`, `--key value` / `--key=value`,
// and repeatable `--set k=v`.

export interface Args {
  command: string | undefined;
  files: string[];
  flags: Set<string>;
  options: Map<string, string>;
  sets: string[];
}

/** Options that take a value; everything else starting with `--` is a flag. */
const VALUED = new Set(['machine', 'set', 'caps', 'o', 'output', 'max-bytes', 'device-syncs', 'write-backs']);

export function parseArgs(argv: string[]): Args {
  const args: Args = { command: undefined, files: [], flags: new Set(), options: new Map(), sets: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--?([a-z][a-z-]*)(?:=(.*))?$/.exec(a);
    if (!m) {
      if (args.command === undefined) args.command = a;
      else args.files.push(a);
      continue;
    }
    const [, key, inline] = m;
    if (!VALUED.has(key)) {
      args.flags.add(key);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${key} needs a value`);
    if (key === 'set') args.sets.push(value);
    else args.options.set(key === 'output' ? 'o' : key, value);
  }
  return args;
}

export class UsageError extends Error {}

/** `--set prefetch=off --set driver=uvm,mirror` → [{prefetch: 'off'}] variants, one per comma value. */
export function settingVariants(sets: string[]): { label: string; set: Record<string, string> }[] {
  let variants: { label: string; set: Record<string, string> }[] = [{ label: '', set: {} }];
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes <param>=<value>, got '${s}'`);
    const key = s.slice(0, eq);
    const values = s.slice(eq + 1).split(',');
    variants = variants.flatMap((v) =>
      values.map((value) => ({
        label: values.length > 1 ? [v.label, `${key}=${value}`].filter(Boolean).join(' ') : v.label,
        set: { ...v.set, [key]: value },
      })),
    );
  }
  return variants;
}
