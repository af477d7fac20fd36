/**
 * Jest's globalSetup: names this test run, so that work done once per run (the build of dist/ for
 * the compiled-worker tests) is shared by parallel Jest workers instead of repeated by each file.
 * Workers inherit the environment set here.
 */
module.exports = async () => {
  process.env.ONBOARDING_TEST_RUN = `${Date.now()}-${process.pid}`;
};
