import { scan } from '../app/scan.js';
import { incidentToJson } from '../core/incident-json.js';
import { canonicalAddress } from '../core/ip.js';
import { ConfigError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { formatDuration } from '../core/duration.js';
import type { Zone } from '../core/time.js';
import type { Config } from '../config/config-schema.js';
import { expandSources } from '../ingest/rotated-set.js';
import { openStore } from '../store/open-store.js';
import { incidentTable } from './incident-table.js';

/**
 * `explain --src ADDR FILE...`: scans the files in memory and shows what the detectors made of
 * one source: its counters and windows at the end of input, and every incident with all its
 * reasons and evidence, reportable or not.
 */
export async function explainSource(
  src: string,
  files: readonly string[],
  config: Config,
  time: { zone: Zone; now: number | null },
  format: string,
): Promise<number> {
  const addr = canonicalAddress(src);
  const key = addr ?? `host:${src}`;
  if (addr === null && !/^[A-Za-z0-9._-]{1,253}$/.test(src)) {
    throw new ConfigError(`--src: "${src}" is neither an address nor a host name`);
  }
  if (files.length === 0) throw new ConfigError('explain --src: name the log files to read');
  const store = await openStore({ noDb: true });
  let errors = 0;
  try {
    const result = await scan({
      specs: await expandSources(files),
      zone: time.zone,
      now: time.now,
      detect: config.detect,
      policy: config.policy,
      ownNetworks: [],
      store,
      checkpoints: false,
      inspect: key,
      onError: (err) => {
        errors++;
        process.stderr.write(`reportable: ${printable(err.source)}: ${printable(err.message)}\n`);
      },
    });
    const mine = await store.listIncidents({ src: addr ?? src });
    if (format === 'json') {
      process.stdout.write(
        JSON.stringify(
          { src: addr ?? src, view: result.view, incidents: mine.map(incidentToJson) },
          null,
          2,
        ) + '\n',
      );
      return errors > 0 ? 1 : 0;
    }
    const out: string[] = [`source: ${printable(addr ?? src)}`];
    const v = result.view;
    if (v === null) {
      out.push('  not tracked at the end of input (never seen, or its story ended earlier)');
    } else {
      out.push(
        `  events: ${v.events} (refused/dropped ${v.groups.refused}, auth ${v.groups.auth}, exploit ${v.groups.exploit}, traffic ${v.groups.traffic})`,
      );
      for (const w of v.attemptWindows) {
        out.push(`  distinct target:port attempts within ${formatDuration(w.span)}: ${w.attempts}`);
      }
      out.push(`  thresholds crossed: ${v.crossed.length > 0 ? v.crossed.join(', ') : 'none'}`);
    }
    if (mine.length === 0) {
      out.push('incidents: none');
    } else {
      out.push('incidents:');
      out.push(incidentTable(mine, null).trimEnd().replace(/^/gm, '  '));
      for (const inc of mine) {
        out.push(
          `  ${inc.kind} (severity ${inc.severity}, ${inc.reportable ? 'reportable' : 'not reportable'}):`,
        );
        for (const r of inc.reasons) out.push(`    - ${printable(r)}`);
        for (const e of inc.evidence)
          out.push(`    > ${printable(e.source)}:${e.line}: ${printable(e.text)}`);
      }
    }
    process.stdout.write(out.join('\n') + '\n');
    return errors > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
