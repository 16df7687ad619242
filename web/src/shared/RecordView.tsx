// The record of one resident, for staff and residents alike: a header (who, identifiers,
// verification, groups, allergies, flags) and tabs — episodes timeline, results with trend
// charts, vaccinations, health checks, history and family. Every item names its source.
import { Badge, Card, Group, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import './record.css';
import type { Composition, Encounter, Observation } from '@medplum/fhirtypes';
import { createContext, lazy, startTransition, Suspense, useContext, useEffect, useState, type ReactNode } from 'react';
import { identifiersOf, nameOf, phoneOf, addressText } from './fhir.ts';
import { ageOf, formatDate, formatDateTime } from './format.ts';
import { useT, type MessageKey, type Translate } from './i18n.tsx';
import { codeText, observationDate, observationValue, type Episode, type MeasureId, type PatientRecord, type Sourced } from './record.ts';
import { Empty, Loading } from './ui.tsx';
import { isSelfReportedEntry } from './self-reported.ts';

const TrendChart = lazy(() => import('./charts.tsx').then((m) => ({ default: m.TrendChart })));

const GENDER: Record<string, MessageKey> = { male: 'gender.male', female: 'gender.female', other: 'gender.other', unknown: 'gender.unknown' };

export function genderText(t: Translate, gender: string | undefined): string {
  return gender ? t(GENDER[gender] ?? 'gender.unknown') : t('gender.unknown');
}

/**
 * How a resident's own statements are labelled: "reported by the resident" for staff, "reported
 * by you" in the resident's app (which provides 'record.selfReported.resident').
 */
export const SelfReportedLabel = createContext<MessageKey>('record.selfReported.staff');

function useSourceText(): (item: { source?: string | undefined; selfReported?: true | undefined }) => string {
  const t = useT();
  const selfLabel = useContext(SelfReportedLabel);
  return (item) => (item.selfReported ? t(selfLabel) : (item.source ?? t('record.sourceUnknown')));
}

function Source({ item }: { item: { source?: string | undefined; selfReported?: true | undefined } }) {
  const t = useT();
  const text = useSourceText();
  return (
    <Text size="xs" c={item.selfReported ? 'blue.9' : 'dimmed'} fw={item.selfReported ? 600 : undefined} component="span" data-self-reported={item.selfReported ? 'true' : undefined}>
      {t('record.source')}: {text(item)}
    </Text>
  );
}

function htmlText(div: string | undefined): string {
  if (!div) return '';
  // Parsed, never inserted: the text is rendered as text.
  return new DOMParser().parseFromString(div, 'text/html').body.textContent?.trim() ?? '';
}

export function RecordHeader({ record, actions }: { record: PatientRecord; actions?: ReactNode }) {
  const t = useT();
  const p = record.patient;
  const age = ageOf(p.birthDate);
  const selfLabel = useContext(SelfReportedLabel);
  // The facility's phone and address first; the resident's own additions listed apart, labelled.
  const recorded = { ...p, telecom: p.telecom?.filter((x) => !isSelfReportedEntry(x)), address: p.address?.filter((x) => !isSelfReportedEntry(x)) };
  const phone = phoneOf(recorded);
  const ownPhones = (p.telecom ?? []).filter((x) => isSelfReportedEntry(x) && x.value && !x.period?.end);
  const ownAddresses = (p.address ?? []).filter((x) => isSelfReportedEntry(x) && !x.period?.end);
  return (
    <Card withBorder padding="md" data-testid="record-header">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4}>
          <Title order={2} data-testid="record-name">
            {nameOf(p.name)}
          </Title>
          <Text>
            {genderText(t, p.gender)} · {t('record.born')} {formatDate(p.birthDate)}
            {age !== undefined && ` · ${t('record.age', { age })}`}
          </Text>
          {addressText(recorded) && <Text size="sm">{addressText(recorded)}</Text>}
          {phone && (
            <Text size="sm" data-testid="recorded-phone">
              {t('record.phone')}: {phone}
            </Text>
          )}
          {ownPhones.map((x) => (
            <Text size="sm" key={`p${x.value}`} data-testid="self-reported-phone">
              {t('record.phone')}: {x.value} <Text span size="xs" c="blue.9" fw={600}>({t(selfLabel)})</Text>
            </Text>
          ))}
          {ownAddresses.map((x, i) => (
            <Text size="sm" key={`a${i}`} data-testid="self-reported-address">
              {x.text ?? [x.line?.join(', '), x.city, x.state].filter(Boolean).join(', ')} <Text span size="xs" c="blue.9" fw={600}>({t(selfLabel)})</Text>
            </Text>
          ))}
        </Stack>
        {actions && <Group gap="xs">{actions}</Group>}
      </Group>
      <Group gap={6} mt="sm">
        {identifiersOf(p).map((i) => (
          <Badge key={`${i.system}|${i.value}`} variant="outline" color="gray.8" size="lg" tt="none">
            {i.label ? t(i.label) : t('id.other')}: {i.value}
          </Badge>
        ))}
      </Group>
      <Group gap={6} mt="xs">
        {record.verification ? (
          <Badge color="teal.9" variant="outline" tt="none" data-testid="verified">
            {t('record.verified', { date: formatDate(record.verification.date) })}
          </Badge>
        ) : (
          <Badge color="gray.8" variant="outline" tt="none">
            {t('record.notVerified')}
          </Badge>
        )}
        {record.residentGroups.map((g) => (
          <Badge key={g} color="blue.9" variant="outline" tt="none">
            {g}
          </Badge>
        ))}
        {record.groups.map((g) => (
          <Badge key={g.id} color="blue.9" variant="outline" tt="none">
            {g.name ?? g.id}
          </Badge>
        ))}
      </Group>
      <Group gap={6} mt="xs" data-testid="allergies">
        <Text size="sm" fw={600}>
          {t('record.allergies')}:
        </Text>
        {record.allergies.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('record.noAllergies')}
          </Text>
        ) : (
          record.allergies.map((a) => (
            <Badge key={a.resource.id} color="red.9" variant={a.selfReported ? 'outline' : 'filled'} tt="none" title={a.selfReported ? t(selfLabel) : undefined}>
              {codeText(a.resource.code)}
              {a.selfReported ? ` (${t(selfLabel)})` : ''}
            </Badge>
          ))
        )}
        {record.flags.map((f) => (
          <Badge key={f.id} color="orange.9" variant="filled" tt="none">
            {codeText(f.code)}
          </Badge>
        ))}
      </Group>
    </Card>
  );
}

