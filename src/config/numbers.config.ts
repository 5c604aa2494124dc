import type { EnvReader } from './env-reader.js';

export interface NumbersConfig {
  defaultAreaCode: string;
}

export function readNumbersConfig(env: EnvReader): NumbersConfig {
  return {
    defaultAreaCode:
      env.matching('DEFAULT_AREA_CODE', /^[2-9]\d{2}$/, 'a three-digit North American area code') ?? '205',
  };
}
