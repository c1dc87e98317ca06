// Entry point of the relay: `npm start` runs it compiled (dist-server/index.js), `npm run relay`
// through tsx for development. Code shared with the app comes in through package.json
// "imports" (`#domain/*`, `#docs/*`), which Node, tsx, Vite and TypeScript all resolve.
import './main';
