// Whether AWS credentials can be expected here, checked without any network request: the
// SDK's default chain would otherwise ask the instance metadata service on every host, and wait
// for its timeouts on hosts that are not in EC2.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];

function readSmall(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** True on an EC2 instance (Nitro reports the vendor in DMI; Xen instances have an ec2 UUID). */
export function onEc2(sysRoot = '/sys'): boolean {
  if (readSmall(join(sysRoot, 'class/dmi/id/sys_vendor')).startsWith('Amazon EC2')) return true;
  if (readSmall(join(sysRoot, 'class/dmi/id/board_asset_tag')).startsWith('i-')) return true;
  return readSmall(join(sysRoot, 'hypervisor/uuid')).toLowerCase().startsWith('ec2');
}

/** Undefined when credentials may be found; otherwise why they cannot (one phrase). */
export function whyNoAwsCredentials(env: NodeJS.ProcessEnv = process.env, sysRoot = '/sys'): string | undefined {
  if (CREDENTIAL_ENV.some((k) => env[k])) return undefined;
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  const config = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  if (existsSync(credentials) || existsSync(config)) return undefined;
  if (env.AWS_EC2_METADATA_DISABLED !== 'true' && onEc2(sysRoot)) return undefined;
  return 'no AWS credentials in the environment or shared files, and not on EC2';
}
