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
 * Everything the detectors know about one source during one story (until it is quiet for
 * `incidentGap`): a tally per event group and each detector's state. Every part is allocated
 * when first needed, so a source seen once costs a few hundred bytes.
 */
export class SourceTrack {
  /** Engine clock at the last event: ends the story after `incidentGap`. */
  touchedAt: number;
  /** `touchedAt` when the track took its place in the engine's recency list. */
  placedAt: number;
  /** Neighbours in the engine's list of tracks, least recently seen first. */
  older: SourceTrack | null = null;
  newer: SourceTrack | null = null;
  /** Latest time used in windows (non-decreasing even when lines are slightly out of order). */
  windowAt = Number.NEGATIVE_INFINITY;
  /** True once a threshold was crossed: evicting the track then emits its incidents. */
  notable = false;
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
    this.touchedAt = touchedAt;
    this.placedAt = touchedAt;
  }
}
