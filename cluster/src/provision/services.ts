import { SERVICES_NAMESPACE } from './objects.ts';

/** A shared lab service `npm run cluster:up` installs in the `mlops-lab` namespace (cluster/services/*.yaml). */
export interface LabService {
  /** The workload's name (Deployment or StatefulSet), also its Service's. */
  name: string;
  kind: 'Deployment' | 'StatefulSet';
  /** What it is for, in a few words. */
  role: string;
}

/** Every shared service, in the order they are installed. Single-replica Deployments (Recreate, on a PVC): a learner cluster needs no StatefulSet ordering. */
export const LAB_SERVICES: readonly LabService[] = [
  { name: 'postgres', kind: 'Deployment', role: "MLflow's database" },
  { name: 'minio', kind: 'Deployment', role: 'S3-compatible store for DVC and MLflow artifacts' },
  { name: 'mlflow', kind: 'Deployment', role: 'MLflow tracking server' },
  { name: 'prometheus', kind: 'Deployment', role: 'metrics' },
  { name: 'alertmanager', kind: 'Deployment', role: 'alerts' },
  { name: 'grafana', kind: 'Deployment', role: 'dashboards' },
  { name: 'registry', kind: 'Deployment', role: 'local image registry' },
];

export { SERVICES_NAMESPACE };
