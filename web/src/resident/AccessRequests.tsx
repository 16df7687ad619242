// Clinicians' requests to see the record (C4), answered in the app instead of reading out the SMS
// code: who asks (name, role, facility), when, for whose record, with "Đồng ý" / "Từ chối".
// Main polls the list so the badge on home and the card on the sharing screen stay current.
import { Alert, Badge, Button, Card, Group, Indicator, Select, Stack, Text, Title } from '@mantine/core';
import type { Bundle, HumanName } from '@medplum/fhirtypes';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../shared/api.ts';
import { nameOf } from '../shared/fhir.ts';
import { formatDateTime } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.tsx';
import { errorText } from '../shared/ui.tsx';

export interface AccessRequestView {
  id: string;
  patientId: string;
  requesterName: string;
  requesterRole: string;
  facilityCode?: string;
  facilityName?: string;
  createdAt: string;
  expiresAt: string;
}

const POLL_MS = 20_000;

/** The pending requests on the resident's and their children's records, refreshed every 20 s. */
export function useAccessRequests(): { requests: AccessRequestView[]; reload: () => void } {
  const [requests, setRequests] = useState<AccessRequestView[]>([]);
  const reload = useCallback(() => {
    // A failed poll keeps the last list: the app also works offline.
    api.get<{ requests: AccessRequestView[] }>('/api/consent/requests').then((r) => setRequests(r.requests), () => undefined);
  }, []);
  useEffect(() => {
    reload();
    const timer = window.setInterval(reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  return { requests, reload };
}

/** On home: tells the resident requests wait, and opens the sharing screen. */
export function AccessRequestsNotice({ count, onOpen }: { count: number; onOpen: () => void }) {
  const { t } = useI18n();
  if (count === 0) return null;
  return (
    <Alert color="blue" variant="filled" role="status" data-testid="requests-notice">
      <Stack gap="xs">
        <Text fw={600}>{t('app.requests.notice', { n: count })}</Text>
        <Button variant="white" size="md" onClick={onOpen}>
          {t('app.requests.open')}
        </Button>
      </Stack>
    </Alert>
  );
}

/** The tab label with the number of waiting requests, drawn over the corner so the tab bar keeps its width at 360 px. */
export function TabWithCount({ label, count }: { label: string; count: number }) {
  return (
    <Indicator inline disabled={count === 0} color="red" size={18} offset={-6} label={<span data-testid="requests-badge">{count}</span>}>
      <span>{label}</span>
    </Indicator>
  );
}

const HOURS = ['1', '4', '24'];
/** Only clinicians and commune health workers can ask (the server's rule). */
const roleKey = (role: string) => (role === 'commune-worker' ? 'role.commune-worker' : 'role.clinician') as 'role.commune-worker' | 'role.clinician';

export function AccessRequestsCard({ requests, reload, self }: { requests: AccessRequestView[]; reload: () => void; self: string }) {
  const { t, lang } = useI18n();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState<string>();
  const [hours, setHours] = useState('24');
  // A child's name, so the parent sees whose record is asked for.
  const others = [...new Set(requests.map((r) => r.patientId).filter((p) => p !== self))].join(',');
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    if (!others) return;
    api.get<Bundle>(`/fhir/Patient?_id=${others}&_elements=name`).then(
      (b) => setNames(new Map((b.entry ?? []).map((e) => [e.resource!.id!, nameOf((e.resource as { name?: HumanName[] }).name)]))),
      () => undefined,
    );
  }, [others]);

  async function decide(id: string, answer: 'approve' | 'decline') {
    setBusy(id);
    setMessage(undefined);
    try {
      await api.post(`/api/consent/requests/${encodeURIComponent(id)}/${answer}`, answer === 'approve' ? { hours: Number(hours) } : {});
      setMessage({ ok: true, text: t(answer === 'approve' ? 'app.requests.approved' : 'app.requests.declined') });
    } catch (err) {
      setMessage({ ok: false, text: errorText(t, lang, err) });
    } finally {
      setBusy(undefined);
      reload();
    }
  }

  if (requests.length === 0 && !message) return null;
  return (
    <Stack data-testid="access-requests">
      <Title order={2} size="h3">
        {t('app.requests.title')}
      </Title>
      {message && (
        <Alert color={message.ok ? 'teal' : 'red'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </Alert>
      )}
      {requests.length > 0 && <Text size="sm">{t('app.requests.explain')}</Text>}
      {requests.map((r) => (
        <Card key={r.id} withBorder padding="md" data-testid="access-request">
          <Stack gap="xs">
            <Text fw={700}>{t('app.requests.from', { name: r.requesterName, role: t(roleKey(r.requesterRole)) })}</Text>
            <Text size="sm">{t('app.requests.facility', { facility: r.facilityName ? `${r.facilityName} (${r.facilityCode ?? ''})` : (r.facilityCode ?? '—') })}</Text>
            <Text size="sm">{t('app.requests.when', { time: formatDateTime(r.createdAt), until: formatDateTime(r.expiresAt) })}</Text>
            {r.patientId !== self && (
              <Badge color="orange.9" tt="none" size="lg">
                {t('app.requests.forPerson', { name: names.get(r.patientId) ?? r.patientId })}
              </Badge>
            )}
            <Select
              size="md"
              label={t('app.requests.duration')}
              value={hours}
              onChange={(v) => setHours(v ?? '24')}
              allowDeselect={false}
              data={HOURS.map((h) => ({ value: h, label: t('consent.hours', { n: h }) }))}
            />
            <Group grow>
              <Button size="lg" color="teal.9" loading={busy === r.id} onClick={() => void decide(r.id, 'approve')}>
                {t('app.requests.approve')}
              </Button>
              <Button size="lg" color="red" variant="outline" disabled={busy === r.id} onClick={() => void decide(r.id, 'decline')}>
                {t('app.requests.decline')}
              </Button>
            </Group>
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}
