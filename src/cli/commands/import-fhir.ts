// `hssk import fhir FILE.ndjson…`: loads FHIR NDJSON files ($export output, a restore).
import fs from 'node:fs';
import { loadFhirDefinitions } from '../../fhir/definitions.ts';
import { openDatabase } from '../../store/database.ts';
import { importNdjson } from '../../sync/ndjson-import.ts';
import { UsageError, type Command } from '../command.ts';

export const importFhirCommand: Command = {
  path: ['import', 'fhir'],
  summary: 'Nạp tệp FHIR NDJSON (kết quả $export, khôi phục) (import FHIR NDJSON)',
  usage: 'hssk import fhir FILE.ndjson [FILE2.ndjson …]\n\nEach line one FHIR R4 resource, validated; ids are kept.',
  async run(args, { config, out, err }) {
    if (args.length === 0 || args.some((a) => a.startsWith('--'))) throw new UsageError('Thiếu tệp NDJSON (missing FILE.ndjson)');
    for (const f of args) if (!fs.existsSync(f)) throw new UsageError(`Không tìm thấy ${f}`);
    loadFhirDefinitions();
    const db = await openDatabase(config, { poolSize: 4, statementTimeoutMs: 0 });
    try {
      let total = 0;
      for (const f of args) {
        const r = await importNdjson(db, fs.createReadStream(f), (n) => err(`${f}: ${n}`));
        total += r.loaded;
        out(`${f}: ${r.loaded} tài nguyên trong ${Math.round(r.ms)} ms`);
      }
      out(`Tổng: ${total} tài nguyên`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
