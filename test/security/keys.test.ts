/**
 * Findings against key handling: the local key file was created following symlinks (a link planted
 * in its place made the key land where others could read it), world-readable configured key files
 * were accepted silently, and codec errors listed the configured key ids.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEncryptionKeys } from '../../encryption/keys';

const keyFileJson = () => JSON.stringify({ keys: [{ id: 'configured', key: randomBytes(32).toString('base64') }] });

describe('encryption keys on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'onboarding-keys-sec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a symlink planted where the local key file goes, leaving its target untouched', () => {
    const folder = path.join(dir, '.local');
    mkdirSync(folder, { mode: 0o700 });
    const target = path.join(dir, 'world-readable-target');
    const planted = path.join(folder, 'encryption-keys.json');
    symlinkSync(target, planted); // dangling: the old code would have written the key through it

    expect(() => loadEncryptionKeys({}, planted)).toThrow(/is a symbolic link; refusing to follow it/);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);

    // An existing target (say an attacker's file with their own key) is neither read as keys nor changed.
    writeFileSync(target, keyFileJson(), { mode: 0o644 });
    const before = readFileSync(target, 'utf8');
    expect(() => loadEncryptionKeys({}, planted)).toThrow(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  it('refuses a key folder that is a symlink', () => {
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, path.join(dir, '.local'));
    expect(() => loadEncryptionKeys({}, path.join(dir, '.local', 'encryption-keys.json'))).toThrow(/is not a folder/);
    expect(existsSync(path.join(elsewhere, 'encryption-keys.json'))).toBe(false);
  });

  it('creates the local key file 0600 in a 0700 folder, tightening an open folder of ours', () => {
    const folder = path.join(dir, '.local');
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const file = path.join(folder, 'encryption-keys.json');
    loadEncryptionKeys({}, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
  });

  it('refuses a local key file others can read', () => {
    const file = path.join(dir, 'encryption-keys.json');
    writeFileSync(file, keyFileJson(), { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(() => loadEncryptionKeys({}, file)).toThrow(/accessible by group or others \(mode 644\); chmod 600 it/);
  });

  it('reports a configured key file others can read, and refuses one they can write', () => {
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, keyFileJson());
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const keys = loadEncryptionKeys({ ONBOARDING_ENCRYPTION_KEY_FILE: file }, path.join(dir, 'unused.json'), {
      warn: (m) => warnings.push(m),
    });
    expect(keys.map((k) => k.id)).toEqual(['configured']);
    expect(warnings).toEqual([
      expect.stringMatching(/keys\.json is readable by group or others \(mode 644\); chmod 600 it/),
    ]);

    chmodSync(file, 0o600);
    warnings.length = 0;
    loadEncryptionKeys({ ONBOARDING_ENCRYPTION_KEY_FILE: file }, path.join(dir, 'unused.json'), {
      warn: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([]);

    chmodSync(file, 0o666);
    expect(() =>
      loadEncryptionKeys({ ONBOARDING_ENCRYPTION_KEY_FILE: file }, path.join(dir, 'unused.json'), {
        warn: () => undefined,
      }),
    ).toThrow(/writable by group or others \(mode 666\)/);
  });
});
