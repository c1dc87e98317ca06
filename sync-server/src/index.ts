// Entry point: `npm run relay` (node --import tsx sync-server/src/index.ts). The alias hook
// must be registered before any module that imports `@/…` is loaded, hence the dynamic import.
import './register-alias';

await import('./main');
