/**
 * The layers of src/, checked by `npm run lint` (docs/architecture.md, "Layers", says why).
 * From the bottom: the foundations (config, errors, clock), db, then the infrastructure that
 * knows no feature (events, net, render, feeds, html-to-markdown, http, metrics), then the
 * feature modules, then the HTML side (web), then what wires it all (app, server, background,
 * cli). A layer imports only from layers below it. Type-only imports are allowed across layers
 * where a rule says so: they vanish when the code runs.
 */
const INFRASTRUCTURE = '^src/(db|events|net|render|feeds|html-to-markdown|http|metrics)/';
const WIRING = '^src/(app|server|background)\\.ts$|^src/cli/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Two modules that import each other are one module in two files; split or merge.',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'db-is-the-bottom',
      severity: 'error',
      comment: 'src/db knows tables and dialects, never a feature, a page or an HTTP request.',
      from: { path: '^src/db/' },
      to: { path: '^src/(modules|web|http|events|feeds|metrics)/|' + WIRING },
    },
    {
      name: 'infrastructure-knows-no-feature',
      severity: 'error',
      comment:
        'events, net, render, feeds, html-to-markdown, http and metrics serve every feature and ' +
        'import none: what they need from one comes in as a value or a callback.',
      from: { path: INFRASTRUCTURE },
      to: { path: '^src/(modules|web)/|' + WIRING, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'feeds-are-pure',
      severity: 'error',
      comment:
        'src/feeds turns a model into bytes and bytes into a model: no database, no HTTP, no ' +
        'outbound requests.',
      from: { path: '^src/feeds/' },
      to: { path: '^src/(db|http|net|events|metrics)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'modules-below-web',
      severity: 'error',
      comment: 'Features know nothing of the pages built on them.',
      from: { path: '^src/modules/' },
      to: { path: '^src/web/|' + WIRING },
    },
    {
      name: 'modules-meet-through-services',
      severity: 'error',
      comment:
        'A module uses another through its service (or its rules, presenter and schemas, which ' +
        'hold no state): never its repository, routes or helpers.',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/',
        pathNot: ['^src/modules/$1/', '\\.(service|rules|presenter|schemas)\\.ts$'],
      },
    },
    {
      name: 'repositories-only-query',
      severity: 'error',
      comment: 'A repository runs queries; rules, HTTP and pages are above it.',
      from: { path: '\\.repository\\.ts$' },
      to: { path: '\\.(service|routes)\\.ts$|^src/web/|^src/http/' },
    },
    {
      name: 'templates-take-data',
      severity: 'error',
      comment:
        'A template renders what it is given: limits it shows come from *.rules.ts, never from ' +
        'a service or a route.',
      from: { path: '^src/web/templates/' },
      to: { path: '\\.(service|routes|repository)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
