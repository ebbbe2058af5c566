// Colours for the canvases, read from VS Code's theme variables (the same ones its own
// charts use) and re-read whenever the theme changes: VS Code rewrites the <html>
// style attribute and the body's theme class on a switch.

export type Rgba = [number, number, number, number];

export interface Palette {
  /** one colour per node index, in the order of the machine's node table */
  node(index: number): Rgba;
  unpopulated: Rgba;
  zeroPage: Rgba;
  background: Rgba;
  foreground: Rgba;
  /** selection and current-step markers */
  focus: Rgba;
  /** high-contrast themes: cells get patterns and borders, not colour alone */
  highContrast: boolean;
}

/** Categorical chart colours VS Code defines in every theme, then fallbacks. */
const NODE_VARIABLES: [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour string to RGBA, via the canvas's own parser. */
export function parseColor(css: string, fallback: string): Rgba {
  probe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!probe) return [128, 128, 128, 255];
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = fallback;
  probe.fillStyle = css.trim() || fallback;
  probe.fillRect(0, 0, 1, 1);
  const d = probe.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2], d[3]];
}

export function cssColor(c: Rgba): string {
  return `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${c[3] / 255})`;
}

/** Composites a possibly translucent colour over the background, for the canvas's opaque pixels. */
function over(c: Rgba, bg: Rgba): Rgba {
  const a = c[3] / 255;
  return [Math.round(c[0] * a + bg[0] * (1 - a)), Math.round(c[1] * a + bg[1] * (1 - a)), Math.round(c[2] * a + bg[2] * (1 - a)), 255];
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => parseColor(style.getPropertyValue(name), fallback);
  const background = over(v('--vscode-editor-background', '#1e1e1e'), [0, 0, 0, 255]);
  const foreground = over(v('--vscode-foreground', '#cccccc'), background);
  const nodes = NODE_VARIABLES.map(([name, fallback]) => over(v(name, fallback), background));
  const mix = (a: Rgba, b: Rgba, t: number): Rgba => [0, 1, 2].map((i) => Math.round(a[i] * (1 - t) + b[i] * t)).concat(255) as Rgba;
  return {
    node: (i) => (i < nodes.length ? nodes[i] : mix(nodes[i % nodes.length], foreground, 0.45)),
    unpopulated: mix(background, foreground, 0.08),
    zeroPage: mix(background, foreground, 0.3),
    background,
    foreground,
    focus: over(v('--vscode-focusBorder', '#007fd4'), background),
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

/** Calls `onChange` with a fresh palette whenever the theme changes. Returns the current one. */
export function watchTheme(onChange: (p: Palette) => void): Palette {
  const observer = new MutationObserver(() => onChange(readPalette()));
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return readPalette();
}
