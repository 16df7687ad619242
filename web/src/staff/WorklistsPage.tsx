// The commune health worker's lists (MISSION B6, B7): one tab per list of /api/worklists with its
// count — vaccinations due this week / this month / overdue, NCD follow-ups and people lost to
// follow-up, pregnancies, children's growth flags, elderly and school checks, centre referrals,
// alerts. The open list is a table: name (link to the record), age, village and commune, what is
// due and when, status; 200 rows at a time. Province staff choose a commune (or the province).
import { Anchor, Badge, Button, Card, Group, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../shared/api.ts';
import { formatDate, formatNumber, todayVn } from '../shared/format.ts';
import { useT } from '../shared/i18n.tsx';
import { Empty, ErrorAlert, Loading, useAsync } from '../shared/ui.tsx';
import { useSession } from './session.tsx';
import { ageText, detailText, statusColor, statusText, type WorklistPage, type WorklistRow, type WorklistSummary } from './worklist-rows.ts';

const PAGE = 200;

function communeQuery(commune: string | undefined): string {
  return commune ? `commune=${encodeURIComponent(commune)}` : '';
}

export function WorklistsPage() {
  const t = useT();
  const { session } = useSession();
  const { code } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const chooses = session.actor.role !== 'commune-worker';
  const commune = chooses ? (params.get('commune') ?? '').trim() || undefined : undefined;
  const [summary, reloadSummary] = useAsync((signal) => api.get<WorklistSummary>(`/api/worklists?${communeQuery(commune)}`, signal), [commune]);
  const [communeInput, setCommuneInput] = useState(commune ?? '');

  const lists = summary.status === 'ready' ? summary.data.worklists : [];
  const active = code ?? lists[0]?.code;
  const search = commune ? `?${communeQuery(commune)}` : '';

  function chooseCommune(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams(params);
    if (communeInput.trim()) next.set('commune', communeInput.trim());
    else next.delete('commune');
    setParams(next);
  }

  return (
    <Stack>
      <Title order={2}>{t('worklists.title')}</Title>
      <Text size="sm">
        {summary.status === 'ready' && summary.data.commune
          ? t('worklists.scopeCommune', { code: summary.data.commune, date: formatDate(summary.data.asOf) })
          : summary.status === 'ready'
            ? t('worklists.scopeProvince', { date: formatDate(summary.data.asOf) })
            : ''}
      </Text>
      {chooses && (
        <Card withBorder component="form" onSubmit={chooseCommune} aria-label={t('worklists.communeForm')}>
          <Group align="flex-end">
            <TextInput label={t('worklists.commune')} description={t('worklists.communeHelp')} value={communeInput} onChange={(e) => setCommuneInput(e.currentTarget.value)} />
            <Button type="submit">{t('worklists.show')}</Button>
          </Group>
        </Card>
      )}
      {summary.status === 'loading' && <Loading label={t('worklists.loading')} />}
      {summary.status === 'error' && <ErrorAlert error={summary.error} onRetry={reloadSummary} />}
      {summary.status === 'ready' && active && (
        <Tabs value={active} onChange={(v) => v && navigate(`/worklists/${v}${search}`)} keepMounted={false} variant="outline">
          <Tabs.List aria-label={t('worklists.tabs')}>
            {lists.map((w) => (
              <Tabs.Tab key={w.code} value={w.code} data-code={w.code}>
                <Group gap={6} wrap="nowrap">
                  <span>{w.title}</span>
                  <Badge size="md" variant={w.count ? 'filled' : 'light'} color={w.count ? 'blue.8' : 'gray'} tt="none" title={t('worklists.countLabel', { n: w.count })}>
                    {formatNumber(w.count)}
                  </Badge>
                </Group>
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {lists.map((w) => (
            <Tabs.Panel key={w.code} value={w.code} pt="md">
              <WorklistTable code={w.code} title={w.title} commune={commune} />
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
    </Stack>
  );
}

function WorklistTable({ code, title, commune }: { code: string; title: string; commune: string | undefined }) {
  const t = useT();
  const today = todayVn();
  const [extra, setExtra] = useState<{ rows: WorklistRow[]; next: string | null }>({ rows: [], next: null });
  const [moreError, setMoreError] = useState<unknown>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [state, reload] = useAsync(
    (signal) => api.get<WorklistPage>(`/api/worklists/${encodeURIComponent(code)}?limit=${PAGE}&${communeQuery(commune)}`, signal),
    [code, commune],
  );
  useEffect(() => {
    setExtra({ rows: [], next: null });
    setMoreError(undefined);
  }, [code, commune]);
  useEffect(() => {
    // Lets the browser test read when the list was on screen (performance.getEntriesByName).
    if (state.status === 'ready') performance.mark(`hssk:worklist:${code}`);
  }, [state, code]);

  if (state.status === 'loading') return <Loading label={t('worklists.loading')} />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  const rows = [...state.data.rows, ...extra.rows];
  const next = extra.rows.length ? extra.next : state.data.next;

  async function more() {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.get<WorklistPage>(`/api/worklists/${encodeURIComponent(code)}?limit=${PAGE}&after=${encodeURIComponent(next)}&${communeQuery(commune)}`);
      setExtra((e) => ({ rows: [...e.rows, ...page.rows], next: page.next }));
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  }

  if (rows.length === 0) {
    return (
      <Card withBorder data-testid="worklist-empty" data-list={code}>
        <Empty>{t('worklists.empty', { title })}</Empty>
      </Card>
    );
  }
  return (
    <Card withBorder padding={0}>
      <Text p="sm" size="sm" aria-live="polite">
        {t('worklists.shown', { n: formatNumber(rows.length) })}
      </Text>
      <Table.ScrollContainer minWidth={820}>
        <Table highlightOnHover data-testid="worklist" data-list={code} aria-label={title}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('worklists.col.name')}</Table.Th>
              <Table.Th>{t('worklists.col.age')}</Table.Th>
              <Table.Th>{t('worklists.col.place')}</Table.Th>
              <Table.Th>{t('worklists.col.due')}</Table.Th>
              <Table.Th>{t('worklists.col.date')}</Table.Th>
              <Table.Th>{t('worklists.col.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={`${r.patientId}|${r.itemKey}`}>
                <Table.Td>
                  <Anchor component={Link} to={`/patients/${encodeURIComponent(r.patientId)}`} fw={600}>
                    {r.name || t('worklists.noName')}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {formatDate(r.birthDate ?? undefined)}
                  </Text>
                </Table.Td>
                <Table.Td>{ageText(t, r.birthDate, today)}</Table.Td>
                <Table.Td>
                  {r.address}
                  {r.communeCode && (
                    <Text size="xs" c="dimmed">
                      {t('search.communeCode', { code: r.communeCode })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{r.title}</Text>
                  {detailText(t, r) && (
                    <Text size="xs" c="dimmed">
                      {detailText(t, r)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(r.dueDate ?? undefined)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Badge variant="outline" color={statusColor(r.status)} tt="none" style={{ overflow: 'visible' }}>
                    {statusText(t, r.status)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {moreError !== undefined && <ErrorAlert error={moreError} onRetry={() => void more()} />}
      {next && (
        <Group p="sm">
          <Button variant="default" loading={loadingMore} onClick={() => void more()}>
            {t('worklists.more')}
          </Button>
        </Group>
      )}
    </Card>
  );
}
