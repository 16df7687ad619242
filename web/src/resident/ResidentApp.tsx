// The resident's own app (PWA at /app), phone first: sign in, my record, share with my doctor,
// consents. Works offline for reading the last-synced record (service worker, sw.js).
import { Alert, AppShell, Badge, Button, Card, Group, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import type { Bundle } from '@medplum/fhirtypes';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, setCsrfToken } from '../shared/api.ts';
import { formatDateTime } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.tsx';
import { buildRecord } from '../shared/record.ts';
import { RecordHeader, RecordTabs, SelfReportedLabel } from '../shared/RecordView.tsx';
import { Empty, ErrorAlert, errorText, LanguageSwitch, Loading, useAsync } from '../shared/ui.tsx';
import { QrCode } from '../shared/qr.tsx';
import { SignIn } from './SignIn.tsx';
import { AccessLog } from './AccessLog.tsx';
import { AccessRequestsCard, AccessRequestsNotice, TabWithCount, useAccessRequests } from './AccessRequests.tsx';
import { Measurements } from './Measurements.tsx';
import { Reminders } from './Reminders.tsx';
import { SelfReport } from './SelfReport.tsx';
import { KnowledgeLinks, KnowledgePage, recordTopics } from './Knowledge.tsx';
import { nameOf } from '../shared/fhir.ts';

export interface ResidentSession {
  csrfToken: string;
  expiresAt: string;
  actor: { kind: 'resident'; userId: string; patientId: string; actsFor: string[] };
}

type State = { status: 'loading' } | { status: 'signed-out' } | { status: 'error'; error: unknown } | { status: 'signed-in'; session: ResidentSession };

const SYNC_KEY = 'hssk.app.lastSync';

export function ResidentApp() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const check = useCallback(async () => {
    setState({ status: 'loading' });
    try {
      const session = await api.get<ResidentSession>('/auth/session');
      if (session.actor.kind !== 'resident') return setState({ status: 'signed-out' });
      setCsrfToken(session.csrfToken);
      setState({ status: 'signed-in', session });
    } catch (err) {
      setState(err instanceof ApiError && (err.status === 401 || err.status === 403) ? { status: 'signed-out' } : { status: 'error', error: err });
    }
  }, []);
  useEffect(() => {
    void check();
  }, [check]);

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={() => void check()} />;
  if (state.status === 'signed-out') {
    return (
      <SignIn
        onSignedIn={(s) => {
          setCsrfToken(s.csrfToken);
          setState({ status: 'signed-in', session: s });
        }}
      />
    );
  }
  return (
    <Main
      session={state.session}
      onSignOut={async () => {
        await api.post('/auth/logout').catch(() => undefined);
        navigator.serviceWorker?.controller?.postMessage('clear-data');
        localStorage.removeItem(SYNC_KEY);
        setCsrfToken(undefined);
        setState({ status: 'signed-out' });
      }}
    />
  );
}

type Tab = 'record' | 'measure' | 'remind' | 'share' | 'consents';
const TABS: readonly Tab[] = ['record', 'measure', 'remind', 'share', 'consents'];

/** A notification opens /app/?tab=remind: start on that tab. */
function initialTab(): Tab {
  const asked = new URLSearchParams(window.location.search).get('tab');
  return TABS.find((t) => t === asked) ?? 'record';
}

