// Entry point: `npm run admin -- <command>` (see docs/relay.md).
import './register-alias';

const { runAdmin } = await import('./admin/cli');
process.exitCode = await runAdmin(process.argv.slice(2), process.env);
