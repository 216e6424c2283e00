from tests.emulator_support import emulator, emulator_environment, knobs  # noqa: F401
