/** The package version, read from package.json. */
import { createRequire } from 'node:module';

/** This package's version string. */
export const PACKAGE_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
