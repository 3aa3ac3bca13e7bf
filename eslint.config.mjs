import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const up = (depth) => '\\.\\./'.repeat(depth);
/**
 * src/local's insides, seen from a file `depth` folders below src/ (src/local/index.ts is its public
 * surface). Its two dependency-free leaves are allowed too: the CLI needs them before it loads the
 * runtime (the data dir's layout for the options, the last resorts for the fatal-error handler).
 */
const localInternals = (depth) => ({
  regex: `^${up(depth)}local/(?!(data-dir|last-resort)$)`,
  message: 'import the local runtime through src/local (its index.ts), not its internals (but data-dir and last-resort)',
});
/** src/ops/aws, which only the target switch (src/cli/targets.ts) may import. */
const opsAws = (regex) => ({
  regex,
  message: 'the AWS target is reached through the Operations interface; only src/cli/targets.ts picks it',
});
const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

function importRules() {
  const handlerFolders = ['producer', 'processing', 'analysis', 'compaction', 'report'];
  return [
    // The domain core is pure: no AWS SDK, no Lambda runtime, no I/O, and nothing of the outer rooms.
    restrict(
      ['src/core/**/*.ts'],
      [
        { group: ['@aws-sdk/*', '@aws-lambda-powertools/*', '@middy/*', 'node:fs', 'node:fs/*', 'fs'] },
        {
          regex: '^\\.\\./(?!shared/names$)',
          message: 'src/core imports nothing outside src/core but the shared resource names',
        },
      ],
    ),
    // Adapters implement the ports of src/core; they never reach back into handlers, ops, cli or the runtime.
    restrict(
      ['src/adapters/**/*.ts'],
      [
        {
          regex: '^\\.\\./\\.\\./(producer|processing|analysis|compaction|report|local|ops|cli)(/|$)',
          message: 'adapters depend on src/core (and src/shared) only',
        },
      ],
    ),
    // Handlers: core + adapters + shared; never ops, cli or the local runtime.
    restrict(
      handlerFolders.map((f) => `src/${f}/**/*.ts`),
      [{ regex: '^(\\.\\./)+(ops|cli|local)(/|$)', message: 'handlers depend on src/core, src/adapters and src/shared only' }],
    ),
    restrict(
      ['src/shared/**/*.ts'],
      [{ regex: '^\\.\\./(ops|cli|local)(/|$)', message: 'src/shared is below ops, cli and the runtime' }],
    ),
    restrict(['src/ops/*.ts'], [localInternals(1), opsAws('^\\./aws/')]),
    restrict(['src/ops/local/**/*.ts'], [localInternals(2), opsAws('^\\.\\./aws/')]),
    restrict(['src/cli/*.ts'], [localInternals(1), opsAws('^\\.\\./ops/aws/')], ['src/cli/targets.ts']),
    restrict(['src/cli/*/**/*.ts'], [localInternals(2), opsAws('^\\.\\./\\.\\./ops/aws/')]),
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.stockpipe/', 'dist/', 'coverage/', 'bin/', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain Node.js scripts.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  // Imports run one way (docs/ARCHITECTURE.md): cli -> ops -> (local | adapters) -> core; handlers -> core + adapters.
  // The restrictions of one folder are one rule entry, since a later entry for the same files replaces an earlier one.
  ...importRules(),
);
