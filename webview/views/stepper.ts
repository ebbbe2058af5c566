// Stepping through the run: first / previous / next / last, next migration, play, a
// slider over all steps, and the current step's statement. Playing advances one step
// each time the previous one has been drawn (plus a short pause), so a slow picture
// slows the playback instead of piling up requests.

import { formatCount, formatTime } from '../../src/engine/report/units';
import type { RunView } from '../../src/protocol/messages';
import { button, setDisabled } from '../ui/controls';

const PLAY_PAUSE_MS = 120;
/** Playing a long run takes at most this many pictures: bigger runs skip steps. */
const PLAY_FRAMES = 1000;

function playStride(stepCount: number): number {
  return Math.max(1, Math.ceil(stepCount / PLAY_FRAMES));
}

export interface StepperHost {
  goTo(step: number): void;
  nextMigration(from: number): Promise<number | null>;
}

export class Stepper {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly lineView: HTMLElement;
  private readonly play: HTMLElement;
  private readonly navButtons: HTMLElement[];
  private run: RunView | null = null;
  private lines = new Uint32Array(0);
  private times = new Float64Array(0);
  private step = 0;
  private playing = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: StepperHost) {
    this.element = document.createElement('div');
    this.element.className = 'stepper';
    const go = (f: () => number) => () => this.goTo(f());
    const last = () => Math.max(0, (this.run?.stepCount ?? 1) - 1);
    this.navButtons = [
      button({ label: '|◀', title: 'First step', action: 'first', secondary: true, onClick: go(() => 0) }),
      button({ label: '◀', title: 'Previous step', action: 'prev', secondary: true, onClick: go(() => this.step - 1) }),
      button({ label: '▶', title: 'Next step', action: 'next', secondary: true, onClick: go(() => this.step + 1) }),
      button({ label: '▶|', title: 'Last step', action: 'last', secondary: true, onClick: go(last) }),
      button({ label: 'Next migration', title: 'Next step that moved pages', action: 'next-migration', secondary: true, onClick: () => this.nextMigration() }),
    ];
    this.play = button({ label: 'Play', title: 'Play / pause', action: 'play', onClick: () => this.togglePlay() });
    this.slider = document.createElement('input');
    this.slider.type = 'range';
    this.slider.id = 'step-slider';
    this.slider.min = '0';
    this.slider.setAttribute('aria-label', 'Step');
    this.slider.addEventListener('input', () => this.goTo(Number(this.slider.value)));
    this.label = document.createElement('span');
    this.label.className = 'step-label';
    this.lineView = document.createElement('code');
    this.lineView.id = 'step-line';
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    buttons.append(...this.navButtons, this.play);
    this.element.append(buttons, this.slider, this.label, this.lineView);
  }

  setRun(run: RunView): void {
    this.run = run;
    this.lines = new Uint32Array(run.stepLines);
    this.times = new Float64Array(run.stepTimes);
    this.slider.max = String(Math.max(0, run.stepCount - 1));
    this.navButtons.concat(this.play).forEach((b) => setDisabled(b, run.stepCount === 0));
  }

  /** Shows `step` as current (called once the picture for it is requested). */
  show(step: number): void {
    this.step = step;
    this.slider.value = String(step);
    const run = this.run;
    if (!run || run.stepCount === 0) {
      this.label.textContent = 'no steps';
      this.lineView.textContent = '';
      return;
    }
    this.label.textContent = `step ${formatCount(step)} / ${formatCount(run.stepCount - 1)} · t = ${formatTime(this.times[step] ?? 0)}`;
    const line = this.lines[step] ?? 0;
    this.lineView.textContent = `line ${line}: ${(run.source[line - 1] ?? '').trim()}`;
  }

  /** The picture for `step` is on screen: while playing, move on. */
  drawn(step: number): void {
    if (!this.playing || step !== this.step) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.playing) return;
      const count = this.run?.stepCount ?? 0;
      if (this.step + 1 >= count) this.togglePlay();
      else this.goTo(this.step + playStride(count));
    }, PLAY_PAUSE_MS);
  }

  stop(): void {
    if (this.playing) this.togglePlay();
  }

  private goTo(step: number): void {
    const count = this.run?.stepCount ?? 0;
    if (count === 0) return;
    this.host.goTo(Math.max(0, Math.min(count - 1, Math.round(step))));
  }

  private async nextMigration(): Promise<void> {
    const next = await this.host.nextMigration(this.step).catch(() => null);
    if (next !== null) this.goTo(next);
  }

  private togglePlay(): void {
    this.playing = !this.playing;
    this.play.textContent = this.playing ? 'Pause' : 'Play';
    clearTimeout(this.timer);
    if (this.playing) {
      const count = this.run?.stepCount ?? 0;
      this.goTo(this.step + 1 >= count ? 0 : this.step + 1);
    }
  }
}
