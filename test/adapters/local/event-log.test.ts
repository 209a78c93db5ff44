// Events under `npm start`: one JSON line per event in <data dir>/events.jsonl, with the envelope
// an EventBridge rule would match on, appended in publish order; kept in memory for tests.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, vi } from 'vitest';
import { LocalEventLog, type LoggedEvent } from '../../../lambdas/adapters/local/event-log.ts';
import type { IpamEvent } from '../../../lambdas/ports/events.ts';

const CONTEXT = { accountId: '123456789012', region: 'us-east-1', time: new Date('2026-11-23T08:00:00.000Z') };

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
  await log.publish([stateChange('pending-provision'), stateChange('provisioned', 'pending-provision')], CONTEXT);
  await log.publish([stateChange('pending-deprovision', 'provisioned')], { ...CONTEXT, region: 'eu-west-1' });

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
    detail: stateChange('pending-provision').detail,
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
  await new LocalEventLog(file).publish([stateChange('pending-provision')], CONTEXT);
  await new LocalEventLog(file).publish([stateChange('provisioned', 'pending-provision')], CONTEXT);
  expect((await linesOf(file)).filter((line) => line !== '')).toHaveLength(2);
});

test('a file that cannot be written loses the line, not the change: publish resolves, logs an error and keeps the event', async () => {
  const logged: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
  }
  const log = new LocalEventLog(path.join(await newLogFile(), 'no-such-dir', 'events.jsonl'));
  await expect(log.publish([stateChange('pending-provision')], CONTEXT)).resolves.toBeUndefined();
  vi.restoreAllMocks();
  expect(log.published()).toHaveLength(1);
  expect(logged.join('')).toContain('could not append events');
});

test('without a file, events are only kept in memory', async () => {
  const log = new LocalEventLog();
  await log.publish([stateChange('pending-provision')], CONTEXT);
  await log.publish([], CONTEXT);
  expect(log.published().map((event) => event.detail)).toEqual([stateChange('pending-provision').detail]);
});
