// Where events go: EventBridge PutEvents on our bus in the cloud, a JSON-lines file in the data dir
// locally. The outbox (use-cases/kernel/outbox.ts) calls publish after the commit that wrote the
// events, and again later for those it did not deliver: so delivery is at least once, and an
// adapter must say exactly which events it delivered.
import type { OutboxEvent } from '../domain/model/events.ts';

export const EVENT_SOURCE = 'self-hosted.ipam';

export interface EventPublisher {
  /**
   * Delivers `events` and resolves with the eventIds delivered; the others failed (the adapter
   * logs why) and will be offered again. May throw when none was delivered.
   */
  publish(events: readonly OutboxEvent[]): Promise<Set<string>>;
}
