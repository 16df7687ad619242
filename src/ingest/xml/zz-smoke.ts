import { adaptXmlFile } from './adapter.ts';
const t = Date.now(); let ok = 0, bad = 0, res = 0; const excl: Record<string, number> = {}; const reasons = new Map<string, number>(); const warns = new Map<string, number>();
for await (const r of adaptXmlFile(process.argv[2]!)) {
  if (r.ok) { ok++; res += r.record.entries.length + 1; for (const [k, v] of Object.entries(r.record.excluded)) excl[k] = (excl[k] ?? 0) + v; for (const w of r.record.warnings) warns.set(w.slice(0, 60), (warns.get(w.slice(0,60)) ?? 0) + 1); }
  else { bad++; for (const x of r.reasons) reasons.set(x.field + ' ' + x.message.slice(0, 50), (reasons.get(x.field + ' ' + x.message.slice(0, 50)) ?? 0) + 1); }
}
const s = (Date.now() - t) / 1000;
console.log({ ok, bad, res, excl, s, eps: (ok + bad) / s, rss: process.memoryUsage().rss / 1e6 }, reasons, warns);
