// `hssk import immunizations FILE.csv|FILE.ndjson`, `hssk export immunizations`,
// `hssk immunizations conflicts`, `hssk immunizations resolve ID --keep existing|incoming`:
// the immunisation link with the national immunisation system (docs/sync.md, B10).
import fs from 'node:fs';
import readline from 'node:readline';
import type { Bundle, Immunization, Patient } from '@medplum/fhirtypes';
import { openDatabase } from '../../store/database.ts';
import { csvOf, doseRowsOf, type DoseRow } from '../../sync/immunization/csv.ts';
import { doseRowOfFhir, exportDoseRows, linkDoses, pendingConflicts, resolveConflict } from '../../sync/immunization/link.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

/** NDJSON of Immunization resources, each with its Patient `contained` (or a Bundle per line). */
async function fhirRows(file: string, err: (l: string) => void): Promise<DoseRow[]> {
  const out: DoseRow[] = [];
  let n = 0;
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Immunization | Bundle;
    const pairs: [Immunization, Patient | undefined][] = [];
    if (r.resourceType === 'Bundle') {
      const patients = new Map((r.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient').map((e) => [e.fullUrl, e.resource as Patient]));
      for (const e of r.entry ?? []) if (e.resource?.resourceType === 'Immunization') pairs.push([e.resource, patients.get((e.resource).patient.reference)]);
    } else {
      const ref = r.patient.reference?.replace(/^#/, '');
      pairs.push([r, r.contained?.find((c) => c.resourceType === 'Patient' && c.id === ref) as Patient | undefined]);
    }
    for (const [imm, patient] of pairs) {
      const row = doseRowOfFhir(imm, patient?.identifier ?? []);
      if (row) out.push(row);
      else err(`dòng ${n}: thiếu mã vắc xin, ngày tiêm hoặc định danh người được tiêm`);
    }
  }
  return out;
}

const importCommand: Command = {
  path: ['import', 'immunizations'],
  summary: 'Nhập mũi tiêm từ hệ thống tiêm chủng (CSV hoặc FHIR NDJSON), đối chiếu trùng (import immunizations)',
  usage: 'hssk import immunizations FILE.csv|FILE.ndjson [--source NAME]\n\nCSV columns: ma_dinh_danh, cccd, ma_vac_xin, ten_vac_xin, mui_so, ngay_tiem, co_so, so_lo (docs/sync.md).',
  async run(args, { config, out, err }) {
    const [file, ...rest] = args;
    if (!file || file.startsWith('--')) throw new UsageError('Thiếu tệp');
    if (!fs.existsSync(file)) throw new UsageError(`Không tìm thấy ${file}`);
    const source = optional(parseFlags(rest, ['source']), 'source') ?? 'tiem-chung-quoc-gia';
    let rows: DoseRow[];
    if (file.endsWith('.csv')) {
      rows = [];
      for (const r of doseRowsOf(fs.readFileSync(file, 'utf8'))) {
        if (r.ok) rows.push(r.row);
        else err(`dòng ${r.line}: ${r.reason}`);
      }
    } else rows = await fhirRows(file, err);
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      const s = await linkDoses(db, rows, source);
      out(`Mới: ${s.created}, trùng: ${s.same}, bổ sung: ${s.completed}, xung đột cần xử lý: ${s.conflict}, không tìm thấy người: ${s.unknownPerson}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

const exportCommand: Command = {
  path: ['export', 'immunizations'],
  summary: 'Xuất mũi tiêm ra CSV trao đổi với hệ thống tiêm chủng (export immunizations CSV)',
  usage: 'hssk export immunizations [--out FILE.csv]\n\nWithout --out the CSV goes to stdout.',
  async run(args, { config, out }) {
    const file = optional(parseFlags(args, ['out']), 'out');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      const rows = await exportDoseRows(db.pool);
      const csv = csvOf(rows);
      if (file) {
        fs.writeFileSync(file, csv);
        out(`${rows.length} mũi tiêm → ${file}`);
      } else out(csv.trimEnd());
      return 0;
    } finally {
      await db.close();
    }
  },
};

const conflictsCommand: Command = {
  path: ['immunizations', 'conflicts'],
  summary: 'Liệt kê mũi tiêm mâu thuẫn giữa hai nguồn (immunization conflicts)',
  usage: 'hssk immunizations conflicts [--limit N]',
  async run(args, { config, out }) {
    const limit = Number(optional(parseFlags(args, ['limit']), 'limit') ?? 100);
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      for (const c of await pendingConflicts(db.pool, limit)) {
        out(`${c.id}\tPatient/${c.patientId}\tImmunization/${c.existingId}\t${c.source}\t${c.incoming.vaccineCode} ${c.incoming.date}\t${c.reasons.join('; ')}`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};

const resolveCommand: Command = {
  path: ['immunizations', 'resolve'],
  summary: 'Giải quyết một mâu thuẫn mũi tiêm (resolve an immunization conflict)',
  usage: 'hssk immunizations resolve ID --keep existing|incoming',
  async run(args, { config, out }) {
    const [id, ...rest] = args;
    if (!id || !/^\d+$/.test(id)) throw new UsageError('Thiếu mã mâu thuẫn (ID)');
    const keep = optional(parseFlags(rest, ['keep']), 'keep');
    if (keep !== 'existing' && keep !== 'incoming') throw new UsageError('--keep existing hoặc incoming');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      const done = await resolveConflict(db, Number(id), keep === 'existing' ? 'kept-existing' : 'took-incoming', 'cli');
      out(done ? 'Đã xử lý' : 'Không có mâu thuẫn đang chờ với mã này');
      return done ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};

export const immunizationCommands: Command[] = [importCommand, exportCommand, conflictsCommand, resolveCommand];
