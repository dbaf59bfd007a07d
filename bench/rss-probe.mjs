// Loaded with `node --import` into a benchmarked worker: at exit, writes its peak RSS (KiB) to a
// file of its own in RSS_PROBE_DIR, so that the benchmark reads each worker's figure.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

process.on('exit', () => {
  const dir = process.env.RSS_PROBE_DIR;
  if (dir) writeFileSync(join(dir, `rss-${process.pid}`), String(process.resourceUsage().maxRSS));
});
