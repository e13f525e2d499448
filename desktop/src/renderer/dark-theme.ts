/** Naive UI's dark theme covers every component: loaded only when the dark theme is used. */
export { darkTheme } from 'naive-ui';
