// @vitest-environment node
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The import boundaries eslint.config.js draws, checked on code that crosses them. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

// Linting with the project's whole config takes seconds on a busy machine.
describe('import boundaries', { timeout: 60_000 }, () => {
  it('keep field code from importing the lead workspace (ADR 0006)', async () => {
    const field = [
      ['src/pages/HouseholdsPage.vue', `<script setup lang="ts">\nimport LeadStat from '@/components/lead/LeadStat.vue';\nvoid LeadStat;\n</script>\n<template><p /></template>\n`],
      ['src/components/field/FieldX.ts', `import { useLeadFiguresStore } from '@/stores/lead-figures';\nexport const s = useLeadFiguresStore;\n`],
      ['src/composables/useX.ts', `import { periodKey } from './lead/periods';\nexport const k = periodKey;\n`],
      ['src/stores/visits-x.ts', `import { figuresBackend } from '@/workers/lead-figures-client';\nexport const b = figuresBackend;\n`],
    ];
    for (const [file, code] of field) expect(await restricted(file!, code!), file).toEqual([expect.stringContaining('lead workspace')]);
  });

  it('let lead code import lead code and field code import shared code', async () => {
    expect(await restricted('src/pages/lead/LeadX.vue', `<script setup lang="ts">\nimport LeadStat from '@/components/lead/LeadStat.vue';\nvoid LeadStat;\n</script>\n<template><p /></template>\n`)).toEqual([]);
    expect(await restricted('src/pages/HouseholdsPage.vue', `<script setup lang="ts">\nimport { useMergedRedirect } from '@/composables/useMergedRedirect';\nvoid useMergedRedirect;\n</script>\n<template><p /></template>\n`)).toEqual([]);
  });

  it('keep src/domain free of frameworks and app layers', async () => {
    expect(await restricted('src/domain/x.ts', `import { ref } from 'vue';\nexport const r = ref;\n`)).toHaveLength(1);
    expect(await restricted('src/domain/x.ts', `import { useLeadFigures } from '@/composables/lead/useLeadFigures';\nexport const f = useLeadFigures;\n`)).toHaveLength(1);
  });
});
