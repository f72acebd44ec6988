import { defineLab, pass } from '@mlops-lab/grader/authoring';

// @ts-expect-error -- invalid on purpose: the loader must report it
export default defineLab({
  id: 'docker/01-missing-field',
  version: '1.0.0',
  title: 'Fixture lab 01-missing-field',
  stage: 'docker',
  minutes: 10,
  difficulty: 'beginner',
  skills: ['production-python'],
  checks: [
    { id: 'dockerfile-exists', title: 'There is a Dockerfile', run: () => pass('Found Dockerfile.') },
    { id: 'image-builds', title: 'The image builds', needs: ['dockerfile-exists'], run: () => pass('Built.') },
  ],
  contract: { starterFails: ['image-builds'] },
});
