pytest_plugins = ["tests.fakecap.fixtures"]
