import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAM_MAPPING_DEFAULTS, streamSettingsTable } from '../../../src/shared/stream-settings';

describe('stream settings', () => {
  it('docs/ARCHITECTURE.md shows the table generated from the one settings block', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/ARCHITECTURE.md'), 'utf8');
    expect(doc).toContain(streamSettingsTable());
  });

  it('the table changes with the block it comes from', () => {
    expect(streamSettingsTable({ ...STREAM_MAPPING_DEFAULTS, batchSize: 7 })).toContain('| batch size | 7 | 7 |');
  });
});
