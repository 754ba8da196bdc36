import { statement, type Db } from './connection';

/** What a job's transition may write in the credit ledger, each entry once per idempotency key. */
export interface JobMoney {
  /** A paid job's charge (a resumed job is not charged again). */
  charge?: { provider: string; amount: number; balanceAfter?: number };
  /** A paid request that may have been charged (its answer never came): recorded apart. */
  possibleCharge?: { provider: string; amount: number };
  /** What the provider gave back of the job's charge (all of it when `amount` is null). */
  refund?: { provider: string; amount: number | null };
}

/** Writes a transition's money in the ledger, inside the caller's transaction, under the job's current key. */
export function recordJobMoney(db: Db, id: string, key: string, money: JobMoney, now: number): void {
  if (money.charge) {
    statement(
      db,
      `INSERT INTO credit_ledger (provider, job_id, kind, amount, balance_after, note, at)
       SELECT ?, ?, 'charge', ?, ?, ?, ? WHERE NOT EXISTS
         (SELECT 1 FROM credit_ledger WHERE job_id = ? AND kind = 'charge' AND note = ?)`,
    ).run(money.charge.provider, id, money.charge.amount, money.charge.balanceAfter ?? null, key, now, id, key);
  }
  if (money.refund) {
    // Against what was charged (or possibly charged) under this key: never more, and once however
    // often the failure is read.
    statement(
      db,
      `INSERT INTO credit_ledger (provider, job_id, kind, amount, note, at)
       SELECT @provider, @id, 'refund', MIN(COALESCE(@amount, charged.total), charged.total), @key, @now
         FROM (SELECT SUM(amount) AS total FROM credit_ledger
                WHERE job_id = @id AND kind IN ('charge', 'possible_charge') AND note = @key) AS charged
        WHERE charged.total > 0
          AND NOT EXISTS (SELECT 1 FROM credit_ledger WHERE job_id = @id AND kind = 'refund' AND note = @key)`,
    ).run({ provider: money.refund.provider, id, amount: money.refund.amount, key, now });
  }
  if (money.possibleCharge) {
    statement(
      db,
      `INSERT INTO credit_ledger (provider, job_id, kind, amount, note, at)
       SELECT ?, ?, 'possible_charge', ?, ?, ? WHERE NOT EXISTS
         (SELECT 1 FROM credit_ledger WHERE job_id = ? AND kind IN ('charge', 'possible_charge') AND note = ?)`,
    ).run(money.possibleCharge.provider, id, money.possibleCharge.amount, key, now, id, key);
  }
}
