import { onBeforeUnmount, ref, type Ref } from 'vue';

/** True while the window is at most `maxWidth` px wide (a phone): layouts stack instead of sitting side by side. */
export function useNarrow(maxWidth = 640): Ref<boolean> {
  const media = globalThis.matchMedia?.(`(max-width: ${maxWidth}px)`);
  const narrow = ref(media?.matches ?? false);
  const update = (event: MediaQueryListEvent): void => {
    narrow.value = event.matches;
  };
  media?.addEventListener('change', update);
  onBeforeUnmount(() => media?.removeEventListener('change', update));
  return narrow;
}
