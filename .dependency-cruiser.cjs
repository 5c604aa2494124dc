/**
 * Module boundaries. A module (tenancy, telephony, voice-agent, numbers, billing, analytics, sandbox, console) talks
 * to another only through that module's index.ts; shared/ and config/ import no module; only the runtime
 * composition imports the sandbox; no cycles.
 */
const MODULES = '(tenancy|telephony|voice-agent|numbers|billing|analytics|sandbox|console)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make modules impossible to reason about (and to start) on their own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'module-through-index-only',
      severity: 'error',
      comment:
        "Another module's entities, repositories and handlers are private: import its index.ts. A test (*.spec.ts) " +
        'may reach an internal it exercises, e.g. an adapter, by its own path.',
      from: { path: `^src/${MODULES}/`, pathNot: '\\.spec\\.ts$' },
      to: {
        path: `^src/${MODULES}/`,
        pathNot: [`^src/$1/`, `^src/${MODULES}/index\\.ts$`],
      },
    },
    {
      name: 'app-through-index-only',
      severity: 'error',
      comment: 'Outside the modules (app wiring, tests support), a module is reached through its index.ts.',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: `^src/${MODULES}/`, pathNot: `^src/${MODULES}/index\\.ts$` },
    },
    {
      name: 'sandbox-only-from-runtime',
      severity: 'error',
      comment:
        'The emulators are started by the runtime composition (src/runtime.ts) in sandbox mode, and by tests; ' +
        'no other production code may depend on them, so nothing behaves differently in live mode.',
      from: { path: '^src/', pathNot: ['^src/runtime\\.ts$', '^src/sandbox/', '\\.spec\\.ts$'] },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'shared-imports-no-module',
      severity: 'error',
      comment: 'shared/ is the kernel: it depends on no module.',
      from: { path: '^src/shared/' },
      to: { path: `^src/${MODULES}/` },
    },
    {
      name: 'config-imports-nothing-of-the-app',
      severity: 'error',
      comment: 'config/ reads the environment; it knows no module and no kernel.',
      from: { path: '^src/config/' },
      to: { path: `^src/(?!config/)` },
    },
    {
      name: 'production-code-not-from-tests',
      severity: 'error',
      comment: 'Test helpers stay out of what ships.',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$|/testing/' },
      to: { path: '(^test/|\\.spec\\.ts$|/testing/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