function encounterKind(t: Translate, e: Encounter): string {
  const code = e.class?.code;
  if (code === 'IMP' || code === 'ACUTE') return t('episode.inpatient');
  if (code === 'AMB') return t('episode.outpatient');
  if (code === 'EMER') return t('episode.emergency');
  return e.class?.display ?? t('episode.other');
}

function CompositionText({ c }: { c: Composition }) {
  return (
    <div className="hssk-summary">
      <p className="hssk-line">
        <b>{c.title}</b>
      </p>
      {(c.section ?? []).map((s, i) => (
        <p key={i} className="hssk-line">
          {s.title ? <b>{s.title}: </b> : null}
          {htmlText(s.text?.div)}
        </p>
      ))}
    </div>
  );
}

function EpisodeItem({ ep, t }: { ep: Episode; t: Translate }) {
  const e = ep.encounter;
  const period = e.period ? `${formatDateTime(e.period.start)}${e.period.end ? ` – ${formatDateTime(e.period.end)}` : ''}` : '';
  return (
    <li data-testid="episode">
      <div className="hssk-ep-head">
        <span className="hssk-kind">{ep.healthCheck ? t('episode.healthCheck') : encounterKind(t, e)}</span>
        <span>{period}</span>
      </div>
      <div className="hssk-source">
        {t('record.source')}: {ep.source ?? t('record.sourceUnknown')}
      </div>
      {ep.conditions.length > 0 && (
        <p className="hssk-line">
          <b>{t('episode.diagnoses')}:</b>{' '}
          {ep.conditions.map((c) => `${codeText(c.code)}${c.code?.coding?.[0]?.code ? ` (${c.code.coding[0].code})` : ''}`).join('; ')}
        </p>
      )}
      {ep.medications.length > 0 && (
        <p className="hssk-line">
          <b>{t('episode.medicines')}:</b> {ep.medications.map((m) => codeText(m.medicationCodeableConcept) || m.medicationReference?.display || '').join('; ')}
        </p>
      )}
      {ep.procedures.length > 0 && (
        <p className="hssk-line">
          <b>{t('episode.procedures')}:</b> {ep.procedures.map((p) => codeText(p.code)).join('; ')}
        </p>
      )}
      {ep.observations.length > 0 && (
        <p className="hssk-line">
          <b>{t('episode.results')}:</b> {ep.observations.map((o: Observation) => `${codeText(o.code)}: ${observationValue(o)}`).join('; ')}
        </p>
      )}
      {ep.compositions.map((c) => (
        <CompositionText key={c.id} c={c} />
      ))}
    </li>
  );
}

