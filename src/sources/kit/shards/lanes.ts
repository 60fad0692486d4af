import { createHash } from 'node:crypto';

/**
 * Splits a shard's batch into `factor` lanes by partition-key hash: records of one key stay in one
 * lane, in order (Lambda's parallelizationFactor).
 */
export function splitLanes<R>(records: R[], factor: number, keyOf: (record: R) => string): R[][] {
  if (factor <= 1) return records.length ? [records] : [];
  const lanes: R[][] = Array.from({ length: factor }, () => []);
  for (const record of records) lanes[createHash('md5').update(keyOf(record)).digest().readUInt32BE(0) % factor].push(record);
  return lanes.filter((lane) => lane.length);
}

/**
 * The checkpoint of one batch whose records finish out of order (lanes, filtered records): it
 * advances to the last record before the lowest unfinished one. Saves run one at a time, in order.
 */
export class CheckpointTracker {
  private readonly done = new Set<string>();
  private next = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly sequences: string[], private readonly save: (sequence: string) => Promise<void>) {}

  async markDone(sequences: string[]): Promise<void> {
    for (const sequence of sequences) this.done.add(sequence);
    const before = this.next;
    while (this.next < this.sequences.length && this.done.has(this.sequences[this.next])) this.next += 1;
    if (this.next === before) return;
    const sequence = this.sequences[this.next - 1];
    this.saving = this.saving.then(() => this.save(sequence));
    await this.saving;
  }
}
