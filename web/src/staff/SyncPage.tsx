// National synchronisation, for administrators (docs/sync.md): the push to the national receiver
// (queue depth, lag, failures, last success, target), the changes it refused (dead letters) with
// a replay, and the health-book channel of QĐ 1551 (health checks due within 24 hours).
import { Alert, Badge, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../shared/api.ts';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { useI18n, useT, type Translate } from '../shared/i18n.tsx';
import { Empty, ErrorAlert, errorText, Loading, useAsync } from '../shared/ui.tsx';
import { useSession } from './session.tsx';

export interface HealthBookStatus {
  configured: boolean;
  endpoint: string | null;
  intervalMinutes: number;
  pending: number;
  overdue: number;
  pushed: number;
  failing: number;
  lastPushAt: string | null;
  lastError: string | null;
}

export interface SyncStatusView {
  target: string | null;
  mode: 'province' | 'hub';
  queueDepth: number;
  lagSeconds: number;
  oldestQueuedAt: string | null;
  deadLetters: number;
  worker: {
    pushed: number;
    failures: number;
    deadLettered: number;
    consecutiveFailures: number;
    lastSuccessAt: string | null;
    lastFailureAt: string | null;
    lastError: string | null;
  };
  healthBook?: HealthBookStatus;
}

interface DeadLetterView {
  seq: number;
  resourceType: string;
  id: string;
  versionId: number;
  failedAt: string;
  status: number | null;
  error: string;
}

/** A duration in words: "45 giây", "3 phút", "2 giờ 5 phút", "1 ngày 4 giờ". */
export function durationText(t: Translate, seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return t('sync.seconds', { n: s });
  if (s < 3600) return t('sync.minutes', { n: Math.floor(s / 60) });
  if (s < 86400) return t('sync.hoursMinutes', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('sync.daysHours', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

export function SyncPage() {
  const t = useT();
  const { session } = useSession();
  // One refresh for both panels: a replay changes the queue as well as the list.
  const [tick, setTick] = useState(0);
  const refresh = () => setTick((n) => n + 1);
  if (session.actor.role !== 'admin') return <Alert color="red">{t('error.403')}</Alert>;
  return (
    <Stack>
      <Title order={2}>{t('nav.sync')}</Title>
      <Text c="dimmed">{t('sync.intro')}</Text>
      <Overview tick={tick} onRefresh={refresh} />
      <DeadLetters tick={tick} onChanged={refresh} />
    </Stack>
  );
}

function Figure({ label, value, testId, tone }: { label: string; value: string; testId: string; tone?: 'bad' | 'good' }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId} c={tone === 'bad' ? 'red.9' : undefined}>
        {value}
      </Text>
    </Card>
  );
}

function Overview({ tick, onRefresh }: { tick: number; onRefresh: () => void }) {
  const t = useT();
  const [state, reload] = useAsync((signal) => api.get<SyncStatusView>('/api/sync/status', signal), [tick]);
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  const s = state.data;
  const w = s.worker;
  return (
    <Stack>
      <Card withBorder>
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Title order={3} size="h4">
              {t('sync.push')}
            </Title>
            <Text size="sm">
              {t('sync.target')}:{' '}
              {s.target ? (
                <Code data-testid="sync-target">{s.target}</Code>
              ) : (
                <Text span c="dimmed" data-testid="sync-target">
                  {s.mode === 'hub' ? t('sync.hubNoTarget') : t('sync.noTarget')}
                </Text>
              )}
            </Text>
          </Stack>
          <Group gap="xs">
            {s.mode === 'hub' && <Badge variant="light">{t('sync.hubMode')}</Badge>}
            {s.target && (w.consecutiveFailures > 0 ? <Badge color="red.9">{t('sync.failing')}</Badge> : <Badge color="teal.9">{t('sync.healthy')}</Badge>)}
            <Button size="xs" variant="default" onClick={onRefresh}>
              {t('sync.refresh')}
            </Button>
          </Group>
        </Group>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} mt="md">
          <Figure label={t('sync.queueDepth')} value={formatNumber(s.queueDepth)} testId="sync-queue" />
          <Figure label={t('sync.lag')} value={s.queueDepth > 0 ? durationText(t, s.lagSeconds) : t('sync.noLag')} testId="sync-lag" tone={s.lagSeconds > 3600 ? 'bad' : undefined} />
          <Figure label={t('sync.pushed')} value={formatNumber(w.pushed)} testId="sync-pushed" />
          <Figure label={t('sync.failures')} value={`${formatNumber(w.consecutiveFailures)} / ${formatNumber(w.failures)}`} testId="sync-failures" tone={w.consecutiveFailures > 0 ? 'bad' : undefined} />
          <Figure label={t('sync.deadLetters')} value={formatNumber(s.deadLetters)} testId="sync-dead-count" tone={s.deadLetters > 0 ? 'bad' : undefined} />
          <Figure label={t('sync.lastSuccess')} value={w.lastSuccessAt ? formatDateTime(w.lastSuccessAt) : t('sync.never')} testId="sync-last-success" />
        </SimpleGrid>
        {w.lastError && (
          <Alert color="orange" mt="md" title={t('sync.lastError', { at: formatDateTime(w.lastFailureAt ?? undefined) })} data-testid="sync-last-error">
            <Code block>{w.lastError}</Code>
          </Alert>
        )}
      </Card>
      {s.healthBook && <HealthBook hb={s.healthBook} />}
    </Stack>
  );
}

function HealthBook({ hb }: { hb: HealthBookStatus }) {
  const t = useT();
  return (
    <Card withBorder data-testid="healthbook">
      <Title order={3} size="h4">
        {t('sync.healthBook')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('sync.healthBookIntro')}
      </Text>
      {!hb.configured ? (
        <Text mt="sm" data-testid="healthbook-off">
          {t('sync.healthBookOff')}
        </Text>
      ) : (
        <>
          <Text size="sm" mt="sm">
            {t('sync.target')}: <Code>{hb.endpoint}</Code> · {t('sync.every', { n: hb.intervalMinutes })}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 4 }} mt="md">
            <Figure label={t('sync.hbPending')} value={formatNumber(hb.pending)} testId="healthbook-pending" />
            <Figure label={t('sync.hbOverdue')} value={formatNumber(hb.overdue)} testId="healthbook-overdue" tone={hb.overdue > 0 ? 'bad' : undefined} />
            <Figure label={t('sync.hbPushed')} value={formatNumber(hb.pushed)} testId="healthbook-pushed" />
            <Figure label={t('sync.lastSuccess')} value={hb.lastPushAt ? formatDateTime(hb.lastPushAt) : t('sync.never')} testId="healthbook-last" />
          </SimpleGrid>
          {hb.lastError && (
            <Alert color="orange" mt="md" title={t('sync.hbFailing', { n: hb.failing })}>
              <Code block>{hb.lastError}</Code>
            </Alert>
          )}
        </>
      )}
    </Card>
  );
}

