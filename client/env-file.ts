import { existsSync } from 'node:fs';

/** Loads ./.env into the environment when there is one; variables already set win. (See .env.example.) */
export function loadEnvFile(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
