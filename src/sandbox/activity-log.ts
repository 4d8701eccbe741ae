import type { EventEmitter } from 'node:events';
import { compact } from './compact.js';
import type { DeliveryRecord, RequestRecord, SandboxEventMap } from './types.js';

/**
 * What crossed the wire: the bot's requests to the Open API (refused and faulted ones included, so a test can
 * count 429s) and the sandbox's deliveries to the bot.
 */
export class ActivityLog {
  private readonly requestList: RequestRecord[] = [];
  private readonly deliveryList: DeliveryRecord[] = [];

  constructor(private readonly events: EventEmitter<SandboxEventMap>) {}

  addRequest(input: Omit<RequestRecord, 'seq'>): RequestRecord {
    const record: RequestRecord = compact({ seq: this.requestList.length + 1, ...input });
    this.requestList.push(record);
    this.events.emit('request', record);
    this.events.emit('change');
    return record;
  }

  addDelivery(input: Omit<DeliveryRecord, 'seq'>): DeliveryRecord {
    const record: DeliveryRecord = compact({ seq: this.deliveryList.length + 1, ...input });
    this.deliveryList.push(record);
    this.events.emit('delivery', record);
    this.events.emit('change');
    return record;
  }

  requests(): RequestRecord[] {
    return [...this.requestList];
  }

  deliveries(): DeliveryRecord[] {
    return [...this.deliveryList];
  }
}
