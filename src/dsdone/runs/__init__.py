"""Opt-in execution (``dsdone check --run tests|retrain|verify|all``): the only code that runs
the project's own code, and only when a flag asks. Static checks prove that promises point at
real code; these runs prove the code works: the test suite, a retrain smoke run on a sample, the
verification scripts the scientists declared."""
