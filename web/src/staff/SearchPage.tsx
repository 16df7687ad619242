// Find a resident: by an identifier (resident ID, CCCD, BHYT card, phone) or by name with or
// without diacritics, birth year and commune. Results show enough to tell look-alikes apart.
import { Anchor, Badge, Button, Card, Grid, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../shared/api.ts';
import { addressText, communeCodeOf, identifiersOf, nameOf, patientSearchQueries, type IdentifierKind, type PatientQuery } from '../shared/fhir.ts';
import { formatDate } from '../shared/format.ts';
import { useT } from '../shared/i18n.tsx';
import { genderText } from '../shared/RecordView.tsx';
import { Empty, ErrorAlert, Loading, useAsync } from '../shared/ui.tsx';

async function searchPatients(q: PatientQuery, signal: AbortSignal): Promise<Patient[]> {
  const bundles = await Promise.all(patientSearchQueries(q).map((qs) => api.get<Bundle>(`/fhir/Patient?${qs}`, signal)));
  const seen = new Map<string, Patient>();
  for (const b of bundles) for (const e of b.entry ?? []) if (e.resource?.resourceType === 'Patient' && e.search?.mode !== 'outcome') seen.set(e.resource.id!, e.resource);
  return [...seen.values()];
}

export function SearchPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const query: PatientQuery = {
    identifier: params.get('id') ?? '',
    kind: (params.get('kind') as IdentifierKind | null) ?? 'auto',
    name: params.get('name') ?? '',
    birthYear: params.get('year') ?? '',
    commune: params.get('commune') ?? '',
  };
  const hasQuery = Boolean(query.identifier || query.name || query.birthYear || query.commune);
  const [form, setForm] = useState(query);
  const [formError, setFormError] = useState<string>();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!form.identifier?.trim() && !form.name?.trim()) {
      setFormError(t('search.needSomething'));
      return;
    }
    if (form.birthYear && !/^\d{4}$/.test(form.birthYear.trim())) {
      setFormError(t('search.badYear'));
      return;
    }
    setFormError(undefined);
    const next = new URLSearchParams();
    if (form.identifier?.trim()) next.set('id', form.identifier.trim());
    if (form.kind && form.kind !== 'auto') next.set('kind', form.kind);
    if (form.name?.trim()) next.set('name', form.name.trim());
    if (form.birthYear?.trim()) next.set('year', form.birthYear.trim());
    if (form.commune?.trim()) next.set('commune', form.commune.trim());
    setParams(next);
  }

  return (
    <Stack>
      <Title order={2}>{t('search.title')}</Title>
      <Card withBorder component="form" onSubmit={submit} role="search" aria-label={t('search.title')} noValidate>
        <Grid>
          <Grid.Col span={{ base: 12, sm: 8 }}>
            <TextInput
              label={t('search.identifier')}
              description={t('search.identifierHelp')}
              value={form.identifier}
              onChange={(e) => setForm({ ...form, identifier: e.currentTarget.value })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <Select
              label={t('search.kind')}
              value={form.kind ?? 'auto'}
              onChange={(v) => setForm({ ...form, kind: (v ?? 'auto') as IdentifierKind })}
              allowDeselect={false}
              data={[
                { value: 'auto', label: t('search.kind.auto') },
                { value: 'residentId', label: t('id.residentId') },
                { value: 'cccd', label: t('id.cccd') },
                { value: 'bhyt', label: t('id.bhyt') },
                { value: 'phone', label: t('record.phone') },
              ]}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput label={t('search.name')} description={t('search.nameHelp')} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 2 }}>
            <TextInput label={t('search.birthYear')} inputMode="numeric" maxLength={4} value={form.birthYear} onChange={(e) => setForm({ ...form, birthYear: e.currentTarget.value })} />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4 }}>
            <TextInput label={t('search.commune')} description={t('search.communeHelp')} value={form.commune} onChange={(e) => setForm({ ...form, commune: e.currentTarget.value })} />
          </Grid.Col>
        </Grid>
        {formError && (
          <Text c="red.8" mt="sm" role="alert">
            {formError}
          </Text>
        )}
        <Group mt="md">
          <Button type="submit">{t('search.submit')}</Button>
          <Button variant="default" component={Link} to="/patients/new">
            {t('nav.newRecord')}
          </Button>
        </Group>
      </Card>
      {hasQuery && <Results query={query} />}
    </Stack>
  );
}

function Results({ query }: { query: PatientQuery }) {
  const t = useT();
  const [state, reload] = useAsync((signal) => searchPatients(query, signal), [JSON.stringify(query)]);
  if (state.status === 'loading') return <Loading label={t('search.searching')} />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  const patients = state.data;
  if (patients.length === 0) {
    return (
      <Card withBorder>
        <Empty>{t('search.none')}</Empty>
        <Text size="sm">
          {t('search.noneHelp')}{' '}
          <Anchor component={Link} to="/access">
            {t('nav.access')}
          </Anchor>
        </Text>
      </Card>
    );
  }
  return (
    <Card withBorder padding={0}>
      <Text p="sm" size="sm" aria-live="polite">
        {t('search.count', { n: patients.length })}
      </Text>
      <Table.ScrollContainer minWidth={700}>
        <Table highlightOnHover data-testid="results">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('search.col.name')}</Table.Th>
              <Table.Th>{t('search.col.birth')}</Table.Th>
              <Table.Th>{t('search.col.sex')}</Table.Th>
              <Table.Th>{t('search.col.address')}</Table.Th>
              <Table.Th>{t('search.col.ids')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {patients.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/patients/${p.id}`} fw={600}>
                    {nameOf(p.name) || t('search.noName')}
                  </Anchor>
                </Table.Td>
                <Table.Td>{formatDate(p.birthDate)}</Table.Td>
                <Table.Td>{genderText(t, p.gender)}</Table.Td>
                <Table.Td>
                  {addressText(p)}
                  {communeCodeOf(p) && (
                    <Text size="xs" c="dimmed">
                      {t('search.communeCode', { code: communeCodeOf(p)! })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {identifiersOf(p).map((i) => (
                      <Badge key={`${i.system}|${i.value}`} variant="outline" color="gray.8" tt="none">
                        {i.label ? t(i.label) : t('id.other')}: {i.value}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
