import fs from 'node:fs/promises';
import type { JSONWebKeySet } from 'jose';
import { InvalidClientSpec, createClient } from '../../auth/clients.ts';
import { splitScopeString } from '../../auth/scopes.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags, required } from './flags.ts';

export const clientCreateCommand: Command = {
  path: ['client', 'create'],
  summary: 'Đăng ký ứng dụng kết nối OAuth2 (register an OAuth2 client)',
  usage: [
    'hssk client create --name NAME [--facility MA_CSKCB] --scope "system/Patient.read system/*.write …" [--jwks-file F]',
    '',
    'Without --facility the client is a provincial system client limited by its scopes.',
    'With --jwks-file (public keys) it authenticates by private_key_jwt (SMART Backend Services) and gets no secret.',
    'Prints {"client_id": …, "client_secret": …} as JSON. The secret is shown once.',
  ].join('\n'),
  async run(args, { config, out }) {
    const flags = parseFlags(args, ['name', 'facility', 'scope', 'jwks-file']);
    const jwksFile = optional(flags, 'jwks-file');
    let jwks: JSONWebKeySet | undefined;
    if (jwksFile) {
      try {
        jwks = JSON.parse(await fs.readFile(jwksFile, 'utf8')) as JSONWebKeySet;
      } catch (err) {
        throw new UsageError(`Không đọc được JWKS ${jwksFile}: ${(err as Error).message}`);
      }
    }
    const facilityCode = optional(flags, 'facility');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      const created = await createClient(db.pool, {
        name: required(flags, 'name'),
        scopes: splitScopeString(required(flags, 'scope')),
        ...(facilityCode ? { facilityCode } : {}),
        ...(jwks ? { jwks } : {}),
      });
      out(JSON.stringify({ client_id: created.clientId, ...(created.clientSecret ? { client_secret: created.clientSecret } : {}) }));
      return 0;
    } catch (err) {
      if (err instanceof InvalidClientSpec) throw new UsageError(err.message);
      throw err;
    } finally {
      await db.close();
    }
  },
};