/** Episodes painted in the first frame; the rest follow in a background (interruptible) render. */
const FIRST_EPISODES = 12;

function EpisodeTimeline({ episodes, empty }: { episodes: Episode[]; empty: string }) {
  const t = useT();
  const [limit, setLimit] = useState(FIRST_EPISODES);
  useEffect(() => {
    if (episodes.length > FIRST_EPISODES) startTransition(() => setLimit(episodes.length));
  }, [episodes.length]);
  if (episodes.length === 0) return <Empty>{empty}</Empty>;
  return (
    <ol className="hssk-timeline" data-testid="timeline">
      {episodes.slice(0, limit).map((ep) => (
        <EpisodeItem key={ep.encounter.id} ep={ep} t={t} />
      ))}
    </ol>
  );
}

const CHARTS: { id: string; title: MessageKey; unit: string; lines: { measure: MeasureId; name: MessageKey; color: string }[] }[] = [
  { id: 'bp', title: 'measure.bp', unit: 'mmHg', lines: [{ measure: 'systolic', name: 'measure.systolic', color: '#c92a2a' }, { measure: 'diastolic', name: 'measure.diastolic', color: '#1864ab' }] },
  { id: 'glucose', title: 'measure.glucose', unit: 'mmol/L', lines: [{ measure: 'glucose', name: 'measure.glucose', color: '#862e9c' }] },
  { id: 'hba1c', title: 'measure.hba1c', unit: '%', lines: [{ measure: 'hba1c', name: 'measure.hba1c', color: '#d9480f' }] },
  { id: 'weight', title: 'measure.weight', unit: 'kg', lines: [{ measure: 'weight', name: 'measure.weight', color: '#2b8a3e' }] },
  { id: 'bmi', title: 'measure.bmi', unit: 'kg/m²', lines: [{ measure: 'bmi', name: 'measure.bmi', color: '#5f3dc4' }] },
];

