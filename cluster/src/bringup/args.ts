import { ClusterError } from '../provision/errors.ts';

/** The k3s release `cluster:up` installs (the fixture API server reports the same version). */
export const K3S_VERSION = 'v1.31.4+k3s1';

export type Action = 'up' | 'down' | 'status';

export interface BringupArgs {
  action: Action;
  /** Use the cluster the kubeconfig points at; never install k3s. */
  existing: boolean;
  /** Build the lab images and import them into k3s (default true). */
  images: boolean;
  /** Print what would be done; change nothing. */
  dryRun: boolean;
  /** `down`: also delete every learner namespace and the shared learner role. */
  learners: boolean;
  /** `down`: also run k3s's uninstall script. */
  uninstallK3s: boolean;
  /** Confirm a destructive `down`. */
  yes: boolean;
  /** Seconds to wait for the cluster and the services. */
  timeoutSeconds: number;
  json: boolean;
}

export const USAGE = `Usage:
  npm run cluster:up     [-- --existing] [--no-images] [--timeout SECONDS] [--dry-run]
  npm run cluster:status [-- --json]
  npm run cluster:down   -- --yes [--learners] [--uninstall-k3s] [--dry-run]

up      Install k3s ${K3S_VERSION} (Linux; skipped when a cluster already answers or with --existing),
        wait until it is ready, build and import the lab images, and deploy the lab services
        (MLflow + Postgres, MinIO, Prometheus, Alertmanager, Grafana, a registry) with Traefik routes.
status  Say whether the cluster answers, its version, each lab service and each learner namespace.
down    Delete the lab services (namespace mlops-lab); --learners also every learner namespace;
        --uninstall-k3s also removes k3s from this machine.`;

const FLAGS: Record<string, keyof BringupArgs> = {
  '--existing': 'existing',
  '--no-images': 'images',
  '--dry-run': 'dryRun',
  '--learners': 'learners',
  '--uninstall-k3s': 'uninstallK3s',
  '--yes': 'yes',
  '-y': 'yes',
  '--json': 'json',
};

const ALLOWED: Record<Action, (keyof BringupArgs)[]> = {
  up: ['existing', 'images', 'dryRun', 'timeoutSeconds'],
  status: ['json', 'timeoutSeconds'],
  down: ['dryRun', 'learners', 'uninstallK3s', 'yes', 'timeoutSeconds'],
};

function usage(message: string): ClusterError {
  return new ClusterError('USAGE', 'usage', message, USAGE.split('\n').slice(1, 4).join('\n').trim());
}

/** Parses `up|down|status [flags]`; a ClusterError (kind `usage`) names what is wrong. */
export function parseBringupArgs(argv: readonly string[]): BringupArgs {
  const [action, ...rest] = argv;
  if (action !== 'up' && action !== 'down' && action !== 'status') throw usage(`Unknown action "${action ?? ''}": use up, down or status.`);
  const args: BringupArgs = {
    action,
    existing: false,
    images: true,
    dryRun: false,
    learners: false,
    uninstallK3s: false,
    yes: false,
    timeoutSeconds: 600,
    json: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === '--timeout') {
      const value = Number(rest[++i]);
      if (!Number.isInteger(value) || value < 10 || value > 3600)
        throw usage(`--timeout needs a number of seconds from 10 to 3600, not "${rest[i] ?? ''}".`);
      args.timeoutSeconds = value;
      continue;
    }
    const key = FLAGS[flag];
    if (!key || !ALLOWED[action].includes(key)) throw usage(`Unknown option "${flag}" for ${action}.`);
    (args as unknown as Record<string, boolean>)[key] = key !== 'images';
  }
  if (action === 'down' && !args.yes && !args.dryRun) {
    throw new ClusterError(
      'CONFIRMATION_NEEDED',
      'usage',
      'cluster:down deletes the lab services and their data (MLflow runs, MinIO objects, the registry).',
      'Run it again with --yes to go ahead (`npm run cluster:down -- --yes`), or with --dry-run to see what it would delete.',
    );
  }
  return args;
}
