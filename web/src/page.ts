// What every page gets, and how pages render into the shell.
import type { ApiClient } from './api/client.ts';

export interface PageContext {
  client: ApiClient;
  /** The route's parameters, e.g. the pool id of #/pools/{id}. */
  params: Record<string, string>;
  /** Renders the current route again (after a change), with a note announced in the shell's live region. */
  refresh(note?: string): void;
  /** Announces a note or an error in the shell's live region, without rendering again. */
  notify(kind: 'ok' | 'error', text: string): void;
  /** Renders again after `ms` if the user is still on this page and nothing rendered it meanwhile (states in progress). */
  refreshLater(ms: number): void;
  /** Goes to another route, e.g. `#/pools/ipam-pool-…`. */
  navigate(hash: string): void;
}

export type Page = (context: PageContext) => Promise<HTMLElement>;
