/**
 * What the CI/CD labs share: reading a lab's workflow once per grading run,
 * and the checks and judgements a reviewer applies to every workflow
 * (GitHub's parser accepts it, actions pinned to a commit, a read-only
 * token, secrets only from `secrets.*`).
 */
import {
  defineCheck,
  fail,
  listWorkflowFiles,
  pass,
  readWorkflow,
  type CheckContext,
  type CheckOutcome,
  type WorkflowModel,
  type YamlPath,
} from '@mlops-lab/grader/authoring';

/** The lab's workflow, read and parsed once per grading run; undefined when the file is missing. */
export async function labWorkflow(ctx: CheckContext, file: string): Promise<WorkflowModel | undefined> {
  return await ctx.memo(`workflow:${file}`, async () => ((await ctx.files.exists(file)) ? await readWorkflow(ctx.files, file) : undefined));
}

/** The workflow when GitHub's parser accepts it; otherwise the outcome to return (the validity check says why). */
export async function validWorkflow(ctx: CheckContext, file: string): Promise<WorkflowModel | CheckOutcome> {
  const model = await labWorkflow(ctx, file);
  if (!model) return missing(file, ctx.lab.id);
  if (model.problems.length > 0) return { status: 'skip', message: `${file} has problems GitHub's parser reports; see workflow-is-valid.` };
  return model;
}

export function isModel(value: WorkflowModel | CheckOutcome): value is WorkflowModel {
  return 'jobs' in value;
}

function missing(file: string, labId: string): CheckOutcome {
  return fail({
    message: `There is no ${file} in the workspace: GitHub runs only the workflows in .github/workflows/.`,
    expected: `${file}`,
    actual: 'no such file',
    hint: `Create ${file} (the instructions have a skeleton), then \`mlops-lab check ${shortId(labId)}\`.`,
  });
}

export function shortId(labId: string): string {
  return labId.replace(/^(\w+)\/(\d+)-.*$/, '$1/$2');
}

/** The check that GitHub's own parser accepts the workflow (schema, expressions, cron, job references). */
export function workflowIsValid(options: { labId: string; file: string }) {
  return defineCheck({
    id: 'workflow-is-valid',
    title: `GitHub's workflow parser accepts ${options.file}`,
    hint: `Fix what each problem names (file:line and YAML path), then \`mlops-lab check ${shortId(options.labId)}\`.`,
    async run(ctx) {
      // Mirrors: what GitHub shows on the Actions tab when a pushed workflow is invalid ("Invalid workflow file"), via @actions/workflow-parser.
      const model = await labWorkflow(ctx, options.file);
      if (!model) {
        const others = await listWorkflowFiles(ctx.files);
        const outcome = missing(options.file, options.labId);
        return others.length > 0 && outcome.status === 'fail'
          ? {
              ...outcome,
              actual: `no such file; the workflows here are ${others.join(', ')} (GitHub runs them all, the lab grades ${options.file})`,
            }
          : outcome;
      }
      if (model.problems.length === 0) {
        return pass(`GitHub's parser accepts ${options.file}: ${model.jobs.length} job(s) (${model.jobs.map((j) => j.id).join(', ')}).`);
      }
      return fail({
        message: `GitHub would refuse ${options.file} ("Invalid workflow file") and run none of its jobs.`,
        expected: 'a workflow that @actions/workflow-parser (GitHub’s own parser) accepts',
        actual: model.problems
          .slice(0, 10)
          .map((p) => `${p.file}:${p.line}${p.path ? ` ${p.path}` : ''}: ${p.message}`)
          .join('\n'),
        hint: `Fix the first problem (its line and YAML path are given), then \`mlops-lab check ${shortId(options.labId)}\`. The workflow syntax reference: https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax`,
      });
    },
  });
}

/** Every `uses:` of the workflow, with where it is. */
export function usesOf(model: WorkflowModel): { uses: string; path: YamlPath; where: string }[] {
  const found: { uses: string; path: YamlPath; where: string }[] = [];
  for (const job of model.jobs) {
    if (job.uses) found.push({ uses: job.uses, path: ['jobs', job.id, 'uses'], where: model.where(['jobs', job.id, 'uses']) });
    for (const step of job.steps) {
      if (step.uses) {
        const path = ['jobs', job.id, 'steps', step.index, 'uses'];
        found.push({ uses: step.uses, path, where: model.where(path) });
      }
    }
  }
  return found;
}

