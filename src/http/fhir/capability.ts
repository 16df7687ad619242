// GET /fhir/metadata: the CapabilityStatement, generated from what the server actually
// implements — the supported types, the routing table's interactions, the indexed search
// parameters — so it cannot promise more than the code does.
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { SUPPORTED_RESOURCE_TYPES } from '../../fhir/definitions.ts';
import { listSearchParams } from '../../fhir/search-parameters.ts';

const INTERACTIONS: CapabilityStatementRestResource['interaction'] = [
  { code: 'read' },
  { code: 'vread' },
  { code: 'update' },
  { code: 'patch' },
  { code: 'delete' },
  { code: 'history-instance' },
  { code: 'history-type' },
  { code: 'create' },
  { code: 'search-type' },
];

const TYPE_MAP: Record<string, 'string' | 'token' | 'date' | 'reference' | 'quantity' | 'number' | 'uri'> = {
  string: 'string', token: 'token', date: 'date', reference: 'reference', quantity: 'quantity', number: 'number', uri: 'uri',
};

/** Extra operations registered by later modules (e.g. Patient/$match), advertised with their definitions. */
const extraOperations: { type: string; name: string; definition: string }[] = [];

export function registerOperation(type: string, name: string, definition: string): void {
  if (!extraOperations.some((o) => o.type === type && o.name === name)) extraOperations.push({ type, name, definition });
}

/** The audit trail is served from its own append-only store (http/fhir/audit-events.ts): read and search only. */
const AUDIT_EVENT: CapabilityStatementRestResource = {
  type: 'AuditEvent',
  profile: 'http://hl7.org/fhir/StructureDefinition/AuditEvent',
  documentation: 'Nhật ký truy cập: chỉ đọc; người dân thấy các lần truy cập hồ sơ của mình, quản trị viên thấy toàn bộ. Kết quả luôn mới nhất trước.',
  interaction: [{ code: 'read' }, { code: 'search-type' }],
  versioning: 'no-version',
  readHistory: false,
  updateCreate: false,
  conditionalCreate: false,
  conditionalUpdate: false,
  conditionalDelete: 'not-supported',
  searchParam: [
    { name: 'patient', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-patient' },
    { name: 'entity', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-entity' },
    { name: 'agent', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-agent' },
    { name: 'action', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-action' },
    { name: 'subtype', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-subtype' },
    { name: 'date', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-date' },
  ],
};

let cached: CapabilityStatement | undefined;

export function capabilityStatement(baseUrl: string): CapabilityStatement {
  cached ??= build();
  return { ...cached, implementation: { description: 'HSSK — Hồ sơ sức khỏe điện tử', url: baseUrl } };
}

function build(): CapabilityStatement {
  const resources: CapabilityStatementRestResource[] = SUPPORTED_RESOURCE_TYPES.map((type) => {
    if (type === 'AuditEvent') return AUDIT_EVENT;
    const params = listSearchParams(type);
    const references = params.filter((p) => p.type === 'reference');
    const operations = [
      ...(type === 'Patient'
        ? [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }]
        : []),
      ...extraOperations.filter((o) => o.type === type).map((o) => ({ name: o.name, definition: o.definition })),
    ];
    return {
      type,
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: INTERACTIONS,
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'not-supported',
      conditionalUpdate: true,
      conditionalDelete: 'single',
      searchInclude: ['*', ...references.map((p) => `${type}:${p.code}`)],
      // AuditEvent lives outside the resource store: it is never an include source.
      searchRevInclude: SUPPORTED_RESOURCE_TYPES.filter((source) => source !== 'AuditEvent').flatMap((source) =>
        listSearchParams(source)
          .filter((p) => p.type === 'reference' && (p.targets.includes(type) || p.targets.length === 0))
          .map((p) => `${source}:${p.code}`),
      ),
      searchParam: [
        { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
        { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
        ...params.map((p) => ({
          name: p.code,
          type: TYPE_MAP[p.type]!,
          definition: p.definition.url,
          documentation: p.definition.description,
        })),
      ],
      ...(operations.length > 0 ? { operation: operations } : {}),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'HSSK',
    kind: 'instance',
    software: { name: 'HSSK', version: '0.1.0' },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Tìm kiếm chuỗi (tên, địa chỉ) bỏ qua dấu tiếng Việt và chữ hoa/thường. Tham số không hỗ trợ bị bỏ qua và báo trong OperationOutcome, hoặc bị từ chối với Prefer: handling=strict.',
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        searchParam: [{ name: '_id', type: 'token' }, { name: '_lastUpdated', type: 'date' }],
      },
    ],
  };
}
