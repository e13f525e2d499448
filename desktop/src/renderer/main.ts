import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createConsoleRouter } from './router.ts';
import { initialAgents } from './shell.ts';
import { useAgentsStore } from './stores/agents.ts';
import './styles/base.css';

performance.mark('port-yard:start');
const app = createApp(App).use(createPinia()).use(createConsoleRouter());
const agents = useAgentsStore();
for (const agent of await initialAgents()) agents.connect(agent);
performance.mark('port-yard:mount');
app.mount('#app');
