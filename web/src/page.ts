// What every page gets, and how pages render into the shell.
import type { ApiClient } from './api/client.ts';

export interface PageContext {
  client: ApiClient;
  /** The route's parameters, e.g. the pool id of #/pools/{id}. */
  params: Record<string, string>;
  /** Renders the current route again (after a change). */
  refresh(): void;
  /** Goes to another route, e.g. `#/pools/ipam-pool-…`. */
  navigate(hash: string): void;
}

export type Page = (context: PageContext) => Promise<HTMLElement>;
