// "Tự khai báo / Cập nhật thông tin" (MISSION C5): the resident adds a phone number, an address,
// an allergy or a family-history entry. Each is stored as their own statement and shown in the
// record as "Do bạn tự khai báo"; what a facility recorded is never changed. Writes need a
// connection: offline, the forms say so instead of failing silently.
import { Alert, Button, Card, Select, Stack, Text, TextInput, Title, type ComboboxItem } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../shared/api.ts';
import { useI18n, type MessageKey } from '../shared/i18n.tsx';
import { isSelfReportedEntry } from '../shared/self-reported.ts';
import { errorText, useAsync } from '../shared/ui.tsx';
import { buildAllergy, buildFamilyHistory, contactParameters, fold, mobileNumber, RELATIONSHIPS, SEVERITIES, type Relationship, type Severity } from './self-report.ts';

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

export function SelfReport({ patientId, onBack }: { patientId: string; onBack: () => void }) {
  const { t } = useI18n();
  const online = useOnline();
  return (
    <Stack data-testid="self-report">
      <Button variant="default" size="md" onClick={onBack} style={{ alignSelf: 'flex-start' }}>
        ← {t('app.self.back')}
      </Button>
      <Title order={2} size="h3">
        {t('app.self.title')}
      </Title>
      <Text size="sm">{t('app.self.explain')}</Text>
      {!online && (
        <Alert color="yellow" role="status" data-testid="self-report-offline">
          {t('app.self.offline')}
        </Alert>
      )}
      <PhoneForm patientId={patientId} online={online} />
      <AddressForm patientId={patientId} online={online} />
      <AllergyForm patientId={patientId} online={online} />
      <FamilyForm patientId={patientId} online={online} />
    </Stack>
  );
}

type Outcome = { kind: 'saved' | 'already' } | { kind: 'error'; text: string };

