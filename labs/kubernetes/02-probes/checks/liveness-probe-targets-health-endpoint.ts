import { probeTargetsHealthEndpoint } from './shared.ts';

export default probeTargetsHealthEndpoint(
  'liveness',
  'A liveness probe restarts a container that stops answering. Pointed at the wrong port or path it restarts a healthy one, forever.',
);
