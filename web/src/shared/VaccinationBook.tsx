// A child's vaccination book (GET /api/programs/patients/:id/vaccination-book): every dose of the
// national schedule with its status. Shown for children only: the API forecasts any birth date, and
// an adult's untaken infant doses are not something to act on; a record without a birth date (404)
// shows nothing either.
import { Badge, Card, Stack, Table, Text, Title } from '@mantine/core';
import { api, ApiError } from './api.ts';
import { formatDate } from './format.ts';
import { useI18n, type MessageKey } from './i18n.tsx';
import { ErrorAlert, Loading, useAsync } from './ui.tsx';

type DoseStatus = 'done' | 'due' | 'overdue' | 'upcoming' | 'too-late' | 'waiting';
interface Dose {
  series: string;
  seriesDisplay: string;
  dose: number;
  label: string;
  status: DoseStatus;
  givenOn?: string;
  dueDate?: string;
}
interface Book {
  source: string;
  birthDate: string;
  asOf: string;
  doses: Dose[];
  complete: boolean;
}

const COLORS: Record<DoseStatus, string> = { done: 'teal', due: 'yellow', overdue: 'red', upcoming: 'blue', 'too-late': 'gray', waiting: 'gray' };
const ACTIVE: readonly DoseStatus[] = ['done', 'due', 'overdue', 'upcoming'];
/** Children in Vietnamese law are under 16 (Luật Trẻ em 2016); the schedule's last dose is at 7 years. */
const CHILD_UNDER_YEARS = 16;

/** Whole years from birth to the book's date, both FHIR dates. */
function yearsAt(birthDate: string, asOf: string): number {
  const years = Number(asOf.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return asOf.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

async function loadBook(patientId: string, signal: AbortSignal): Promise<Book | undefined> {
  try {
    return await api.get<Book>(`/api/programs/patients/${encodeURIComponent(patientId)}/vaccination-book`, signal);
  } catch (err) {
    // No birth date or not a record this user may see: there is no book to show.
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return undefined;
    throw err;
  }
}

export function VaccinationBook({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const [state, reload] = useAsync((signal) => loadBook(patientId, signal), [patientId]);
  if (state.status === 'loading') return <Loading label={t('programs.book.loading')} />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  const book = state.data;
  if (!book || yearsAt(book.birthDate, book.asOf) >= CHILD_UNDER_YEARS || !book.doses.some((d) => ACTIVE.includes(d.status))) return null;
  const doses = book.doses.filter((d) => d.status !== 'too-late');
  return (
    <Card withBorder padding="md" data-testid="vaccination-book">
      <Stack gap="xs">
        <Title order={3}>{t('programs.book.title')}</Title>
        <Text size="sm" c="dimmed">
          {t('programs.book.asOf', { date: formatDate(book.asOf) })}
        </Text>
        {book.complete && <Text size="sm">{t('programs.book.complete')}</Text>}
        {doses.length === 0 ? (
          <Text size="sm">{t('programs.book.empty')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('programs.book.col.vaccine')}</Table.Th>
                  <Table.Th>{t('programs.book.col.dose')}</Table.Th>
                  <Table.Th>{t('programs.book.col.status')}</Table.Th>
                  <Table.Th>{t('programs.book.col.date')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {doses.map((d) => (
                  <Table.Tr key={`${d.series}-${d.dose}`} data-status={d.status}>
                    <Table.Td>{d.seriesDisplay}</Table.Td>
                    <Table.Td>{d.label}</Table.Td>
                    <Table.Td>
                      <Badge color={COLORS[d.status]} variant="light">
                        {t(`programs.status.${d.status}` as MessageKey)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{formatDate(d.status === 'done' ? d.givenOn : d.dueDate)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Text size="xs" c="dimmed">
          {t('programs.book.source', { source: book.source })}
        </Text>
      </Stack>
    </Card>
  );
}