/** Why a `uses:` reference can change under you, or undefined when it cannot. */
export function unpinnedReason(uses: string): string | undefined {
  if (uses.startsWith('./')) return undefined; // an action in this repository: pinned by the commit being built
  if (uses.startsWith('docker://')) return /@sha256:[0-9a-f]{64}$/.test(uses) ? undefined : 'a Docker image without an @sha256: digest';
  const at = uses.lastIndexOf('@');
  if (at < 0) return 'no version at all';
  const ref = uses.slice(at + 1);
  if (/^[0-9a-f]{40}$/.test(ref)) return undefined;
  if (/^[0-9a-f]{7,39}$/i.test(ref)) return `a short SHA (${ref}): GitHub needs the full 40-character commit SHA`;
  if (/^(main|master|develop|dev|trunk|HEAD)$/.test(ref)) return `the branch ${ref}: every push to it changes what runs`;
  return `the tag ${ref}: tags can be moved to other code (that is how tj-actions/changed-files was compromised in March 2025)`;
}

/** The check that every action is pinned to a full commit SHA. */
export function actionsArePinned(options: { labId: string; file: string }) {
  return defineCheck({
    id: 'actions-are-pinned-to-a-commit-sha',
    title: 'Every action is pinned to a full commit SHA',
    needs: ['workflow-is-valid'],
    hint: 'Write `uses: actions/checkout@<40-character SHA> # v4.2.2`: the SHA is what runs, the comment is for people.',
    async run(ctx) {
      // Mirrors: grep -n 'uses:' on the workflow, as GitHub's "Security hardening for GitHub Actions" guide asks a reviewer to.
      const model = await validWorkflow(ctx, options.file);
      if (!isModel(model)) return model;
      const all = usesOf(model);
      const problems = all.flatMap((u) => {
        const reason = unpinnedReason(u.uses);
        return reason ? [`${u.where}: ${u.uses} is pinned to ${reason}`] : [];
      });
      if (problems.length === 0) return pass(`All ${all.length} action reference(s) are pinned to a full commit SHA.`);
      return fail({
        message:
          'An action referenced by a tag or branch runs whatever that name points to on the day the workflow runs, with your token and secrets. A full commit SHA cannot be moved.',
        expected: 'uses: owner/repo@<40-character commit SHA> for every action (a `# vX.Y.Z` comment beside it)',
        actual: problems.join('\n'),
        hint: `Look up the commit of the release you want (\`git ls-remote https://github.com/actions/checkout refs/tags/v4.2.2\`), write \`uses: actions/checkout@<sha> # v4.2.2\`, then \`mlops-lab check ${shortId(options.labId)}\`.`,
      });
    },
  });
}

const SCOPES_READ = new Set(['read', 'none']);

/** Problems with the token's permissions: unset, write-all, or write where the lab allows none. */
export function permissionProblems(model: WorkflowModel, allowedWrites: Record<string, readonly string[]> = {}): string[] {
  const problems: string[] = [];
  const judge = (value: unknown, path: YamlPath, jobId: string | undefined): void => {
    const where = model.where(path);
    if (value === 'write-all') problems.push(`${where}: write-all gives the token write access to every scope`);
    else if (value === 'read-all') problems.push(`${where}: read-all grants every scope; name the ones the job needs (contents: read)`);
    else if (typeof value === 'object' && value !== null) {
      for (const [scope, level] of Object.entries(value)) {
        if (SCOPES_READ.has(String(level))) continue;
        if (jobId && allowedWrites[jobId]?.includes(scope)) continue;
        problems.push(`${model.where([...path, scope])}: ${scope}: ${String(level)}${jobId ? ` in job ${jobId}` : ' for every job'}`);
      }
    } else if (value !== undefined) problems.push(`${where}: ${String(value)} is not a permissions setting`);
  };
  if (model.permissions === undefined) {
    const unset = model.jobs.filter((j) => j.permissions === undefined);
    for (const job of unset) {
      problems.push(
        `${model.where(['jobs', job.id])}: job ${job.id} sets no permissions and the workflow sets none at the top: the token gets the repository default (read-write on repositories created before February 2023)`,
      );
    }
  } else judge(model.permissions, ['permissions'], undefined);
  for (const job of model.jobs) if (job.permissions !== undefined) judge(job.permissions, ['jobs', job.id, 'permissions'], job.id);
  return problems;
}

