// Workflow tasks that move a record through its lifecycle states. Every asynchronous change
// answers an in-progress state and a workflow settles it: resource-creation moves
// create-in-progress → create-complete | create-failed; settle-state moves X-in-progress →
// X-complete for modify and associate, removes the record for delete and disassociate, and
// moves it to X-failed when that fails. Pools and IPAMs are deleted by their own workflows.
import type { AssociationState } from '../domain/model/discovery.ts';
import type { LifecycleResource, Transition } from '../domain/model/execution.ts';
import type { ResourceState } from '../domain/model/ipam.ts';
import type { Entity } from '../ports/store.ts';
import type { Dependencies } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';
import { removeDisassociatedAssociation, removeDeletedResourceDiscovery } from './resource-discoveries.ts';
import { removeDeletedScope } from './scopes.ts';

type LifecycleState = ResourceState | AssociationState;
type LifecycleEntity = Extract<Entity, { type: LifecycleResource }>;

/** Only IPAMs and pools have a StateMessage member (EC2 model). */
const HAS_STATE_MESSAGE: ReadonlySet<LifecycleResource> = new Set(['ipam', 'pool']);

async function load(deps: Dependencies, type: LifecycleResource, id: string): Promise<LifecycleEntity | undefined> {
  const value = await {
    ipam: () => deps.store.getIpam(id),
    scope: () => deps.store.getScope(id),
    pool: () => deps.store.getPool(id),
    'resource-discovery': () => deps.store.getResourceDiscovery(id),
    'resource-discovery-association': () => deps.store.getResourceDiscoveryAssociation(id),
  }[type]();
  return value && ({ type, value } as LifecycleEntity);
}

/** Moves the record from `from` to `to`; a record already elsewhere (or gone) is left alone, so a retried task is harmless. */
export async function moveState(
  deps: Dependencies,
  type: LifecycleResource,
  id: string,
  from: LifecycleState,
  to: LifecycleState,
  stateMessage?: string,
): Promise<void> {
  await retryOnConflict(async () => {
    const entity = await load(deps, type, id);
    if (!entity || entity.value.State !== from) return;
    const value = {
      ...entity.value,
      State: to,
      ...(stateMessage !== undefined && HAS_STATE_MESSAGE.has(type) ? { StateMessage: stateMessage } : {}),
    };
    // Invariant: the state moves only from the one this task was started for.
    await deps.store.commit([{ op: 'update', entity: { type: entity.type, value } as LifecycleEntity }]);
  });
}

/** The removals settle-state runs for a delete or disassociate (each re-reads and checks the state itself). */
const REMOVALS: Partial<Record<LifecycleResource, (deps: Dependencies, id: string) => Promise<void>>> = {
  scope: removeDeletedScope,
  'resource-discovery': removeDeletedResourceDiscovery,
  'resource-discovery-association': removeDisassociatedAssociation,
};

/** settle-state's task: X-in-progress → X-complete, or the record removed for delete and disassociate. */
export async function settleState(deps: Dependencies, type: LifecycleResource, id: string, transition: Transition): Promise<void> {
  if (transition === 'delete' || transition === 'disassociate') {
    const remove = REMOVALS[type];
    if (!remove) throw new Error(`settle-state cannot ${transition} a ${type}`);
    return remove(deps, id);
  }
  return moveState(deps, type, id, `${transition}-in-progress`, `${transition}-complete`);
}

/** settle-state's failure task: X-in-progress → X-failed. */
export const failSettling = (deps: Dependencies, type: LifecycleResource, id: string, transition: Transition, reason: string) =>
  moveState(deps, type, id, `${transition}-in-progress`, `${transition}-failed`, reason);
