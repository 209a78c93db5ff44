// Workflow tasks that move an IPAM, scope or pool through its lifecycle states
// (create-in-progress → create-complete | create-failed, delete-in-progress → delete-failed).
import type { ResourceState } from '../domain/model/ipam.ts';
import type { Entity } from '../ports/store.ts';
import type { Dependencies } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';

export type LifecycleResource = 'ipam' | 'scope' | 'pool';

async function load(
  deps: Dependencies,
  type: LifecycleResource,
  id: string,
): Promise<Extract<Entity, { type: LifecycleResource }> | undefined> {
  switch (type) {
    case 'ipam': {
      const value = await deps.store.getIpam(id);
      return value && { type, value };
    }
    case 'scope': {
      const value = await deps.store.getScope(id);
      return value && { type, value };
    }
    case 'pool': {
      const value = await deps.store.getPool(id);
      return value && { type, value };
    }
  }
}

/** Moves the resource from `from` to `to` (scopes have no StateMessage member); a resource already elsewhere (or gone) is left alone, so a retried task is harmless. */
export async function moveState(
  deps: Dependencies,
  type: LifecycleResource,
  id: string,
  from: ResourceState,
  to: ResourceState,
  stateMessage?: string,
): Promise<void> {
  await retryOnConflict(async () => {
    const entity = await load(deps, type, id);
    if (!entity || entity.value.State !== from) return;
    const value = { ...entity.value, State: to, ...(stateMessage === undefined || type === 'scope' ? {} : { StateMessage: stateMessage }) };
    // Invariant: the state moves only from the one this task was started for.
    await deps.store.commit([{ op: 'update', entity: { type: entity.type, value } as Extract<Entity, { type: LifecycleResource }> }]);
  });
}
