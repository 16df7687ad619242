// A commune health worker's programme actions on a record, by hand: enrol in a chronic-disease
// register, register a pregnancy, record a birth (POST /api/programs/…). Each in its own modal;
// the server's message is shown when it refuses. Offered to the roles the endpoints allow.
import { Alert, Anchor, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { api } from '../shared/api.ts';
import { ageOf, parseVnDate } from '../shared/format.ts';
import { useI18n, type MessageKey } from '../shared/i18n.tsx';
import { errorText, useAsync } from '../shared/ui.tsx';
import { useSession } from './session.tsx';

/** The roles the programme write endpoints accept (CLINICAL_ROLES in src/http/plugins/programs.ts). */
const CLINICAL_ROLES = ['admin', 'commune-worker', 'clinician', 'clerk'];
/** Pregnancy and birth forms are offered from this age on (women of child-bearing age start at 15; kept lower for the rare earlier case). */
const MOTHER_FROM_YEARS = 10;

type Form = 'enrol' | 'pregnancy' | 'birth';
interface Notice {
  text: string;
  link?: { to: string; label: string };
}

export function ProgrammeActions({ patientId, name, gender, birthDate }: { patientId: string; name: string; gender: string | undefined; birthDate: string | undefined }) {
  const { t } = useI18n();
  const { session } = useSession();
  const [open, setOpen] = useState<Form>();
  const [notice, setNotice] = useState<Notice>();
  if (!CLINICAL_ROLES.includes(session.actor.role)) return null;
  const age = ageOf(birthDate);
  const mayBeMother = gender !== 'male' && (age === undefined || age >= MOTHER_FROM_YEARS);
  const done = (n: Notice) => {
    setOpen(undefined);
    setNotice(n);
  };
  const close = () => setOpen(undefined);
  return (
    <Stack gap="xs" data-testid="programme-actions">
      <Group>
        <Button variant="light" onClick={() => setOpen('enrol')}>
          {t('programs.enrol.button')}
        </Button>
        {mayBeMother && (
          <>
            <Button variant="light" onClick={() => setOpen('pregnancy')}>
              {t('programs.pregnancy.button')}
            </Button>
            <Button variant="light" onClick={() => setOpen('birth')}>
              {t('programs.birth.button')}
            </Button>
          </>
        )}
      </Group>
      {notice && (
        <Alert color="teal" role="status" data-testid="programme-notice" withCloseButton onClose={() => setNotice(undefined)}>
          {notice.text}{' '}
          {notice.link && (
            <Anchor component={Link} to={notice.link.to}>
              {notice.link.label}
            </Anchor>
          )}
        </Alert>
      )}
      <Modal opened={open === 'enrol'} onClose={close} title={t('programs.enrol.title')} centered>
        {open === 'enrol' && <EnrolForm patientId={patientId} name={name} onDone={done} onCancel={close} />}
      </Modal>
      <Modal opened={open === 'pregnancy'} onClose={close} title={t('programs.pregnancy.title')} centered>
        {open === 'pregnancy' && <PregnancyForm patientId={patientId} name={name} onDone={done} onCancel={close} />}
      </Modal>
      <Modal opened={open === 'birth'} onClose={close} title={t('programs.birth.title')} centered>
        {open === 'birth' && <BirthForm patientId={patientId} name={name} onDone={done} onCancel={close} />}
      </Modal>
    </Stack>
  );
}

interface FormProps {
  patientId: string;
  name: string;
  onDone: (n: Notice) => void;
  onCancel: () => void;
}

/** Submit handling shared by the three forms: busy flag, the API's refusal in words. */
function useSubmit() {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run };
}

