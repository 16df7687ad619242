import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, defaultSharedBuffersMb, loadConfig } from './config.ts';

describe('configuration', () => {
  it('starts with sensible defaults when nothing is set', () => {
    const config = loadConfig({}, '/srv/hssk');
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('/srv/hssk/.hssk');
    expect(config.demo).toBe(true);
    expect(config.province).toBe('68');
    expect(config.trustProxy).toEqual([]);
    expect(config.auth.smsAdapter).toBe('log');
  });

  it('names every wrong variable in one clear error', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', HSSK_PROVINCE: '6', HSSK_SMS_ADAPTER: 'http' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect(problems).toContain('DATABASE_URL');
      expect(problems).toContain('HSSK_PROVINCE');
      expect(problems).toContain('HSSK_SMS_GATEWAY_URL');
    }
  });

  it('applies the identity population rule where household lists are imported unless told otherwise', () => {
    expect(loadConfig({}).identityPopulationRule).toBe('auto');
    expect(loadConfig({ HSSK_IDENTITY_POPULATION_RULE: 'OFF' }).identityPopulationRule).toBe('off');
    expect(() => loadConfig({ HSSK_IDENTITY_POPULATION_RULE: 'yes' })).toThrow(/HSSK_IDENTITY_POPULATION_RULE/);
  });

  it('sizes the embedded PostgreSQL cache to a quarter of the memory, within 128 MiB–8 GiB, unless told', () => {
    const GiB = 2 ** 30;
    expect(defaultSharedBuffersMb(24 * GiB)).toBe(6144);
    expect(defaultSharedBuffersMb(256 * 2 ** 20)).toBe(128);
    expect(defaultSharedBuffersMb(128 * GiB)).toBe(8192);
    expect(loadConfig({}).embeddedPgSharedBuffersMb).toBe(defaultSharedBuffersMb());
    expect(loadConfig({ HSSK_PG_SHARED_BUFFERS_MB: '512' }).embeddedPgSharedBuffersMb).toBe(512);
    expect(() => loadConfig({ HSSK_PG_SHARED_BUFFERS_MB: '1.5GB' })).toThrow(/HSSK_PG_SHARED_BUFFERS_MB/);
  });

  it('documents every variable it reads in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [name] of CONFIG_VARIABLES) expect(readme, name).toContain(`\`${name}\``);
  });
});
