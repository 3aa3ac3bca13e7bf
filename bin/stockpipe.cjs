#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so a clone needs no build step before `npm start`.
require('tsx/cjs');
require('../src/cli/main.ts');
