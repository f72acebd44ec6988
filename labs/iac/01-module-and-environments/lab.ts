import { defineLab } from '@mlops-lab/grader/authoring';
import backendIsSetPerEnvironment from './checks/backend-is-set-per-environment.ts';
import configurationParses from './checks/configuration-parses.ts';
import environmentsSetTheirValues from './checks/environments-set-their-values.ts';
import lockFileIsCommitted from './checks/lock-file-is-committed.ts';
import moduleIsCalledFromTheRoot from './checks/module-is-called-from-the-root.ts';
import outputsAreDeclared from './checks/outputs-are-declared.ts';
import providersArePinned from './checks/providers-are-pinned.ts';
import stateStaysOutOfGit from './checks/state-stays-out-of-git.ts';
import tofuValidatePasses from './checks/tofu-validate-passes.ts';
import validationRejectsBadInput from './checks/validation-rejects-bad-input.ts';
import variablesAreTypedAndValidated from './checks/variables-are-typed-and-validated.ts';

export default defineLab({
  id: 'iac/01-module-and-environments',
  version: '1.0.0',
  title: 'A module, two environments, pinned providers and state out of git',
  stage: 'iac',
  summary:
    'Turn a one-file OpenTofu prototype for the model API (namespace, Deployment, Service) into a module with typed, validated variables, dev and prod values files, a pinned provider with its lock file, outputs, and one backend per environment.',
  minutes: 60,
  difficulty: 'intermediate',
  skills: ['kubernetes', 'cloud-platform'],
  needs: ['tofu'],
  checks: [
    configurationParses,
    moduleIsCalledFromTheRoot,
    variablesAreTypedAndValidated,
    providersArePinned,
    lockFileIsCommitted,
    stateStaysOutOfGit,
    backendIsSetPerEnvironment,
    environmentsSetTheirValues,
    outputsAreDeclared,
    tofuValidatePasses,
    validationRejectsBadInput,
  ],
  defaults: { timeoutMs: 30_000 },
  contract: {
    starterFails: ['module-is-called-from-the-root', 'providers-are-pinned', 'state-stays-out-of-git', 'backend-is-set-per-environment'],
  },
});