/** One form's submit cycle: validate, send, say what happened in plain words. */
function useSubmit() {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  async function run(send: () => Promise<'saved' | 'already'>): Promise<boolean> {
    setBusy(true);
    setOutcome(undefined);
    try {
      setOutcome({ kind: await send() });
      return true;
    } catch (err) {
      const offline = err instanceof ApiError && err.status === 0;
      setOutcome({ kind: 'error', text: offline ? t('app.self.network') : errorText(t, lang, err) });
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, outcome, run, clear: () => setOutcome(undefined) };
}

function FormCard(props: { title: MessageKey; testId: string; online: boolean; busy: boolean; outcome: Outcome | undefined; onSubmit: () => void; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <Card
      withBorder
      component="form"
      noValidate
      data-testid={props.testId}
      aria-label={t(props.title)}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      <Stack gap="sm">
        <Title order={3} size="h4">
          {t(props.title)}
        </Title>
        {props.children}
        {props.outcome?.kind === 'error' && (
          <Alert color="red" role="alert">
            {props.outcome.text}
          </Alert>
        )}
        {props.outcome && props.outcome.kind !== 'error' && (
          <Alert color={props.outcome.kind === 'saved' ? 'green' : 'gray'} role="status">
            {t(props.outcome.kind === 'saved' ? 'app.self.saved' : 'app.self.already')}
          </Alert>
        )}
        <Button type="submit" size="lg" loading={props.busy} disabled={!props.online}>
          {t('app.self.save')}
        </Button>
      </Stack>
    </Card>
  );
}

/** $add-contact answers the Patient: the entry was added when it is there as the resident's own. */
function addedOwn(patient: Patient, has: (p: Patient) => boolean): 'saved' | 'already' {
  return has(patient) ? 'saved' : 'already';
}

function PhoneForm({ patientId, online }: { patientId: string; online: boolean }) {
  const { t } = useI18n();
  const [phone, setPhone] = useState('');
  const [invalid, setInvalid] = useState(false);
  const submit = useSubmit();
  async function save() {
    const number = mobileNumber(phone);
    setInvalid(!number);
    if (!number) return submit.clear();
    const ok = await submit.run(async () => {
      const patient = await api.post<Patient>(`/fhir/Patient/${encodeURIComponent(patientId)}/$add-contact`, contactParameters({ phone: number }));
      return addedOwn(patient, (p) => (p.telecom ?? []).some((x) => x.value === number && isSelfReportedEntry(x)));
    });
    if (ok) setPhone('');
  }
  return (
    <FormCard title="app.self.phone.title" testId="self-phone" online={online} {...submit} onSubmit={() => void save()}>
      <TextInput
        size="md"
        type="tel"
        inputMode="tel"
        autoComplete="tel"
        label={t('app.self.phone.label')}
        value={phone}
        onChange={(e) => setPhone(e.currentTarget.value)}
        error={invalid ? t('app.self.phone.invalid') : undefined}
      />
    </FormCard>
  );
}

function AddressForm({ patientId, online }: { patientId: string; online: boolean }) {
  const { t } = useI18n();
  const [communes] = useAsync((signal) => api.get<{ communes: { code: string; name: string }[] }>('/api/admin-units/communes', signal), []);
  const [commune, setCommune] = useState<string | null>(null);
  const [line, setLine] = useState('');
  const [errors, setErrors] = useState<{ commune?: boolean; line?: boolean }>({});
  const submit = useSubmit();
  const data = communes.status === 'ready' ? communes.data.communes.map((c) => ({ value: c.code, label: c.name })) : [];
  async function save() {
    const next = { commune: !commune, line: !line.trim() };
    setErrors(next);
    if (next.commune || next.line) return submit.clear();
    const ok = await submit.run(async () => {
      const patient = await api.post<Patient>(`/fhir/Patient/${encodeURIComponent(patientId)}/$add-contact`, contactParameters({ line, commune: commune! }));
      const before = line.trim();
      return addedOwn(patient, (p) => (p.address ?? []).some((a) => isSelfReportedEntry(a) && a.line?.[0] === before));
    });
    if (ok) {
      setLine('');
      setCommune(null);
    }
  }
  return (
    <FormCard title="app.self.address.title" testId="self-address" online={online} {...submit} onSubmit={() => void save()}>
      <Select
        size="md"
        searchable
        label={t('app.self.address.commune')}
        placeholder={t('app.self.address.communeHint')}
        data={data}
        value={commune}
        onChange={setCommune}
        filter={({ options, search }) => (options as ComboboxItem[]).filter((o) => fold(o.label).includes(fold(search.trim())))}
        nothingFoundMessage={t('common.noData')}
        error={errors.commune ? t('app.self.address.needCommune') : undefined}
        comboboxProps={{ withinPortal: true }}
      />
      <TextInput
        size="md"
        autoComplete="street-address"
        label={t('app.self.address.line')}
        value={line}
        onChange={(e) => setLine(e.currentTarget.value)}
        maxLength={200}
        error={errors.line ? t('app.self.address.needLine') : undefined}
      />
    </FormCard>
  );
}

function AllergyForm({ patientId, online }: { patientId: string; online: boolean }) {
  const { t } = useI18n();
  const [substance, setSubstance] = useState('');
  const [reaction, setReaction] = useState('');
  const [severity, setSeverity] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ substance?: boolean; reaction?: boolean }>({});
  const submit = useSubmit();
  async function save() {
    const next = { substance: !substance.trim(), reaction: Boolean(severity) && !reaction.trim() };
    setErrors(next);
    if (next.substance || next.reaction) return submit.clear();
    const ok = await submit.run(async () => {
      await api.post('/fhir/AllergyIntolerance', buildAllergy(patientId, substance, reaction, (severity as Severity | null) ?? undefined));
      return 'saved';
    });
    if (ok) {
      setSubstance('');
      setReaction('');
      setSeverity(null);
    }
  }
  return (
    <FormCard title="app.self.allergy.title" testId="self-allergy" online={online} {...submit} onSubmit={() => void save()}>
      <TextInput
        size="md"
        label={t('app.self.allergy.substance')}
        value={substance}
        onChange={(e) => setSubstance(e.currentTarget.value)}
        maxLength={200}
        error={errors.substance ? t('app.self.allergy.needSubstance') : undefined}
      />
      <TextInput
        size="md"
        label={t('app.self.allergy.reaction')}
        value={reaction}
        onChange={(e) => setReaction(e.currentTarget.value)}
        maxLength={200}
        error={errors.reaction ? t('app.self.allergy.needReaction') : undefined}
      />
      <Select
        size="md"
        clearable
        label={t('app.self.allergy.severity')}
        value={severity}
        onChange={setSeverity}
        data={SEVERITIES.map((s) => ({ value: s, label: capitalise(t(`allergy.severity.${s}`)) }))}
        comboboxProps={{ withinPortal: true }}
      />
    </FormCard>
  );
}

function FamilyForm({ patientId, online }: { patientId: string; online: boolean }) {
  const { t } = useI18n();
  const [relationship, setRelationship] = useState<string | null>(null);
  const [condition, setCondition] = useState('');
  const [errors, setErrors] = useState<{ relationship?: boolean; condition?: boolean }>({});
  const submit = useSubmit();
  async function save() {
    const next = { relationship: !relationship, condition: !condition.trim() };
    setErrors(next);
    if (next.relationship || next.condition) return submit.clear();
    const rel = relationship as Relationship;
    const ok = await submit.run(async () => {
      await api.post('/fhir/FamilyMemberHistory', buildFamilyHistory(patientId, rel, t(`app.self.rel.${rel}`), condition));
      return 'saved';
    });
    if (ok) {
      setRelationship(null);
      setCondition('');
    }
  }
  return (
    <FormCard title="app.self.family.title" testId="self-family" online={online} {...submit} onSubmit={() => void save()}>
      <Select
        size="md"
        label={t('app.self.family.relationship')}
        value={relationship}
        onChange={setRelationship}
        data={RELATIONSHIPS.map((r) => ({ value: r, label: t(`app.self.rel.${r}`) }))}
        error={errors.relationship ? t('app.self.family.needRelationship') : undefined}
        comboboxProps={{ withinPortal: true }}
      />
      <TextInput
        size="md"
        label={t('app.self.family.condition')}
        value={condition}
        onChange={(e) => setCondition(e.currentTarget.value)}
        maxLength={200}
        error={errors.condition ? t('app.self.family.needCondition') : undefined}
      />
    </FormCard>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase('vi') + text.slice(1);
}
