/**
 * Why this file exists: a released version's histories must come from that version's own code, not
 * from today's code with a flag. This takes a release from the manifest (test/histories/releases.json,
 * never git tags: CI clones may lack them), extracts its commit's tree with `git archive` into a
 * temporary folder, and bundles THAT tree's workflows/index.ts. node_modules are today's (the SDK is
 * 1.24 at every release; checked by `sdkVersionOf`). `current` is the working tree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const REPO = path.resolve(__dirname, '..', '..');
export const HISTORIES = path.join(REPO, 'test', 'histories');
export const MANIFEST = path.join(HISTORIES, 'releases.json');

export interface ReleaseEntry {
  commit: string;
  /** The patch markers this release's runs record (what today's code asks `patched()` for). */
  markers: string[];
  /** `tree`: the release's own test/support/stub-activities.ts; `current`: today's (0.1 had none). */
  stubs: 'tree' | 'current';
}

export interface Manifest {
  releases: Record<string, ReleaseEntry>;
  /** Commits that never landed but whose histories are kept as evidence (issue 17: e5b555f). */
  unreleased?: Record<string, ReleaseEntry>;
}

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
}

/** major.minor of the working tree's package.json: the release being built. */
export function currentRelease(): string {
  const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
  return version.split('.').slice(0, 2).join('.');
}

export interface ReleaseTree {
  /** The folder name under test/histories/. */
  release: string;
  commit: string;
  /** Where the tree's files are (the repository itself for `current`). */
  root: string;
  features: Features;
  stubsModule: string;
  remove(): void;
}

/** What a release's workflow can do, so that the matrix offers each release only its own branches. */
export interface Features {
  /** 0.2 on: validation, ownership proof, subscriptions, domain verification, registration (google-fidelity). */
  fidelity: boolean;
  /** 0.3 on: tokens queued and answered at once, update ids across continue-as-new (release-0.3). */
  release3: boolean;
  /** 0.4 on: billing-safe endings, the new terms after a transfer, keyless messages ignored (release-0.4). */
  release4: boolean;
}

// A 0.4 run records `release-0.4` alone: it implies the older releases' behaviours (workflows/versions.ts).
export const featuresOf = (markers: string[]): Features => ({
  fidelity: markers.includes('google-fidelity') || markers.includes('release-0.4'),
  release3: markers.includes('release-0.3') || markers.includes('release-0.4'),
  release4: markers.includes('release-0.4'),
});

/** The tree of `release` (a manifest key, or `current`), ready to bundle. */
export function releaseTree(release: string): ReleaseTree {
  const manifest = readManifest();
  const entry = manifest.releases[release] ?? manifest.unreleased?.[release];
  // A release of the manifest is always built from its commit; the working tree only when asked, or not released yet.
  if (release === 'current' || (!entry && release === currentRelease())) {
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    return {
      release: currentRelease(),
      commit: `${head} (working tree)`,
      root: REPO,
      features: { fidelity: true, release3: true, release4: true },
      stubsModule: path.join(REPO, 'test', 'support', 'stub-activities.ts'),
      remove: () => undefined,
    };
  }
  if (!entry) throw new Error(`release ${release} is not in ${MANIFEST} (known: ${knownReleases().join(', ')})`);
  const root = mkdtempSync(path.join(os.tmpdir(), `onboarding-${release}-`));
  try {
    // The whole commit: a clone without it (a shallow CI checkout) fails here, saying so.
    execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', REPO, entry.commit, root], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `cannot extract ${entry.commit} (release ${release}): fetch the full history (git fetch --unshallow)`,
      {
        cause: err,
      },
    );
  }
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const sdk = sdkVersionOf(root);
  if (sdk !== sdkVersionOf(REPO)) {
    throw new Error(`release ${release} was built with @temporalio/workflow ${sdk}; today's is ${sdkVersionOf(REPO)}`);
  }
  return {
    release,
    commit: entry.commit,
    root,
    features: featuresOf(entry.markers),
    stubsModule: path.join(entry.stubs === 'tree' ? root : REPO, 'test', 'support', 'stub-activities.ts'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function knownReleases(): string[] {
  const manifest = readManifest();
  return [...Object.keys(manifest.releases), ...Object.keys(manifest.unreleased ?? {})];
}

/** The workflow SDK version a tree's package.json pins. */
function sdkVersionOf(root: string): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return pkg.dependencies?.['@temporalio/workflow'] ?? '(none)';
}

/** The tree's workflow code, bundled as its worker would (with its own failure converter). */
export function bundleOf(tree: ReleaseTree): Promise<WorkflowBundleWithSourceMap> {
  const failureConverter = path.join(tree.root, 'encryption', 'failure-converter.ts');
  return bundleWorkflowCode({
    workflowsPath: path.join(tree.root, 'workflows', 'index.ts'),
    ...(existsSync(failureConverter) ? { failureConverterPath: failureConverter } : {}),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
}

/** A module of the tree (its stubs, its test orders), loaded as that release had it. */
export async function importFromTree<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(file).href)) as T;
}
