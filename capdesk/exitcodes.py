"""Process exit codes: a contract with scripts (see README, "Command line")."""

OK = 0
FAILURE = 1
USAGE = 2
KEY_REFUSED = 3  # 401
NO_CREDITS = 4  # 402
ORIGIN_REFUSED = 5  # 403
NETWORK = 6  # network or server still failing after retries
NOT_CONFIGURED = 7  # a key or setting the command needs is missing (or unusable)
