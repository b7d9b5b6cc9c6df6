import type { ActivityTally, Vocabulary } from './activity-tally.js';
import type { ScanWindows } from './attempt-window.js';
import type { EvidenceSample } from './evidence-sample.js';
import type { BruteForceState } from './brute-force-detector.js';
import type { DosState } from './dos-detector.js';
import type { ExploitState } from './exploit-detector.js';
import type { PortScanState } from './port-scan-detector.js';
import type { ProbeState } from './probe-detector.js';
import type { SweepState } from './sweep-detector.js';

/**
 * Slots of a track's `times`: the first and last event time of each tally (ActivityTally
 * reads and writes its pair there).
 */
export const TIME_SLOTS = {
  refused: 0,
  auth: 2,
  exploit: 4,
  traffic: 6,
} as const;

/**
 * Everything the detectors know about one source during one story (until it is quiet for
 * `incidentGap`): a tally per event group and each detector's state. Every part is allocated
 * when first needed, so a source seen once costs a few hundred bytes.
 */
export class SourceTrack {
  /**
   * The tallies' first and last event times in one array of unboxed doubles: as object fields
   * each would be a separate heap number, one more cache line to fetch per field when an event
   * reaches a source the engine has not seen for a while (the common case with thousands of
   * sources).
   */
  readonly times: number[];
  /**
   * Engine clock at the last event, set when the track leaves the engine's table (while it is
   * there the clock lives in the table's slot: see SourceTable).
   */
  touchedAt: number;
  /** True once a threshold was crossed: evicting the track then emits its incidents. */
  notable = false;
  /**
   * Group bits the engine offered to the evidence sample (a subset of the sample's own): until
   * the source is notable, an event of such a group adds nothing to the sample.
   */
  offered = 0;
  /** Events of every kind (counting repeats). */
  events = 0;
  refused: ActivityTally | null = null;
  auth: ActivityTally | null = null;
  exploit: ActivityTally | null = null;
  /** Traffic from the moment a flood was recognised (earlier traffic is only counted). */
  traffic: ActivityTally | null = null;
  /** The source's evidence lines (of every group, each tagged with its group bit). */
  evidence: EvidenceSample | null = null;
  scan: ScanWindows | null = null;
  probe: ProbeState | null = null;
  portScan: PortScanState | null = null;
  sweep: SweepState | null = null;
  brute: BruteForceState | null = null;
  dos: DosState | null = null;
  exploits: ExploitState | null = null;

  constructor(
    /** The track's key: the address, or `host:` and the name when the log gave no address. */
    readonly key: string,
    /** The IPv4 address as an integer (the engine's map key), null for other sources. */
    readonly v4: number | null,
    readonly src: string | null,
    /** The name the log gave (the key's name, or the first name logged beside the address). */
    public srcHost: string | null,
    touchedAt: number,
    /** The engine's name tables (target and service ids in the tallies resolve here). */
    readonly vocabulary: Vocabulary,
  ) {
    const inf = Number.POSITIVE_INFINITY;
    this.touchedAt = touchedAt;
    // In TIME_SLOTS order; the infinities also make it an array of doubles from the start.
    this.times = [inf, -inf, inf, -inf, inf, -inf, inf, -inf];
  }
}
