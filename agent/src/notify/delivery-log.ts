import type { NotificationDelivery } from '@port-yard/shared';

/** The newest deliveries in memory, for `notifications.recent`: bounded, newest first. */
export interface DeliveryLog {
  add(delivery: NotificationDelivery): void;
  recent(limit: number): NotificationDelivery[];
}

export function createDeliveryLog(capacity = 500): DeliveryLog {
  const deliveries: NotificationDelivery[] = [];
  return {
    add(delivery) {
      deliveries.push(delivery);
      if (deliveries.length > capacity) deliveries.splice(0, deliveries.length - capacity);
    },
    recent: (limit) => deliveries.slice(-limit).reverse(),
  };
}
