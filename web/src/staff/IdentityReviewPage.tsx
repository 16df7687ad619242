// Identity review (MISSION B4): the uncertain matches the pipeline could not decide, each pair
// side by side with the fields that differ marked (colour and a "khác" badge, not colour alone);
// the reviewer links them (one person: the newer record is merged into the older one) or keeps
// them separate. Administrators also merge two records by hand and undo a merge.
import { Alert, Badge, Button, Card, Group, List, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { api } from '../shared/api.ts';
import { addressText, communeCodeOf, nameOf, phoneOf, System } from '../shared/fhir.ts';
import { formatDate, formatDateTime, formatNumber } from '../shared/format.ts';
import { useI18n, type MessageKey } from '../shared/i18n.tsx';
import { Empty, ErrorAlert, errorText, Loading, useAsync } from '../shared/ui.tsx';
import { useSession } from './session.tsx';

interface ReviewItem {
  id: number;
  patientId: string;
  candidateId: string;
  score: number;
  reasons: string[];
  createdAt: string;
  patient?: Patient;
  candidate?: Patient;
}

interface MergeLink {
  id: number;
  sourceId: string;
  survivorId: string;
  reviewId: number | null;
  mergedAt: string;
  source?: Patient;
  survivor?: Patient;
}

const identifier = (p: Patient | undefined, system: string) => p?.identifier?.find((i) => i.system === system && i.use !== 'old')?.value ?? '';

const GENDER_KEYS: Record<string, MessageKey> = { male: 'gender.male', female: 'gender.female', other: 'gender.other', unknown: 'gender.unknown' };

/** The fields a reviewer compares, in the order of the paper record. */
const FIELDS: { label: MessageKey; value: (p: Patient | undefined, t: (k: MessageKey) => string) => string }[] = [
  { label: 'identity.name', value: (p) => nameOf(p?.name) },
  { label: 'identity.birthDate', value: (p) => formatDate(p?.birthDate) },
  { label: 'identity.gender', value: (p, t) => (p?.gender ? t(GENDER_KEYS[p.gender] ?? 'gender.unknown') : '') },
  { label: 'id.cccd', value: (p) => identifier(p, System.cccd) },
  { label: 'id.bhyt', value: (p) => identifier(p, System.bhytCard) },
  { label: 'id.bhxh', value: (p) => identifier(p, System.bhxh) },
  { label: 'id.residentId', value: (p) => identifier(p, System.residentId) },
  { label: 'identity.phone', value: (p) => phoneOf(p ?? { resourceType: 'Patient' }) ?? '' },
  { label: 'identity.address', value: (p) => (p ? addressText(p) : '') },
  { label: 'identity.commune', value: (p) => (p ? communeCodeOf(p) ?? '' : '') },
];

const same = (a: string, b: string) => a.normalize('NFC').trim().toLowerCase() === b.normalize('NFC').trim().toLowerCase();

export function IdentityReviewPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const isAdmin = session.actor.role === 'admin';
  const [changes, setChanges] = useState(0);
  return (
    <Stack>
      <Title order={2}>{t('identity.title')}</Title>
      <Text>{t('identity.explain')}</Text>
      <Queue changes={changes} onDecided={() => setChanges((n) => n + 1)} />
      {isAdmin && <ManualMerge onMerged={() => setChanges((n) => n + 1)} />}
      {isAdmin && <RecentMerges changes={changes} onUndone={() => setChanges((n) => n + 1)} />}
    </Stack>
  );
}

function Queue({ changes, onDecided }: { changes: number; onDecided: () => void }) {
  const { t } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<{ items: ReviewItem[] }>('/api/identity/reviews?limit=50', signal), [changes]);
  return (
    <Stack data-testid="review-queue">
      <Group justify="space-between">
        <Title order={3} size="h4">
          {t('identity.queue')}
          {state.status === 'ready' && ` (${formatNumber(state.data.items.length)})`}
        </Title>
        <Button variant="default" size="xs" onClick={reload}>
          {t('common.refresh')}
        </Button>
      </Group>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' && (state.data.items.length === 0 ? <Empty>{t('identity.empty')}</Empty> : state.data.items.map((item) => <ReviewCard key={item.id} item={item} onDecided={onDecided} />))}
    </Stack>
  );
}