function DeadLetters({ tick, onChanged }: { tick: number; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<{ deadLetters: DeadLetterView[] }>('/api/sync/dead-letters?limit=200', signal), [tick]);
  const [message, setMessage] = useState<{ text: string; ok: boolean }>();
  const [busy, setBusy] = useState(false);
  const replay = async (seqs?: number[]) => {
    setBusy(true);
    try {
      const r = await api.post<{ replayed: number }>('/api/sync/dead-letters/replay', seqs ? { seqs } : {});
      setMessage({ text: t('sync.replayed', { n: r.replayed }), ok: true });
      onChanged();
    } catch (err) {
      setMessage({ text: errorText(t, lang, err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Title order={3} size="h4">
          {t('sync.deadLetterList')}
        </Title>
        {state.status === 'ready' && state.data.deadLetters.length > 0 && (
          <Button size="xs" onClick={() => void replay()} loading={busy}>
            {t('sync.replayAll')}
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        {t('sync.deadLetterHelp')}
      </Text>
      {message && (
        <Alert color={message.ok ? 'teal' : 'red'} mb="sm" role="status" data-testid="sync-message">
          {message.text}
        </Alert>
      )}
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.deadLetters.length === 0 ? (
          <Empty>{t('sync.noDeadLetters')}</Empty>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table striped data-testid="dead-letters">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sync.resource')}</Table.Th>
                  <Table.Th>{t('sync.failedAt')}</Table.Th>
                  <Table.Th>{t('sync.httpStatus')}</Table.Th>
                  <Table.Th>{t('sync.error')}</Table.Th>
                  <Table.Th>{t('admin.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {state.data.deadLetters.map((d) => (
                  <Table.Tr key={d.seq}>
                    <Table.Td>
                      <Code>
                        {d.resourceType}/{d.id}
                      </Code>{' '}
                      <Text span size="xs" c="dimmed">
                        {t('sync.version', { n: d.versionId })}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDateTime(d.failedAt)}</Table.Td>
                    <Table.Td>{d.status ?? '—'}</Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ wordBreak: 'break-word' }}>
                        {d.error}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" disabled={busy} onClick={() => void replay([d.seq])}>
                        {t('sync.replay')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ))}
    </Card>
  );
}
