/** Loads ./.env into the environment when there is one; variables already set win. (See .env.example.) */
import { existsSync } from 'node:fs';

export function loadEnvFile(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
