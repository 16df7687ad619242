// Administration (Sở Y tế): staff accounts and roles, connected software (OAuth2 clients), the
// SMS outbox (development adapter), the audit trail, facilities, data arrival per facility,
// break-glass accesses.
import { Alert, Badge, Button, Card, Code, Grid, Group, Select, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import type { AuditEvent, Bundle, Organization } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../shared/api.ts';
import { System } from '../shared/fhir.ts';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { useI18n, useT } from '../shared/i18n.tsx';
import { codeText } from '../shared/record.ts';
import { Empty, ErrorAlert, errorText, Loading, useAsync } from '../shared/ui.tsx';
import { ClientsAdmin } from './ClientsAdmin.tsx';
import { Arrivals } from './ImportsPage.tsx';
import { ROLE_KEYS } from './Shell.tsx';
import { useSession, type StaffActor } from './session.tsx';

const TABS = ['users', 'clients', 'sms', 'audit', 'facilities', 'arrivals', 'break-glass'] as const;

export function AdminPage() {
  const t = useT();
  const { session } = useSession();
  const params = useParams();
  const navigate = useNavigate();
  if (session.actor.role !== 'admin') return <Alert color="red">{t('error.403')}</Alert>;
  const tab = TABS.find((x) => x === params['*']) ?? 'users';
  return (
    <Stack>
      <Title order={2}>{t('nav.admin')}</Title>
      <Tabs value={tab} onChange={(v) => navigate(`/admin/${v ?? 'users'}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="users">{t('admin.users')}</Tabs.Tab>
          <Tabs.Tab value="clients">{t('clients.tab')}</Tabs.Tab>
          <Tabs.Tab value="sms">{t('admin.sms')}</Tabs.Tab>
          <Tabs.Tab value="audit">{t('admin.audit')}</Tabs.Tab>
          <Tabs.Tab value="facilities">{t('admin.facilities')}</Tabs.Tab>
          <Tabs.Tab value="arrivals">{t('admin.arrivals')}</Tabs.Tab>
          <Tabs.Tab value="break-glass">{t('admin.breakGlass')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <Users />
        </Tabs.Panel>
        <Tabs.Panel value="clients" pt="md">
          <ClientsAdmin />
        </Tabs.Panel>
        <Tabs.Panel value="sms" pt="md">
          <SmsOutbox />
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="md">
          <Audit />
        </Tabs.Panel>
        <Tabs.Panel value="facilities" pt="md">
          <Facilities />
        </Tabs.Panel>
        <Tabs.Panel value="arrivals" pt="md">
          <Arrivals uploads={0} />
        </Tabs.Panel>
        <Tabs.Panel value="break-glass" pt="md">
          <BreakGlassList />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

interface StaffUserRow {
  id: string;
  username: string;
  displayName: string;
  role: StaffActor['role'];
  facilityCode?: string;
  communeCode?: string;
  totpEnabled: boolean;
  disabled: boolean;
  lockedUntil?: string;
}

function Users() {
  const { t, lang } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<{ users: StaffUserRow[] }>('/api/admin/users', signal), []);
  const [message, setMessage] = useState<string>();
  const act = async (path: string, done: string) => {
    try {
      await api.post(path);
      setMessage(done);
      reload();
    } catch (err) {
      setMessage(errorText(t, lang, err));
    }
  };
  return (
    <Stack>
      <NewUser onCreated={reload} />
      {message && <Alert>{message}</Alert>}
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.users.length === 0 ? (
          <Empty />
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table striped data-testid="users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('admin.username')}</Table.Th>
                  <Table.Th>{t('admin.displayName')}</Table.Th>
                  <Table.Th>{t('admin.role')}</Table.Th>
                  <Table.Th>{t('admin.scope')}</Table.Th>
                  <Table.Th>{t('admin.status')}</Table.Th>
                  <Table.Th>{t('admin.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {state.data.users.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.username}</Table.Td>
                    <Table.Td>{u.displayName}</Table.Td>
                    <Table.Td>{t(ROLE_KEYS[u.role])}</Table.Td>
                    <Table.Td>{u.facilityCode ?? u.communeCode ?? ''}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {u.disabled && <Badge color="gray.8">{t('admin.disabled')}</Badge>}
                        {u.lockedUntil && new Date(u.lockedUntil) > new Date() && <Badge color="red.9">{t('admin.locked')}</Badge>}
                        {u.totpEnabled && <Badge color="teal.9" variant="outline">TOTP</Badge>}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        <Button size="xs" variant="default" onClick={() => void act(`/api/admin/users/${u.id}/unlock`, t('admin.unlocked'))}>
                          {t('admin.unlock')}
                        </Button>
                        <Button size="xs" variant="default" onClick={() => void act(`/api/admin/users/${u.id}/logout-everywhere`, t('admin.loggedOut'))}>
                          {t('admin.logoutEverywhere')}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ))}
    </Stack>
  );
}

function NewUser({ onCreated }: { onCreated: () => void }) {
  const { t, lang } = useI18n();
  const empty = { username: '', displayName: '', role: 'commune-worker' as StaffActor['role'], facilityCode: '', communeCode: '' };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ username: string; password?: string; totpUri?: string }>();
  const needsFacility = form.role === 'clinician' || form.role === 'clerk';
  const needsCommune = form.role === 'commune-worker';

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!/^[a-zA-Z0-9._@-]{3,64}$/.test(form.username)) return setError(t('admin.badUsername'));
    if (!form.displayName.trim()) return setError(t('admin.needName'));
    if (needsFacility && !form.facilityCode.trim()) return setError(t('admin.needFacility'));
    if (needsCommune && !form.communeCode.trim()) return setError(t('admin.needCommune'));
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.post<{ user: StaffUserRow; password?: string; totpUri?: string }>('/api/admin/users', {
        username: form.username,
        displayName: form.displayName.trim(),
        role: form.role,
        ...(form.facilityCode.trim() ? { facilityCode: form.facilityCode.trim() } : {}),
        ...(form.communeCode.trim() ? { communeCode: form.communeCode.trim() } : {}),
      });
      setCreated({ username: res.user.username, ...(res.password ? { password: res.password } : {}), ...(res.totpUri ? { totpUri: res.totpUri } : {}) });
      setForm(empty);
      onCreated();
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder component="form" onSubmit={submit} noValidate>
      <Title order={3} size="h4" mb="sm">
        {t('admin.newUser')}
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <TextInput label={t('admin.username')} value={form.username} onChange={(e) => setForm({ ...form, username: e.currentTarget.value })} required />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <TextInput label={t('admin.displayName')} value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.currentTarget.value })} required />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <Select
            label={t('admin.role')}
            value={form.role}
            allowDeselect={false}
            onChange={(v) => setForm({ ...form, role: (v ?? 'commune-worker') as StaffActor['role'] })}
            data={(Object.keys(ROLE_KEYS) as StaffActor['role'][]).map((r) => ({ value: r, label: t(ROLE_KEYS[r]) }))}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <TextInput label={t('admin.facilityCode')} value={form.facilityCode} onChange={(e) => setForm({ ...form, facilityCode: e.currentTarget.value })} required={needsFacility} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <TextInput label={t('admin.communeCode')} value={form.communeCode} onChange={(e) => setForm({ ...form, communeCode: e.currentTarget.value })} required={needsCommune} />
        </Grid.Col>
      </Grid>
      {error && (
        <Alert color="red" mt="sm" role="alert">
          {error}
        </Alert>
      )}
      {created && (
        <Alert color="teal" mt="sm" data-testid="user-created">
          <Stack gap={4}>
            <Text size="sm">{t('admin.created', { username: created.username })}</Text>
            {created.password && (
              <Text size="sm">
                {t('admin.generatedPassword')}: <Code>{created.password}</Code>
              </Text>
            )}
            {created.totpUri && (
              <Text size="sm">
                {t('admin.totpUri')}: <Code>{created.totpUri}</Code>
              </Text>
            )}
            <Text size="xs">{t('admin.shownOnce')}</Text>
          </Stack>
        </Alert>
      )}
      <Group mt="md">
        <Button type="submit" loading={busy}>
          {t('admin.create')}
        </Button>
      </Group>
    </Card>
  );
}

interface OutboxMessage {
  id: number;
  phone: string;
  message: string;
  createdAt: string;
}

function SmsOutbox() {
  const t = useT();
  const [phone, setPhone] = useState('');
  const [filter, setFilter] = useState('');
  const [state, reload] = useAsync(
    (signal) => api.get<{ messages: OutboxMessage[] }>(`/api/admin/sms-outbox?limit=100${filter ? `&phone=${encodeURIComponent(filter)}` : ''}`, signal),
    [filter],
  );
  return (
    <Stack>
      <Text size="sm">{t('admin.smsExplain')}</Text>
      <Group
        component="form"
        align="flex-end"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          const p = phone.replace(/[\s.]/g, '');
          // The outbox keeps numbers in the international form (+84…).
          setFilter(p.startsWith('0') ? `+84${p.slice(1)}` : p);
        }}
      >
        <TextInput label={t('record.phone')} value={phone} onChange={(e) => setPhone(e.currentTarget.value)} />
        <Button type="submit" variant="light">
          {t('common.filter')}
        </Button>
        <Button variant="default" onClick={reload}>
          {t('common.refresh')}
        </Button>
      </Group>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.messages.length === 0 ? (
          <Empty />
        ) : (
          <Table.ScrollContainer minWidth={600}>
            <Table striped data-testid="sms">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('admin.time')}</Table.Th>
                  <Table.Th>{t('record.phone')}</Table.Th>
                  <Table.Th>{t('admin.message')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {state.data.messages.map((m, i) => (
                  <Table.Tr key={m.id ?? i}>
                    <Table.Td>{formatDateTime(m.createdAt)}</Table.Td>
                    <Table.Td>{m.phone}</Table.Td>
                    <Table.Td>{m.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ))}
    </Stack>
  );
}

interface VerifyResult {
  ok: boolean;
  verified: number;
  unsealed?: number;
  headHash?: string;
  broken?: { seq?: number; chainPos: number; problem: string };
}

function Audit() {
  const t = useT();
  const [verify, reloadVerify] = useAsync((signal) => api.get<VerifyResult>('/api/admin/audit/verify', signal), []);
  const [events, reloadEvents] = useAsync((signal) => api.get<Bundle>('/fhir/AuditEvent?_count=50&_sort=-date', signal), []);
  return (
    <Stack>
      <Card withBorder>
        <Title order={3} size="h4">
          {t('admin.chain')}
        </Title>
        {verify.status === 'loading' && <Loading />}
        {verify.status === 'error' && <ErrorAlert error={verify.error} onRetry={reloadVerify} />}
        {verify.status === 'ready' && (
          <Stack gap={4} data-testid="audit-verify">
            {verify.data.ok ? (
              <Alert color="teal">{t('admin.chainOk', { n: formatNumber(verify.data.verified), unsealed: formatNumber(verify.data.unsealed ?? 0) })}</Alert>
            ) : (
              <Alert color="red">{t('admin.chainBroken', { pos: formatNumber(verify.data.broken?.chainPos ?? 0), problem: verify.data.broken?.problem ?? '' })}</Alert>
            )}
            {verify.data.headHash && (
              <Text size="sm">
                {t('admin.headHash')}: <Code>{verify.data.headHash}</Code>
              </Text>
            )}
          </Stack>
        )}
      </Card>
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          {t('admin.recentAccess')}
        </Title>
        {events.status === 'loading' && <Loading />}
        {events.status === 'error' && <Empty>{t('admin.auditUnavailable')}</Empty>}
        {events.status === 'ready' && <AuditTable bundle={events.data} onReload={reloadEvents} />}
      </Card>
    </Stack>
  );
}

function AuditTable({ bundle }: { bundle: Bundle; onReload: () => void }) {
  const t = useT();
  const rows = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is AuditEvent => r?.resourceType === 'AuditEvent');
  if (rows.length === 0) return <Empty />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('admin.time')}</Table.Th>
            <Table.Th>{t('admin.action')}</Table.Th>
            <Table.Th>{t('admin.agent')}</Table.Th>
            <Table.Th>{t('admin.outcome')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>{formatDateTime(a.recorded)}</Table.Td>
              <Table.Td>{a.subtype?.[0]?.display ?? a.subtype?.[0]?.code ?? a.type?.display ?? a.type?.code ?? a.action}</Table.Td>
              <Table.Td>{a.agent?.[0]?.who?.display ?? a.agent?.[0]?.who?.identifier?.value ?? codeText(a.agent?.[0]?.role?.[0])}</Table.Td>
              <Table.Td>{a.outcome === '0' ? t('admin.success') : t('admin.failure')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Facilities() {
  const t = useT();
  const [state, reload] = useAsync((signal) => api.get<Bundle>('/fhir/Organization?_count=200&_sort=name', signal), []);
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  const orgs = (state.data.entry ?? []).map((e) => e.resource).filter((r): r is Organization => r?.resourceType === 'Organization');
  if (orgs.length === 0) return <Empty />;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped data-testid="facilities">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('admin.facilityCode')}</Table.Th>
            <Table.Th>{t('admin.facilityName')}</Table.Th>
            <Table.Th>{t('admin.facilityType')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {orgs.map((o) => (
            <Table.Tr key={o.id}>
              <Table.Td>{o.identifier?.find((i) => i.system === System.facilityCode)?.value ?? ''}</Table.Td>
              <Table.Td>{o.name}</Table.Td>
              <Table.Td>{codeText(o.type?.[0])}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

interface GrantRow {
  id: string;
  patientId: string;
  facilityCode?: string;
  starts: string;
  expires: string;
  reason?: string;
}

function BreakGlassList() {
  const t = useT();
  const [state, reload] = useAsync((signal) => api.get<{ grants: GrantRow[] }>('/api/consent/break-glass', signal), []);
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  if (state.data.grants.length === 0) return <Empty />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('admin.time')}</Table.Th>
            <Table.Th>{t('access.recordId')}</Table.Th>
            <Table.Th>{t('admin.facilityCode')}</Table.Th>
            <Table.Th>{t('consent.reason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {state.data.grants.map((g) => (
            <Table.Tr key={g.id}>
              <Table.Td>{formatDateTime(g.starts)}</Table.Td>
              <Table.Td>{g.patientId}</Table.Td>
              <Table.Td>{g.facilityCode}</Table.Td>
              <Table.Td>{g.reason}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
