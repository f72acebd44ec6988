import { defineLab, pass } from '@mlops-lab/grader/authoring';

export default defineLab({
  id: 'docker/01-needs-cycle',
  version: '1.0.0',
  title: 'Fixture lab 01-needs-cycle',
  stage: 'docker',
  summary: 'A fixture lab for the loader tests.',
  minutes: 10,
  difficulty: 'beginner',
  skills: ['production-python'],
  checks: [
    { id: 'dockerfile-exists', title: 'There is a Dockerfile', run: () => pass('Found Dockerfile.') },
    { id: 'image-builds', title: 'The image builds', needs: ['dockerfile-exists', 'container-starts'], run: () => pass('Built.') },
    { id: 'image-runs-as-non-root', title: 'The image runs as non-root', needs: ['image-builds'], run: () => pass('Non-root.') },
    { id: 'container-starts', title: 'The container starts', needs: ['image-runs-as-non-root'], run: () => pass('Started.') },
  ],
  contract: { starterFails: ['image-builds'] },
});
