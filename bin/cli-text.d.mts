export declare const DEFAULT_PORT: number;
export declare const MIN_TOKEN_LENGTH: number;
export declare function defaultDataDir(platform?: NodeJS.Platform, env?: NodeJS.ProcessEnv, home?: string): string;
export declare function readVersion(appRoot: string): string;
export declare function usage(): string;
