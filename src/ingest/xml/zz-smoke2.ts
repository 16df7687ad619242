import { readEnvelopeFile } from './envelope.ts';
import { decodeContent, parseTable } from './inner.ts';
import { normaliseTableType, isTableType } from './tables.ts';
let t = Date.now(); const units = [];
for await (const u of readEnvelopeFile(process.argv[2]!)) units.push(u);
console.log('envelope', Date.now() - t); t = Date.now();
let n = 0;
for (const u of units) for (const f of u.files) { const ty = normaliseTableType(f.type); const c = decodeContent(f.content); if (c.ok && isTableType(ty)) { parseTable(ty, c.xml); n++; } }
console.log('inner', Date.now() - t, n);
