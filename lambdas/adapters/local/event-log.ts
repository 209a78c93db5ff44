// Events under `npm start`: appended as JSON lines to <data dir>/events.jsonl (tail -f it, or
// point a subscriber at it) and logged at debug level. Without a file, events are only kept in
// memory, which is what the use-case tests read.
import { appendFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { EVENT_SOURCE, type EventPublisher, type IpamEvent } from '../../ports/events.ts';
import { PRIVATE_FILE_MODE } from './private-files.ts';

const logger = new Logger({ serviceName: 'ipam-events' });
/** The file is the record; memory keeps only the latest events, so a long `npm start` does not grow. */
const KEPT_IN_MEMORY = 1000;

/** One line of events.jsonl: the EventBridge envelope fields a rule would match on. */
export interface LoggedEvent {
  source: typeof EVENT_SOURCE;
  'detail-type': IpamEvent['detail-type'];
  account: string;
  region: string;
  time: string;
  detail: IpamEvent['detail'];
}

export class LocalEventLog implements EventPublisher {
  private readonly file: string | undefined;
  private readonly kept: LoggedEvent[] = [];

  constructor(file?: string) {
    this.file = file;
  }

  async publish(events: IpamEvent[], context: { accountId: string; region: string; time: Date }): Promise<void> {
    if (events.length === 0) return;
    const lines = events.map(
      (event): LoggedEvent => ({
        source: EVENT_SOURCE,
        'detail-type': event['detail-type'],
        account: context.accountId,
        region: context.region,
        time: context.time.toISOString(),
        detail: event.detail,
      }),
    );
    this.kept.push(...lines);
    if (this.kept.length > KEPT_IN_MEMORY) this.kept.splice(0, this.kept.length - KEPT_IN_MEMORY);
    for (const line of lines) logger.debug('event', { event: line });
    if (!this.file) return;
    try {
      await appendFile(this.file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''), { mode: PRIVATE_FILE_MODE });
    } catch (error) {
      logger.error('could not append events', { file: this.file, error: error as Error });
    }
  }

  /** The latest events (up to 1,000) published through this instance, oldest first. */
  published(): readonly LoggedEvent[] {
    return this.kept;
  }
}
