// The VAPID key pair (RFC 8292) that signs every push and that browsers subscribe against:
// configured (HSSK_VAPID_*) or generated once and kept in push_vapid_key, so that every HSSK
// process and every restart use the same pair (a new pair would orphan every subscription).
import webpush from 'web-push';
import type { Config } from '../../config/config.ts';
import type { Queryable } from '../../store/database.ts';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export function vapidSubject(config: Pick<Config, 'baseUrl' | 'push'>): string {
  if (config.push.vapidSubject) return config.push.vapidSubject;
  return config.baseUrl?.startsWith('https://') ? config.baseUrl : 'mailto:hssk@localhost';
}

export async function loadVapidKeys(db: Queryable, config: Pick<Config, 'baseUrl' | 'push'>): Promise<VapidKeys> {
  const subject = vapidSubject(config);
  if (config.push.vapidPublicKey && config.push.vapidPrivateKey) {
    return { publicKey: config.push.vapidPublicKey, privateKey: config.push.vapidPrivateKey, subject };
  }
  const generated = webpush.generateVAPIDKeys();
  // Two processes starting together: the first insert wins and both read the winner.
  await db.query('INSERT INTO push_vapid_key (id, public_key, private_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [generated.publicKey, generated.privateKey]);
  const { rows } = await db.query<{ public_key: string; private_key: string }>('SELECT public_key, private_key FROM push_vapid_key WHERE id = 1');
  return { publicKey: rows[0]!.public_key, privateKey: rows[0]!.private_key, subject };
}
