// Events in the cloud: PutEvents on the service's custom bus, at most 10 entries per call (the
// API's limit). EventBridge gives each entry its own id, new on every delivery, so the event's
// stable id travels in the detail (`eventId`), with the IPAM's account and Region. An entry is
// delivered only when EventBridge answers it without an ErrorCode (PutEvents fails entries one
// by one: FailedEntryCount); the others are logged and left to the outbox to offer again.
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import type { OutboxEvent } from '../../domain/model/events.ts';
import { EVENT_SOURCE, type EventPublisher } from '../../ports/events.ts';

const PUT_EVENTS_LIMIT = 10;
const logger = new Logger({ serviceName: 'ipam-events' });

export class EventBridgeBus implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(options: { client: EventBridgeClient; busName: string }) {
    this.client = options.client;
    this.busName = options.busName;
  }

  async publish(events: readonly OutboxEvent[]): Promise<Set<string>> {
    const delivered = new Set<string>();
    for (let i = 0; i < events.length; i += PUT_EVENTS_LIMIT) {
      const batch = events.slice(i, i + PUT_EVENTS_LIMIT);
      const entries: PutEventsRequestEntry[] = batch.map(({ eventId, accountId, region, time, event }) => ({
        EventBusName: this.busName,
        Source: EVENT_SOURCE,
        DetailType: event['detail-type'],
        // The IPAM account and Region the change belongs to (the envelope's own are the bus's).
        Detail: JSON.stringify({ ...event.detail, eventId, ipamAccount: accountId, ipamRegion: region }),
        Time: new Date(time),
      }));
      try {
        const result = await this.client.send(new PutEventsCommand({ Entries: entries }));
        // Entries answer the request's entries one for one; one without an answer counts as failed.
        const answers = result.Entries ?? [];
        const failed = batch.flatMap((event, index) => {
          const answer = answers[index];
          if (answer && !answer.ErrorCode) {
            delivered.add(event.eventId);
            return [];
          }
          return [{ eventId: event.eventId, detailType: event.event['detail-type'], code: answer?.ErrorCode ?? 'NoAnswer' }];
        });
        if (failed.length > 0) logger.error('some events were not published', { failed });
      } catch (error) {
        logger.error('events were not published', { count: batch.length, error: error as Error });
      }
    }
    return delivered;
  }
}