function Main({ session, onSignOut }: { session: ResidentSession; onSignOut: () => void }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>(initialTab);
  const [patientId, setPatientId] = useState(session.actor.patientId);
  const [topic, setTopic] = useState<string>();
  const [selfReport, setSelfReport] = useState(false);
  const { requests, reload: reloadRequests } = useAccessRequests();
  // Switching screens is when the resident looks: refresh then too, not only on the timer.
  useEffect(reloadRequests, [tab, reloadRequests]);
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [topic, selfReport]);
  const people = [session.actor.patientId, ...session.actor.actsFor.filter((p) => p !== session.actor.patientId)];
  return (
    <AppShell header={{ height: 56 }} footer={{ height: 64 }} padding="sm">
      <AppShell.Header>
        <Group h="100%" px="sm" justify="space-between" wrap="nowrap">
          <Title order={1} size="h4">
            {t('app.title')}
          </Title>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitch />
            <Button size="xs" variant="default" onClick={onSignOut}>
              {t('shell.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Stack maw={900} mx="auto">
          {people.length > 1 && <PersonSwitch people={people} value={patientId} onChange={setPatientId} self={session.actor.patientId} />}
          {topic && <KnowledgePage id={topic} onBack={() => setTopic(undefined)} />}
          {!topic && tab === 'record' && !selfReport && <AccessRequestsNotice count={requests.length} onOpen={() => setTab('share')} />}
          {!topic && tab === 'record' &&
            (selfReport ? (
              <SelfReport patientId={patientId} onBack={() => setSelfReport(false)} />
            ) : (
              <MyRecord patientId={patientId} onOpenTopic={setTopic} onSelfReport={() => setSelfReport(true)} />
            ))}
          {!topic && tab === 'measure' && <Measurements patientId={patientId} onOpenTopic={setTopic} />}
          {!topic && tab === 'remind' && <Reminders patientId={patientId} />}
          {!topic && tab === 'share' && (
            <>
              <AccessRequestsCard requests={requests} reload={reloadRequests} self={session.actor.patientId} />
              <Share patientId={patientId} />
            </>
          )}
          {!topic && tab === 'consents' && (
            <>
              <Consents />
              <AccessLog patientId={patientId} />
            </>
          )}
        </Stack>
      </AppShell.Main>
      <AppShell.Footer>
        <nav aria-label={t('shell.navigation')} style={{ height: '100%' }}>
          <SegmentedControl
            fullWidth
            size="sm"
            h="100%"
            radius={0}
            value={tab}
            onChange={(v) => {
              setTopic(undefined);
              setSelfReport(false);
              setTab(v as Tab);
            }}
            data={[
              { value: 'record', label: t('app.tab.record') },
              { value: 'measure', label: t('app.tab.measure') },
              { value: 'remind', label: t('app.tab.remind') },
              { value: 'share', label: <TabWithCount label={t('app.tab.share')} count={requests.length} /> },
              { value: 'consents', label: t('app.tab.consents') },
            ]}
          />
        </nav>
      </AppShell.Footer>
    </AppShell>
  );
}

function usePeopleNames(people: string[]) {
  return useAsync(
    async (signal) => {
      const b = await api.get<Bundle>(`/fhir/Patient?_id=${people.join(',')}&_elements=name`, signal);
      return new Map((b.entry ?? []).map((e) => [e.resource!.id!, nameOf((e.resource as { name?: [] }).name)]));
    },
    [people.join(',')],
  )[0];
}

/** A parent acts for their children (proxy): switch records, and always see whose record is open. */
function PersonSwitch({ people, value, onChange, self }: { people: string[]; value: string; onChange: (id: string) => void; self: string }) {
  const { t } = useI18n();
  const names = usePeopleNames(people);
  const nameOf = (id: string) => (names.status === 'ready' ? names.data.get(id) : undefined) ?? id;
  const label = (id: string) => (id === self ? `${nameOf(id)} (${t('app.me')})` : nameOf(id));
  return (
    <Stack gap="xs">
      <Select
        size="md"
        label={t('app.family.choose')}
        value={value}
        onChange={(v) => v && onChange(v)}
        allowDeselect={false}
        data={people.map((id) => ({ value: id, label: label(id) }))}
      />
      {value !== self && (
        <Alert color="orange" variant="filled" role="status" data-testid="proxy-banner" title={t('app.family.viewing', { name: nameOf(value) })}>
          <Stack gap="xs">
            <Text size="sm">{t('app.family.explain')}</Text>
            <Button variant="white" color="orange.9" size="md" onClick={() => onChange(self)}>
              {t('app.family.back')}
            </Button>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}

function MyRecord({ patientId, onOpenTopic, onSelfReport }: { patientId: string; onOpenTopic: (id: string) => void; onSelfReport: () => void }) {
  const { t } = useI18n();
  const [state, reload] = useAsync(async (signal) => {
    const bundle = await api.get<Bundle>(`/fhir/Patient/${encodeURIComponent(patientId)}/$everything?_count=5000`, signal);
    if (navigator.onLine) localStorage.setItem(SYNC_KEY, new Date().toISOString());
    return bundle;
  }, [patientId]);
  const record = useMemo(() => (state.status === 'ready' ? buildRecord(state.data, patientId) : undefined), [state, patientId]);
  if (state.status === 'loading') return <Loading label={t('record.loading')} />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  if (!record) return <Empty />;
  const lastSync = localStorage.getItem(SYNC_KEY);
  return (
    <SelfReportedLabel.Provider value="record.selfReported.resident">
      <Stack data-testid="my-record">
        {!navigator.onLine && lastSync && <Alert color="yellow">{t('app.offline', { time: formatDateTime(lastSync) })}</Alert>}
        <RecordHeader record={record} />
        <Text size="sm" c="dimmed">
          {t('app.recordId')}: <b>{patientId}</b>
        </Text>
        <Button size="lg" variant="light" onClick={onSelfReport} h="auto" py="sm" styles={{ label: { whiteSpace: 'normal', textAlign: 'center' } }}>
          {t('app.self.open')}
        </Button>
        <RecordTabs record={record} />
        <KnowledgeLinks related={recordTopics(record)} onOpen={onOpenTopic} />
      </Stack>
    </SelfReportedLabel.Provider>
  );
}

interface ShareCode {
  code: string;
  patientId: string;
  expiresAt: string;
  qr: string;
}

function Share({ patientId }: { patientId: string }) {
  const { t, lang } = useI18n();
  const [minutes, setMinutes] = useState('15');
  const [share, setShare] = useState<ShareCode>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  async function create() {
    setBusy(true);
    setError(undefined);
    try {
      setShare(await api.post<ShareCode>('/api/consent/share-codes', { patientId, minutes: Number(minutes) }));
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }
  const left = share ? Math.max(0, Math.round((Date.parse(share.expiresAt) - now) / 1000)) : 0;
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h3">
          {t('app.share.title')}
        </Title>
        <Text size="sm">{t('app.share.explain')}</Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {share && left > 0 ? (
          <Stack align="center" data-testid="share-code">
            <Text size="2rem" fw={700} ff="monospace" aria-label={t('consent.shareCode')} data-testid="share-code-text">
              {share.code}
            </Text>
            <QrCode value={share.qr} label={t('app.share.qr', { code: share.code })} />
            <Text size="sm">{t('app.share.expires', { time: formatDateTime(share.expiresAt), m: Math.floor(left / 60), s: String(left % 60).padStart(2, '0') })}</Text>
            <Button variant="default" onClick={() => setShare(undefined)}>
              {t('app.share.done')}
            </Button>
          </Stack>
        ) : (
          <Stack>
            {share && <Alert color="gray">{t('app.share.expired')}</Alert>}
            <Select
              label={t('app.share.validFor')}
              value={minutes}
              onChange={(v) => setMinutes(v ?? '15')}
              allowDeselect={false}
              data={['5', '15', '30', '60'].map((m) => ({ value: m, label: t('app.share.minutes', { n: m }) }))}
            />
            <Button size="lg" onClick={() => void create()} loading={busy}>
              {t('app.share.create')}
            </Button>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

interface GrantView {
  id: string;
  patientId: string;
  facilityCode?: string;
  starts: string;
  expires: string;
  revokedAt?: string;
  kind: string;
  method: string;
  reason?: string;
  active: boolean;
}

function Consents() {
  const { t, lang } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<{ grants: GrantView[] }>('/api/consent', signal), []);
  const [message, setMessage] = useState<string>();
  async function revoke(id: string) {
    try {
      await api.post(`/api/consent/${encodeURIComponent(id)}/revoke`);
      setMessage(t('app.consents.revoked'));
      reload();
    } catch (err) {
      setMessage(errorText(t, lang, err));
    }
  }
  return (
    <Stack>
      <Title order={2} size="h3">
        {t('app.consents.title')}
      </Title>
      {message && <Alert>{message}</Alert>}
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.grants.length === 0 ? (
          <Empty>{t('app.consents.none')}</Empty>
        ) : (
          <Stack data-testid="consents">
            {state.data.grants.map((g) => (
              <Card key={g.id} withBorder padding="sm" bg={g.kind === 'break-glass' ? 'orange.0' : undefined}>
                <Group justify="space-between" wrap="wrap">
                  <Stack gap={2}>
                    <Group gap={6}>
                      <Badge color={g.kind === 'break-glass' ? 'orange.9' : 'teal.9'} tt="none">
                        {g.kind === 'break-glass' ? t('consent.tab.breakGlass') : t(`app.method.${g.method === 'share-code' ? 'share' : g.method === 'app' ? 'app' : 'otp'}`)}
                      </Badge>
                      <Badge color={g.active ? 'green.9' : 'gray.8'} variant="outline" tt="none">
                        {g.active ? t('app.consents.active') : g.revokedAt ? t('app.consents.revokedBadge') : t('app.consents.expired')}
                      </Badge>
                    </Group>
                    <Text size="sm">{t('app.consents.facility', { code: g.facilityCode ?? '—' })}</Text>
                    <Text size="sm">{t('app.consents.period', { from: formatDateTime(g.starts), to: formatDateTime(g.expires) })}</Text>
                    {g.reason && <Text size="sm">{t('consent.reason')}: {g.reason}</Text>}
                  </Stack>
                  {g.active && (
                    <Button color="red" variant="light" onClick={() => void revoke(g.id)}>
                      {t('app.consents.revoke')}
                    </Button>
                  )}
                </Group>
              </Card>
            ))}
          </Stack>
        ))}
    </Stack>
  );
}