function FormShell({ onSubmit, busy, error, confirm, onCancel, children }: { onSubmit: () => void; busy: boolean; error: string | undefined; confirm: MessageKey; onCancel: () => void; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <form
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Stack>
        {children}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t('programs.cancel')}
          </Button>
          <Button type="submit" loading={busy}>
            {t(confirm)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A full dd/mm/yyyy date as a FHIR date, or the message explaining why not. */
function dateField(text: string, required: boolean): { value?: string; error?: MessageKey } {
  if (!text.trim()) return required ? { error: 'programs.dateRequired' } : {};
  const value = parseVnDate(text);
  return value && value.length === 10 ? { value } : { error: 'programs.dateInvalid' };
}

function EnrolForm({ patientId, name, onDone, onCancel }: FormProps) {
  const { t, lang } = useI18n();
  const [registers] = useAsync((signal) => api.get<{ programmes: { code: string; display: string }[] }>('/api/programs/registers', signal), []);
  const [code, setCode] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<MessageKey>();
  const { busy, error, run } = useSubmit();
  const options = registers.status === 'ready' ? registers.data.programmes.map((p) => ({ value: p.code, label: p.display })) : [];
  const submit = () => {
    if (!code) return setInvalid('programs.enrol.required');
    setInvalid(undefined);
    void run(async () => {
      await api.post(`/api/programs/registers/${encodeURIComponent(code)}/enrol`, { patientId });
      onDone({ text: t('programs.enrol.done', { name, programme: options.find((o) => o.value === code)?.label ?? code }) });
    });
  };
  const loadError = registers.status === 'error' ? registers.error : undefined;
  return (
    <FormShell onSubmit={submit} busy={busy} error={error ?? (loadError ? errorText(t, lang, loadError) : undefined)} confirm="programs.enrol.confirm" onCancel={onCancel}>
      <Select
        label={t('programs.enrol.programme')}
        data={options}
        value={code}
        onChange={setCode}
        disabled={registers.status !== 'ready'}
        error={invalid && t(invalid)}
        withAsterisk
        comboboxProps={{ withinPortal: false }}
      />
    </FormShell>
  );
}

function PregnancyForm({ patientId, name, onDone, onCancel }: FormProps) {
  const { t } = useI18n();
  const [edd, setEdd] = useState('');
  const [lmp, setLmp] = useState('');
  const [errors, setErrors] = useState<{ edd?: MessageKey; lmp?: MessageKey; both?: MessageKey }>({});
  const { busy, error, run } = useSubmit();
  const submit = () => {
    const e = dateField(edd, false);
    const l = dateField(lmp, false);
    const both: MessageKey | undefined = !e.value && !l.value && !e.error && !l.error ? 'programs.pregnancy.required' : undefined;
    setErrors({ edd: e.error, lmp: l.error, both });
    if (e.error || l.error || both) return;
    void run(async () => {
      await api.post('/api/programs/pregnancies', { patientId, ...(e.value ? { expectedDelivery: e.value } : {}), ...(l.value ? { lastMenstrualPeriod: l.value } : {}) });
      onDone({ text: t('programs.pregnancy.done', { name }) });
    });
  };
  return (
    <FormShell onSubmit={submit} busy={busy} error={error} confirm="programs.pregnancy.confirm" onCancel={onCancel}>
      <TextInput label={t('programs.pregnancy.edd')} description={t('programs.pregnancy.help')} placeholder="dd/mm/yyyy" value={edd} onChange={(ev) => setEdd(ev.currentTarget.value)} error={(errors.edd && t(errors.edd)) || (errors.both && t(errors.both))} />
      <TextInput label={t('programs.pregnancy.lmp')} placeholder="dd/mm/yyyy" value={lmp} onChange={(ev) => setLmp(ev.currentTarget.value)} error={errors.lmp && t(errors.lmp)} />
    </FormShell>
  );
}

function BirthForm({ patientId, name, onDone, onCancel }: FormProps) {
  const { t } = useI18n();
  const [childName, setChildName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [gender, setGender] = useState<string | null>(null);
  const [weight, setWeight] = useState('');
  const [errors, setErrors] = useState<{ date?: MessageKey; weight?: MessageKey }>({});
  const { busy, error, run } = useSubmit();
  const submit = () => {
    const d = dateField(birthDate, true);
    const grams = weight.trim() ? Number(weight.trim()) : undefined;
    const weightError: MessageKey | undefined = grams !== undefined && !(Number.isFinite(grams) && grams >= 300 && grams <= 7000) ? 'programs.birth.weightInvalid' : undefined;
    setErrors({ date: d.error, weight: weightError });
    if (d.error || weightError || !d.value) return;
    void run(async () => {
      const body = { motherPatientId: patientId, birthDate: d.value, ...(childName.trim() ? { name: childName.trim() } : {}), ...(gender ? { gender } : {}), ...(grams !== undefined ? { birthWeightGrams: grams } : {}) };
      const { patientId: childId } = await api.post<{ patientId: string }>('/api/programs/births', body);
      onDone({ text: t('programs.birth.done', { name }), link: { to: `/patients/${childId}`, label: t('programs.birth.open') } });
    });
  };
  return (
    <FormShell onSubmit={submit} busy={busy} error={error} confirm="programs.birth.confirm" onCancel={onCancel}>
      <TextInput label={t('programs.birth.name')} value={childName} onChange={(ev) => setChildName(ev.currentTarget.value)} />
      <TextInput label={t('programs.birth.date')} placeholder="dd/mm/yyyy" withAsterisk value={birthDate} onChange={(ev) => setBirthDate(ev.currentTarget.value)} error={errors.date && t(errors.date)} />
      <Select
        label={t('programs.birth.gender')}
        data={[
          { value: 'male', label: t('gender.male') },
          { value: 'female', label: t('gender.female') },
        ]}
        value={gender}
        onChange={setGender}
        clearable
        comboboxProps={{ withinPortal: false }}
      />
      <TextInput label={t('programs.birth.weight')} inputMode="numeric" value={weight} onChange={(ev) => setWeight(ev.currentTarget.value)} error={errors.weight && t(errors.weight)} />
    </FormShell>
  );
}
