// The home dashboard for the user's scope (commune or facility): residents, records updated
// this month, pending identity reviews and recent imports — "no data yet" where an API is absent.
import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Bundle } from '@medplum/fhirtypes';
import { api, ApiError } from '../shared/api.ts';
import { formatNumber } from '../shared/format.ts';
import { useT, type MessageKey } from '../shared/i18n.tsx';
import { useAsync } from '../shared/ui.tsx';
import { ROLE_KEYS, scopeText } from './Shell.tsx';
import { useSession } from './session.tsx';

type Figure = number | 'none' | 'error';

async function count(path: string, signal: AbortSignal): Promise<Figure> {
  try {
    const b = await api.get<Bundle>(path, signal);
    return b.total ?? b.entry?.length ?? 0;
  } catch (err) {
    return err instanceof ApiError && (err.status === 403 || err.status === 404) ? 'none' : 'error';
  }
}

/** A count from an API that may not exist yet (identity review, imports). */
async function optionalCount(path: string, signal: AbortSignal): Promise<Figure> {
  try {
    const body = await api.get<unknown>(path, signal);
    if (Array.isArray(body)) return body.length;
    if (body && typeof body === 'object') {
      const o = body as Record<string, unknown>;
      if (typeof o.total === 'number') return o.total;
      const list = Object.values(o).find(Array.isArray);
      if (list) return list.length;
    }
    return 'none';
  } catch {
    return 'none';
  }
}

/** Submissions received in the last 30 days (the arrivals view of the user's scope). */
async function recentImports(signal: AbortSignal): Promise<Figure> {
  try {
    const { facilities } = await api.get<{ facilities: { days: { submissions: number }[] }[] }>('/api/ingest/arrivals', signal);
    return facilities.reduce((n, f) => n + f.days.reduce((m, d) => m + d.submissions, 0), 0);
  } catch {
    return 'none';
  }
}

function monthStart(): string {
  const d = new Date(Date.now() + 7 * 3600_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

export function HomePage() {
  const t = useT();
  const { session } = useSession();
  const actor = session.actor;
  const [state] = useAsync(
    async (signal) => {
      const [residents, updated, reviews, imports] = await Promise.all([
        count('/fhir/Patient?_summary=count&_total=accurate', signal),
        count(`/fhir/Patient?_lastUpdated=ge${monthStart()}&_summary=count&_total=accurate`, signal),
        optionalCount('/api/identity/reviews?status=pending', signal),
        recentImports(signal),
      ]);
      return { residents, updated, reviews, imports };
    },
    [],
  );
  const tiles: { key: 'residents' | 'updated' | 'reviews' | 'imports'; label: MessageKey }[] = [
    { key: 'residents', label: 'home.residents' },
    { key: 'updated', label: 'home.updated' },
    { key: 'reviews', label: 'home.reviews' },
    { key: 'imports', label: 'home.imports' },
  ];
  return (
    <Stack>
      <Title order={2}>{t('home.title', { name: actor.displayName ?? actor.username })}</Title>
      <Text>
        {t(ROLE_KEYS[actor.role])} · {scopeText(t, actor)}
      </Text>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        {tiles.map((tile) => {
          const value = state.status === 'ready' ? state.data[tile.key] : undefined;
          return (
            <Card withBorder key={tile.key} data-testid={`tile-${tile.key}`}>
              <Text size="sm" c="dimmed">
                {t(tile.label)}
              </Text>
              <Text size="xl" fw={700} aria-live="polite">
                {state.status === 'loading' ? '…' : typeof value === 'number' ? formatNumber(value) : value === 'error' ? t('home.error') : t('home.noData')}
              </Text>
            </Card>
          );
        })}
      </SimpleGrid>
    </Stack>
  );
}
