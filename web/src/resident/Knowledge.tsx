// Health knowledge pages (static, offline) and the links to them from the record: the pages
// about the conditions in the record come first, marked as such.
import { Anchor, Badge, Button, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import { useI18n } from '../shared/i18n.tsx';
import type { PatientRecord } from '../shared/record.ts';
import { topicById, topicsForCodes, TOPICS } from './knowledge.ts';

export function recordTopics(record: PatientRecord): string[] {
  const conditions = [...record.episodes.flatMap((e) => e.conditions), ...record.looseConditions.map((c) => c.resource)];
  const codes = conditions.flatMap((c) => c.code?.coding?.map((x) => x.code ?? '') ?? []);
  const ids = new Set(topicsForCodes(codes).map((t) => t.id));
  if (record.series.systolic?.length) ids.add('tang-huyet-ap');
  if (record.series.glucose?.length || record.series.hba1c?.length) ids.add('dai-thao-duong');
  return [...ids];
}

export function KnowledgeLinks({ related, onOpen }: { related: string[]; onOpen: (id: string) => void }) {
  const { t } = useI18n();
  const ordered = [...TOPICS].sort((a, b) => Number(related.includes(b.id)) - Number(related.includes(a.id)));
  return (
    <Card withBorder padding="sm" data-testid="knowledge-links">
      <Title order={2} size="h4" mb="xs">
        {t('app.knowledge.title')}
      </Title>
      <Stack gap={4}>
        {ordered.map((topic) => (
          <Group key={topic.id} gap="xs" wrap="nowrap" justify="space-between">
            <Anchor component="button" type="button" onClick={() => onOpen(topic.id)} py={8} ta="left" fw={500}>
              {topic.title}
            </Anchor>
            {related.includes(topic.id) && (
              <Badge color="blue.9" variant="outline" tt="none">
                {t('app.knowledge.related')}
              </Badge>
            )}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

export function KnowledgePage({ id, onBack }: { id: string; onBack: () => void }) {
  const { t } = useI18n();
  const topic = topicById(id);
  return (
    <Stack data-testid="knowledge-page" lang="vi">
      <Button variant="default" size="md" onClick={onBack} style={{ alignSelf: 'flex-start' }}>
        ← {t('app.knowledge.back')}
      </Button>
      {!topic ? (
        <Text>{t('common.pageNotFound')}</Text>
      ) : (
        <>
          <Title order={2}>{topic.title}</Title>
          <Text>{topic.summary}</Text>
          {topic.sections.map((s) => (
            <Stack key={s.heading} gap={4}>
              <Title order={3} size="h4">
                {s.heading}
              </Title>
              <List spacing={4}>
                {s.points.map((p) => (
                  <List.Item key={p}>{p}</List.Item>
                ))}
              </List>
            </Stack>
          ))}
          <Card withBorder padding="sm" bg="red.0" style={{ borderColor: 'var(--mantine-color-red-7)' }}>
            <Title order={3} size="h4" c="red.9">
              {t('app.knowledge.seekCare')}
            </Title>
            <List spacing={4} mt={4}>
              {topic.seekCare.map((p) => (
                <List.Item key={p}>{p}</List.Item>
              ))}
            </List>
          </Card>
          <Stack gap={4} data-testid="knowledge-sources">
            <Text fw={600} size="sm">
              {t('app.knowledge.sources')}
            </Text>
            <List size="sm" spacing={2}>
              {topic.sources.map((s) => (
                <List.Item key={s}>{s}</List.Item>
              ))}
            </List>
            <Text size="xs" c="dimmed">
              {t('app.knowledge.disclaimer')}
            </Text>
          </Stack>
        </>
      )}
    </Stack>
  );
}
