import { toRecord, type JobRecord, type JobRow } from './jobs-repo';
import { statement, type Db } from './connection';

/** Records a delivery as heard, with the status it reported (signed) or null (a hint); false when heard before. */
export function recordDelivery(
  db: Db,
  delivery: { provider: string; deliveryId: string; remoteId: string; status: unknown },
  now: number,
): boolean {
  return (
    statement(
      db,
      `INSERT INTO webhook_deliveries (provider, delivery_id, remote_id, status_json, received_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (provider, delivery_id) DO NOTHING`,
    ).run(
      delivery.provider,
      delivery.deliveryId,
      delivery.remoteId,
      delivery.status === null || delivery.status === undefined ? null : JSON.stringify(delivery.status),
      now,
    ).changes === 1
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

/** Deliveries about jobs still waiting on their provider, oldest first, with those jobs. */
export function deliveriesForWaitingJobs(db: Db): { job: JobRecord; status: unknown }[] {
  const rows = statement(
    db,
    `SELECT j.*, d.status_json AS delivery_status FROM webhook_deliveries d
       JOIN jobs j ON j.provider = d.provider AND j.remote_id = d.remote_id
      WHERE j.state IN ('remote', 'submitting')
      ORDER BY d.received_at, d.rowid`,
  ).all() as (JobRow & { delivery_status: string | null })[];
  return rows.map((row) => ({
    job: toRecord(row),
    status: row.delivery_status === null ? null : (JSON.parse(row.delivery_status) as unknown),
  }));
}