function ReviewCard({ item, onDecided }: { item: ReviewItem; onDecided: () => void }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState<'link' | 'separate'>();
  const [error, setError] = useState<unknown>();
  const rows = FIELDS.map((f) => {
    const a = f.value(item.patient, t);
    const b = f.value(item.candidate, t);
    return { label: f.label, a, b, differs: !same(a, b) };
  });

  async function decide(decision: 'link' | 'separate') {
    setBusy(decision);
    setError(undefined);
    try {
      await api.post(`/api/identity/reviews/${item.id}/decision`, { decision });
      onDecided();
    } catch (err) {
      setError(err);
      setBusy(undefined);
    }
  }

  const titleId = `review-${item.id}-title`;
  return (
    <Card withBorder component="section" aria-labelledby={titleId} data-testid={`review-${item.id}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4} size="h5" id={titleId}>
            {t('identity.pair', { a: nameOf(item.patient?.name) || item.patientId, b: nameOf(item.candidate?.name) || item.candidateId })}
          </Title>
          <Group gap="xs">
            <Badge variant="light" tt="none">
              {t('identity.score', { score: formatNumber(Math.round(item.score * 10) / 10) })}
            </Badge>
            <Text size="xs" c="dimmed">
              {t('identity.since', { date: formatDateTime(item.createdAt) })}
            </Text>
          </Group>
        </Group>
        <Table.ScrollContainer minWidth={560}>
          <Table withColumnBorders aria-label={t('identity.compare')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('identity.field')}</Table.Th>
                <Table.Th scope="col">{t('identity.newRecord')}</Table.Th>
                <Table.Th scope="col">{t('identity.existingRecord')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.label} data-differs={r.differs || undefined} bg={r.differs ? 'yellow.1' : undefined}>
                  <Table.Th scope="row" fw={600}>
                    {t(r.label)}{' '}
                    {r.differs && (
                      <Badge size="xs" color="orange.9" tt="none">
                        {t('identity.differs')}
                      </Badge>
                    )}
                  </Table.Th>
                  <Table.Td>{r.a || '—'}</Table.Td>
                  <Table.Td>{r.b || '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {item.reasons.length > 0 && (
          <div>
            <Text size="sm" fw={600}>
              {t('identity.reasons')}
            </Text>
            <List size="sm">
              {item.reasons.map((r, i) => (
                <List.Item key={i}>{r}</List.Item>
              ))}
            </List>
          </div>
        )}
        {error !== undefined && (
          <Alert color="red" role="alert">
            {errorText(t, lang, error)}
          </Alert>
        )}
        <Group>
          <Button onClick={() => void decide('link')} loading={busy === 'link'} disabled={busy !== undefined}>
            {t('identity.link')}
          </Button>
          <Button variant="default" onClick={() => void decide('separate')} loading={busy === 'separate'} disabled={busy !== undefined}>
            {t('identity.separate')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          {t('identity.linkHelp')}
        </Text>
      </Stack>
    </Card>
  );
}

function ManualMerge({ onMerged }: { onMerged: () => void }) {
  const { t, lang } = useI18n();
  const [sourceId, setSourceId] = useState('');
  const [survivorId, setSurvivorId] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      await api.post('/api/identity/merges', { sourceId: sourceId.trim(), survivorId: survivorId.trim() });
      setMessage({ ok: true, text: t('identity.merged') });
      setSourceId('');
      setSurvivorId('');
      onMerged();
    } catch (err) {
      setMessage({ ok: false, text: errorText(t, lang, err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder component="section" aria-labelledby="manual-merge-title">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <Title order={3} size="h4" id="manual-merge-title">
            {t('identity.manualMerge')}
          </Title>
          <Text size="sm">{t('identity.manualMergeHelp')}</Text>
          <Group grow align="flex-start">
            <TextInput label={t('identity.sourceId')} value={sourceId} onChange={(e) => setSourceId(e.currentTarget.value)} required />
            <TextInput label={t('identity.survivorId')} value={survivorId} onChange={(e) => setSurvivorId(e.currentTarget.value)} required />
          </Group>
          {message && (
            <Alert color={message.ok ? 'teal' : 'red'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={busy}>
              {t('identity.merge')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function RecentMerges({ changes, onUndone }: { changes: number; onUndone: () => void }) {
  const { t, lang } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<{ items: MergeLink[] }>('/api/identity/links?limit=20', signal), [changes]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<number>();

  async function undo(id: number) {
    setBusy(id);
    setError(undefined);
    try {
      await api.post(`/api/identity/links/${id}/undo`);
      onUndone();
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Card withBorder component="section" aria-labelledby="recent-merges-title" data-testid="recent-merges">
      <Stack gap="sm">
        <Title order={3} size="h4" id="recent-merges-title">
          {t('identity.recentMerges')}
        </Title>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {state.status === 'loading' && <Loading />}
        {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
        {state.status === 'ready' &&
          (state.data.items.length === 0 ? (
            <Empty>{t('identity.noMerges')}</Empty>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('identity.mergedAt')}</Table.Th>
                    <Table.Th>{t('identity.mergedRecord')}</Table.Th>
                    <Table.Th>{t('identity.into')}</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>{t('identity.actions')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {state.data.items.map((l) => (
                    <Table.Tr key={l.id}>
                      <Table.Td>{formatDateTime(l.mergedAt)}</Table.Td>
                      <Table.Td>
                        {nameOf(l.source?.name)} <Text span size="xs" c="dimmed">({l.sourceId})</Text>
                      </Table.Td>
                      <Table.Td>
                        {nameOf(l.survivor?.name)} <Text span size="xs" c="dimmed">({l.survivorId})</Text>
                      </Table.Td>
                      <Table.Td>
                        <Button size="xs" variant="default" loading={busy === l.id} onClick={() => void undo(l.id)} aria-label={t('identity.undoLabel', { name: nameOf(l.source?.name) || l.sourceId })}>
                          {t('identity.undo')}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ))}
      </Stack>
    </Card>
  );
}
