// Events under `npm start`: one JSON line per event in <data dir>/events.jsonl, with the envelope
// an EventBridge rule would match on and the stable eventId in the detail, appended in publish
// order; kept in memory for tests. A failed append delivers nothing (the outbox offers it again).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, vi } from 'vitest';
import { LocalEventLog, type LoggedEvent } from '../../../lambdas/adapters/local/event-log.ts';
import type { IpamEvent, OutboxEvent } from '../../../lambdas/domain/model/events.ts';

const CONTEXT = { accountId: '123456789012', region: 'us-east-1', time: '2026-11-23T08:00:00.000Z' };
let ids = 0;
const outgoing = (event: IpamEvent, context = CONTEXT): OutboxEvent => ({
  eventId: `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  ...context,
  event,
});

const stateChange = (state: string, previousState?: string): IpamEvent => ({
  'detail-type': 'IPAM Pool CIDR State Change',
  detail: {
    ipamId: 'ipam-0123456789abcdef0',
    ipamPoolId: 'ipam-pool-0123456789abcdef0',
    ipamPoolCidrId: 'ipam-pool-cidr-0123456789abcdef0',
    cidr: '10.0.0.0/16',
    previousState,
    state,
  },
});

async function newLogFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'ipam-events-')), 'events.jsonl');
}

const linesOf = async (file: string) => (await readFile(file, 'utf8')).split('\n');

test('each event is one JSON line with source, detail-type, account, Region, time and detail', async () => {
  const file = await newLogFile();
  const log = new LocalEventLog(file);
  const first = [outgoing(stateChange('pending-provision')), outgoing(stateChange('provisioned', 'pending-provision'))];
  expect(await log.publish(first)).toEqual(new Set(first.map((event) => event.eventId)));
  await log.publish([outgoing(stateChange('pending-deprovision', 'provisioned'), { ...CONTEXT, region: 'eu-west-1' })]);

  const lines = await linesOf(file);
  expect(lines.at(-1)).toBe(''); // every line ends with a newline, so `tail -f` shows whole events
  const events = lines.slice(0, -1).map((line) => JSON.parse(line) as LoggedEvent);
  expect(events).toHaveLength(3);
  expect(events[0]).toEqual({
    source: 'self-hosted.ipam',
    'detail-type': 'IPAM Pool CIDR State Change',
    account: '123456789012',
    region: 'us-east-1',
    time: '2026-11-23T08:00:00.000Z',
    detail: { ...stateChange('pending-provision').detail, eventId: first[0].eventId },
  });
  expect(events.map((event) => [event.region, (event.detail as { state: string }).state])).toEqual([
    ['us-east-1', 'pending-provision'],
    ['us-east-1', 'provisioned'],
    ['eu-west-1', 'pending-deprovision'],
  ]);
  expect(log.published()).toEqual(events);
});

test('a second log on the same file (a restart) appends after what is there', async () => {
  const file = await newLogFile();
  await new LocalEventLog(file).publish([outgoing(stateChange('pending-provision'))]);
  await new LocalEventLog(file).publish([outgoing(stateChange('provisioned', 'pending-provision'))]);
  expect((await linesOf(file)).filter((line) => line !== '')).toHaveLength(2);
});

test('a file that cannot be written delivers nothing: publish resolves with no ids and logs an error', async () => {
  const logged: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
  }
  const log = new LocalEventLog(path.join(await newLogFile(), 'no-such-dir', 'events.jsonl'));
  await expect(log.publish([outgoing(stateChange('pending-provision'))])).resolves.toEqual(new Set());
  vi.restoreAllMocks();
  expect(log.published()).toHaveLength(0);
  expect(logged.join('')).toContain('could not append events');
});

test('without a file, events are only kept in memory', async () => {
  const log = new LocalEventLog();
  const event = outgoing(stateChange('pending-provision'));
  await log.publish([event]);
  await log.publish([]);
  expect(log.published().map((line) => line.detail)).toEqual([{ ...stateChange('pending-provision').detail, eventId: event.eventId }]);
});
