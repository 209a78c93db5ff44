// Small pieces pages share: tables, utilisation bars, confirmations.
import { h, uniqueId } from './dom.ts';

/** A table with a caption (its accessible name), header cells scoped to columns. */
export function table(caption: string, headings: string[], rows: (Node | string)[][], empty = 'None.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, `${caption}: ${empty}`);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headings.map((heading) => h('th', { scope: 'col' }, heading)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell) => h('td', {}, cell)),
          ),
        ),
      ),
    ),
  );
}

/** A utilisation bar with its number as text, and as a meter for assistive technology. */
export function utilisationBar(percent: number, label: string): HTMLElement {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${Math.min(100, percent)}%`;
  const level = percent >= 90 ? 'high' : percent >= 70 ? 'medium' : 'low';
  return h(
    'span',
    { class: `utilisation ${level}` },
    h(
      'span',
      { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent, 'aria-label': label },
      fill,
    ),
    h('span', { class: 'percent' }, `${percent.toFixed(1)}%`),
  );
}

/**
 * A destructive action the guide's way: a dialog in which the user types "delete". Resolves true
 * when they did and confirmed, false when they cancelled.
 */
export function confirmByTyping(what: string): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uniqueId('confirm');
    const input = h('input', { id: `${titleId}-input`, autocomplete: 'off', spellcheck: 'false' });
    const confirm = h('button', { type: 'submit', class: 'danger', disabled: true }, 'Delete');
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const dialog = h(
      'dialog',
      { 'aria-labelledby': titleId },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: titleId }, `Delete ${what}?`),
        h('p', {}, 'This cannot be undone. To confirm, type ', h('strong', {}, 'delete'), ' below.'),
        h('div', { class: 'field' }, h('label', { for: input.id }, 'Type delete to confirm'), input),
        h('div', { class: 'actions' }, confirm, cancel),
      ),
    );
    input.addEventListener('input', () => (confirm.disabled = input.value.trim().toLowerCase() !== 'delete'));
    const finish = (result: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', () => finish(false));
    dialog.querySelector('form')!.addEventListener('submit', (event) => {
      event.preventDefault();
      finish(!confirm.disabled);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
