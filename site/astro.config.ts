import node from '@astrojs/node';
import react from '@astrojs/react';
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import { loadAllLabs } from '@mlops-lab/grader';
import { stageTitles } from './src/lib/stages.ts';

// The sidebar lists every lab, so it is built from the lab folders at
// config time; adding a lab needs no edit here.
const labs = await loadAllLabs();
const stages = await stageTitles();

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  output: 'static',
  // Mounted in our own HTTP server (site/server/), which also serves the API
  // and the terminal WebSocket.
  adapter: node({ mode: 'middleware' }),
  vite: {
    // The grader runs as it is (Node strips its types) and finds the repo
    // from its own file location, so it must stay outside the bundle.
    ssr: { external: ['@mlops-lab/grader'] },
    build: { rollupOptions: { external: [/^@mlops-lab\/grader(\/.*)?$/] } },
  },
  integrations: [
    starlight({
      title: 'MLOps Lab',
      description: 'Hands-on MLOps labs graded on what really runs, and a readiness tracker for career switchers.',
      disable404Route: false,
      customCss: ['./src/styles/lab.css'],
      sidebar: [
        {
          label: 'Start here',
          items: [
            { label: 'Home', link: '/' },
            { label: 'Choose your path', link: '/path/' },
            { label: 'Roadmap', link: '/roadmap/' },
            { label: 'Your dashboard', link: '/dashboard/' },
            { label: 'Your capstone report', link: '/report/' },
          ],
        },
        {
          label: 'Stages',
          items: stages.map((s) => ({ label: `${s.order}. ${s.title}`, link: `/stages/${s.id}/` })),
        },
        {
          // One collapsed group per stage, in roadmap order (Starlight opens the group of the current page).
          label: 'Labs',
          items: stages
            .map((s) => ({
              label: s.title,
              collapsed: true,
              items: labs
                .filter((l) => l.manifest.stage === s.id)
                .sort((a, b) => a.manifest.id.localeCompare(b.manifest.id))
                .map((l) => ({ label: l.manifest.title, link: `/labs/${l.manifest.id}/` })),
            }))
            .filter((group) => group.items.length > 0),
        },
        { label: 'Guides', items: [{ autogenerate: { directory: 'guides' } }] },
      ],
    }),
    react(),
  ],
});
