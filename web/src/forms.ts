// Forms that run one API action: the API's validation message (code and message) shown beside the
// form when it refuses; on success the page is rendered again with a note in the shell's live region.
import { ApiError, type ApiOutput, errorText } from './api/client.ts';
import { h, type StatusArea, statusArea } from './dom.ts';
import type { PageContext } from './page.ts';
import { confirmByTyping } from './widgets.ts';

export interface ActionFormOptions {
  /** The form's accessible name and heading. */
  title: string;
  /** The form's own id (stable across renders, so focus can come back to it). */
  id: string;
  fields: HTMLElement[];
  submitLabel: string;
  /** Runs the action(s); returns the note to show on success (`stay`: shown in the form, the page not rendered again). */
  run(form: HTMLFormElement, submitter: HTMLButtonElement): Promise<string | { note: string; stay: true }>;
  /** More buttons (type=submit, told apart by `submitter`). */
  extraButtons?: HTMLButtonElement[];
  context: PageContext;
  /** Render again after success (default true). */
  refresh?: boolean;
}

export function actionForm(options: ActionFormOptions): HTMLFormElement {
  const status = statusArea();
  status.id = `${options.id}-status`;
  const submit = h('button', { type: 'submit', class: 'primary' }, options.submitLabel);
  const titleId = `${options.id}-title`;
  const form = h(
    'form',
    { id: options.id, class: 'action-form', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, options.title),
    h('div', { class: 'inline-fields' }, options.fields),
    h('div', { class: 'actions' }, submit, options.extraButtons ?? []),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submitter = ((event as SubmitEvent).submitter as HTMLButtonElement | null) ?? submit;
    const buttons = [...form.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    status.clear();
    try {
      const outcome = await options.run(form, submitter);
      if (typeof outcome === 'object') status.show('ok', outcome.note);
      else if (options.refresh === false) status.show('ok', outcome);
      else options.context.refresh(outcome);
    } catch (error) {
      status.show('error', errorText(error));
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });
  return form;
}

/** A button that runs one action after an optional confirmation, then renders the page again. */
export function actionButton(
  label: string,
  context: PageContext,
  run: () => Promise<string>,
  options: { confirm?: () => Promise<boolean>; danger?: boolean; ariaLabel?: string } = {},
): HTMLButtonElement {
  const button = h('button', { type: 'button', class: options.danger ? 'danger' : undefined, 'aria-label': options.ariaLabel }, label);
  button.addEventListener('click', async () => {
    if (options.confirm && !(await options.confirm())) return;
    button.disabled = true;
    try {
      context.refresh(await run());
    } catch (error) {
      context.notify('error', errorText(error));
      button.disabled = false;
    }
  });
  return button;
}

/** A Delete button for one resource: confirmed by typing its id, then `remove`, then `after` (e.g. leave its page). */
export function deleteButton(context: PageContext, id: string, remove: () => Promise<unknown>, after?: () => void): HTMLButtonElement {
  return actionButton(
    'Delete',
    context,
    async () => {
      await remove();
      after?.();
      return `Deleted ${id}.`;
    },
    { danger: true, ariaLabel: `Delete ${id}`, confirm: () => confirmByTyping(id) },
  );
}

/** The form's named value: trimmed text, undefined when empty. */
export function textOf(form: HTMLFormElement, name: string): string | undefined {
  const element = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  const value = element?.value.trim();
  return value ? value : undefined;
}

/** A whole number from the form, undefined when empty (the API judges its range). */
export function numberOf(form: HTMLFormElement, name: string): number | undefined {
  const value = textOf(form, name);
  return value === undefined ? undefined : Number(value);
}

export const isApiError = (error: unknown, code: string) => error instanceof ApiError && error.code === code;
export type { ApiOutput };

/** A page's way to act: clear its status, run, then render the page again, or show the API's error there. */
export const pageAction =
  (status: StatusArea, refresh: () => void) =>
  async (run: () => Promise<unknown>): Promise<void> => {
    status.clear();
    try {
      await run();
      refresh();
    } catch (error) {
      status.show('error', errorText(error));
    }
  };