/** The check that the GITHUB_TOKEN can only read (plus the writes a lab names per job). */
export function tokenIsLeastPrivilege(options: { labId: string; file: string; allowedWrites?: Record<string, readonly string[]> }) {
  const extra = Object.entries(options.allowedWrites ?? {});
  return defineCheck({
    id: 'token-has-least-privilege',
    title: `The workflow's GITHUB_TOKEN can only read the repository${extra.length ? ' (plus the writes a job needs)' : ''}`,
    needs: ['workflow-is-valid'],
    hint: 'At the top of the workflow: `permissions: { contents: read }`.',
    async run(ctx) {
      // Mirrors: reading `permissions:` at the top and in each job, as the hardening guide and OpenSSF Scorecard's Token-Permissions check do.
      const model = await validWorkflow(ctx, options.file);
      if (!isModel(model)) return model;
      const problems = permissionProblems(model, options.allowedWrites);
      if (problems.length === 0) return pass(`The token is limited: permissions ${JSON.stringify(model.permissions ?? 'per job')}.`);
      return fail({
        message:
          'Every step (and every action it runs) can use the GITHUB_TOKEN. A test job needs to read the code, nothing more; a token that can write can push commits or tags if one dependency is compromised.',
        expected: `permissions: { contents: read } at the top of the workflow${extra.length ? `; writes only where needed (${extra.map(([j, s]) => `${j}: ${s.join(', ')}`).join('; ')})` : ''}`,
        actual: problems.join('\n'),
        hint: `Add \`permissions:\\n  contents: read\` at the top level of ${options.file}, remove write-all, then \`mlops-lab check ${shortId(options.labId)}\`.`,
      });
    },
  });
}

/** Known token shapes: a value like these in a workflow is a leaked credential. */
const TOKEN_SHAPES: [RegExp, string][] = [
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{30,}/, 'a GitHub fine-grained token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bsk-[A-Za-z0-9_-]{20,}/, 'an API secret key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
];
const SECRET_NAME = /(token|secret|passw(or)?d|api[_-]?key|access[_-]?key|credential|private[_-]?key|auth)/i;

/** Places where a credential is written into the workflow instead of coming from `secrets.*`. */
export function literalSecrets(model: WorkflowModel): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      for (const [shape, what] of TOKEN_SHAPES) {
        if (shape.test(value)) problems.push(`${model.where(path)}: looks like ${what} written into the file`);
      }
      const key = path.at(-1);
      const inEnvOrWith = path.length >= 2 && ['env', 'with'].includes(String(path.at(-2)));
      if (inEnvOrWith && typeof key === 'string' && SECRET_NAME.test(key) && value.trim() !== '' && !value.includes('${{')) {
        if (!TOKEN_SHAPES.some(([shape]) => shape.test(value)))
          problems.push(
            `${model.where(path)}: ${key} is set to a literal value, not \${{ secrets.${key.toUpperCase().replace(/-/g, '_')} }}`,
          );
      }
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(model.data, []);
  return problems;
}

/** The check that credentials come only from the `secrets` context. */
export function secretsComeFromSecretsContext(options: { labId: string; file: string }) {
  return defineCheck({
    id: 'secrets-come-from-secrets-context',
    title: 'Credentials come from `${{ secrets.* }}`, never written into the workflow',
    needs: ['workflow-is-valid'],
    hint: 'Store the value under Settings → Secrets and variables → Actions, then `env: { API_TOKEN: ${{ secrets.API_TOKEN }} }`.',
    async run(ctx) {
      // Mirrors: a secret scanner over the workflow (gitleaks/trufflehog), plus reading env: and with: for credential names with literal values.
      const model = await validWorkflow(ctx, options.file);
      if (!isModel(model)) return model;
      const problems = literalSecrets(model);
      if (problems.length === 0) return pass('No credential is written into the workflow; secrets come from the secrets context.');
      return fail({
        message:
          'A credential in a workflow file is readable by everyone who can read the repository, forever (git history keeps it). Secrets belong in the repository or environment secrets, read as `${{ secrets.NAME }}`.',
        expected: 'credentials only as ${{ secrets.NAME }}',
        actual: problems.join('\n'),
        hint: `Rotate the leaked value, add it with \`gh secret set NAME\`, replace it in ${options.file} with \`\${{ secrets.NAME }}\`, then \`mlops-lab check ${shortId(options.labId)}\`.`,
      });
    },
  });
}
