// Events under `npm start`: appended as JSON lines to <data dir>/events.jsonl (tail -f it, or
// point a subscriber at it) and logged at debug level. An event is delivered once its line is in
// the file; a failed append delivers none of the call's events (the outbox offers them again).
// Without a file, events are only kept in memory, which is what the use-case tests read.
import { appendFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import type { IpamEvent, OutboxEvent } from '../../domain/model/events.ts';
import { EVENT_SOURCE, type EventPublisher } from '../../ports/events.ts';
import { PRIVATE_FILE_MODE } from './private-files.ts';

const logger = new Logger({ serviceName: 'ipam-events' });
/** The file is the record; memory keeps only the latest events, so a long `npm start` does not grow. */
const KEPT_IN_MEMORY = 1000;

/** One line of events.jsonl: the EventBridge envelope fields a rule would match on; the detail carries the eventId. */
export interface LoggedEvent {
  source: typeof EVENT_SOURCE;
  'detail-type': IpamEvent['detail-type'];
  account: string;
  region: string;
  time: string;
  detail: IpamEvent['detail'] & { eventId: string };
}

export class LocalEventLog implements EventPublisher {
  private readonly file: string | undefined;
  private readonly kept: LoggedEvent[] = [];

  constructor(file?: string) {
    this.file = file;
  }

  async publish(events: readonly OutboxEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const lines = events.map(
      ({ eventId, accountId, region, time, event }): LoggedEvent => ({
        source: EVENT_SOURCE,
        'detail-type': event['detail-type'],
        account: accountId,
        region,
        time,
        detail: { ...event.detail, eventId },
      }),
    );
    if (this.file) {
      try {
        // One append: the lines land together or (almost always) not at all.
        await appendFile(this.file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''), { mode: PRIVATE_FILE_MODE });
      } catch (error) {
        logger.error('could not append events', { file: this.file, count: events.length, error: error as Error });
        return new Set();
      }
    }
    this.kept.push(...lines);
    if (this.kept.length > KEPT_IN_MEMORY) this.kept.splice(0, this.kept.length - KEPT_IN_MEMORY);
    for (const line of lines) logger.debug('event', { event: line });
    return new Set(events.map((event) => event.eventId));
  }

  /** The latest events (up to 1,000) delivered through this instance, oldest first. */
  published(): readonly LoggedEvent[] {
    return this.kept;
  }
}
