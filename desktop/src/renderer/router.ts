import { createRouter, createWebHashHistory, createWebHistory, type Router } from 'vue-router';
import OverviewView from './views/OverviewView.vue';
import { desktop } from './shell.ts';

/** Screens; all but the overview load on first visit, so the first paint stays small. */
export function createConsoleRouter(): Router {
  return createRouter({
    // The desktop app loads from a file: hash routes. The agent serves index.html for every path.
    history: desktop ? createWebHashHistory() : createWebHistory(),
    routes: [
      { path: '/', name: 'overview', component: OverviewView },
      {
        path: '/agents/:agentId/targets/:target',
        name: 'target',
        component: () => import('./views/TargetView.vue'),
        props: true,
      },
      { path: '/sandboxes', name: 'sandboxes', component: () => import('./views/SandboxesView.vue') },
      { path: '/audit', name: 'audit', component: () => import('./views/AuditView.vue') },
      { path: '/login', name: 'login', component: () => import('./views/LoginView.vue') },
      { path: '/agents', name: 'agents', component: () => import('./views/AgentsView.vue') },
    ],
  });
}
