import { statement, type Db } from './connection';

/** Records a delivery as heard; false when it was heard before (nothing must change then). */
export function recordDelivery(db: Db, provider: string, deliveryId: string, remoteId: string, now: number): boolean {
  return (
    statement(
      db,
      `INSERT INTO webhook_deliveries (provider, delivery_id, remote_id, received_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (provider, delivery_id) DO NOTHING`,
    ).run(provider, deliveryId, remoteId, now).changes === 1
  );
}

/** Has this delivery been heard? */
export function deliveryHeard(db: Db, provider: string, deliveryId: string): boolean {
  return (
    statement(db, 'SELECT 1 AS heard FROM webhook_deliveries WHERE provider = ? AND delivery_id = ?').get(
      provider,
      deliveryId,
    ) !== undefined
  );
}
