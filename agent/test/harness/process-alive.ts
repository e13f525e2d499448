/** The agent's own check (zombies count as gone), for tests that watch child processes. */
export { isAlive } from '../../src/platform/process-alive.ts';
