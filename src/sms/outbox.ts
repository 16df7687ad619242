// Reading the development outbox (log adapter).
import type { Queryable } from '../store/database.ts';

export interface OutboxMessage {
  id: number;
  phone: string;
  message: string;
  createdAt: Date;
}

export async function readOutbox(db: Queryable, options: { phone?: string; limit?: number } = {}): Promise<OutboxMessage[]> {
  const { rows } = await db.query<{ id: number; phone: string; message: string; created_at: Date }>(
    `SELECT id, phone, message, created_at FROM sms_outbox WHERE ($1::text IS NULL OR phone = $1) ORDER BY id DESC LIMIT $2`,
    [options.phone ?? null, Math.min(options.limit ?? 50, 1000)],
  );
  return rows.map((r) => ({ id: r.id, phone: r.phone, message: r.message, createdAt: r.created_at }));
}
