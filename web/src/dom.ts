// A few lines instead of a UI library: elements built with h(), text always as text nodes (never
// innerHTML), so nothing the API returns can become markup.
type Child = Node | string | number | false | null | undefined | Child[];
type Attributes = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let nextId = 0;
/** A unique id for label/aria references. */
export const uniqueId = (prefix: string) => `${prefix}-${++nextId}`;

/** A labelled input; the label is the accessible name. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  input.id ||= uniqueId('field');
  const hintElement = hint ? h('small', { id: `${input.id}-hint` }, hint) : undefined;
  if (hintElement) input.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hintElement);
}

/** A region announcing a form's outcome: errors as the API wrote them (code and message). */
export type StatusArea = HTMLElement & { show(kind: 'error' | 'ok', text: string): void; clear(): void };

export function statusArea(): StatusArea {
  const element = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  return Object.assign(element, {
    show(kind: 'error' | 'ok', text: string) {
      element.className = `status ${kind}`;
      element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
      element.textContent = text;
    },
    clear() {
      element.className = 'status';
      element.textContent = '';
    },
  });
}
