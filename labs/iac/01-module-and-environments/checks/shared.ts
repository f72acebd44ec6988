import type { CheckContext, TfModule } from '@mlops-lab/grader/authoring';
import { moduleAt } from '../../_shared/config.ts';

export const ROOT = 'infra';
export const MODULE_DIR = 'infra/modules/model-api';
export const MODULE_SOURCE = './modules/model-api';
export const ENVIRONMENTS = ['dev', 'prod'] as const;

/** The root module (infra/) and the model API module, parsed once per run. */
export async function readInfra(ctx: Pick<CheckContext, 'memo' | 'files'>): Promise<{ root: TfModule; module: TfModule | undefined }> {
  const root = await moduleAt(ctx, ROOT);
  const module = (await ctx.files.exists(MODULE_DIR)) ? await moduleAt(ctx, MODULE_DIR) : undefined;
  return { root, module };
}
