// A closed-loop HTTP load generator: N concurrent clients on keep-alive connections, each sending
// its next request as soon as the previous answer arrives, for a fixed time. Latencies are kept
// per request to report exact percentiles.
import http from 'node:http';

export interface LoadRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** Status codes that count as success (default 2xx). */
  expect?: (status: number) => boolean;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
  firstError?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)]! * 100) / 100;
}

export async function runLoad(
  baseUrl: string,
  next: (worker: number, i: number) => LoadRequest,
  options: { concurrency: number; seconds: number; maxRequests?: number },
): Promise<LoadResult> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();

  const send = (req: LoadRequest) =>
    new Promise<number>((resolve, reject) => {
      const r = http.request(
        { host: url.hostname, port: url.port, method: req.method, path: req.path, agent, headers: { ...req.headers, ...(req.body ? { 'content-length': Buffer.byteLength(req.body) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (!(req.expect ?? ((s: number) => s >= 200 && s < 300))(res.statusCode ?? 0)) {
              firstError ??= `${req.method} ${req.path} → ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`;
              errors++;
            }
            resolve(res.statusCode ?? 0);
          });
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      if (req.body) r.write(req.body);
      r.end();
    });

  const worker = async (w: number) => {
    let i = 0;
    while (performance.now() < deadline && (options.maxRequests === undefined || issued < options.maxRequests)) {
      issued++;
      const req = next(w, i++);
      const t0 = performance.now();
      try {
        await send(req);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(latencies.length / seconds),
    p50ms: percentile(latencies, 50),
    p95ms: percentile(latencies, 95),
    p99ms: percentile(latencies, 99),
    ...(firstError ? { firstError } : {}),
  };
}
