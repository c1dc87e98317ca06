// Entry point: `npm run admin -- <command>` (see docs/relay.md).
import { runAdmin } from './admin/cli';

process.exitCode = await runAdmin(process.argv.slice(2), process.env);
