// The routing table of `hssk` sub-commands.
import type { Command } from '../command.ts';
import { systemFhirWriter } from '../../http/app.ts';
import { auditVerifyCommand } from './audit-verify.ts';
import { clientCreateCommand } from './client-create.ts';
import { generateEpisodesCommand } from './generate-episodes.ts';
import { generateProvinceCommand } from './generate-province.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { identityCommands } from './identity.ts';
import { importFacilitiesCommand } from './import-facilities.ts';
import { importHouseholdsCommand } from './import-households.ts';
import { importXmlCommand } from './import-xml.ts';
import { importCdaCommand } from './import-cda.ts';
import { verifyPopulationCommand } from './verify-population.ts';
import { importCentreListCommand } from './import-centre-list.ts';
import { programCommands } from './programs-refresh.ts';
import { smsOutboxCommand } from './sms-outbox.ts';
import { syncCommands } from './sync.ts';
import { importFhirCommand } from './import-fhir.ts';
import { immunizationCommands } from './export-immunizations.ts';
import { makeUserCreateCommand } from './user-create.ts';

export const commands: Command[] = [
  serveCommand,
  migrateCommand,
  makeUserCreateCommand(systemFhirWriter),
  clientCreateCommand,
  auditVerifyCommand,
  smsOutboxCommand,
  generateProvinceCommand,
  generateEpisodesCommand,
  importHouseholdsCommand,
  importFacilitiesCommand,
  importXmlCommand,
  importCdaCommand,
  verifyPopulationCommand,
  ...identityCommands,
  ...programCommands,
  importCentreListCommand,
  ...syncCommands,
  importFhirCommand,
  ...immunizationCommands,
];
