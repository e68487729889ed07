#!/usr/bin/env node
// Long fuzzing run of lib/t4 decoders: builds, then runs dist/bench/fuzz-t4.js.
// Usage: node scripts/fuzz-t4.js [iterations] [seed]
import { execFileSync } from 'node:child_process';

execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
execFileSync(process.execPath, ['dist/bench/fuzz-t4.js', ...process.argv.slice(2)], { stdio: 'inherit' });
