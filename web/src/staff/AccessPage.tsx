// Access to a record the user cannot see yet: a share code from the resident's app, or the
// record number (shown in the resident's app) to ask for an OTP.
import { Button, Card, Group, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useT } from '../shared/i18n.tsx';
import { ConsentPanel } from './ConsentPanel.tsx';

export function AccessPage() {
  const t = useT();
  const navigate = useNavigate();
  const [recordId, setRecordId] = useState('');
  const open = (e: FormEvent) => {
    e.preventDefault();
    if (recordId.trim()) navigate(`/patients/${encodeURIComponent(recordId.trim())}`);
  };
  return (
    <Stack>
      <Title order={2}>{t('access.title')}</Title>
      <ConsentPanel onGranted={(g) => navigate(`/patients/${encodeURIComponent(g.patientId)}`)} />
      <Card withBorder component="form" onSubmit={open} noValidate>
        <Group align="flex-end">
          <TextInput label={t('access.recordId')} description={t('access.recordIdHelp')} value={recordId} onChange={(e) => setRecordId(e.currentTarget.value)} w={320} />
          <Button type="submit" variant="light">
            {t('access.open')}
          </Button>
        </Group>
      </Card>
    </Stack>
  );
}
