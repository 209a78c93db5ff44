// The store contract on the in-memory adapter.
import { InMemoryStore } from '../../../lambdas/adapters/memory/store.ts';
import { describeStoreContract } from '../store-contract.ts';

describeStoreContract('InMemoryStore', async () => new InMemoryStore());
