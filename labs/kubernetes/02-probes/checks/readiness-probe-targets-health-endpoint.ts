import { probeTargetsHealthEndpoint } from './shared.ts';

export default probeTargetsHealthEndpoint(
  'readiness',
  'Without a readiness probe a pod gets traffic as soon as its process starts, before the model is loaded, and keeps getting it when it stops answering.',
);
