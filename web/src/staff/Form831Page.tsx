// The QĐ 831 personal health record form (B3): create a record or edit one. The administrative
// part edits the Patient; the other sections add entries. Saved as ONE transaction Bundle.
import { Accordion, ActionIcon, Alert, Button, Card, Checkbox, Grid, Group, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../shared/api.ts';
import { ETHNIC_GROUPS } from '../shared/ethnicity.ts';
import {
  DISABILITIES, FAMILY_RELATIONSHIPS, bmi, emptyForm, formFromPatient, hasVisit, toTransaction, validate,
  type Form831, type FormErrors,
} from '../shared/form831.ts';
import { formatDate, parseVnDate, todayVn } from '../shared/format.ts';
import { useI18n, type MessageKey } from '../shared/i18n.tsx';
import { errorText, ErrorAlert, Loading, useAsync } from '../shared/ui.tsx';
import { savedRecord } from '../shared/saved-record.ts';
import { ConsentPanel } from './ConsentPanel.tsx';

type Key = keyof Form831;
type StringKey = { [K in Key]: Form831[K] extends string ? K : never }[Key];

const OPTIONS: Record<string, string[]> = {
  birthDelivery: ['normal', 'caesarean', 'unknown'],
  smoking: ['never', 'current', 'quit'],
  alcohol: ['never', 'current', 'quit'],
  activity: ['none', 'sometimes', 'regular'],
};

export function Form831Page() {
  const { id } = useParams();
  const [state, reload] = useAsync(async (signal) => (id ? api.get<Patient>(`/fhir/Patient/${encodeURIComponent(id)}`, signal) : undefined), [id]);
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  return <FormEditor key={id ?? 'new'} existing={state.data} />;
}

function FormEditor({ existing }: { existing: Patient | undefined }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [f, setF] = useState<Form831>(() => {
    const base = existing ? formFromPatient(existing) : emptyForm();
    return { ...base, visitDate: formatDate(todayVn()) };
  });
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [printing, setPrinting] = useState(false);
  /** The id of the person's existing record that the user may not read (the server said so). */
  const [hiddenRecord, setHiddenRecord] = useState<string>();

  useEffect(() => {
    if (!printing) return;
    const done = () => setPrinting(false);
    window.addEventListener('afterprint', done);
    return () => window.removeEventListener('afterprint', done);
  }, [printing]);

  const set = <K extends Key>(k: K, v: Form831[K]) => setF((prev) => ({ ...prev, [k]: v }));
  const err = (k: string) => {
    const key = errors[k as keyof FormErrors];
    return key ? t(key) : undefined;
  };
  const text = (k: StringKey, label: MessageKey, extra: { required?: boolean; inputMode?: 'numeric' | 'decimal' | 'tel'; placeholder?: string; description?: string } = {}) => (
    <TextInput
      label={t(label)}
      value={f[k]}
      onChange={(e) => set(k, e.currentTarget.value)}
      error={err(k)}
      required={extra.required}
      inputMode={extra.inputMode}
      placeholder={extra.placeholder}
      description={extra.description}
    />
  );
  const select = (k: StringKey, label: MessageKey, options: { value: string; label: string }[]) => (
    <Select label={t(label)} value={f[k] || null} onChange={(v) => set(k, v ?? '')} data={options} error={err(k)} clearable />
  );
  const opts = (field: string) => OPTIONS[field]!.map((v) => ({ value: v, label: t(`opt.${field}.${v}` as MessageKey) }));
  const labels = {
    relationship: (code: string) => t(`rel.${code}` as MessageKey),
    disability: (code: string) => t(`disability.${code}` as MessageKey),
    option: (field: string, value: string) => t(`opt.${field}.${value}` as MessageKey),
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    const found = validate(f);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setSaveError(t('form.fixErrors', { n: Object.keys(found).length }));
      return;
    }
    setBusy(true);
    setSaveError(undefined);
    try {
      const saved = savedRecord(await api.post<Bundle>('/fhir', toTransaction(f, existing, labels)), existing);
      if (saved.kind === 'existing-hidden') setHiddenRecord(saved.patientId);
      else if (saved.kind === 'unknown') navigate('/search');
      else navigate(`/patients/${saved.patientId}`, { state: { existingRecord: saved.kind === 'existing' } });
    } catch (err) {
      setSaveError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }

  const h = Number(f.height.replace(',', '.'));
  const w = Number(f.weight.replace(',', '.'));
  const bmiValue = h > 0 && w > 0 ? bmi(h, w) : undefined;

  if (printing) return <PrintView f={f} onClose={() => setPrinting(false)} />;
  if (hiddenRecord) {
    // Nothing of the record is shown: the server answered with its id only. The visit's entries
    // were written into it; reading it takes the resident's consent.
    return (
      <Stack data-testid="existing-record">
        <Alert color="blue" role="status" title={t('form.existingTitle')}>
          {t('form.existingHidden', { id: hiddenRecord })}
        </Alert>
        <ConsentPanel patientId={hiddenRecord} onGranted={() => navigate(`/patients/${hiddenRecord}`)} />
      </Stack>
    );
  }

  return (
    <form onSubmit={save} noValidate aria-label={t('form.title')}>
      <Stack>
        <Group justify="space-between">
          <Title order={2}>{existing ? t('form.editTitle') : t('form.title')}</Title>
          <Button
            variant="default"
            onClick={() => {
              setPrinting(true);
              setTimeout(() => window.print(), 100);
            }}
          >
            {t('form.print')}
          </Button>
        </Group>
        <Text size="sm">{t('form.intro')}</Text>
        <Accordion multiple defaultValue={['admin', 'visit']} variant="separated">
          <Section value="admin" title={t('form.sec.admin')}>
            <Grid>
              <Col>{text('fullName', 'form.fullName', { required: true })}</Col>
              <Col sm={3}>{text('birthDate', 'form.birthDate', { required: true, placeholder: 'dd/mm/yyyy' })}</Col>
              <Col sm={3}>
                {select('gender', 'form.gender', [
                  { value: 'male', label: t('gender.male') },
                  { value: 'female', label: t('gender.female') },
                  { value: 'other', label: t('gender.other') },
                ])}
              </Col>
              <Col sm={4}>{text('cccd', 'id.cccd', { inputMode: 'numeric' })}</Col>
              <Col sm={4}>{text('bhyt', 'id.bhyt')}</Col>
              <Col sm={4}>{text('phone', 'record.phone', { inputMode: 'tel' })}</Col>
              <Col sm={4}>
                <Select
                  label={t('form.ethnicity')}
                  value={f.ethnicity || null}
                  onChange={(v) => set('ethnicity', v ?? '')}
                  data={ETHNIC_GROUPS.map(([code, name]) => ({ value: code, label: name }))}
                  searchable
                  clearable
                />
              </Col>
              <Col sm={4}>{text('occupation', 'form.occupation')}</Col>
              <Col sm={4}>{select('bloodGroup', 'form.bloodGroup', ['A', 'B', 'AB', 'O'].flatMap((g) => [`${g} Rh+`, `${g} Rh-`]).map((v) => ({ value: v, label: v })))}</Col>
              <Col sm={8}>{text('address', 'form.address')}</Col>
              <Col sm={4}>{text('communeCode', 'form.communeCode', { inputMode: 'numeric' })}</Col>
              <Col sm={4}>{text('contactName', 'form.contactName')}</Col>
              <Col sm={4}>{text('contactRelationship', 'form.contactRelationship')}</Col>
              <Col sm={4}>{text('contactPhone', 'form.contactPhone', { inputMode: 'tel' })}</Col>
            </Grid>
          </Section>
          <Section value="birth" title={t('form.sec.birth')}>
            <Grid>
              <Col sm={4}>{select('birthDelivery', 'form.birthDelivery', opts('birthDelivery'))}</Col>
              <Col sm={4}>{text('birthWeight', 'form.birthWeight', { inputMode: 'numeric' })}</Col>
              <Col sm={4}>{text('birthLength', 'form.birthLength', { inputMode: 'decimal' })}</Col>
              <Col>{text('birthDefects', 'form.birthDefects')}</Col>
            </Grid>
          </Section>
          <Section value="risks" title={t('form.sec.risks')}>
            <Grid>
              <Col sm={4}>{select('smoking', 'form.smoking', opts('smoking'))}</Col>
              <Col sm={4}>{select('alcohol', 'form.alcohol', opts('alcohol'))}</Col>
              <Col sm={4}>{select('activity', 'form.activity', opts('activity'))}</Col>
              <Col sm={6}>{text('exposure', 'form.exposure')}</Col>
              <Col sm={6}>{text('toilet', 'form.toilet')}</Col>
              <Col>{text('otherRisks', 'form.otherRisks')}</Col>
            </Grid>
          </Section>
          <Section value="history" title={t('form.sec.history')}>
            <Stack>
              <Rows
                title={t('form.allergies')}
                addLabel={t('form.addAllergy')}
                items={f.allergies}
                onAdd={() => set('allergies', [...f.allergies, { category: 'medication', substance: '' }])}
                onRemove={(i) => set('allergies', f.allergies.filter((_, j) => j !== i))}
                render={(a, i) => (
                  <>
                    <Select
                      label={t('form.allergyType')}
                      value={a.category}
                      allowDeselect={false}
                      onChange={(v) => set('allergies', f.allergies.map((x, j) => (j === i ? { ...x, category: (v ?? 'medication') as typeof a.category } : x)))}
                      data={(['medication', 'food', 'environment', 'biologic'] as const).map((c) => ({ value: c, label: t(`allergy.${c}`) }))}
                      w={180}
                    />
                    <TextInput
                      label={t('form.allergySubstance')}
                      value={a.substance}
                      error={err(`allergies.${i}`)}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        set('allergies', f.allergies.map((x, j) => (j === i ? { ...x, substance: v } : x)));
                      }}
                      style={{ flex: 1 }}
                    />
                  </>
                )}
              />
              <Rows
                title={t('form.conditions')}
                addLabel={t('form.addCondition')}
                items={f.conditions}
                onAdd={() => set('conditions', [...f.conditions, { text: '', icd: '', year: '' }])}
                onRemove={(i) => set('conditions', f.conditions.filter((_, j) => j !== i))}
                render={(c, i) => {
                  const upd = (patch: Partial<typeof c>) => set('conditions', f.conditions.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                  return (
                    <>
                      <TextInput label={t('form.conditionName')} value={c.text} error={err(`conditions.${i}`)} onChange={(e) => upd({ text: e.currentTarget.value })} style={{ flex: 1 }} />
                      <TextInput label={t('form.icd')} value={c.icd} onChange={(e) => upd({ icd: e.currentTarget.value })} w={110} />
                      <TextInput label={t('form.year')} value={c.year} inputMode="numeric" maxLength={4} onChange={(e) => upd({ year: e.currentTarget.value })} w={90} />
                    </>
                  );
                }}
              />
              <Textarea label={t('form.surgeries')} value={f.surgeries} onChange={(e) => set('surgeries', e.currentTarget.value)} autosize minRows={2} />
            </Stack>
          </Section>
          <Section value="disabilities" title={t('form.sec.disabilities')}>
            <Checkbox.Group value={f.disabilities} onChange={(v) => set('disabilities', v)} label={t('form.disabilities')}>
              <Group mt="xs">
                {DISABILITIES.map((d) => (
                  <Checkbox key={d} value={d} label={t(`disability.${d}`)} />
                ))}
              </Group>
            </Checkbox.Group>
            <TextInput mt="sm" label={t('disability.other')} value={f.disabilityOther} onChange={(e) => set('disabilityOther', e.currentTarget.value)} />
          </Section>
          <Section value="family" title={t('form.sec.family')}>
            <Rows
              title={t('form.familyMembers')}
              addLabel={t('form.addFamily')}
              items={f.family}
              onAdd={() => set('family', [...f.family, { relationship: 'FTH', text: '', icd: '' }])}
              onRemove={(i) => set('family', f.family.filter((_, j) => j !== i))}
              render={(m, i) => {
                const upd = (patch: Partial<typeof m>) => set('family', f.family.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                return (
                  <>
                    <Select label={t('form.relationship')} value={m.relationship} allowDeselect={false} onChange={(v) => upd({ relationship: v ?? 'FTH' })} data={FAMILY_RELATIONSHIPS.map(([c, k]) => ({ value: c, label: t(k) }))} w={150} />
                    <TextInput label={t('form.conditionName')} value={m.text} error={err(`family.${i}`)} onChange={(e) => upd({ text: e.currentTarget.value })} style={{ flex: 1 }} />
                    <TextInput label={t('form.icd')} value={m.icd} onChange={(e) => upd({ icd: e.currentTarget.value })} w={110} />
                  </>
                );
              }}
            />
          </Section>
          {f.gender !== 'male' && (
            <Section value="reproductive" title={t('form.sec.reproductive')}>
              <Grid>
                <Col sm={6}>{text('contraception', 'form.contraception')}</Col>
                <Col sm={6}>{text('lastPeriod', 'form.lastPeriod', { placeholder: 'dd/mm/yyyy' })}</Col>
                <Col sm={3}>{text('pregnancies', 'form.pregnancies', { inputMode: 'numeric' })}</Col>
                <Col sm={3}>{text('births', 'form.births', { inputMode: 'numeric' })}</Col>
                <Col sm={3}>{text('abortions', 'form.abortions', { inputMode: 'numeric' })}</Col>
                <Col sm={3}>{text('livingChildren', 'form.livingChildren', { inputMode: 'numeric' })}</Col>
                <Col>{text('gynae', 'form.gynae')}</Col>
              </Grid>
            </Section>
          )}
          <Section value="vaccines" title={t('form.sec.vaccines')}>
            <Rows
              title={t('form.vaccines')}
              addLabel={t('form.addVaccine')}
              items={f.vaccines}
              onAdd={() => set('vaccines', [...f.vaccines, { vaccine: '', dose: '', date: '' }])}
              onRemove={(i) => set('vaccines', f.vaccines.filter((_, j) => j !== i))}
              render={(v, i) => {
                const upd = (patch: Partial<typeof v>) => set('vaccines', f.vaccines.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                return (
                  <>
                    <TextInput label={t('record.vaccine')} value={v.vaccine} error={err(`vaccines.${i}`)} onChange={(e) => upd({ vaccine: e.currentTarget.value })} style={{ flex: 1 }} />
                    <TextInput label={t('record.dose')} value={v.dose} onChange={(e) => upd({ dose: e.currentTarget.value })} w={80} />
                    <TextInput label={t('record.date')} placeholder="dd/mm/yyyy" value={v.date} onChange={(e) => upd({ date: e.currentTarget.value })} w={140} />
                  </>
                );
              }}
            />
          </Section>
          <Section value="visit" title={t('form.sec.visit')}>
            <Grid>
              <Col sm={3}>{text('visitDate', 'form.visitDate', { placeholder: 'dd/mm/yyyy' })}</Col>
              <Col sm={9}>{text('visitHistory', 'form.visitHistory')}</Col>
              <Col sm={3}>{text('pulse', 'form.pulse', { inputMode: 'numeric' })}</Col>
              <Col sm={3}>{text('temperature', 'form.temperature', { inputMode: 'decimal' })}</Col>
              <Col sm={3}>{text('systolic', 'form.systolic', { inputMode: 'numeric' })}</Col>
              <Col sm={3}>{text('diastolic', 'form.diastolic', { inputMode: 'numeric' })}</Col>
              <Col sm={3}>{text('respiration', 'form.respiration', { inputMode: 'numeric' })}</Col>
              <Col sm={3}>{text('height', 'form.height', { inputMode: 'decimal' })}</Col>
              <Col sm={3}>{text('weight', 'form.weight', { inputMode: 'decimal' })}</Col>
              <Col sm={3}>
                <TextInput label={t('form.bmi')} value={bmiValue !== undefined ? String(bmiValue).replace('.', ',') : ''} readOnly />
              </Col>
              <Col sm={3}>{text('waist', 'form.waist', { inputMode: 'decimal' })}</Col>
              <Col sm={3}>{text('visionRight', 'form.visionRight')}</Col>
              <Col sm={3}>{text('visionLeft', 'form.visionLeft')}</Col>
              <Col>
                <Textarea label={t('form.examGeneral')} value={f.examGeneral} onChange={(e) => set('examGeneral', e.currentTarget.value)} autosize minRows={2} />
              </Col>
              <Col>
                <Textarea label={t('form.examOrgans')} value={f.examOrgans} onChange={(e) => set('examOrgans', e.currentTarget.value)} autosize minRows={2} />
              </Col>
              <Col sm={8}>{text('diagnosis', 'form.diagnosis')}</Col>
              <Col sm={4}>{text('diagnosisIcd', 'form.icd')}</Col>
              <Col sm={8}>{text('advice', 'form.advice')}</Col>
              <Col sm={4}>{text('examiner', 'form.examiner')}</Col>
            </Grid>
          </Section>
        </Accordion>
        {saveError && (
          <Alert color="red" role="alert" data-testid="form-error">
            {saveError}
          </Alert>
        )}
        <Group className="no-print">
          <Button type="submit" loading={busy} size="lg">
            {t('form.save')}
          </Button>
          <Button variant="default" onClick={() => navigate(-1)}>
            {t('common.cancel')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Col({ sm = 12, children }: { sm?: number; children: ReactNode }) {
  return <Grid.Col span={{ base: 12, sm }}>{children}</Grid.Col>;
}

function Section({ value, title, children }: { value: string; title: string; children: ReactNode }) {
  return (
    <Accordion.Item value={value}>
      <Accordion.Control>{title}</Accordion.Control>
      <Accordion.Panel>{children}</Accordion.Panel>
    </Accordion.Item>
  );
}

function Rows<T>({ title, addLabel, items, onAdd, onRemove, render }: { title: string; addLabel: string; items: T[]; onAdd: () => void; onRemove: (i: number) => void; render: (item: T, i: number) => ReactNode }) {
  const { t } = useI18n();
  return (
    <Stack gap="xs">
      <Text fw={600} size="sm">
        {title}
      </Text>
      {items.map((item, i) => (
        <Group key={i} align="flex-end" wrap="wrap">
          {render(item, i)}
          <ActionIcon variant="light" color="red" size="lg" onClick={() => onRemove(i)} aria-label={t('common.remove')}>
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button variant="light" size="xs" onClick={onAdd}>
          + {addLabel}
        </Button>
      </Group>
    </Stack>
  );
}

function PrintView({ f, onClose }: { f: Form831; onClose: () => void }) {
  const { t } = useI18n();
  const line = (label: MessageKey, value: string | undefined) =>
    value ? (
      <Text size="sm">
        <b>{t(label)}:</b> {value}
      </Text>
    ) : null;
  const optText = (field: string, v: string) => (v ? t(`opt.${field}.${v}` as MessageKey) : '');
  return (
    <Stack data-testid="print-view">
      <Group className="no-print">
        <Button variant="default" onClick={onClose}>
          {t('form.backToForm')}
        </Button>
        <Button onClick={() => window.print()}>{t('form.print')}</Button>
      </Group>
      <Title order={2} ta="center">
        {t('form.printTitle')}
      </Title>
      <Text ta="center" size="sm">
        {t('form.printSubtitle')}
      </Text>
      <Card withBorder className="print-section">
        <Title order={3} size="h4">{t('form.sec.admin')}</Title>
        {line('form.fullName', f.fullName)}
        {line('form.birthDate', parseVnDate(f.birthDate) ? formatDate(parseVnDate(f.birthDate)) : f.birthDate)}
        {line('form.gender', f.gender ? t(`gender.${f.gender}` as MessageKey) : '')}
        {line('id.cccd', f.cccd)}
        {line('id.bhyt', f.bhyt)}
        {line('record.phone', f.phone)}
        {line('form.ethnicity', ETHNIC_GROUPS.find(([c]) => c === f.ethnicity)?.[1])}
        {line('form.occupation', f.occupation)}
        {line('form.bloodGroup', f.bloodGroup)}
        {line('form.address', f.address)}
        {line('form.contactName', [f.contactName, f.contactRelationship, f.contactPhone].filter(Boolean).join(' — '))}
      </Card>
      <Card withBorder className="print-section">
        <Title order={3} size="h4">{t('form.sec.risks')}</Title>
        {line('form.birthDelivery', optText('birthDelivery', f.birthDelivery))}
        {line('form.birthWeight', f.birthWeight)}
        {line('form.smoking', optText('smoking', f.smoking))}
        {line('form.alcohol', optText('alcohol', f.alcohol))}
        {line('form.activity', optText('activity', f.activity))}
        {line('form.exposure', f.exposure)}
        {line('form.allergies', f.allergies.map((a) => `${a.substance} (${t(`allergy.${a.category}`)})`).join('; '))}
        {line('form.conditions', f.conditions.map((c) => [c.text, c.icd, c.year].filter(Boolean).join(' ')).join('; '))}
        {line('form.surgeries', f.surgeries)}
        {line('form.disabilities', [...f.disabilities.map((d) => t(`disability.${d}` as MessageKey)), f.disabilityOther].filter(Boolean).join(', '))}
        {line('form.familyMembers', f.family.map((m) => `${t(`rel.${m.relationship}` as MessageKey)}: ${[m.text, m.icd].filter(Boolean).join(' ')}`).join('; '))}
        {line('form.vaccines', f.vaccines.map((v) => `${v.vaccine} ${v.dose} ${v.date}`.trim()).join('; '))}
      </Card>
      {hasVisit(f) && (
        <Card withBorder className="print-section">
          <Title order={3} size="h4">{t('form.sec.visit')}</Title>
          {line('form.visitDate', f.visitDate)}
          {line('form.visitHistory', f.visitHistory)}
          {line('form.pulse', f.pulse)}
          {line('form.temperature', f.temperature)}
          {line('measure.bp', f.systolic && f.diastolic ? `${f.systolic}/${f.diastolic} mmHg` : '')}
          {line('form.height', f.height)}
          {line('form.weight', f.weight)}
          {line('form.examGeneral', f.examGeneral)}
          {line('form.examOrgans', f.examOrgans)}
          {line('form.diagnosis', [f.diagnosis, f.diagnosisIcd].filter(Boolean).join(' '))}
          {line('form.advice', f.advice)}
          {line('form.examiner', f.examiner)}
        </Card>
      )}
    </Stack>
  );
}
