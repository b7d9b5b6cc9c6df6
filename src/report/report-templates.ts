import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { ConfigError } from '../core/errors.js';

/** The two rendered parts of a memo; each takes a `ReportView`. */
export interface ReportTemplates {
  readonly subject: (view: object) => string;
  readonly body: (view: object) => string;
}

/**
 * One incident as templates see it. Every text is already made safe for a plain-text mail
 * (no control characters, bounded length) and formatted; absent parts are null.
 */
export interface IncidentView {
  /** 1-based position in the report. */
  readonly number: number;
  /** `SSH brute force from 194.164.64.213`. */
  readonly title: string;
  /** The incident kind as stored (`brute-force`). */
  readonly kind: string;
  /** The kind in words (`SSH brute force`). */
  readonly kindWords: string;
  readonly source: string;
  /** The PTR name of the source, marked when not forward-confirmed, or null. */
  readonly ptr: string | null;
  /** `1,234 events` (attempts, packets or requests as the logs count them). */
  readonly events: string;
  /** `2026-11-26 10:00:00 UTC`, with the reporter's local time and its offset when configured. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly ports: string | null;
  readonly services: string | null;
  readonly users: string | null;
  /** How many of the reporter's addresses were targeted, or the (unredacted) list, or null. */
  readonly targets: string | null;
  /** Quoted log lines, each starting with `> `, redacted. */
  readonly evidence: readonly string[];
  /** `(12 more lines not shown)`, or null. */
  readonly evidenceOmitted: string | null;
  /** The sentence about an earlier report of this source to the same contact, or null. */
  readonly followUp: string | null;
}

/** Everything templates can use (config `report.templates` overrides render the same view). */
export interface ReportView {
  readonly subject: {
    /** `port scan and brute force`. */
    readonly kinds: string;
    /** `194.164.64.213`, `3 addresses in 157.173.208.0/21`. */
    readonly source: string;
    /** `on 2026-11-26`, `(2026-11-25 to 2026-11-26)`, UTC days. */
    readonly dates: string;
  };
  readonly greeting: string;
  readonly intro: string;
  readonly network: {
    readonly range: string | null;
    readonly name: string | null;
    readonly asn: string | null;
  };
  readonly incidents: readonly IncidentView[];
  /** Sentences about earlier reports to this contact (also on each incident). */
  readonly followUps: readonly string[];
  readonly timeNote: string;
  readonly request: string;
  readonly reply: string;
  readonly reporter: {
    readonly name: string | null;
    readonly organization: string | null;
    readonly email: string | null;
    readonly phone: string | null;
  };
  /** The signature, one line each. */
  readonly signature: readonly string[];
}

/** A view with every part present, rendered once at load so a typo fails there, not later. */
export const SAMPLE_VIEW: ReportView = {
  subject: { kinds: 'SSH brute force', source: '194.164.64.213', dates: 'on 2026-11-26' },
  greeting: 'Hello,',
  intro: 'We observed the following activity from your network.',
  network: { range: '194.164.64.0/21', name: 'HOSTINGER-HOSTING', asn: 'AS47583' },
  incidents: [
    {
      number: 1,
      title: 'SSH brute force from 194.164.64.213',
      kind: 'brute-force',
      kindWords: 'SSH brute force',
      source: '194.164.64.213',
      ptr: 'srv.example.net',
      events: '120 events',
      firstSeen: '2026-11-26 10:00:00 UTC',
      lastSeen: '2026-11-26 10:20:00 UTC',
      ports: '22',
      services: 'ssh',
      users: 'root, admin',
      targets: '1 of our addresses',
      evidence: ['> sample line'],
      evidenceOmitted: '(1 more line not shown)',
      followUp: 'We reported this address to you before.',
    },
  ],
  followUps: ['We reported this address to you before.'],
  timeNote: 'All times are UTC.',
  request: 'Please stop it.',
  reply: 'Reply to us.',
  reporter: { name: 'A', organization: 'B', email: 'c@example.org', phone: '+1 555 0100' },
  signature: ['A', 'B'],
};

/** The bundled templates: `templates/` at the package root, two levels above src/report or dist/report. */
const BUNDLED_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

const PARTS = ['subject', 'body'] as const;

/**
 * Loads the memo templates: the bundled ones, each overridden by `subject.hbs` / `body.hbs` in
 * `dir` when present. Templates are Handlebars in plain-text mode (no HTML escaping: the view
 * is already made safe) and strict (a name the view lacks is an error). Each is parsed and
 * rendered once against `SAMPLE_VIEW`, so a broken file fails here as a ConfigError naming it.
 */
export function loadTemplates(dir?: string): ReportTemplates {
  const hb = Handlebars.create();
  const chosen: Partial<Record<(typeof PARTS)[number], (view: object) => string>> = {};
  let overridden = 0;
  for (const part of PARTS) {
    let file = join(BUNDLED_DIR, `${part}.hbs`);
    if (dir !== undefined && existsSync(join(dir, `${part}.hbs`))) {
      file = join(dir, `${part}.hbs`);
      overridden++;
    }
    chosen[part] = compile(hb, file);
  }
  if (dir !== undefined && overridden === 0) {
    throw new ConfigError(`${dir}: holds neither subject.hbs nor body.hbs`);
  }
  return {
    subject: chosen.subject as (v: object) => string,
    body: chosen.body as (v: object) => string,
  };
}

function compile(hb: typeof Handlebars, file: string): (view: object) => string {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot be read (${(err as Error).message})`);
  }
  let render: Handlebars.TemplateDelegate;
  try {
    hb.parse(source);
    render = hb.compile(source, { noEscape: true, strict: true });
    render(SAMPLE_VIEW);
  } catch (err) {
    throw new ConfigError(`${file}: ${oneLine((err as Error).message)}`);
  }
  return (view: object): string => {
    try {
      return render(view);
    } catch (err) {
      throw new ConfigError(`${file}: ${oneLine((err as Error).message)}`);
    }
  };
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}
