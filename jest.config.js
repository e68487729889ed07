/** Jest runs the TypeScript sources directly through ts-jest in ESM mode. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  // Two test files at a time even on two cores: most of a call test's time is the simulated line's
  // wall clock, not the CPU (the whole suite, 2 workers, on a 2-core host under other load: 22 min
  // against 32 min with jest's default of one worker there).
  maxWorkers: 2,
};
