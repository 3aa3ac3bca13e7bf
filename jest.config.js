/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only (no type check: `npm run typecheck` does that) and turns ESM-only
  // dependencies (middy, croner, aws-local-stepfunctions) into CommonJS so jest can load them.
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|aws-local-stepfunctions|croner|vega-datasets|hyparquet-writer|hyparquet)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // The tests that spawn bin/stockpipe.cjs run the compiled binary, as users do: built here from the current src/.
  globalSetup: '<rootDir>/test/build-cli.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
