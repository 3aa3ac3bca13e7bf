import { existsSync, readFileSync } from 'node:fs';
import type { SkippedTicks } from '../../core/ports';
import type { SkippedTickReader } from '../../core/ports-report';
import type { SkippedTicksBySymbol } from '../aws/dynamodb-skipped-tick-reader';

/**
 * The late and duplicate ticks of the last local run, from the file its runtime wrote when it stopped
 * (its tables lived in its process). No file: the run counted none, or none has run.
 */
export class FileSkippedTickReader implements SkippedTickReader {
  constructor(private readonly path: string) {}

  async skippedOn(date: string): Promise<ReadonlyMap<string, SkippedTicks>> {
    if (!existsSync(this.path)) return new Map();
    const all = JSON.parse(readFileSync(this.path, 'utf8')) as SkippedTicksBySymbol;
    return new Map(
      Object.entries(all)
        .map(([symbol, days]) => [symbol, days[date]] as const)
        .filter((e): e is readonly [string, SkippedTicks] => e[1] !== undefined && e[1].late + e[1].duplicate > 0),
    );
  }
}
