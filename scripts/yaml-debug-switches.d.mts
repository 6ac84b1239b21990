import type { Plugin } from 'esbuild';

export declare const yamlDebugSwitchesOff: Plugin;
