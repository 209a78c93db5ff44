// Events in the cloud: PutEvents on the service's custom bus, at most 10 entries per call (the
// API's limit). Best effort, as the port says: failures are logged with the entries that failed.
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import { EVENT_SOURCE, type EventPublisher, type IpamEvent } from '../../ports/events.ts';

const PUT_EVENTS_LIMIT = 10;
const logger = new Logger({ serviceName: 'ipam-events' });

export class EventBridgeBus implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(options: { client: EventBridgeClient; busName: string }) {
    this.client = options.client;
    this.busName = options.busName;
  }

  async publish(events: IpamEvent[], context: { accountId: string; region: string; time: Date }): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((event) => ({
      EventBusName: this.busName,
      Source: EVENT_SOURCE,
      DetailType: event['detail-type'],
      // The IPAM account and Region the change belongs to (the envelope's own are the bus's).
      Detail: JSON.stringify({ ...event.detail, ipamAccount: context.accountId, ipamRegion: context.region }),
      Time: context.time,
    }));
    for (let i = 0; i < entries.length; i += PUT_EVENTS_LIMIT) {
      const batch = entries.slice(i, i + PUT_EVENTS_LIMIT);
      try {
        const result = await this.client.send(new PutEventsCommand({ Entries: batch }));
        if (result.FailedEntryCount) {
          const failed = (result.Entries ?? []).flatMap((entry, index) =>
            entry.ErrorCode ? [{ detailType: batch[index]?.DetailType, code: entry.ErrorCode }] : [],
          );
          logger.error('some events were not published', { failed });
        }
      } catch (error) {
        logger.error('events were not published', { count: batch.length, error: error as Error });
      }
    }
  }
}
