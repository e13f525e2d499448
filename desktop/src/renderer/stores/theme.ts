import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';

export type ThemeChoice = 'light' | 'dark' | 'system';

/** Light, dark, or the system's preference; remembered in localStorage. */
export const useThemeStore = defineStore('theme', () => {
  const stored = globalThis.localStorage?.getItem('port-yard.theme');
  const choice = ref<ThemeChoice>(stored === 'light' || stored === 'dark' ? stored : 'system');
  const media = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
  const systemDark = ref(media?.matches ?? false);
  media?.addEventListener('change', (event) => (systemDark.value = event.matches));
  watch(choice, (value) => globalThis.localStorage?.setItem('port-yard.theme', value));
  const dark = computed(() => (choice.value === 'system' ? systemDark.value : choice.value === 'dark'));
  const toggle = (): void => {
    choice.value = dark.value ? 'light' : 'dark';
  };
  return { choice, dark, toggle };
});
