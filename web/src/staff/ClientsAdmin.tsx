// Administration › connected software (OAuth2 clients): a hospital's software bound to its
// facility, or a provincial system client limited by its scopes. Register one (the secret is
// shown once), see them all, revoke one.
import { Alert, Badge, Button, Card, Code, Grid, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../shared/api.ts';
import { formatDateTime } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.tsx';
import { Empty, ErrorAlert, errorText, Loading, useAsync } from '../shared/ui.tsx';

interface ClientRow {
  clientId: string;
  name: string;
  facilityCode?: string;
  scopes: string[];
  auth: 'secret' | 'private_key_jwt';
  disabled: boolean;
  createdAt: string;
}

export function ClientsAdmin() {
  const { t, lang } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<{ clients: ClientRow[] }>('/api/admin/clients', signal), []);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();

  async function revoke(c: ClientRow) {
    if (!window.confirm(t('clients.confirmRevoke', { name: c.name }))) return;
    setBusy(c.clientId);
    setError(undefined);
    try {
      await api.post(`/api/admin/clients/${encodeURIComponent(c.clientId)}/revoke`);
      reload();
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Stack>
      <NewClient onCreated={reload} />
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          {t('clients.list')}
        </Title>
        {error && (
          <Alert color="red" role="alert" mb="sm">
            {error}
          </Alert>
        )}
        {state.status === 'loading' && <Loading />}
        {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
        {state.status === 'ready' &&
          (state.data.clients.length === 0 ? (
            <Empty />
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped data-testid="clients">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('clients.name')}</Table.Th>
                    <Table.Th>{t('clients.clientId')}</Table.Th>
                    <Table.Th>{t('admin.facilityCode')}</Table.Th>
                    <Table.Th>{t('clients.scopes')}</Table.Th>
                    <Table.Th>{t('clients.createdAt')}</Table.Th>
                    <Table.Th>{t('admin.status')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {state.data.clients.map((c) => (
                    <Table.Tr key={c.clientId}>
                      <Table.Td>{c.name}</Table.Td>
                      <Table.Td>
                        <Code>{c.clientId}</Code>
                      </Table.Td>
                      <Table.Td>{c.facilityCode ?? t('clients.provincial')}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{c.scopes.join(' ')}</Text>
                        <Text size="xs" c="dimmed">
                          {t(c.auth === 'secret' ? 'clients.authSecret' : 'clients.authJwt')}
                        </Text>
                      </Table.Td>
                      <Table.Td>{formatDateTime(c.createdAt)}</Table.Td>
                      <Table.Td>
                        {c.disabled ? (
                          <Badge color="gray.8" tt="none">
                            {t('clients.revoked')}
                          </Badge>
                        ) : (
                          <Button size="xs" variant="default" color="red" loading={busy === c.clientId} onClick={() => void revoke(c)} aria-label={t('clients.revokeLabel', { name: c.name })}>
                            {t('clients.revoke')}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ))}
      </Card>
    </Stack>
  );
}

function NewClient({ onCreated }: { onCreated: () => void }) {
  const { t, lang } = useI18n();
  const empty = { name: '', facilityCode: '', scope: 'system/*.write' };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ clientId: string; clientSecret?: string }>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!form.name.trim()) return setError(t('clients.needName'));
    if (form.facilityCode.trim() && !/^[0-9A-Za-z]{5,10}$/.test(form.facilityCode.trim())) return setError(t('clients.badFacility'));
    if (!form.scope.trim()) return setError(t('clients.needScope'));
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const res = await api.post<{ clientId: string; clientSecret?: string }>('/api/admin/clients', {
        name: form.name.trim(),
        scope: form.scope.trim(),
        ...(form.facilityCode.trim() ? { facilityCode: form.facilityCode.trim() } : {}),
      });
      setCreated(res);
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
        {t('clients.new')}
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <TextInput label={t('clients.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} required />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 3 }}>
          <TextInput label={t('admin.facilityCode')} description={t('clients.facilityHelp')} value={form.facilityCode} onChange={(e) => setForm({ ...form, facilityCode: e.currentTarget.value })} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 5 }}>
          <TextInput label={t('clients.scopes')} description={t('clients.scopeHelp')} value={form.scope} onChange={(e) => setForm({ ...form, scope: e.currentTarget.value })} required />
        </Grid.Col>
      </Grid>
      {error && (
        <Alert color="red" mt="sm" role="alert">
          {error}
        </Alert>
      )}
      {created && (
        <Alert color="teal" mt="sm" data-testid="client-created">
          <Stack gap={4}>
            <Text size="sm">
              {t('clients.clientId')}: <Code>{created.clientId}</Code>
            </Text>
            {created.clientSecret && (
              <Text size="sm">
                {t('clients.secret')}: <Code>{created.clientSecret}</Code>
              </Text>
            )}
            <Text size="xs">{t('admin.shownOnce')}</Text>
          </Stack>
        </Alert>
      )}
      <Group mt="md">
        <Button type="submit" loading={busy}>
          {t('clients.create')}
        </Button>
      </Group>
    </Card>
  );
}
