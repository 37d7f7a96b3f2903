/**
 * pgaudit log benchmark: `rbac usage` on PostgreSQL reads every csvlog file of the review
 * period. Writes a log directory of FILES rotated csvlog files of about MB_PER_FILE each
 * (pgaudit READ lines of 200 users over 2,000 statement texts, with other log lines
 * between), reads it as `rbac usage --log DIR` does, and prints the throughput and the
 * heap it took: the reader streams the files in chunks and folds the reads, so the heap
 * stays far below the size of the log and does not grow with it (BENCH_PGAUDIT_FILES=12
 * reads three times as much to show that).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModule } from 'libpg-query';
import { localLogFiles, readLocalLog } from '../src/usage/logs.js';
import { PgauditCollector } from '../src/usage/pgaudit.js';

const FILES = Number(process.env.BENCH_PGAUDIT_FILES ?? 4);
const MB_PER_FILE = 25;

function line(i: number): string {
  const time = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
  if (i % 5 === 4) return `${time} UTC,"app","ehr",124,"127.0.0.1:5001",abc.2,2,"idle",${time} UTC,3/5,0,LOG,00000,"connection authorized: user=app database=ehr",,,,,,,,,"psql","client backend",,0`;
  const user = `user_${i % 200}`;
  const stmt = `select mrn, full_name from clinical.patients where patient_id = ${i % 2000}`;
  const msg = `AUDIT: SESSION,${i},1,READ,SELECT,TABLE,clinical.patients,"${stmt}",<not logged>`;
  return `${time} UTC,"${user}","ehr",123,"127.0.0.1:5000",abc.1,1,"SELECT",${time} UTC,3/4,0,LOG,00000,"${msg.replace(/"/g, '""')}",,,,,,,,,"psql","client backend",,0`;
}

export async function benchPgauditLogs(): Promise<Record<string, unknown>> {
  await loadModule();
  const dir = await mkdtemp(join(tmpdir(), 'rbac-bench-pgaudit-'));
  try {
    let bytes = 0;
    let lines = 0;
    for (let f = 0; f < FILES; f++) {
      const parts: string[] = [];
      let size = 0;
      while (size < MB_PER_FILE * 1024 * 1024) {
        const l = line(lines++) + '\n';
        parts.push(l);
        size += l.length;
      }
      await writeFile(join(dir, `postgresql-${f}.csv`), parts.join(''));
      bytes += size;
    }
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const timer = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 20);
    const start = performance.now();
    const c = new PgauditCollector({ since: new Date(Date.UTC(2026, 9, 1)), fold: true });
    for (const file of await localLogFiles([dir], dir, new Date(0))) await readLocalLog(file, c);
    const ms = performance.now() - start;
    clearInterval(timer);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    const reads = c.events.reduce((n, e) => n + (e.count ?? 1), 0);
    return {
      name: 'pgaudit-logs',
      files: FILES,
      log_mb: Math.round(bytes / 1024 / 1024),
      lines,
      reads,
      folded_events: c.events.length,
      ms: Math.round(ms),
      mb_per_s: Math.round((bytes / 1024 / 1024 / (ms / 1000)) * 10) / 10,
      heap_growth_mb: Math.round(((heapPeak - heapBefore) / 1024 / 1024) * 10) / 10,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
