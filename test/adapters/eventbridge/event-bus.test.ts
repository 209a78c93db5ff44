// The cloud event publisher: PutEvents on our bus in batches of at most 10 (the API's limit), in
// order, with the EventBridge envelope rules match on and the stable eventId in the detail; it
// answers exactly which events went out, and logs (never throws) the others.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { EventBridgeBus } from '../../../lambdas/adapters/eventbridge/event-bus.ts';
import type { OutboxEvent } from '../../../lambdas/domain/model/events.ts';

const eventBridge = mockClient(EventBridgeClient);
const TIME = '2026-11-23T08:00:00.000Z';

const allocation = (n: number): OutboxEvent => ({
  eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  accountId: '123456789012',
  region: 'eu-west-1',
  time: TIME,
  event: {
    'detail-type': 'IPAM Pool Allocation Change',
    detail: {
      ipamId: 'ipam-0123456789abcdef0',
      ipamPoolId: 'ipam-pool-0123456789abcdef0',
      ipamPoolAllocationId: `ipam-pool-alloc-${String(n).padStart(17, '0')}`,
      cidr: `10.0.${n}.0/24`,
      change: 'created',
      cause: 'api',
      resourceType: 'custom',
    },
  },
});

let logged: string[];

beforeEach(() => {
  eventBridge.reset();
  logged = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

const bus = () => new EventBridgeBus({ client: new EventBridgeClient({ region: 'eu-west-1' }), busName: 'ipam-events' });
const sentEntries = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const errorLines = () =>
  logged.filter((line) => line.includes('"level":"ERROR"')).map((line) => JSON.parse(line) as Record<string, unknown>);

test('25 events go out as three PutEvents calls of 10, 10 and 5, in order, on our bus', async () => {
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `eb-${i}` })),
  }));
  const events = Array.from({ length: 25 }, (_, n) => allocation(n));
  const delivered = await bus().publish(events);
  expect(delivered).toEqual(new Set(events.map((event) => event.eventId)));

  const batches = sentEntries();
  expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  const details = batches.flat().map((entry) => JSON.parse(entry.Detail!) as Record<string, unknown>);
  expect(details.map((detail) => detail.cidr)).toEqual(
    events.map((event) => event.event.detail).map((detail) => (detail as { cidr: string }).cidr),
  );
  expect(batches[0][0]).toMatchObject({
    EventBusName: 'ipam-events',
    Source: 'self-hosted.ipam',
    DetailType: 'IPAM Pool Allocation Change',
    Time: new Date(TIME),
  });
  // The stable id, the IPAM's account and Region travel in the detail: the envelope's are the bus's own.
  expect(details[0]).toEqual({
    ...events[0].event.detail,
    eventId: events[0].eventId,
    ipamAccount: '123456789012',
    ipamRegion: 'eu-west-1',
  });
  expect(errorLines()).toEqual([]);
});

test('no events, no call', async () => {
  expect(await bus().publish([])).toEqual(new Set());
  expect(sentEntries()).toEqual([]);
});

test('entries EventBridge rejects (FailedEntryCount) are logged and left out of the delivered ids; the rest still go', async () => {
  eventBridge
    .on(PutEventsCommand)
    .resolvesOnce({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, ...Array(8).fill({ EventId: 'b' })],
    })
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'c' }] });
  const events = Array.from({ length: 11 }, (_, n) => allocation(n));
  const delivered = await bus().publish(events);
  expect(delivered).toEqual(new Set(events.filter((_, n) => n !== 1).map((event) => event.eventId)));

  expect(sentEntries().map((batch) => batch.length)).toEqual([10, 1]);
  const [error] = errorLines();
  expect(error).toMatchObject({
    message: 'some events were not published',
    failed: [{ eventId: events[1].eventId, detailType: 'IPAM Pool Allocation Change', code: 'InternalFailure' }],
  });
  expect(errorLines()).toHaveLength(1);
});

test('a PutEvents call that fails is logged and the next batch is still tried; only the answered entries count as delivered', async () => {
  eventBridge
    .on(PutEventsCommand)
    .rejectsOnce(new Error('AccessDeniedException: not authorized to perform events:PutEvents'))
    // An answer without per-entry results proves nothing: those count as not delivered either.
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
  const events = Array.from({ length: 12 }, (_, n) => allocation(n));
  expect(await bus().publish(events)).toEqual(new Set([events[10].eventId]));

  expect(sentEntries().map((batch) => batch.length)).toEqual([10, 2]);
  expect(errorLines()).toEqual([
    expect.objectContaining({ message: 'events were not published', count: 10 }),
    expect.objectContaining({ message: 'some events were not published', failed: [expect.objectContaining({ code: 'NoAnswer' })] }),
  ]);
});
