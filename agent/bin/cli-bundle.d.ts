/** The bundle's entry file, or undefined when the sources must run (see cli-bundle.js). */
export function freshBundle(outDir: string): string | undefined;