function Results({ record }: { record: PatientRecord }) {
  const t = useT();
  const sourceText = useSourceText();
  const charts = CHARTS.filter((c) => c.lines.some((l) => (record.series[l.measure]?.length ?? 0) >= 2));
  return (
    <Stack>
      {charts.length > 0 && (
        <Suspense fallback={<Loading />}>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {charts.map((c) => (
              <TrendChart
                key={c.id}
                testId={`chart-${c.id}`}
                title={t(c.title)}
                unit={c.unit}
                lines={c.lines.map((l) => ({ name: t(l.name), color: l.color, points: record.series[l.measure] ?? [] }))}
              />
            ))}
          </SimpleGrid>
        </Suspense>
      )}
      {record.observations.length === 0 ? (
        <Empty>{t('record.noResults')}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('record.date')}</Table.Th>
                <Table.Th>{t('record.test')}</Table.Th>
                <Table.Th>{t('record.value')}</Table.Th>
                <Table.Th>{t('record.source')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {record.observations.map(({ resource: o, ...item }) => (
                <Table.Tr key={o.id}>
                  <Table.Td>{formatDate(observationDate(o))}</Table.Td>
                  <Table.Td>{codeText(o.code)}</Table.Td>
                  <Table.Td>{observationValue(o)}</Table.Td>
                  <Table.Td>{sourceText(item)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function Vaccinations({ record }: { record: PatientRecord }) {
  const t = useT();
  if (record.immunizations.length === 0) return <Empty>{t('record.noVaccinations')}</Empty>;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table striped data-testid="vaccinations">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('record.date')}</Table.Th>
            <Table.Th>{t('record.vaccine')}</Table.Th>
            <Table.Th>{t('record.dose')}</Table.Th>
            <Table.Th>{t('record.source')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {record.immunizations.map(({ resource: i, source }) => (
            <Table.Tr key={i.id}>
              <Table.Td>{formatDate(i.occurrenceDateTime)}</Table.Td>
              <Table.Td>{codeText(i.vaccineCode)}</Table.Td>
              <Table.Td>{i.protocolApplied?.[0]?.doseNumberPositiveInt ?? i.protocolApplied?.[0]?.doseNumberString ?? ''}</Table.Td>
              <Table.Td>{source ?? t('record.sourceUnknown')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function SourcedList<T>({ items, render, empty, testId }: { items: Sourced<T>[]; render: (r: T) => ReactNode; empty: string; testId?: string }) {
  if (items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <Stack gap={6} data-testid={testId}>
      {items.map((x, i) => (
        <div key={i}>
          <Text size="sm">{render(x.resource)}</Text>
          <Source item={x} />
        </div>
      ))}
    </Stack>
  );
}

function reactionText(t: Translate, r: { manifestation?: { text?: string }[]; severity?: string } | undefined): string {
  const what = r?.manifestation?.map((m) => codeText(m)).filter(Boolean).join(', ');
  if (!what) return '';
  return ` — ${what}${r?.severity ? ` (${t(`allergy.severity.${r.severity}` as MessageKey)})` : ''}`;
}

function History({ record }: { record: PatientRecord }) {
  const t = useT();
  return (
    <Stack>
      <Title order={4}>{t('record.conditions')}</Title>
      <SourcedList
        items={record.looseConditions}
        empty={t('common.noData')}
        render={(c) => `${codeText(c.code)}${c.code?.coding?.[0]?.code ? ` (${c.code.coding[0].code})` : ''}${c.onsetDateTime || c.recordedDate ? ` — ${formatDate(c.onsetDateTime ?? c.recordedDate)}` : ''}`}
      />
      <Title order={4}>{t('record.allergies')}</Title>
      <SourcedList
        items={record.allergies}
        testId="allergy-list"
        empty={t('record.noAllergies')}
        render={(a) => `${codeText(a.code)}${a.category?.length ? ` (${a.category.map((c) => t(`allergy.${c}` as MessageKey)).join(', ')})` : ''}${reactionText(t, a.reaction?.[0])}`}
      />
      <Title order={4}>{t('record.familyHistory')}</Title>
      <SourcedList
        items={record.familyHistory}
        testId="family-history-list"
        empty={t('common.noData')}
        render={(f) => `${codeText(f.relationship)}: ${(f.condition ?? []).map((c) => codeText(c.code)).join(', ')}`}
      />
      <Title order={4}>{t('record.family')}</Title>
      {record.relatedPersons.length === 0 && record.groups.length === 0 ? (
        <Empty />
      ) : (
        <Stack gap={4} data-testid="family">
          {record.relatedPersons.map((r) => (
            <Text key={r.id} size="sm">
              {codeText(r.relationship?.[0])}: {nameOf(r.name)}
            </Text>
          ))}
          {record.groups.map((g) => (
            <Text key={g.id} size="sm">
              {t('record.group')}: {g.name ?? g.id} ({t('record.members', { n: g.member?.length ?? 0 })})
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

export function RecordTabs({ record }: { record: PatientRecord }) {
  const t = useT();
  return (
    <Tabs defaultValue="timeline" keepMounted={false}>
      <Tabs.List>
        <Tabs.Tab value="timeline">
          {t('record.tab.timeline')} ({record.episodes.length})
        </Tabs.Tab>
        <Tabs.Tab value="results">
          {t('record.tab.results')} ({record.observations.length})
        </Tabs.Tab>
        <Tabs.Tab value="vaccinations">
          {t('record.tab.vaccinations')} ({record.immunizations.length})
        </Tabs.Tab>
        <Tabs.Tab value="checks">
          {t('record.tab.checks')} ({record.healthChecks.length})
        </Tabs.Tab>
        <Tabs.Tab value="history">{t('record.tab.history')}</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="timeline" pt="md">
        <EpisodeTimeline episodes={record.episodes} empty={t('record.noEpisodes')} />
      </Tabs.Panel>
      <Tabs.Panel value="results" pt="md">
        <Results record={record} />
      </Tabs.Panel>
      <Tabs.Panel value="vaccinations" pt="md">
        <Vaccinations record={record} />
      </Tabs.Panel>
      <Tabs.Panel value="checks" pt="md">
        <EpisodeTimeline episodes={record.healthChecks} empty={t('record.noChecks')} />
      </Tabs.Panel>
      <Tabs.Panel value="history" pt="md">
        <History record={record} />
      </Tabs.Panel>
    </Tabs>
  );
}
