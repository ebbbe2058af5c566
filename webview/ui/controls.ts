// The only file that knows about @vscode/webview-ui-toolkit (deprecated since 2025,
// kept because the project card requires it): it registers the few components the
// panel uses and hands out plain HTMLElements, so swapping the library touches only
// this file. The toolkit's injected <style> takes its nonce from <meta property="csp-nonce">.

import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeProgressRing());
}

export interface ButtonOptions {
  label: string;
  title: string;
  /** the e2e tests find buttons by this attribute */
  action?: string;
  secondary?: boolean;
  onClick(): void;
}

export function button(o: ButtonOptions): HTMLElement {
  register();
  const b = document.createElement('vscode-button');
  b.textContent = o.label;
  b.title = o.title;
  b.setAttribute('aria-label', o.title);
  if (o.action) b.dataset.action = o.action;
  if (o.secondary) b.setAttribute('appearance', 'secondary');
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) o.onClick();
  });
  return b;
}

export function setDisabled(control: HTMLElement, disabled: boolean): void {
  control.toggleAttribute('disabled', disabled);
}

export interface Checkbox {
  element: HTMLElement;
  readonly checked: boolean;
}

export function checkbox(label: string, value: string, checked: boolean, onChange: (checked: boolean) => void): Checkbox {
  register();
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  c.textContent = label;
  c.dataset.value = value;
  c.checked = checked;
  c.addEventListener('change', () => onChange(c.checked));
  return {
    element: c,
    get checked() {
      return c.checked;
    },
  };
}

export function progressRing(): HTMLElement {
  register();
  const ring = document.createElement('vscode-progress-ring');
  ring.setAttribute('aria-label', 'Simulating');
  return ring;
}
