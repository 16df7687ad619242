// Reports for the Department of Health (MISSION D1–D3): coverage, disease situation,
// vaccination, data arrival and custom reports, each with charts, tables, its as-of time and
// Excel/CSV downloads. What a user may see is decided by the API (docs/reports.md): managers
// get aggregates only, commune workers their commune.
import { Stack, Tabs, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { useT } from '../../shared/i18n.tsx';
import { ErrorAlert, Loading, useAsync } from '../../shared/ui.tsx';
import { useSession } from '../session.tsx';
import { ArrivalsReport } from './ArrivalsReport.tsx';
import { CoverageReport } from './CoverageReport.tsx';
import { CustomReports } from './CustomReports.tsx';
import { DiseaseReport } from './DiseaseReport.tsx';
import type { Catalogue } from './report-api.ts';
import { VaccinationReport } from './VaccinationReport.tsx';

const TABS = ['coverage', 'diseases', 'vaccination', 'arrivals', 'custom'] as const;
type Tab = (typeof TABS)[number];

export function ReportsPage() {
  const t = useT();
  const { session } = useSession();
  // Facility staff (clinicians, clerks) get their facility's diseases and arrivals only.
  const facilityOnly = session.actor.role === 'clinician' || session.actor.role === 'clerk';
  const tabs = TABS.filter((x) => !facilityOnly || x === 'diseases' || x === 'arrivals' || x === 'custom');
  const [tab, setTab] = useState<Tab>(tabs[0]!);
  const [catalogue, reload] = useAsync((signal) => api.get<Catalogue>('/api/reports', signal), []);
  return (
    <Stack gap="md">
      <Title order={2}>{t('reports.title')}</Title>
      {catalogue.status === 'loading' && <Loading />}
      {catalogue.status === 'error' && <ErrorAlert error={catalogue.error} onRetry={reload} />}
      {catalogue.status === 'ready' && (
        <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted={false}>
          <Tabs.List aria-label={t('reports.tabs')}>
            {tabs.map((x) => (
              <Tabs.Tab key={x} value={x}>
                {t(`reports.tab.${x}`)}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          <Tabs.Panel value="coverage" pt="md">
            <CoverageReport catalogue={catalogue.data} />
          </Tabs.Panel>
          <Tabs.Panel value="diseases" pt="md">
            <DiseaseReport catalogue={catalogue.data} />
          </Tabs.Panel>
          <Tabs.Panel value="vaccination" pt="md">
            <VaccinationReport />
          </Tabs.Panel>
          <Tabs.Panel value="arrivals" pt="md">
            <ArrivalsReport />
          </Tabs.Panel>
          <Tabs.Panel value="custom" pt="md">
            <CustomReports catalogue={catalogue.data} />
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}
